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
}

/** WebSocket close codes: policy (a slow consumer dropped), going away. */
const closeSlow = 1008
const openTimeoutMs = 15_000
const defaultMaxBuffered = 1024 * 1024
let anonymous = 0

export class RoomClient {
  #ws: WSContext | undefined
  #unsubscribe: (() => void) | undefined
  #gone = false
  /** Frames are judged one after the other, in the order they came. */
  #queue: Promise<void> = Promise.resolve()
  readonly #openTimer: NodeJS.Timeout
  /** A name for an anonymous watcher's delay reports (never shown, never stored). */
  readonly #viewer: string

  constructor(private readonly opts: RoomClientOptions) {
    this.#viewer = opts.author?.id ?? `anonymous:${++anonymous}`
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
    const { rooms, liveId, author, moderator } = this.opts
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
    this.#queue = this.#queue.then(() => this.#handle(data)).catch(() => this.#drop(1011, 'room unavailable'))
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
    const { rooms, liveId, author, moderator } = this.opts
    if (!author) {
      if (msg.type === 'ping')
        await rooms.submit(liveId, { id: this.#viewer, name: '', library: '' }, msg, { moderator: false })
      else this.#refuse('unauthenticated', 'Sign in to take part.')
      return
    }
    const result = await rooms.submit(liveId, author, msg, { moderator })
    if (!result.ok) this.#send(result.refused)
  }

  #refuse(code: RoomRefusal, detail: string): void {
    this.#send({ type: 'refused', code, detail })
  }

  #send(msg: RoomServerMessage, audience: RoomAudience = 'all'): void {
    const ws = this.#ws
    if (this.#gone || !ws) return
    if (audience === 'moderators' && !this.opts.moderator) return
    if (ws.readyState !== 1) return
    if (this.opts.bufferedAmount(ws) > (this.opts.maxBufferedBytes ?? defaultMaxBuffered))
      return this.#drop(closeSlow, 'too slow: messages were piling up')
    ws.send(JSON.stringify(msg))
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
