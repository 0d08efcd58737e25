/**
 * @module live/room/client
 * One WebSocket client of a room: the welcome, each frame judged (size before parsing, then
 * JSON and the schema; a bad frame gets a `refused` and the connection stays), and the room's
 * broadcasts sent on — unless the client stops reading: one whose unsent backlog passes
 * the limit is dropped rather than buffered for ever.
 */
import type { WSContext, WSMessageReceive } from 'hono/ws'
import {
  RoomClientMessage,
  roomFrameMaxBytes,
  type LiveStatus,
  type RoomAuthor,
  type RoomRefusal,
  type RoomServerMessage,
} from '@shulin/protocol'
import type { RoomAudience } from './index.js'
import type { RoomService } from './service.js'

export interface RoomClientLimits {
  bufferedAmount(ws: WSContext): number
  abort(ws: WSContext): void
  /** Unsent bytes past which the client is dropped (a slow consumer). */
  maxBufferedBytes?: number
}

export interface RoomClientOptions extends RoomClientLimits {
  rooms: RoomService
  liveId: string
  /** Null for an anonymous watcher: receives, may report its delay, may not speak. */
  author: RoomAuthor | null
  moderator: boolean
  status: LiveStatus
  /** Called once when the client is gone (or never opened): its place in the caps is free. */
  onGone: () => void
  /**
   * Asks again who the client is (the session may have ended, the account been disabled or a
   * moderator's role taken away): null when no longer signed in. Asked before speaking, at most
   * once every {@link recheckMs}.
   */
  recheck?: () => Promise<{ author: RoomAuthor; moderator: boolean } | null>
  now?: () => number
}

/** How long a connection's sign-in is trusted before it is checked again. */
export const recheckMs = 60_000
/** Frames waiting to be judged, per client; more are refused at once rather than queued. */
export const maxPendingFrames = 32

const openTimeoutMs = 15_000
const defaultMaxBuffered = 1024 * 1024
let anonymous = 0

/** Each broadcast is one object for every client of the room: encoded once, not once a client. */
const encoded = new WeakMap<RoomServerMessage, string>()
const encode = (msg: RoomServerMessage): string => {
  let text = encoded.get(msg)
  if (text === undefined) {
    text = JSON.stringify(msg)
    encoded.set(msg, text)
  }
  return text
}

export class RoomClient {
  #ws: WSContext | undefined
  #unsubscribe: (() => void) | undefined
  #gone = false
  #pending = 0
  #author: RoomAuthor | null
  #moderator: boolean
  #checkedAt: number
  /** Frames are judged one after the other, in the order they came. */
  #queue: Promise<void> = Promise.resolve()
  readonly #openTimer: NodeJS.Timeout
  /** A name for an anonymous watcher's delay reports (never shown, never stored). */
  readonly #viewer: string

  constructor(private readonly opts: RoomClientOptions) {
    this.#viewer = opts.author?.id ?? `anonymous:${++anonymous}`
    this.#author = opts.author
    this.#moderator = opts.moderator
    this.#checkedAt = (opts.now ?? Date.now)()
    // An upgrade answered but never completed (the client went during the handshake) has no close.
    this.#openTimer = setTimeout(() => {
      if (!this.#ws) this.close()
    }, openTimeoutMs)
    this.#openTimer.unref()
  }

  open(ws: WSContext): void {
    clearTimeout(this.#openTimer)
    if (this.#gone) return ws.close(1001, 'gone')
    this.#ws = ws
    const { rooms, liveId } = this.opts
    const author = this.#author
    const moderator = this.#moderator
    // Subscribed before the history is read, and what comes meanwhile is held: nothing is lost between them.
    const early: RoomServerMessage[] = []
    let welcomed = false
    this.#unsubscribe = rooms.subscribe(liveId, (msg, audience) => {
      if (!welcomed) early.push(msg)
      else this.#send(msg, audience)
    })
    void (async () => {
      const [snapshot, muted] = await Promise.all([
        rooms.snapshot(liveId, { moderator }),
        author ? rooms.isMuted(liveId, author.id) : Promise.resolve(false),
      ])
      this.#send({
        type: 'welcome',
        ...snapshot,
        canSpeak: !!author && !muted && this.opts.status !== 'ended',
        canModerate: moderator,
        status: this.opts.status,
      })
      welcomed = true
      const seen = new Set([...snapshot.questions, ...snapshot.comments].map((m) => m.id))
      // A message said meanwhile may be in the history already; a hide or a vote is sent either way.
      for (const msg of early)
        if (!((msg.type === 'question' || msg.type === 'comment') && seen.has(msg.id))) this.#send(msg)
    })().catch(() => this.#drop(1011, 'room unavailable'))
  }

  message(data: WSMessageReceive, ws: WSContext): void {
    this.#ws ??= ws
    // A client sending faster than its frames are judged is told so, not queued without end.
    if (this.#pending >= maxPendingFrames) return this.#refuse('rate_limited', 'Too many messages at once.')
    this.#pending++
    this.#queue = this.#queue
      .then(() => this.#handle(data))
      .catch(() => this.#drop(1011, 'room unavailable'))
      .finally(() => void this.#pending--)
  }

  async #handle(data: WSMessageReceive): Promise<void> {
    if (this.#gone) return
    if (typeof data !== 'string') return this.#refuse('invalid', 'Messages are JSON text frames.')
    // Measured before anything reads it: a UTF-8 byte count, not a JSON parse.
    if (data.length > roomFrameMaxBytes || Buffer.byteLength(data, 'utf8') > roomFrameMaxBytes)
      return this.#refuse('too_long', `A frame is at most ${roomFrameMaxBytes} bytes.`)
    let json: unknown
    try {
      json = JSON.parse(data)
    } catch {
      return this.#refuse('invalid', 'Not JSON.')
    }
    const parsed = RoomClientMessage.safeParse(json)
    if (!parsed.success) {
      const tooLong = parsed.error.issues.some((i) => i.code === 'too_big')
      return tooLong
        ? this.#refuse('too_long', 'The message is over the length limit.')
        : this.#refuse('invalid', 'Not a room message.')
    }
    const msg = parsed.data
    const { rooms, liveId } = this.opts
    if (msg.type !== 'ping') await this.#recheck()
    const author = this.#author
    const moderator = this.#moderator
    if (!author) {
      if (msg.type === 'ping')
        await rooms.submit(liveId, { id: this.#viewer, name: '', library: '' }, msg, { moderator: false })
      else this.#refuse('unauthenticated', 'Sign in to take part.')
      return
    }
    const result = await rooms.submit(liveId, author, msg, { moderator })
    if (!result.ok) this.#send(result.refused)
  }

  async #recheck(): Promise<void> {
    const now = (this.opts.now ?? Date.now)()
    if (!this.opts.recheck || !this.#author || now - this.#checkedAt < recheckMs) return
    this.#checkedAt = now
    const who = await this.opts.recheck()
    this.#author = who && who.author.id === this.#author.id ? who.author : null
    this.#moderator = !!this.#author && !!who?.moderator
  }

  #refuse(code: RoomRefusal, detail: string): void {
    this.#send({ type: 'refused', code, detail })
  }

  #send(msg: RoomServerMessage, audience: RoomAudience = 'all'): void {
    const ws = this.#ws
    if (this.#gone || !ws) return
    if (audience === 'moderators' && !this.#moderator) return
    if (ws.readyState !== 1) return
    if (this.opts.bufferedAmount(ws) > (this.opts.maxBufferedBytes ?? defaultMaxBuffered)) {
      // Cut, not closed: a client that does not read would not answer a close, and its backlog
      // would stay in memory until the closing handshake timed out.
      this.close()
      return this.opts.abort(ws)
    }
    ws.send(encode(msg))
  }

  #drop(code: number, reason: string): void {
    const ws = this.#ws
    this.close()
    try {
      ws?.close(code, reason)
    } catch {
      // Already closing.
    }
  }

  /** The socket closed (or is being dropped): leave the room, once. */
  close(): void {
    if (this.#gone) return
    this.#gone = true
    clearTimeout(this.#openTimer)
    this.#unsubscribe?.()
    this.opts.onGone()
  }
}
