/**
 * @module channels/schemas
 * Channels: named collections a node (the hub or any member) publishes to the network. Every
 * piece that travels is a signed envelope, so any peer may relay it:
 *
 * - the channel itself (`shulin/channel`), signed by its publisher; its id ends in a digest
 *   of the publisher's node id, so nobody else can speak for it;
 * - each of its records (`shulin/channel-record`), signed by the publisher, kept in the
 *   channel's sharded catalog `ch-<channel id>`; a withdrawn record stays, marked withdrawn;
 * - the hub's menu (`shulin/menu-entry`): the hub's decision on a channel, listed or refused
 *   with a reason.
 */
import { z } from 'zod'
import { freeText, singleLine } from '../text.js'
import { HttpUrl, NodeId } from '../federation/schemas.js'
import { CourseInfo, LectureInfo } from '../courses/schemas.js'
import { AccessPolicy, Chapter, Metadata, ResourceFile, ResourceType } from '../resources/schemas.js'

/** `<8 hex of the name's digest>-<10 hex of the publisher's digest>`: stable, and bound to its publisher. */
export const ChannelId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{10}$/, 'invalid_channel')
export type ChannelId = z.infer<typeof ChannelId>

export const Channel = z.strictObject({
  id: ChannelId,
  name: singleLine(64),
  description: freeText(2000).default(''),
  /** The licence terms readers and subscribing libraries agree to. */
  licence: freeText(2000).default(''),
  publisher: NodeId,
  /**
   * Where the publisher serves the channel's files over HTTP (the fallback when its peer port
   * cannot be reached), as it was when it last signed the channel; the hub has no registry entry
   * to say it.
   */
  http: z.array(HttpUrl).max(4).optional(),
  /** The publisher asks the hub to put it on the national menu. */
  submitted: z.boolean().default(false),
  /**
   * `courses`: it carries open courses (a series, 专题, on the hub), set when the first course
   * goes in, so a menu can show it as one before anybody subscribes. Absent for other channels.
   */
  kind: z.enum(['courses']).optional(),
  updatedAt: z.iso.datetime(),
})
export type Channel = z.infer<typeof Channel>

export const ChannelRecord = z.strictObject({
  channel: ChannelId,
  id: z.string().regex(/^[0-9A-Za-z]{10,40}$/),
  type: ResourceType,
  metadata: Metadata,
  access: AccessPolicy,
  files: z.array(ResourceFile).max(2000),
  toc: z.array(Chapter).max(5000),
  withdrawn: z.boolean(),
  updatedAt: z.iso.datetime(),
  /** A course's or a lecture's own fields; a lecture's course is `parent`. */
  course: CourseInfo.optional(),
  lecture: LectureInfo.optional(),
  parent: z
    .string()
    .regex(/^[0-9A-Za-z]{10,40}$/)
    .optional(),
})
export type ChannelRecord = z.infer<typeof ChannelRecord>

export const MenuEntry = z.strictObject({
  channel: ChannelId,
  name: singleLine(64),
  publisher: NodeId,
  state: z.enum(['listed', 'refused']),
  reason: z.string().max(500).optional(),
  decidedAt: z.iso.datetime(),
})
export type MenuEntry = z.infer<typeof MenuEntry>

export const SubscriptionMode = z.enum(['catalog', 'mirror'])
export type SubscriptionMode = z.infer<typeof SubscriptionMode>

// HTTP bodies and answers.
export const CreateChannelRequest = z.strictObject({
  name: singleLine(64),
  description: freeText(2000).default(''),
  licence: freeText(2000).default(''),
})
export const AddChannelRecordsRequest = z.strictObject({ ids: z.array(z.string().max(64)).min(1).max(5000) })
export const SubscribeRequest = z.strictObject({ channel: ChannelId, mode: SubscriptionMode.default('catalog') })
export const MenuDecisionRequest = z.strictObject({
  state: z.enum(['listed', 'refused']),
  reason: z.string().max(500).optional(),
})
export const ChannelSummary = z.object({
  id: ChannelId,
  name: z.string(),
  description: z.string(),
  licence: z.string(),
  publisher: z.string(),
  role: z.enum(['publisher', 'subscriber']),
  mode: SubscriptionMode.nullable(),
  records: z.number().int(),
  submitted: z.boolean(),
  menu: z.enum(['listed', 'refused']).nullable(),
  kind: Channel.shape.kind,
})
export type ChannelSummary = z.infer<typeof ChannelSummary>
export const ChannelList = z.object({ channels: z.array(ChannelSummary) })
export type ChannelList = z.infer<typeof ChannelList>
export const MenuList = z.object({
  menu: z.array(
    MenuEntry.extend({
      description: z.string(),
      licence: z.string(),
      subscribed: SubscriptionMode.nullable(),
      kind: Channel.shape.kind,
    }),
  ),
  /** Hub only: channels submitted and not yet decided. */
  pending: z.array(Channel),
})
export type MenuList = z.infer<typeof MenuList>
