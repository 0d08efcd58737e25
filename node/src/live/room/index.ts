/**
 * @module live/room
 * The WebSocket room of each live lecture (`/api/live/:id/room`): questions (提问), short
 * comments (弹幕), upvotes, and the moderators' hide / answered / mute / slow mode, with the
 * room's log kept in its own LevelDB sublevel (`live-room`).
 *
 * {@link LiveRooms} is the one way in, for the WebSocket route of this node and for the relay
 * (`live/relay`), which carries a member's readers' messages to the hub's room (authors named
 * `reader@node`) and every message of the hub's room back:
 *
 * @example
 * ```ts
 * const off = rooms.subscribe(liveId, (msg, audience) => send(msg, audience))
 * const result = await rooms.submit(liveId, author, { type: 'question', text: '请问…' }, { moderator: false })
 * if (!result.ok) console.log(result.refused.code) // 'rate_limited', 'muted', …
 * await rooms.apply(liveId, questionFromTheHub) // a relayed room: broadcast, not judged again
 * const timeline = await rooms.questions(liveId) // the replay's question timeline
 * off()
 * ```
 */
import type { RoomAuthor, RoomClientMessage, RoomQuestion, RoomServerMessage } from '@shulin/protocol'

/** What the sender may do, decided by whoever authenticated them (this node's route, or the relay). */
export interface RoomRights {
  /** A moderator (admin, librarian or `moderator` role) of the node that broadcasts. */
  moderator: boolean
}

/** A refusal, sent back to the sender only. */
export type RoomRefused = Extract<RoomServerMessage, { type: 'refused' }>

export type SubmitResult =
  /** `message`: what was broadcast (null for a ping, which only feeds the delay figure). */
  { ok: true; message: RoomServerMessage | null } | { ok: false; refused: RoomRefused }

/** Who a broadcast message is for: every client, or only the moderators (the delay figure). */
export type RoomAudience = 'all' | 'moderators'

export type RoomListener = (msg: RoomServerMessage, audience: RoomAudience) => void

/** The room's state as a new client sees it (the `welcome` message without the client's rights). */
export interface RoomSnapshot {
  questions: RoomQuestion[]
  comments: Extract<RoomServerMessage, { type: 'comment' }>[]
  slowSeconds: number
}

/** Carries a relayed lecture's message to the hub's room and answers with the hub's verdict (the relay). */
export type RoomForwarder = (
  liveId: string,
  author: RoomAuthor,
  msg: RoomClientMessage,
  rights: RoomRights,
) => Promise<SubmitResult>

export interface LiveRooms {
  /**
   * Judges one client message (rights, mute, slow mode, rate limit, keyword filter), keeps it in
   * the room's log and broadcasts what follows from it to every subscriber.
   */
  submit(liveId: string, author: RoomAuthor, msg: RoomClientMessage, rights: RoomRights): Promise<SubmitResult>
  /** Every message the room broadcasts from now on; returns the unsubscribe. */
  subscribe(liveId: string, listener: RoomListener): () => void
  /**
   * A message of the hub's room brought back by the relay: kept and broadcast locally as it
   * is, not judged again (the hub did).
   */
  apply(liveId: string, msg: RoomServerMessage): Promise<void>
  /** Recent history for a new client; hidden messages only for moderators. */
  snapshot(liveId: string, opts: { moderator: boolean }): Promise<RoomSnapshot>
  /** Whether this author is muted in this room now (a muted reader reconnecting stays muted). */
  isMuted(liveId: string, authorId: string): Promise<boolean>
  /**
   * For lectures relayed from the hub (`RoomLecture.relayed`): `submit` hands readers' messages
   * to this forwarder (the relay) instead of judging them here. Returns the unregister.
   */
  forwardTo(forwarder: RoomForwarder): () => void
  /**
   * The delay figure of viewers watching elsewhere (a member relaying this hub's lecture):
   * `source` names them (the member's node id), a newer report replaces an older one, and a
   * report older than the delay window is dropped. The moderators' `delay` weighs each source's
   * median by its viewers together with this node's own viewers.
   */
  reportDelay(liveId: string, source: string, figure: { ms: number; viewers: number }): void
  /** Every question asked, in order, hidden ones left out: the replay's timeline. */
  questions(liveId: string): Promise<RoomQuestion[]>
}

export { RoomService, type RoomServiceOptions, type RoomLecture, type RoomLectures } from './service.js'
