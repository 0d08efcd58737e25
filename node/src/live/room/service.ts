/**
 * @module live/room/service
 * The rooms' logic, runtime-free and socket-free: judges each message (rights, mute, the
 * lecture's end, rate limit, slow mode, keyword filter), keeps the log ({@link RoomStore}),
 * and broadcasts to the room's subscribers — this node's WebSocket clients and the relay.
 */
import { monotonicFactory } from 'ulid'
import {
  RoomClientMessage,
  type AccessPolicy,
  type LiveStatus,
  type RoomAuthor,
  type RoomComment,
  type RoomQuestion,
  type RoomRefusal,
  type RoomServerMessage,
} from '@shulin/protocol'
import { Mutex } from '../../storage/mutex.js'
import type { BatchOp, Storage } from '../../storage/db.js'
import type {
  LiveRooms,
  RoomForwarder,
  RoomListener,
  RoomRefused,
  RoomRights,
  RoomSnapshot,
  SubmitResult,
} from './index.js'
import { RoomStore, type ModerationAct, type RoomEntry } from './store.js'
import { KeywordFilter } from './keywords.js'
import { TokenBucket } from './bucket.js'

/** What the room needs to know of a lecture (live-core's `LiveService` provides it). */
export interface RoomLecture {
  id: string
  status: LiveStatus
  access: AccessPolicy
  /** When the stream started (ISO), for each message's `offset`; null before. */
  startedAt: string | null
  /**
   * Relayed from the hub: its room is the hub's. Readers' messages go there through the relay
   * ({@link RoomService.forwardTo}) and come back by {@link RoomService.apply}; this node's
   * moderators moderate only their own lectures.
   */
  relayed: boolean
}

export interface RoomLectures {
  get(id: string): Promise<RoomLecture | undefined>
}

export interface RoomLimits {
  /** Messages (questions, comments, upvotes) a reader may send at once… */
  burst: number
  /** …and how many come back each second: 5 in a burst, then one every 2 s (5 per 10 s). */
  perSecond: number
  /** History a new client receives. */
  recentQuestions: number
  recentComments: number
  /** How often moderators receive the delay figure, and how old a viewer's ping may be in it. */
  delayEveryMs: number
  delayWindowMs: number
  /** Viewers whose pings are kept per room (the figure is a median; more adds nothing). */
  maxPingers: number
}

export const defaultRoomLimits: RoomLimits = {
  burst: 5,
  perSecond: 0.5,
  recentQuestions: 100,
  recentComments: 50,
  delayEveryMs: 3_000,
  delayWindowMs: 10_000,
  maxPingers: 10_000,
}

export interface RoomServiceOptions {
  storage: Storage
  lectures: RoomLectures
  now?: () => number
  limits?: Partial<RoomLimits>
}

/** A room's state in memory: subscribers and the limits' counters; the log is in the store. */
class Room {
  readonly listeners = new Set<RoomListener>()
  readonly mutex = new Mutex()
  readonly buckets = new Map<string, TokenBucket>()
  /** Author → when they last said something (slow mode). */
  readonly lastSaid = new Map<string, number>()
  /** Viewer → their last reported delay and when. */
  readonly pings = new Map<string, { ms: number; at: number }>()
  /** Source (a relaying member) → its viewers' median delay, how many, and when it said so. */
  readonly remote = new Map<string, { ms: number; viewers: number; at: number }>()
  /**
   * The recent log as a newcomer's welcome needs it, read once for every client connecting
   * (a lecture's start brings thousands at once), dropped at each write to the room.
   */
  recent: { entries: RoomEntry[]; slowSeconds: number } | undefined
  /** Counts writes, so a read that a write overtook is not kept as {@link recent}. */
  version = 0
}

const refused = (code: RoomRefusal, detail: string): { ok: false; refused: RoomRefused } => ({
  ok: false,
  refused: { type: 'refused', code, detail },
})

/** Moderators' message types, refused to anyone else. */
const moderation = new Set(['hide', 'answered', 'mute', 'unmute', 'slow'])

export class RoomService implements LiveRooms {
  readonly #store: RoomStore
  readonly lectures: RoomLectures
  readonly #now: () => number
  readonly #limits: RoomLimits
  readonly #rooms = new Map<string, Room>()
  readonly #ulid = monotonicFactory()
  readonly #filter: KeywordFilter
  #timer: NodeJS.Timeout | undefined
  #forwarder: RoomForwarder | undefined

  constructor(opts: RoomServiceOptions) {
    this.#store = new RoomStore(opts.storage)
    this.lectures = opts.lectures
    this.#now = opts.now ?? Date.now
    this.#limits = { ...defaultRoomLimits, ...opts.limits }
    this.#filter = new KeywordFilter(this.#store)
  }

  /** Starts the moderators' delay figure and the counters' pruning. */
  start(): void {
    this.#timer = setInterval(() => this.#tick(), this.#limits.delayEveryMs)
    this.#timer.unref()
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  #room(liveId: string): Room {
    let room = this.#rooms.get(liveId)
    if (!room) {
      room = new Room()
      this.#rooms.set(liveId, room)
    }
    return room
  }

  #broadcast(liveId: string, msg: RoomServerMessage, audience: 'all' | 'moderators' = 'all'): void {
    for (const listener of this.#rooms.get(liveId)?.listeners ?? []) {
      // One subscriber's failure (a socket gone) must not keep the message from the others.
      try {
        listener(msg, audience)
      } catch {
        /* the subscriber drops itself */
      }
    }
  }

  subscribe(liveId: string, listener: RoomListener): () => void {
    const room = this.#room(liveId)
    room.listeners.add(listener)
    return () => {
      room.listeners.delete(listener)
      if (!room.listeners.size && !room.buckets.size && !room.pings.size && !room.remote.size)
        this.#rooms.delete(liveId)
    }
  }

  forwardTo(forwarder: RoomForwarder): () => void {
    this.#forwarder = forwarder
    return () => {
      if (this.#forwarder === forwarder) this.#forwarder = undefined
    }
  }

  /** How many subscribers a room has (this node's clients and relays). */
  subscribers(liveId: string): number {
    return this.#rooms.get(liveId)?.listeners.size ?? 0
  }

  async submit(
    liveId: string,
    author: RoomAuthor,
    input: RoomClientMessage,
    rights: RoomRights,
  ): Promise<SubmitResult> {
    const parsed = RoomClientMessage.safeParse(input)
    if (!parsed.success) {
      const tooLong = parsed.error.issues.some((i) => i.code === 'too_big')
      return tooLong
        ? refused('too_long', 'The message is over the length limit.')
        : refused('invalid', parsed.error.issues[0]?.message ?? 'invalid message')
    }
    const msg = parsed.data
    const room = this.#room(liveId)
    if (msg.type === 'ping') {
      this.#ping(room, author.id, msg.at)
      return { ok: true, message: null }
    }
    const lecture = await this.lectures.get(liveId)
    if (!lecture) return refused('invalid', 'No such lecture.')
    if (lecture.relayed) return this.#forward(liveId, room, author, msg)
    if (moderation.has(msg.type) && !rights.moderator) return refused('forbidden', 'Only moderators may do that.')
    return room.mutex.run(() => this.#judge(liveId, room, lecture, author, msg, rights))
  }

  /**
   * A relayed lecture's room is the hub's: it judges and keeps; here only this node's own
   * limit applies (a flood stops before the link to the hub), and nobody moderates.
   */
  async #forward(
    liveId: string,
    room: Room,
    author: RoomAuthor,
    msg: Exclude<RoomClientMessage, { type: 'ping' }>,
  ): Promise<SubmitResult> {
    if (moderation.has(msg.type))
      return refused('forbidden', 'This lecture is moderated by the library that broadcasts it.')
    if (!this.#forwarder) return refused('forbidden', 'The broadcasting library’s room cannot be reached now.')
    if (!this.#take(room, author.id, this.#now()))
      return refused('rate_limited', 'Too many messages; wait a few seconds.')
    return this.#forwarder(liveId, author, msg, { moderator: false })
  }

  #take(room: Room, author: string, now: number): boolean {
    let bucket = room.buckets.get(author)
    if (!bucket) {
      bucket = new TokenBucket(this.#limits.burst, this.#limits.perSecond, now)
      room.buckets.set(author, bucket)
    }
    return bucket.take(now)
  }

  async #judge(
    liveId: string,
    room: Room,
    lecture: RoomLecture,
    author: RoomAuthor,
    msg: Exclude<RoomClientMessage, { type: 'ping' }>,
    rights: RoomRights,
  ): Promise<SubmitResult> {
    const now = this.#now()
    const at = new Date(now).toISOString()
    switch (msg.type) {
      case 'hide':
      case 'answered': {
        const entry = await this.#store.entry(liveId, msg.id)
        if (!entry || (msg.type === 'answered' && entry.type !== 'question'))
          return refused('invalid', 'No such message.')
        const next: RoomEntry =
          msg.type === 'hide'
            ? { ...entry, hidden: true }
            : { ...(entry as RoomQuestion & { hidden: boolean }), answered: true }
        await this.#commit(
          room,
          [
            this.#store.putEntry(liveId, next),
            this.#store.putAct(liveId, this.#ulid(now), { type: msg.type, by: author.id, at, id: msg.id }),
          ],
          true,
        )
        const out: RoomServerMessage = { type: msg.type === 'hide' ? 'hidden' : 'answered', id: msg.id }
        this.#broadcast(liveId, out)
        return { ok: true, message: out }
      }
      case 'mute':
      case 'unmute': {
        const until = msg.type === 'mute' ? now + msg.minutes * 60_000 : 0
        const act: ModerationAct =
          msg.type === 'mute'
            ? { type: 'mute', by: author.id, at, author: msg.author, minutes: msg.minutes }
            : { type: 'unmute', by: author.id, at, author: msg.author }
        await this.#commit(
          room,
          [this.#store.putMute(liveId, msg.author, until), this.#store.putAct(liveId, this.#ulid(now), act)],
          true,
        )
        // Told to nobody but the moderator who did it: the room need not know who was muted.
        return { ok: true, message: null }
      }
      case 'slow': {
        await this.#commit(
          room,
          [
            this.#store.putSlow(liveId, msg.seconds),
            this.#store.putAct(liveId, this.#ulid(now), { type: 'slow', by: author.id, at, seconds: msg.seconds }),
          ],
          true,
        )
        const out: RoomServerMessage = { type: 'slow', seconds: msg.seconds }
        this.#broadcast(liveId, out)
        return { ok: true, message: out }
      }
    }
    // Speech: a question, a comment or an upvote.
    if ((await this.#store.mutedUntil(liveId, author.id)) > now) return refused('muted', 'You are muted in this room.')
    if (lecture.status === 'ended') return refused('ended', 'The lecture has ended.')
    if (!rights.moderator && !this.#take(room, author.id, now))
      return refused('rate_limited', 'Too many messages; wait a few seconds.')
    if (msg.type === 'upvote') {
      const entry = await this.#store.entry(liveId, msg.id)
      if (!entry || entry.type !== 'question' || entry.hidden) return refused('invalid', 'No such question.')
      if (await this.#store.voted(liveId, msg.id, author.id)) return refused('invalid', 'Already upvoted.')
      const next = { ...entry, votes: entry.votes + 1 }
      await this.#commit(room, [this.#store.putEntry(liveId, next), this.#store.putVote(liveId, msg.id, author.id)])
      const out: RoomServerMessage = { type: 'votes', id: msg.id, votes: next.votes }
      this.#broadcast(liveId, out)
      return { ok: true, message: out }
    }
    if (!rights.moderator) {
      const slow = await this.#store.slow(liveId)
      const last = room.lastSaid.get(author.id)
      if (slow > 0 && last !== undefined && now - last < slow * 1000)
        return refused('slow_mode', `Slow mode: one message every ${slow} s.`)
    }
    if (await this.#filter.matches(msg.text)) return refused('filtered', 'The message contains a blocked word.')
    room.lastSaid.set(author.id, now)
    const offset =
      lecture.status === 'live' && lecture.startedAt
        ? Math.max(0, Math.round((now - Date.parse(lecture.startedAt)) / 100) / 10)
        : null
    const base = { id: this.#ulid(now), text: msg.text, author, at, offset }
    const out: RoomQuestion | RoomComment =
      msg.type === 'question' ? { type: 'question', ...base, votes: 0, answered: false } : { type: 'comment', ...base }
    await this.#commit(room, [this.#store.putEntry(liveId, { ...out, hidden: false })])
    this.#broadcast(liveId, out)
    return { ok: true, message: out }
  }

  /** Every write to a room's log goes here: the newcomers' cached history is read again after it. */
  async #commit(room: Room, ops: BatchOp[], sync = false): Promise<void> {
    room.version++
    room.recent = undefined
    await this.#store.commit(ops, sync)
    // A snapshot read while the write was under way may hold either; it is not kept.
    room.version++
    room.recent = undefined
  }

  #ping(room: Room, viewer: string, at: number): void {
    const now = this.#now()
    const ms = now - at
    // A clock far off (or a lie) says nothing about the delay.
    if (ms < 0 || ms > 10 * 60_000) return
    if (!room.pings.has(viewer) && room.pings.size >= this.#limits.maxPingers) return
    room.pings.set(viewer, { ms, at: now })
  }

  /** Every few seconds: the delay figure to moderators; counters that no longer limit anyone go. */
  #tick(): void {
    const now = this.#now()
    for (const [liveId, room] of this.#rooms) {
      const recent: number[] = []
      for (const [viewer, p] of room.pings) {
        if (now - p.at > this.#limits.delayWindowMs) room.pings.delete(viewer)
        else recent.push(p.ms)
      }
      // This node's median and each member's, weighted by how many viewers each stands for.
      const parts = recent.length ? [{ ms: median(recent), viewers: recent.length }] : []
      for (const [source, r] of room.remote) {
        if (now - r.at > this.#limits.delayWindowMs) room.remote.delete(source)
        else parts.push(r)
      }
      const viewers = parts.reduce((n, p) => n + p.viewers, 0)
      if (viewers) {
        const ms = Math.round(parts.reduce((sum, p) => sum + p.ms * p.viewers, 0) / viewers)
        this.#broadcast(liveId, { type: 'delay', ms, viewers }, 'moderators')
      }
      for (const [author, bucket] of room.buckets) if (bucket.full(now)) room.buckets.delete(author)
      // Slow mode is at most 600 s: an older last message limits nobody.
      for (const [author, t] of room.lastSaid) if (now - t > 600_000) room.lastSaid.delete(author)
      if (!room.listeners.size && !room.buckets.size && !room.pings.size && !room.remote.size && !room.lastSaid.size)
        this.#rooms.delete(liveId)
    }
  }

  reportDelay(liveId: string, source: string, figure: { ms: number; viewers: number }): void {
    const room = this.#room(liveId)
    // One entry per source, so a member cannot grow the map; the figure is capped like a ping.
    if (!room.remote.has(source) && room.remote.size >= this.#limits.maxPingers) return
    if (!(figure.ms >= 0 && figure.ms <= 10 * 60_000 && figure.viewers >= 1)) return
    room.remote.set(source, { ms: figure.ms, viewers: Math.min(figure.viewers, 1_000_000), at: this.#now() })
  }

  async apply(liveId: string, msg: RoomServerMessage): Promise<void> {
    const room = this.#room(liveId)
    await room.mutex.run(async () => {
      const at = new Date(this.#now()).toISOString()
      switch (msg.type) {
        case 'question':
        case 'comment': {
          const known = await this.#store.entry(liveId, msg.id)
          await this.#commit(room, [this.#store.putEntry(liveId, { ...msg, hidden: known?.hidden ?? false })])
          break
        }
        case 'votes':
        case 'hidden':
        case 'answered': {
          const entry = await this.#store.entry(liveId, msg.id)
          if (!entry) break
          const next: RoomEntry =
            msg.type === 'votes' && entry.type === 'question'
              ? { ...entry, votes: msg.votes }
              : msg.type === 'answered' && entry.type === 'question'
                ? { ...entry, answered: true }
                : msg.type === 'hidden'
                  ? { ...entry, hidden: true }
                  : entry
          const ops = [this.#store.putEntry(liveId, next)]
          if (msg.type !== 'votes')
            ops.push(
              this.#store.putAct(liveId, this.#ulid(), {
                type: msg.type === 'hidden' ? 'hide' : 'answered',
                by: 'relay',
                at,
                id: msg.id,
              }),
            )
          await this.#commit(room, ops)
          break
        }
        case 'slow':
          await this.#commit(room, [this.#store.putSlow(liveId, msg.seconds)])
          break
        case 'welcome':
        case 'refused':
          // A relay's own conversation with the hub, not the room's.
          return
        default:
          break
      }
      this.#broadcast(liveId, msg, msg.type === 'delay' ? 'moderators' : 'all')
    })
  }

  async snapshot(liveId: string, opts: { moderator: boolean }): Promise<RoomSnapshot> {
    const { recentQuestions, recentComments } = this.#limits
    const room = this.#room(liveId)
    let recent = room.recent
    if (!recent) {
      const version = room.version
      // Read generously, then keep the newest of each kind (comments far outnumber questions).
      const [entries, slowSeconds] = await Promise.all([
        this.#store.entries(liveId, (recentQuestions + recentComments) * 4),
        this.#store.slow(liveId),
      ])
      recent = { entries, slowSeconds }
      if (room.version === version) room.recent = recent
    }
    const visible = recent.entries.filter((e) => opts.moderator || !e.hidden)
    const strip = <T extends RoomEntry>({ hidden: _hidden, ...rest }: T) => rest
    return {
      questions: visible
        .filter((e): e is RoomQuestion & { hidden: boolean } => e.type === 'question')
        .slice(-recentQuestions)
        .map(strip),
      comments: visible
        .filter((e): e is RoomComment & { hidden: boolean } => e.type === 'comment')
        .slice(-recentComments)
        .map(strip),
      slowSeconds: recent.slowSeconds,
    }
  }

  async isMuted(liveId: string, authorId: string): Promise<boolean> {
    return (await this.#store.mutedUntil(liveId, authorId)) > this.#now()
  }

  async questions(liveId: string): Promise<RoomQuestion[]> {
    return (await this.#store.entries(liveId))
      .filter((e): e is RoomQuestion & { hidden: boolean } => e.type === 'question' && !e.hidden)
      .map(({ hidden: _hidden, ...q }) => q)
  }

  /** The moderators' acts in a room, oldest first (the kept log). */
  acts(liveId: string): Promise<ModerationAct[]> {
    return this.#store.acts(liveId)
  }

  keywords(): Promise<string[]> {
    return this.#filter.list()
  }

  setKeywords(words: string[]): Promise<string[]> {
    return this.#filter.set(words)
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2)
}
