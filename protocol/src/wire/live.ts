/**
 * @module wire/live
 * How a member relays the hub's live lectures (公开课直播) to its own readers: two protocols.
 *
 * `/shulin/live/1.0.0` — one request per stream. The member writes one length-prefixed JSON
 * {@link LiveRequest}; the hub answers with one length-prefixed JSON {@link LiveAnswer} and, for
 * a playlist or a segment, then one binary frame holding the file (exactly `size` bytes). The
 * hub answers its active members only. `list` gives the hub's own lectures (the member mirrors
 * them); `playlist` / `segment` give one HLS file of a lecture that is live, by its name.
 *
 * `/shulin/live-room/1.0.0` — one long stream per relayed lecture: the member writes a
 * {@link RoomLinkHello} (`{live}`), the hub answers {@link RoomLinkAccept}; then both sides write
 * length-prefixed JSON frames until either closes. Member → hub: {@link RoomUplink} (one of its
 * readers' messages, with a `ref` the member picks, the reader named `account@member`); hub →
 * member: {@link RoomDownlink} (every broadcast of the hub's room — first its recent history —
 * and whether each of the member's submissions went in, by `ref`). The hub knows which member writes by the stream's peer
 * id (Noise proves it), so an author id must end with `@<that member's node id>`, and the
 * library name the hub shows is the registry's, not the member's. On `/shulin/live-room/1.1.0`
 * the member may also write {@link RoomDelayReport} (its viewers' delay) — see
 * {@link LIVE_ROOM_PROTOCOL_V1_1} for why that is a new protocol id.
 *
 * A relayed lecture's viewers also need to know when the member lost the hub: {@link RelayState}
 * (`connected` / `reconnecting`) is this module's addition to the room's messages
 * ({@link RoomRelayMessage}), sent by the member's room to its own clients only.
 *
 * @example
 * ```ts
 * encodeLiveMessage({ want: 'segment', live: 'lv1', name: 'seg00042.ts' })
 * decodeLiveAnswer(bytes)  // { ok: true, size } | { ok: true, lectures } | { ok: false, reason } | undefined
 * ```
 */
import { z } from 'zod'
import { LiveView, RoomAuthor, RoomClientMessage, RoomRefusal, RoomServerMessage } from '../live/schemas.js'
import { decodeJsonMessage, encodeJsonMessage } from './exchange.js'

export const LIVE_PROTOCOL = '/shulin/live/1.0.0'
export const LIVE_ROOM_PROTOCOL = '/shulin/live-room/1.0.0'
/**
 * The room link with the member's `delay` frame ({@link RoomUplink}). A peer of 1.0.0 decodes
 * its frames strictly and drops the link on a kind it does not know, so the new frame gets a
 * new protocol id: both sides offer 1.1.0 first and 1.0.0 after (multistream-select picks), and a
 * member sends `delay` only on a link that was negotiated as 1.1.0.
 */
export const LIVE_ROOM_PROTOCOL_V1_1 = '/shulin/live-room/1.1.0'
/** The room link's versions, newest first (what a member dials, what a hub serves). */
export const LIVE_ROOM_PROTOCOLS = [LIVE_ROOM_PROTOCOL_V1_1, LIVE_ROOM_PROTOCOL] as const

/** Limits both sides hold to; a message past them is refused before it is decoded. */
export const liveLimits = {
  /** A request is a few short fields. */
  maxRequestBytes: 1024,
  /** The answer's JSON (the list of lectures is the largest). */
  maxAnswerBytes: 1024 * 1024,
  /** Lectures in one list. */
  maxLectures: 200,
  /** A media playlist of a sliding live window is a few kB; a long event playlist stays under this. */
  maxPlaylistBytes: 256 * 1024,
  /** A 1–2 s segment of one rendition is well under 1 MiB; 8 MiB allows 4K and long segments. */
  maxSegmentBytes: 8 * 1024 * 1024,
  /** One request and its answer, file included. */
  requestTimeoutMs: 10_000,
  /** Streams of `/shulin/live/1.0.0` one connection may have open at once. */
  maxInboundStreams: 32,
  /** Largest room-link frame either way (a hub's `welcome` carries the room's recent history). */
  maxRoomFrameBytes: 512 * 1024,
  /** The member's hello must come within this, and the hub's accept too. */
  helloTimeoutMs: 10_000,
  /** Room links one connection may hold (one per relayed lecture live at once). */
  maxRoomStreams: 16,
  /** Submissions a member may have unanswered on one link; past this it waits (its readers see a refusal). */
  maxPendingRefs: 256,
} as const

/** A lecture's id, as live-core makes them (letters, digits, `_`, `-`). */
export const LiveId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'invalid_live_id')
/**
 * An HLS file's name inside a lecture's folder: no path, no dot but the extension's, a kind the
 * node's HLS route serves (the same names it takes).
 * A name that is not one is refused by both sides (never joined onto a folder).
 */
export const hlsPlaylistName = /^[A-Za-z0-9_-]{1,80}\.m3u8$/
/** A segment, or an fMP4 initialisation section (`EXT-X-MAP`): the kinds a node serves. */
export const hlsSegmentName = /^[A-Za-z0-9_-]{1,80}\.(ts|m4s|mp4)$/
export const PlaylistName = z.string().regex(hlsPlaylistName, 'invalid_playlist_name')
export const SegmentName = z.string().regex(hlsSegmentName, 'invalid_segment_name')

export const LiveRequest = z.discriminatedUnion('want', [
  z.strictObject({ want: z.literal('list') }),
  z.strictObject({ want: z.literal('playlist'), live: LiveId, name: PlaylistName }),
  z.strictObject({ want: z.literal('segment'), live: LiveId, name: SegmentName }),
])
export type LiveRequest = z.infer<typeof LiveRequest>

/**
 * Why the hub does not answer: the asker is not an active member, the lecture or file is not
 * there (a segment that slid out of the window), the lecture is not live, the request is
 * malformed, or it serves as many streams as it will.
 */
export const LiveRefusal = z.enum(['not_member', 'unknown', 'not_live', 'invalid', 'busy'])
export type LiveRefusal = z.infer<typeof LiveRefusal>

export const LiveAnswer = z.union([
  z.strictObject({ ok: z.literal(true), lectures: z.array(LiveView).max(liveLimits.maxLectures) }),
  /** The file follows as one binary frame of exactly `size` bytes. */
  z.strictObject({ ok: z.literal(true), size: z.number().int().min(0).max(liveLimits.maxSegmentBytes) }),
  z.strictObject({ ok: z.literal(false), reason: LiveRefusal }),
])
export type LiveAnswer = z.infer<typeof LiveAnswer>

export const encodeLiveMessage = (message: LiveRequest | LiveAnswer): Uint8Array => encodeJsonMessage(message)
/** A request, or `undefined` for anything that is not one. */
export const decodeLiveRequest = (bytes: Uint8Array): LiveRequest | undefined => decodeJsonMessage(LiveRequest, bytes)
/** An answer, or `undefined` for anything that is not one. */
export const decodeLiveAnswer = (bytes: Uint8Array): LiveAnswer | undefined => decodeJsonMessage(LiveAnswer, bytes)

/** The most bytes a file of `req` may have (a playlist is small; a segment is not). */
export const maxFileBytes = (req: LiveRequest): number =>
  req.want === 'playlist' ? liveLimits.maxPlaylistBytes : liveLimits.maxSegmentBytes

// The room link.

export const RoomLinkHello = z.strictObject({ live: LiveId })
export type RoomLinkHello = z.infer<typeof RoomLinkHello>

export const RoomLinkAccept = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true) }),
  z.strictObject({ ok: z.literal(false), reason: LiveRefusal }),
])
export type RoomLinkAccept = z.infer<typeof RoomLinkAccept>

/** The member's reference for one submission, to route the hub's refusal back to its reader. */
export const RoomRef = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/)

/** Member → hub: one of the member's readers says something in the hub's room. */
export const RoomSubmit = z.strictObject({
  type: z.literal('submit'),
  ref: RoomRef,
  author: RoomAuthor.extend({
    id: z.string().min(3).max(200),
    name: z.string().min(1).max(100),
    library: z.string().max(200),
  }),
  msg: RoomClientMessage,
})
export type RoomSubmit = z.infer<typeof RoomSubmit>

/**
 * Member → hub, `/shulin/live-room/1.1.0` only: the glass-to-glass delay of the member's own
 * viewers (their median, in ms, and how many reported), every few seconds while any report.
 * The hub's moderators see it combined with the hub's viewers, weighted by viewers.
 */
export const RoomDelayReport = z.strictObject({
  type: z.literal('delay'),
  ms: z
    .number()
    .int()
    .min(0)
    .max(10 * 60_000),
  viewers: z.number().int().min(1).max(1_000_000),
})
export type RoomDelayReport = z.infer<typeof RoomDelayReport>

export const RoomUplink = z.discriminatedUnion('type', [RoomSubmit, RoomDelayReport])
export type RoomUplink = z.infer<typeof RoomUplink>

/** Hub → member: a broadcast of the hub's room, or the refusal of a submission (to its reader only). */
export const RoomDownlink = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('broadcast'), msg: RoomServerMessage }),
  /** The submission went in (what it caused comes as a broadcast, to everyone). */
  z.strictObject({ type: z.literal('accepted'), ref: RoomRef }),
  z.strictObject({ type: z.literal('refused'), ref: RoomRef, code: RoomRefusal, detail: z.string().max(500) }),
])
export type RoomDownlink = z.infer<typeof RoomDownlink>

export const encodeRoomLinkMessage = (
  message: RoomLinkHello | RoomLinkAccept | RoomUplink | RoomDownlink,
): Uint8Array => encodeJsonMessage(message)
export const decodeRoomLinkHello = (bytes: Uint8Array): RoomLinkHello | undefined =>
  decodeJsonMessage(RoomLinkHello, bytes)
export const decodeRoomLinkAccept = (bytes: Uint8Array): RoomLinkAccept | undefined =>
  decodeJsonMessage(RoomLinkAccept, bytes)
export const decodeRoomUplink = (bytes: Uint8Array): RoomUplink | undefined => decodeJsonMessage(RoomUplink, bytes)
export const decodeRoomDownlink = (bytes: Uint8Array): RoomDownlink | undefined =>
  decodeJsonMessage(RoomDownlink, bytes)

/** Whether a relaying member reaches the hub for this lecture now. */
export const RelayState = z.enum(['connected', 'reconnecting'])
export type RelayState = z.infer<typeof RelayState>

/** Sent by a relaying member's room to its own clients when its link to the hub drops or comes back. */
export const RoomRelayMessage = z.strictObject({ type: z.literal('relay'), state: RelayState })
export type RoomRelayMessage = z.infer<typeof RoomRelayMessage>
