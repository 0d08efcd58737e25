/**
 * @module inbox/schemas
 * A reader's inbox (消息): short notices the node puts there — a new lecture of a subscribed
 * course today; other issues add kinds and delivery channels (WeChat, SMS). A notice links to
 * a page of the portal; it carries no other reader's data.
 */
import { z } from 'zod'

/** What a notice is about (the UI picks an icon and wording by it). */
export const NoticeKind = z.enum([
  'new-lecture',
  'live-starting',
  'activity-results',
  // A reader on an event's waiting list got a seat (someone cancelled).
  'signup-confirmed',
  // Issue 21 (notify): an activity entering a phase, new items in a subscribed topic, and the
  // account's own security events.
  'activity-phase',
  'topic-items',
  'password-changed',
  'new-device',
])
export type NoticeKind = z.infer<typeof NoticeKind>

export const Notice = z.object({
  id: z.string(),
  kind: NoticeKind,
  title: z.string(),
  body: z.string().optional(),
  /** A path of the portal (`/lectures/:id`), never another site. */
  link: z.string(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
})
export type Notice = z.infer<typeof Notice>

export const InboxQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(30),
  /** A notice id: the page after it (older). */
  before: z.string().max(64).optional(),
})
export type InboxQuery = z.infer<typeof InboxQuery>

/** `GET /api/me/inbox`: newest first, with the unread count. */
export const InboxList = z.object({
  items: z.array(Notice),
  unread: z.number().int(),
  nextBefore: z.string().nullable(),
})
export type InboxList = z.infer<typeof InboxList>

export const UnreadCount = z.object({ unread: z.number().int() })
export type UnreadCount = z.infer<typeof UnreadCount>

/** `POST /api/me/inbox/read`: the notices given, or every one. */
export const MarkReadRequest = z.union([
  z.strictObject({ ids: z.array(z.string().max(64)).min(1).max(100) }),
  z.strictObject({ all: z.literal(true) }),
])
export type MarkReadRequest = z.infer<typeof MarkReadRequest>
