/**
 * @module components/live-follow
 * The player's live mode (`<shulin-player live>`), kept apart from the recorded-lecture player:
 * hls.js settings that follow the live edge, a watchdog that notices a stream that stopped
 * moving, and reconnection with backoff that never gives up — a live viewer whose node restarts
 * or whose link drops sees "reconnecting…" and then the lecture again, never a dead black box.
 *
 * Why a watchdog as well as hls.js's own errors: when a relaying member stops, hls.js may keep
 * reloading a playlist that no longer grows (no error, no progress) — only the clock shows it.
 *
 * Out: a `live-position` event (`detail: {at}`, every few seconds while playing) with the
 * wall-clock instant (ms) of the frame on screen, from the stream's EXT-X-PROGRAM-DATE-TIME when
 * it has one, else from the segment's place in the stream; the watch page sends it to the room as
 * `{type:'ping', at}` for the moderators' glass-to-glass delay.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit'
import type Hls from 'hls.js/light'
import type { HlsConfig } from 'hls.js/light'

/**
 * hls.js for a live lecture: start and stay about three segments behind the edge (1–2 s
 * segments: 3–6 s), speed up a little to catch up rather than jump, and jump only when more
 * than eight segments behind (after a stall). A playlist or segment that fails is retried quickly
 * a few times before the error is fatal and {@link LiveFollower} takes over.
 */
export const liveHlsConfig: Partial<HlsConfig> = {
  liveSyncDurationCount: 3,
  liveMaxLatencyDurationCount: 8,
  maxLiveSyncPlaybackRate: 1.2,
  liveDurationInfinity: true,
  backBufferLength: 30,
  lowLatencyMode: true,
}

/** How long a playing video may stand still before the stream counts as stalled. */
export const stallMs = 6000
/** Backoff between reconnections: 1 s, 2 s, 4 s, … at most 8 s. */
const firstRetryMs = 1000
const maxRetryMs = 8000
/** How often the position is reported while playing. */
const positionEveryMs = 5000

export interface LiveFollowerParts {
  video(): HTMLVideoElement | null
  hls(): Hls | undefined
  /** Drops the stream and loads it again from the playlist. */
  reload(): void
  /** When the lecture started (ISO), for the position when the stream carries no dates. */
  startedAt(): string
}

export type LiveState = 'connecting' | 'playing' | 'reconnecting'

export class LiveFollower implements ReactiveController {
  state: LiveState = 'connecting'
  /** Reconnections so far (tests read it as `data-reconnects`). */
  reconnects = 0
  enabled = false
  #attempt = 0
  #retry: number | undefined
  #tick: number | undefined
  #lastTime = -1
  #lastMove = Date.now()
  #lastReport = 0
  /** Whether the reader wants it playing (so a reconnection resumes it). */
  #wantPlay = false
  #started = false

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly parts: LiveFollowerParts,
  ) {
    host.addController(this)
  }

  hostConnected(): void {
    this.#tick = window.setInterval(() => this.#check(), 1000)
  }

  hostDisconnected(): void {
    clearInterval(this.#tick)
    clearTimeout(this.#retry)
  }

  /** A fresh stream was attached (first load or a reconnection). */
  attached(): void {
    this.#lastMove = Date.now()
  }

  /**
   * The playlist is parsed: a live lecture starts by itself (the reader came to watch it), and
   * plays again after a reconnection. Where the browser refuses to start it, its play button does.
   */
  manifestParsed(): void {
    if (this.#wantPlay || !this.#started)
      void this.parts
        .video()
        ?.play()
        .catch(() => {})
    this.#started = true
  }

  onPlay(): void {
    this.#wantPlay = true
    this.#lastMove = Date.now()
  }

  onPause(): void {
    // A reconnection detaches the video, which may pause it: that is not the reader's choice.
    if (this.state !== 'reconnecting') this.#wantPlay = false
  }

  /** The video moved: the stream is flowing. */
  onTime(): void {
    const v = this.parts.video()
    if (!v || v.currentTime === this.#lastTime) return
    this.#lastTime = v.currentTime
    this.#lastMove = Date.now()
    if (this.state !== 'playing' && !v.paused) {
      this.state = 'playing'
      this.#attempt = 0
      clearTimeout(this.#retry)
      this.#retry = undefined
      this.host.requestUpdate()
    }
    this.#report()
  }

  /** hls.js gave up on an error: reconnect after the next backoff step. */
  fatal(): void {
    this.#schedule()
  }

  /** The reader pressed "retry now". */
  retryNow(): void {
    clearTimeout(this.#retry)
    this.#retry = undefined
    this.#reconnect()
  }

  #check(): void {
    const v = this.parts.video()
    if (!this.enabled || !v || this.#retry !== undefined) return
    // Meant to be playing yet standing still: stalled. (A video the reader paused, or never
    // started, is their choice; errors while loading reach fatal() instead.)
    if (this.#wantPlay && Date.now() - this.#lastMove > stallMs) this.#schedule()
  }

  #schedule(): void {
    if (this.#retry !== undefined) return
    if (this.state !== 'reconnecting') {
      this.state = 'reconnecting'
      this.host.requestUpdate()
    }
    const delay = Math.min(maxRetryMs, firstRetryMs * 2 ** this.#attempt)
    this.#attempt++
    this.#retry = window.setTimeout(() => {
      this.#retry = undefined
      this.#reconnect()
    }, delay)
  }

  #reconnect(): void {
    this.reconnects++
    this.host.dataset.reconnects = String(this.reconnects)
    this.state = 'reconnecting'
    this.#lastMove = Date.now()
    this.host.requestUpdate()
    this.parts.reload()
  }

  /** The wall-clock instant of the frame on screen, every few seconds. */
  #report(): void {
    const now = Date.now()
    if (now - this.#lastReport < positionEveryMs) return
    const at = this.#programTime()
    if (at === undefined) return
    this.#lastReport = now
    this.host.dispatchEvent(new CustomEvent('live-position', { detail: { at }, bubbles: true, composed: true }))
  }

  #programTime(): number | undefined {
    const hls = this.parts.hls()
    const v = this.parts.video()
    if (!hls || !v) return undefined
    const dated = hls.playingDate?.getTime()
    if (dated && Number.isFinite(dated)) return Math.round(dated)
    // No EXT-X-PROGRAM-DATE-TIME: the segment's number times the target duration is its place
    // in the stream, counted from the moment the lecture went live.
    const details = hls.latestLevelDetails
    const started = Date.parse(this.parts.startedAt())
    if (!details || !Number.isFinite(started)) return undefined
    const t = v.currentTime
    const frag = details.fragments.find((f) => f.start <= t && t < f.start + f.duration)
    if (!frag || typeof frag.sn !== 'number') return undefined
    return Math.round(started + (frag.sn * details.targetduration + (t - frag.start)) * 1000)
  }
}
