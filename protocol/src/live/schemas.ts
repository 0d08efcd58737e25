/**
 * @module live/schemas
 * Live lectures (公开课直播): a lecture scheduled by staff of the hub or of a node, pushed by
 * the speaker's encoder over RTMP with a per-lecture stream key, watched as low-latency HLS,
 * with a WebSocket room per lecture for questions (提问) and short comments (弹幕).
 *
 * A member that subscribes to the hub's live channel relays each lecture: it pulls every
 * segment once and serves its own readers, and carries their room messages to the hub's room
 * (each reader named as reader@node) and everyone's back. The room's wire messages are defined
 * here, once, for the browser, the node and the relay.
 */
import { z } from 'zod'
import { freeText, singleLine } from '../text.js'
import { AccessPolicy } from '../resources/basics.js'
import { Person } from '../courses/schemas.js'

/** `scheduled` before the encoder first pushes, `live` while it does, `ended` once staff end it. */
export const LiveStatus = z.enum(['scheduled', 'live', 'ended'])
export type LiveStatus = z.infer<typeof LiveStatus>

const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString())

/** `POST /api/staff/live` and `shulin live add`. */
export const CreateLiveRequest = z.strictObject({
  title: singleLine(500),
  description: freeText(20_000).optional(),
  /** When it starts (ISO 8601 with an offset; shown in Asia/Shanghai). */
  start: instant,
  speakers: z.array(Person).max(20).default([]),
  /** The course (resource id) the replay becomes a lecture of. */
  course: z.string().max(64).optional(),
  access: AccessPolicy.default('public'),
})
export type CreateLiveRequest = z.infer<typeof CreateLiveRequest>

/** Answer of creating one: the last line `shulin live add` prints. The key is shown this once. */
export const LiveCreated = z.object({
  liveId: z.string(),
  /** `rtmp://host:port/live`; the encoder pushes to `rtmpUrl + '/' + streamKey`. */
  rtmpUrl: z.string(),
  streamKey: z.string(),
})
export type LiveCreated = z.infer<typeof LiveCreated>

/** `GET /api/live/:id` (the contract) and the items of `GET /api/live`. */
export const LiveView = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string().optional(),
  status: LiveStatus,
  start: z.string(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  /** The playlist URL while live (this node's, also when it relays the hub's lecture), else null. */
  hls: z.string().nullable(),
  speakers: z.array(z.object({ name: z.string(), bio: z.string().optional() })),
  course: z.string().nullable(),
  access: AccessPolicy,
  /** The library that broadcasts it: this node, or the hub whose lecture this node relays. */
  origin: z.object({ nodeId: z.string().nullable(), name: z.string() }),
  /** The WebSocket room's path (`/api/live/:id/room`). */
  room: z.string(),
  /** After the end: the lecture (resource id) the recording became, once it is one. */
  replay: z.string().nullable(),
})
export type LiveView = z.infer<typeof LiveView>

export const LiveList = z.object({ lectures: z.array(LiveView) })
export type LiveList = z.infer<typeof LiveList>

// The room (`/api/live/:id/room`, WebSocket, one JSON message per frame).

/** A question's most characters; a comment (弹幕) is shorter. Over the limit: refused, not cut. */
export const questionMaxChars = 300
export const commentMaxChars = 60
/** A frame larger than this is refused before it is parsed. */
export const roomFrameMaxBytes = 4096

const messageId = z.string().min(1).max(80)

/** What a browser (or a relaying node, for its readers) sends into a room. */
export const RoomClientMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('question'), text: singleLine(questionMaxChars) }),
  z.strictObject({ type: z.literal('comment'), text: singleLine(commentMaxChars) }),
  z.strictObject({ type: z.literal('upvote'), id: messageId }),
  // Moderators only (staff, or the `moderator` role, of the node that broadcasts).
  z.strictObject({ type: z.literal('hide'), id: messageId }),
  z.strictObject({ type: z.literal('answered'), id: messageId }),
  z.strictObject({
    type: z.literal('mute'),
    author: z.string().min(1).max(200),
    minutes: z.number().int().min(1).max(10_080).default(60),
  }),
  z.strictObject({ type: z.literal('unmute'), author: z.string().min(1).max(200) }),
  z.strictObject({ type: z.literal('slow'), seconds: z.number().int().min(0).max(600) }),
  /** The player's position at the live edge, for the moderator view's glass-to-glass delay. */
  z.strictObject({ type: z.literal('ping'), at: z.number().int().min(0) }),
])
export type RoomClientMessage = z.infer<typeof RoomClientMessage>

/** Who said something: `reader@node` as the room knows them, and what the room shows. */
export const RoomAuthor = z.object({
  /** Stable within the network (`<account id>@<node id>`), used to mute; never a card number or phone. */
  id: z.string(),
  /** A display name: the reader's chosen name or a masked one (读者****1234). */
  name: z.string(),
  /** The reader's library's name. */
  library: z.string(),
})
export type RoomAuthor = z.infer<typeof RoomAuthor>

export const RoomQuestion = z.object({
  type: z.literal('question'),
  id: z.string(),
  text: z.string(),
  author: RoomAuthor,
  /** ISO instant at the broadcasting node. */
  at: z.string(),
  /** Seconds since the stream started (for the replay's timeline), when it was live. */
  offset: z.number().nullable(),
  votes: z.number().int(),
  answered: z.boolean(),
})
export type RoomQuestion = z.infer<typeof RoomQuestion>

export const RoomComment = z.object({
  type: z.literal('comment'),
  id: z.string(),
  text: z.string(),
  author: RoomAuthor,
  at: z.string(),
  offset: z.number().nullable(),
})
export type RoomComment = z.infer<typeof RoomComment>

/** Codes of a refusal sent back to the sender only. */
export const RoomRefusal = z.enum([
  'unauthenticated',
  'forbidden',
  'invalid',
  'too_long',
  'rate_limited',
  'slow_mode',
  'muted',
  'filtered',
  'ended',
])
export type RoomRefusal = z.infer<typeof RoomRefusal>

/** What a room sends to its clients (and a relay forwards to its readers). */
export const RoomServerMessage = z.discriminatedUnion('type', [
  /** On connecting: the room's recent history and settings. */
  z.object({
    type: z.literal('welcome'),
    questions: z.array(RoomQuestion),
    comments: z.array(RoomComment),
    slowSeconds: z.number().int(),
    /** Whether this client may speak (signed in, not muted) and moderate. */
    canSpeak: z.boolean(),
    canModerate: z.boolean(),
    status: LiveStatus,
  }),
  RoomQuestion,
  RoomComment,
  z.object({ type: z.literal('votes'), id: z.string(), votes: z.number().int() }),
  z.object({ type: z.literal('hidden'), id: z.string() }),
  z.object({ type: z.literal('answered'), id: z.string() }),
  z.object({ type: z.literal('slow'), seconds: z.number().int() }),
  z.object({ type: z.literal('status'), status: LiveStatus }),
  /** Moderators only: a viewer's reported glass-to-glass delay, in milliseconds. */
  z.object({ type: z.literal('delay'), ms: z.number(), viewers: z.number().int() }),
  z.object({ type: z.literal('refused'), code: RoomRefusal, detail: z.string() }),
])
export type RoomServerMessage = z.infer<typeof RoomServerMessage>

/** The replay's question timeline: `GET /api/lectures/:id/questions` once the recording is a lecture. */
export const ReplayTimeline = z.object({
  questions: z.array(RoomQuestion),
})
export type ReplayTimeline = z.infer<typeof ReplayTimeline>
