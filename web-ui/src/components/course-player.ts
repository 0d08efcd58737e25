/**
 * @module components/course-player
 * `<shulin-player>`: one lecture's video with chapters, subtitles, speed, keyboard control and a
 * transcript that follows the video. Self-contained on purpose — its own shadow-DOM styles, its
 * own few zh/en words (the `lang` attribute, else the page's language), no router, no session,
 * no app state — because the embeds wrap this same element for other libraries' sites.
 *
 * Streams: hls.js (its light build: subtitles come as `<track>` elements, so its own subtitle
 * code is not needed) is imported only when a player needs it, so it lands in its own chunk
 * and no other page pays for it. Where Media Source Extensions exist hls.js plays the master
 * playlist (Chromium now also answers "maybe" for native HLS, but hls.js there gives error
 * recovery and the same behaviour as everywhere else); where they do not (older iPhones) the
 * browser's own HLS plays it; failing both, the original MP4 by ranges.
 *
 * Out: a `position` event (`detail: {seconds, duration}`, at most once a second, and on
 * pause/seek/end) for resuming; and, when `watchedUrl` is set, a beacon `POST {"seconds": n}`
 * for every 60 s actually played and on pause or when the page goes away (n = seconds played
 * since the last beacon, 1…600; seeking does not count).
 *
 * Live (`live` attribute): the same element follows a live lecture's edge instead — no start
 * position, speed or beacons; a "reconnecting…" state over the video while the stream is
 * stalled or unreachable, retried with backoff until it flows again (components/live-follow);
 * a `live-position` event for the glass-to-glass delay; and a slot (`overlay`) over the video
 * for the comments (弹幕) that fly across it.
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit'
import type Hls from 'hls.js/light'
import { LiveFollower, liveHlsConfig } from './live-follow.js'
import { clock } from '../links.js'

export interface PlayerSubtitle {
  lang: string
  label: string
  url: string
}
export interface PlayerChapter {
  title: string
  start: number
}
export interface TranscriptCue {
  start: number
  end: number
  text: string
}
export interface PositionDetail {
  seconds: number
  duration: number
}

const words = {
  zh: {
    player: '视频播放器',
    subtitles: '字幕',
    off: '关闭',
    speed: '倍速',
    chapters: '章节',
    transcript: '文稿',
    noTranscript: '这一讲没有文稿。',
    loadingTranscript: '正在载入文稿…',
    error: '视频无法播放，请稍后再试。',
    retry: '重试',
    keys: '快捷键：空格/K 播放暂停，←/→ 5 秒，J/L 10 秒，F 全屏，M 静音，C 字幕',
    jumpTo: '跳到 {time}',
    live: '直播',
    reconnecting: '直播信号中断，正在重新连接…',
    connecting: '正在连接直播…',
    retryNow: '立即重试',
    toLive: '回到直播',
  },
  en: {
    player: 'Video player',
    subtitles: 'Subtitles',
    off: 'Off',
    speed: 'Speed',
    chapters: 'Chapters',
    transcript: 'Transcript',
    noTranscript: 'This lecture has no transcript.',
    loadingTranscript: 'Loading the transcript…',
    error: 'The video cannot be played. Please try again later.',
    retry: 'Retry',
    keys: 'Keys: Space/K play or pause, ←/→ 5 s, J/L 10 s, F full screen, M mute, C captions',
    jumpTo: 'Jump to {time}',
    live: 'Live',
    reconnecting: 'The stream was interrupted; reconnecting…',
    connecting: 'Connecting to the live stream…',
    retryNow: 'Retry now',
    toLive: 'Back to live',
  },
}
type Word = keyof (typeof words)['zh']

const speeds = [0.75, 1, 1.25, 1.5, 1.75, 2]
/** Seconds of playing per watched-time beacon, and the most one beacon may claim. */
const beaconEvery = 60
const beaconMax = 600

/** Times as the player shows them (one definition, in links). */
export { clock }

/** The cues of a transcript answer (`{cues:[…]}` or a bare array), dropping anything malformed. */
function cuesOf(body: unknown): TranscriptCue[] {
  const list = Array.isArray(body) ? body : ((body as { cues?: unknown } | null)?.cues ?? [])
  if (!Array.isArray(list)) return []
  return list.filter(
    (c): c is TranscriptCue =>
      !!c &&
      typeof c === 'object' &&
      typeof c.start === 'number' &&
      typeof c.end === 'number' &&
      typeof c.text === 'string',
  )
}

export class ShulinPlayer extends LitElement {
  static override properties = {
    src: {},
    original: {},
    poster: {},
    subtitles: { attribute: false },
    chapters: { attribute: false },
    transcriptUrl: { attribute: 'transcript-url' },
    watchedUrl: { attribute: 'watched-url' },
    watchedHeaders: { attribute: false },
    start: { type: Number },
    locale: { attribute: 'lang' },
    heading: {},
    track: { state: true },
    rate: { state: true },
    panel: { state: true },
    cues: { state: true },
    cuesState: { state: true },
    now: { state: true },
    failed: { state: true },
    live: { type: Boolean },
    liveStartedAt: { attribute: 'live-started-at' },
    behind: { state: true },
  }
  /** The master playlist's URL. */
  src = ''
  /** The original upload (MP4), played by ranges when HLS cannot be. */
  original = ''
  poster = ''
  subtitles: PlayerSubtitle[] = []
  chapters: PlayerChapter[] = []
  /** Where the cues come from (`?lang=` is added); none, no transcript tab. */
  transcriptUrl = ''
  /** Where the watched-time beacons go; none, none are sent. */
  watchedUrl = ''
  /** Extra headers for the beacon (the portal's CSRF token). */
  watchedHeaders: Record<string, string> = {}
  /** Seconds to start at. */
  start = 0
  /** `lang` attribute: `en…` for English, anything else Chinese; unset, the page's language. */
  locale: string | undefined
  /** The title, announced as the player's name. */
  heading = ''
  /** The subtitle language shown, or '' for none. */
  track = ''
  rate = 1
  panel: 'chapters' | 'transcript' = 'chapters'
  cues: TranscriptCue[] = []
  cuesState: 'none' | 'loading' | 'ready' = 'none'
  now = 0
  failed = false
  /** A live lecture: follow its edge, reconnect forever, no start position or beacons. */
  live = false
  /** When the live lecture started (ISO), for its position when the stream carries no dates. */
  liveStartedAt = ''
  /** Live: far enough behind the edge to offer the way back. */
  behind = false

  #follower = new LiveFollower(this, {
    video: () => this.video,
    hls: () => this.#hls,
    reload: () => void this.#load(),
    startedAt: () => this.liveStartedAt,
  })
  #hls: Hls | undefined
  /** Which way the current source plays: `hls.js`, `native` or `file` (tests read it as `data-engine`). */
  #engine = ''
  #lastEmitted = -1
  #lastTime = 0
  /** Seconds played since the last beacon. */
  #played = 0
  /** The track shown before captions were toggled off with C. */
  #lastTrack = ''
  /** Until when the transcript does not scroll itself (the reader is scrolling it). */
  #holdFollow = 0
  #loadId = 0
  /** Whether the start position has been applied to the loaded video. */
  #settled = false
  #transcriptFor = ''
  #onPageHide = () => this.#beacon()
  /** Phones often never fire pagehide; a page going to the background is the last sure moment. */
  #onVisibility = () => document.visibilityState === 'hidden' && this.#beacon()

  get video(): HTMLVideoElement | null {
    return this.renderRoot?.querySelector('video') ?? null
  }

  #w(key: Word, params: Record<string, string> = {}): string {
    const lang = (this.locale ?? this.closest('[lang]')?.getAttribute('lang') ?? navigator.language).toLowerCase()
    const text = (lang.startsWith('en') ? words.en : words.zh)[key]
    return text.replace(/\{(\w+)\}/g, (_, n: string) => params[n] ?? '')
  }

  override connectedCallback(): void {
    super.connectedCallback()
    window.addEventListener('pagehide', this.#onPageHide)
    document.addEventListener('visibilitychange', this.#onVisibility)
    // Moved in the page: the stream was let go on leaving, so it is taken up again.
    if (this.hasUpdated && (this.src || this.original)) void this.#load()
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    window.removeEventListener('pagehide', this.#onPageHide)
    document.removeEventListener('visibilitychange', this.#onVisibility)
    this.#beacon()
    this.#emitPosition(true)
    this.#hls?.destroy()
    this.#hls = undefined
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('chapters') && !this.chapters.length && this.transcriptUrl) this.panel = 'transcript'
    if (changed.has('transcriptUrl') && !this.chapters.length && this.transcriptUrl) this.panel = 'transcript'
  }

  override updated(changed: PropertyValues<this>): void {
    if (changed.has('live')) this.#follower.enabled = this.live
    if (changed.has('src') || changed.has('original')) void this.#load()
    else if (changed.has('start') && this.video && this.video.readyState > 0) this.seek(this.start)
    if (changed.has('subtitles')) this.#applyTrack()
    if (changed.has('track') || changed.has('transcriptUrl') || changed.has('subtitles')) void this.#loadTranscript()
    if (changed.has('now')) this.#follow()
  }

  /** Seeks to `seconds` (clamped to the video) and tells the listeners. */
  seek(seconds: number): void {
    const v = this.video
    if (!v) return
    const end = Number.isFinite(v.duration) ? v.duration : Infinity
    v.currentTime = Math.max(0, Math.min(seconds, end))
    this.now = v.currentTime
    this.#lastTime = v.currentTime
  }

  async #load(): Promise<void> {
    const v = this.video
    if (!v) return
    const id = ++this.#loadId
    // Letting go of the old source pauses the video: the new one plays on if it was playing.
    const wasPlaying = !v.paused
    this.#settled = false
    this.failed = false
    this.#hls?.destroy()
    this.#hls = undefined
    if (v.hasAttribute('src')) {
      v.removeAttribute('src')
      v.load() // lets go of the file played before
    }
    const mse = typeof window.MediaSource !== 'undefined' || 'ManagedMediaSource' in window
    if (this.src && mse) {
      try {
        const { default: HlsClass } = await import('hls.js/light')
        if (id !== this.#loadId) return
        if (HlsClass.isSupported()) {
          this.#swapIn(v, wasPlaying, () => this.#attachHls(HlsClass, v))
          return
        }
      } catch {
        /* the chunk did not load (offline?): the native player or the original below */
      }
    }
    if (id !== this.#loadId) return
    if (this.src && v.canPlayType('application/vnd.apple.mpegurl')) this.#setEngine('native', this.src, wasPlaying)
    else if (this.original) this.#setEngine('file', this.original, wasPlaying)
    else if (this.src || this.original) this.failed = true
  }

  /**
   * Puts a source in with `attach`. A new source cancels a pending play() (an AbortError, and the
   * video stays paused), so a play the reader asked for before it (a tap while hls.js was still
   * loading on a slow phone, or a video that was playing) is asked again.
   */
  #swapIn(v: HTMLVideoElement, wasPlaying: boolean, attach: () => void): void {
    const wanted = wasPlaying || !v.paused
    attach()
    if (wanted) void v.play().catch(() => {})
  }

  #setEngine(engine: string, url: string, wasPlaying = false): void {
    const v = this.video!
    this.#engine = engine
    this.dataset.engine = engine
    this.#swapIn(v, wasPlaying, () => (v.src = url))
  }

  #attachHls(HlsClass: typeof Hls, v: HTMLVideoElement): void {
    // A fragment that will not load is retried twice here, quickly; past that the error is fatal
    // and the recovery below starts loading again, spaced out, up to five times in a row.
    const retry = { maxNumRetry: 2, retryDelayMs: 500, maxRetryDelayMs: 2000 }
    const live = this.live
    const hls = new HlsClass({
      startPosition: this.start > 0 && !live ? this.start : -1,
      capLevelToPlayerSize: true,
      fragLoadPolicy: {
        default: { maxTimeToFirstByteMs: 10_000, maxLoadTimeMs: 120_000, timeoutRetry: retry, errorRetry: retry },
      },
      ...(live ? liveHlsConfig : {}),
    })
    this.#hls = hls
    this.#engine = 'hls.js'
    this.dataset.engine = 'hls.js'
    let mediaRecoveries = 0
    let networkRetries = 0
    if (live) this.#follower.attached()
    hls.on(HlsClass.Events.MANIFEST_PARSED, (_e, data) => {
      this.dataset.manifest = String(data.levels.length)
      if (live) this.#follower.manifestParsed()
    })
    hls.on(HlsClass.Events.FRAG_LOADED, () => {
      networkRetries = 0
      this.dataset.fragments = String(Number(this.dataset.fragments ?? 0) + 1)
    })
    // Recovery as hls.js documents it: a network failure reloads (a few times, spaced out), a
    // decoding failure re-attaches the media (twice, the second time swapping the audio codec),
    // and anything else (or giving up) falls back to the original file.
    hls.on(HlsClass.Events.ERROR, (_e, data) => {
      if (!data.fatal) return
      this.dataset.recoveries = String(Number(this.dataset.recoveries ?? 0) + 1)
      // Live: a decoding hiccup is recovered in place once; anything else is a reconnection
      // (a fresh playlist from the edge), never the recorded file nor a dead end.
      if (live) {
        if (data.type === HlsClass.ErrorTypes.MEDIA_ERROR && mediaRecoveries++ < 1) hls.recoverMediaError()
        else if (this.#hls === hls) this.#follower.fatal()
        return
      }
      if (data.type === HlsClass.ErrorTypes.NETWORK_ERROR && networkRetries < 5) {
        networkRetries++
        window.setTimeout(() => this.#hls === hls && hls.startLoad(), 1000 * networkRetries)
      } else if (data.type === HlsClass.ErrorTypes.MEDIA_ERROR && mediaRecoveries < 2) {
        if (mediaRecoveries++ === 1) hls.swapAudioCodec()
        hls.recoverMediaError()
      } else {
        const wasPlaying = !v.paused
        hls.destroy()
        this.#hls = undefined
        if (this.original) this.#setEngine('file', this.original, wasPlaying)
        else this.failed = true
      }
    })
    hls.loadSource(this.src)
    hls.attachMedia(v)
  }

  #onLoadedMetadata(): void {
    const v = this.video!
    if (this.start > 0 && Math.abs(v.currentTime - this.start) > 0.5) this.seek(this.start)
    this.#lastTime = v.currentTime
    this.#settled = true
    this.#applyTrack()
  }

  #onTimeUpdate(): void {
    const v = this.video!
    const t = v.currentTime
    if (this.live) {
      this.now = t
      this.dataset.time = String(Math.floor(t))
      this.#follower.onTime()
      const edge = this.#hls?.liveSyncPosition
      this.behind = edge !== null && edge !== undefined && edge - t > 10
      return
    }
    // Only time the video moved forward by itself counts as watched (a jump is a seek).
    const step = t - this.#lastTime
    if (!v.paused && !v.seeking && step > 0 && step < 2 * Math.max(1, v.playbackRate)) this.#played += step
    this.#lastTime = t
    this.now = t
    this.dataset.time = String(Math.floor(t))
    if (this.#played >= beaconEvery) this.#beacon()
    this.#emitPosition(false)
  }

  #emitPosition(force: boolean): void {
    const v = this.video
    // Not before the start is applied: a 0 sent meanwhile would overwrite the place to resume at.
    if (!v || v.readyState === 0 || !this.#settled) return
    const t = v.currentTime
    if (!force && Math.abs(t - this.#lastEmitted) < 1) return
    this.#lastEmitted = t
    const detail: PositionDetail = { seconds: t, duration: Number.isFinite(v.duration) ? v.duration : 0 }
    this.dispatchEvent(new CustomEvent('position', { detail, bubbles: true, composed: true }))
  }

  /** Sends the seconds played since the last beacon (whole seconds, 1…600), if there is somewhere to send them. */
  #beacon(): void {
    const seconds = Math.min(beaconMax, Math.floor(this.#played))
    if (!this.watchedUrl || seconds < 1) return
    this.#played -= seconds
    void fetch(this.watchedUrl, {
      method: 'POST',
      keepalive: true,
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', ...this.watchedHeaders },
      body: JSON.stringify({ seconds }),
    }).catch(() => {
      /* a lost beacon loses a minute of statistics, nothing the reader needs to know */
    })
  }

  #applyTrack(): void {
    const v = this.video
    if (!v) return
    for (const tt of Array.from(v.textTracks)) {
      if (tt.kind !== 'subtitles') continue
      tt.mode = tt.language === this.track ? 'showing' : 'disabled'
    }
  }

  #chooseTrack(lang: string): void {
    this.track = lang
    if (lang) this.#lastTrack = lang
    this.#applyTrack()
  }

  async #loadTranscript(): Promise<void> {
    if (!this.transcriptUrl) {
      this.cues = []
      this.cuesState = 'none'
      return
    }
    const lang = this.track || this.subtitles[0]?.lang || ''
    const url = new URL(this.transcriptUrl, location.href)
    if (lang) url.searchParams.set('lang', lang)
    if (url.href === this.#transcriptFor) return
    this.#transcriptFor = url.href
    this.cuesState = 'loading'
    try {
      const res = await fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } })
      const cues = res.ok ? cuesOf(await res.json()) : []
      if (this.#transcriptFor !== url.href) return
      this.cues = cues
      this.cuesState = cues.length ? 'ready' : 'none'
    } catch {
      if (this.#transcriptFor !== url.href) return
      this.#transcriptFor = ''
      this.cues = []
      this.cuesState = 'none'
    }
  }

  #currentCue(): number {
    return this.cues.findIndex((c) => c.start <= this.now && this.now < c.end)
  }

  #currentChapter(): number {
    let i = -1
    this.#sortedChapters().forEach((c, k) => c.start <= this.now + 0.25 && (i = k))
    return i
  }

  #sortedChapters(): PlayerChapter[] {
    return [...this.chapters].sort((a, b) => a.start - b.start)
  }

  /** Keeps the current cue in view inside the transcript box (never scrolling the page). */
  #follow(): void {
    if (this.panel !== 'transcript' || Date.now() < this.#holdFollow) return
    const box = this.renderRoot.querySelector<HTMLElement>('.transcript')
    const cur = box?.querySelector<HTMLElement>('[aria-current="true"]')
    if (!box || !cur) return
    const top = cur.offsetTop - box.offsetTop
    if (top < box.scrollTop || top + cur.offsetHeight > box.scrollTop + box.clientHeight)
      box.scrollTop = Math.max(0, top - box.clientHeight / 3)
  }

  #jump(seconds: number): void {
    this.seek(seconds)
    void this.video?.play().catch(() => {})
  }

  #toggleFullscreen(): void {
    const stage = this.renderRoot.querySelector<HTMLElement>('.stage')
    if (document.fullscreenElement) void document.exitFullscreen().catch(() => {})
    else if (stage?.requestFullscreen) void stage.requestFullscreen().catch(() => {})
    else (this.video as HTMLVideoElement & { webkitEnterFullscreen?: () => void })?.webkitEnterFullscreen?.()
  }

  #onKey(e: KeyboardEvent): void {
    const v = this.video
    if (!v || e.ctrlKey || e.metaKey || e.altKey) return
    const target = e.composedPath()[0] as HTMLElement | undefined
    const tag = target?.tagName
    if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA') return
    if (tag === 'BUTTON' && (e.key === ' ' || e.key === 'Enter')) return
    const by = (s: number) => this.seek(v.currentTime + s)
    switch (e.key.toLowerCase()) {
      case ' ':
      case 'k':
        if (v.paused) void v.play().catch(() => {})
        else v.pause()
        break
      case 'arrowleft':
        by(-5)
        break
      case 'arrowright':
        by(5)
        break
      case 'j':
        by(-10)
        break
      case 'l':
        by(10)
        break
      case 'f':
        this.#toggleFullscreen()
        break
      case 'm':
        v.muted = !v.muted
        break
      case 'c':
        this.#chooseTrack(this.track ? '' : this.#lastTrack || this.subtitles[0]?.lang || '')
        break
      default:
        return
    }
    e.preventDefault()
  }

  #onPause(): void {
    if (this.live) return this.#follower.onPause()
    this.#beacon()
    this.#emitPosition(true)
  }

  override render() {
    const chapters = this.#sortedChapters()
    const hasTranscript = !!this.transcriptUrl
    const curChapter = this.#currentChapter()
    const curCue = this.#currentCue()
    const tab = (id: 'chapters' | 'transcript', label: string) =>
      html`<button role="tab" id="tab-${id}" aria-controls="panel" aria-selected=${this.panel === id ? 'true' : 'false'} tabindex=${this.panel === id ? 0 : -1} @click=${() => (this.panel = id)}>${label}</button>`
    return html`<section class="player" aria-label=${this.heading || this.#w('player')} @keydown=${this.#onKey}>
      <div class="stage">
        <video
          controls
          playsinline
          crossorigin="anonymous"
          preload="metadata"
          poster=${this.poster || nothing}
          aria-label=${this.heading || this.#w('player')}
          @loadedmetadata=${this.#onLoadedMetadata}
          @timeupdate=${this.#onTimeUpdate}
          @pause=${this.#onPause}
          @play=${() => this.live && this.#follower.onPlay()}
          @seeked=${() => ((this.#lastTime = this.video!.currentTime), this.#emitPosition(true))}
          @ended=${() => this.#emitPosition(true)}
          @ratechange=${() => (this.rate = this.video!.playbackRate)}
          @error=${() => this.#engine !== 'hls.js' && (this.live ? this.#follower.fatal() : this.#engine === 'native' && this.original ? this.#setEngine('file', this.original) : (this.failed = true))}
        >
          ${this.subtitles.map((s) => html`<track kind="subtitles" srclang=${s.lang} label=${s.label} src=${s.url} />`)}
        </video>
        ${this.live ? this.#liveStage() : nothing}
      </div>
      ${this.failed ? html`<p class="error" role="alert">${this.#w('error')} <button class="secondary" @click=${() => void this.#load()}>${this.#w('retry')}</button></p>` : nothing}
      <div class="tools">
        ${
          this.subtitles.length
            ? html`<label>${this.#w('subtitles')}
              <select class="subtitles" .value=${this.track} @change=${(e: Event) => this.#chooseTrack((e.target as HTMLSelectElement).value)}>
                <option value="" ?selected=${this.track === ''}>${this.#w('off')}</option>
                ${this.subtitles.map((s) => html`<option value=${s.lang} ?selected=${this.track === s.lang}>${s.label}</option>`)}
              </select></label>`
            : nothing
        }
        ${
          this.live
            ? html`<span class="badge">${this.#w('live')}</span>
              ${this.behind ? html`<button class="secondary" @click=${this.#toLive}>${this.#w('toLive')}</button>` : nothing}`
            : html`<label>${this.#w('speed')}
              <select class="speed" @change=${(e: Event) => this.video && (this.video.playbackRate = Number((e.target as HTMLSelectElement).value))}>
                ${speeds.map((v) => html`<option value=${v} ?selected=${v === this.rate}>${v}×</option>`)}
              </select></label>
              <span class="keys">${this.#w('keys')}</span>`
        }
      </div>
      ${
        chapters.length || hasTranscript
          ? html`<div class="panels">
            <div role="tablist" @keydown=${(e: KeyboardEvent) => {
              if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return
              e.stopPropagation()
              this.panel =
                this.panel === 'chapters' && hasTranscript ? 'transcript' : chapters.length ? 'chapters' : 'transcript'
              void this.updateComplete.then(() =>
                this.renderRoot.querySelector<HTMLElement>(`#tab-${this.panel}`)?.focus(),
              )
            }}>
              ${chapters.length ? tab('chapters', `${this.#w('chapters')} (${chapters.length})`) : nothing}
              ${hasTranscript ? tab('transcript', this.#w('transcript')) : nothing}
            </div>
            <div id="panel" role="tabpanel" aria-labelledby="tab-${this.panel}">
              ${
                this.panel === 'chapters' && chapters.length
                  ? html`<ol class="chapters">
                    ${chapters.map(
                      (
                        c,
                        i,
                      ) => html`<li><button class="row" aria-current=${i === curChapter ? 'true' : 'false'} aria-label=${`${c.title}, ${this.#w('jumpTo', { time: clock(c.start) })}`} @click=${() => this.#jump(c.start)}>
                        <span class="at">${clock(c.start)}</span><span>${c.title}</span>
                      </button></li>`,
                    )}
                  </ol>`
                  : this.cuesState === 'loading'
                    ? html`<p class="muted" role="status">${this.#w('loadingTranscript')}</p>`
                    : this.cuesState === 'none'
                      ? html`<p class="muted">${this.#w('noTranscript')}</p>`
                      : html`<ol class="transcript" @wheel=${this.#hold} @touchmove=${this.#hold}>
                        ${this.cues.map(
                          (
                            c,
                            i,
                          ) => html`<li><button class="row cue" aria-current=${i === curCue ? 'true' : 'false'} @click=${() => this.#jump(c.start)}>
                            <span class="at">${clock(c.start)}</span><span>${c.text}</span>
                          </button></li>`,
                        )}
                      </ol>`
              }
            </div>
          </div>`
          : nothing
      }
    </section>`
  }

  /** Live: the comments' layer over the video, and the "reconnecting" veil while the stream is down. */
  #liveStage() {
    const state = this.#follower.state
    this.dataset.live = state
    return html`<slot name="overlay"></slot>
      ${
        state === 'reconnecting'
          ? html`<div class="veil" role="status">
            <span class="spinner" aria-hidden="true"></span>
            <span>${this.#w('reconnecting')}</span>
            <button @click=${() => this.#follower.retryNow()}>${this.#w('retryNow')}</button>
          </div>`
          : nothing
      }`
  }

  #toLive = () => {
    const edge = this.#hls?.liveSyncPosition
    if (edge !== null && edge !== undefined) this.seek(edge)
    this.behind = false
  }

  #hold = () => {
    this.#holdFollow = Date.now() + 4000
  }

  static override styles = css`
    :host {
      display: block;
      container-type: inline-size;
      --ink: #1f3a5f;
      --line: #ddd6c8;
      --muted: #595959;
      --accent: #b23a2a;
      --now: #fdf0c2;
      font-family: var(--font-ui, system-ui, 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif);
      color: #1c1c1c;
      box-sizing: border-box;
    }
    *, *::before, *::after { box-sizing: inherit; }
    .player { display: grid; gap: 8px; }
    .stage { background: #000; position: relative; }
    ::slotted([slot='overlay']) { position: absolute; inset: 0 0 48px; pointer-events: none; overflow: hidden; }
    .veil {
      position: absolute; inset: 0; display: flex; flex-direction: column; gap: 12px; align-items: center;
      justify-content: center; padding: 16px; text-align: center; color: #fff; background: rgb(0 0 0 / 0.7);
    }
    .veil button { color: #fff; border-color: #fff; }
    .spinner { width: 32px; height: 32px; border: 4px solid rgb(255 255 255 / 0.35); border-top-color: #fff; border-radius: 50%; animation: spin 1s linear infinite; }
    @keyframes spin { to { transform: rotate(360deg); } }
    @media (prefers-reduced-motion: reduce) { .spinner { animation: none; } }
    .badge { background: var(--accent); color: #fff; font-weight: 700; padding: 2px 10px; border-radius: 4px; }
    .stage:fullscreen { display: grid; place-items: center; }
    video { display: block; width: 100%; aspect-ratio: 16 / 9; max-height: 70vh; background: #000; }
    .stage:fullscreen video { max-height: 100vh; height: 100%; }
    .tools { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; padding: 0 8px; }
    label { display: flex; gap: 8px; align-items: center; font-weight: 600; }
    select, button { font: inherit; min-height: 44px; border-radius: 8px; }
    select { border: 1px solid #8a8275; background: #fff; color: #1c1c1c; padding: 0 8px; }
    button { border: 1px solid var(--ink); background: transparent; color: var(--ink); padding: 0 14px; cursor: pointer; }
    :focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
    .keys { display: none; color: var(--muted); font-size: 0.85rem; }
    .error { color: var(--accent); margin: 0 8px; }
    [role='tablist'] { display: flex; border-bottom: 1px solid var(--line); }
    [role='tab'] { flex: 1; border: 0; border-bottom: 3px solid transparent; border-radius: 0; color: var(--muted); }
    [role='tab'][aria-selected='true'] { color: var(--ink); font-weight: 700; border-bottom-color: var(--accent); }
    ol { list-style: none; margin: 0; padding: 0; }
    .transcript, .chapters { max-height: 45vh; overflow: auto; position: relative; }
    .row {
      display: flex; gap: 12px; width: 100%; text-align: left; border: 0; border-radius: 0;
      padding: 8px; color: #1c1c1c; line-height: 1.5; align-items: baseline;
    }
    .row:hover { background: #f4efe4; }
    .row[aria-current='true'] { background: var(--now); font-weight: 600; }
    .at { flex: none; color: var(--muted); font-variant-numeric: tabular-nums; min-width: 3.5em; }
    .muted { color: var(--muted); padding: 8px; margin: 0; }
    /* Wide enough (a desktop page, a wide embed): the panels sit beside the video. */
    @container (min-width: 860px) {
      .player { grid-template-columns: minmax(0, 1fr) 340px; align-items: start; }
      .stage { grid-column: 1; grid-row: 1; }
      .tools, .error { grid-column: 1; }
      .panels { grid-column: 2; grid-row: 1 / span 3; }
      .transcript, .chapters { max-height: min(60vh, 520px); }
      .keys { display: inline; }
    }
  `
}

customElements.define('shulin-player', ShulinPlayer)

declare global {
  interface HTMLElementTagNameMap {
    'shulin-player': ShulinPlayer
  }
}
