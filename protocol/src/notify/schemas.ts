/**
 * @module notify/schemas
 * How a reader is told (issue 21): besides the inbox, the delivery channels a reader chooses —
 * Web Push, SMS, WeChat template messages — quiet hours (in Asia/Shanghai, the node's readers'
 * clock) and the browser's push subscriptions. A push payload carries only what the notice says
 * (kind, title, body, portal link): never the reader's name, phone or account.
 */
import { z } from 'zod'

/** Delivery channels beyond the inbox (the inbox always gets every notice). */
export const ChannelName = z.enum(['push', 'sms', 'wechat'])
export type ChannelName = z.infer<typeof ChannelName>

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM')

/** A reader's choices: which channels, and when not to be disturbed. */
export const NotifyPrefs = z.strictObject({
  channels: z.strictObject({ push: z.boolean(), sms: z.boolean(), wechat: z.boolean() }),
  /** Asia/Shanghai wall clock; `from` later than `to` spans midnight (22:00–07:00). */
  quietHours: z.strictObject({ from: hhmm, to: hhmm }).nullable(),
})
export type NotifyPrefs = z.infer<typeof NotifyPrefs>

/** `GET /api/me/notify`: the choices, and which channels this node can deliver on. */
export const NotifySettings = z.object({
  prefs: NotifyPrefs,
  available: z.array(ChannelName),
  pushSubscriptions: z.number().int(),
})
export type NotifySettings = z.infer<typeof NotifySettings>

/** `GET /api/push/key`: the node's VAPID public key (base64url), for `pushManager.subscribe`. */
export const PushKey = z.object({ publicKey: z.string() })
export type PushKey = z.infer<typeof PushKey>

/** A browser's `PushSubscription.toJSON()` as posted to `POST /api/me/push`. */
export const PushSubscriptionInput = z.object({
  endpoint: z.url({ protocol: /^https?$/ }).max(2048),
  expirationTime: z.number().nullable().optional(),
  keys: z.strictObject({
    p256dh: z.string().regex(/^[A-Za-z0-9_-]{80,100}=*$/),
    auth: z.string().regex(/^[A-Za-z0-9_-]{16,32}=*$/),
  }),
})
export type PushSubscriptionInput = z.infer<typeof PushSubscriptionInput>

/** `DELETE /api/me/push`: the endpoint the browser no longer uses. */
export const PushUnsubscribe = z.strictObject({ endpoint: z.string().max(2048) })
export type PushUnsubscribe = z.infer<typeof PushUnsubscribe>

/** What the service worker receives (and shows): nothing personal. */
export const PushPayload = z.object({
  kind: z.string(),
  title: z.string(),
  body: z.string().optional(),
  link: z.string(),
  id: z.string(),
})
export type PushPayload = z.infer<typeof PushPayload>
