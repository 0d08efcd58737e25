/**
 * @module pages/reader/play
 * The audio and video player: the browser's own controls (accessible, and range requests let
 * it seek without downloading everything), chapters from the record's table of contents, a
 * speed choice, a sleep timer for audiobooks (minutes, or the end of this chapter), and the
 * time kept as the reading position.
 */
import { LitElement, css, html, nothing } from 'lit'
import type { Chapter, Resource } from '@shulin/protocol'
import { base } from '../../styles.js'
import { t } from '../../i18n/index.js'
import { api } from '../../api.js'
import { loadingView } from '../../components/page-state.js'
import { loadPosition, PositionKeeper } from '../../reading/position.js'
import { chrome, readerError, topBar } from '../../reading/chrome.js'
import { clock } from '../../links.js'

export class PlayPage extends LitElement {
  static override properties = {
    resourceId: {},
    record: { state: true },
    error: { state: true },
    sleepAt: { state: true },
    sleepChapter: { state: true },
    now: { state: true },
  }
  resourceId = ''
  record: Resource | undefined
  error: unknown
  /** When the sleep timer pauses playback (ms since 1970). */
  sleepAt: number | undefined
  sleepChapter = false
  now = 0
  #keeper: PositionKeeper | undefined
  #start = 0
  #tick: number | undefined

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    this.#keeper?.flush()
    clearInterval(this.#tick)
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('resourceId')) void this.#open()
  }

  async #open(): Promise<void> {
    this.error = undefined
    try {
      this.#keeper = new PositionKeeper(this.resourceId, 5000)
      this.#keeper.onSaved = (p) => p.kind === 'time' && (this.dataset.saved = String(Math.round(p.seconds)))
      const [record, position] = await Promise.all([
        api<Resource>(`/api/resources/${this.resourceId}`),
        loadPosition(this.resourceId),
      ])
      this.#start = position?.kind === 'time' ? position.seconds : 0
      this.record = record
    } catch (err) {
      this.error = err
    }
  }

  get #media(): HTMLMediaElement | null {
    return this.renderRoot.querySelector('audio, video')
  }

  #loaded(): void {
    const m = this.#media
    if (m && this.#start > 0 && this.#start < m.duration) m.currentTime = this.#start
  }

  #time(): void {
    const m = this.#media
    if (!m) return
    this.now = m.currentTime
    this.dataset.time = String(Math.floor(m.currentTime))
    this.#keeper?.update({ kind: 'time', seconds: m.currentTime }, m.duration ? m.currentTime / m.duration : 0)
    if (this.sleepChapter && this.#chapterEnd() !== undefined && m.currentTime >= this.#chapterEnd()!) this.#sleep()
  }

  #chapters(): Chapter[] {
    return [...(this.record?.toc ?? [])].sort((a, b) => a.start - b.start)
  }

  #current(): number {
    const cs = this.#chapters()
    let i = -1
    cs.forEach((c, k) => c.start <= this.now && (i = k))
    return i
  }

  #chapterEnd(): number | undefined {
    return this.#chapters()[this.#current() + 1]?.start ?? this.#media?.duration
  }

  #sleep(): void {
    this.#media?.pause()
    this.sleepAt = undefined
    this.sleepChapter = false
    clearInterval(this.#tick)
  }

  #setSleep(value: string): void {
    clearInterval(this.#tick)
    this.sleepAt = undefined
    this.sleepChapter = value === 'chapter'
    const minutes = Number(value)
    if (minutes > 0) {
      this.sleepAt = Date.now() + minutes * 60_000
      this.#tick = window.setInterval(() => {
        if (this.sleepAt && Date.now() >= this.sleepAt) this.#sleep()
        this.requestUpdate()
      }, 1000)
    }
  }

  override render() {
    if (this.error) return readerError(this.error, () => void this.#open())
    const r = this.record
    if (!r) return loadingView()
    const src = `/api/resources/${r.id}/content`
    const video = r.type === 'video'
    const chapters = this.#chapters()
    const current = this.#current()
    return html`<div class="reader">
      ${topBar(r.id, r.metadata.title)}
      <div class="body">
        ${
          video
            ? html`<video controls playsinline preload="metadata" src=${src} @loadedmetadata=${this.#loaded} @timeupdate=${this.#time} @pause=${() => this.#keeper?.flush()}></video>`
            : html`${r.files.some((f) => f.role === 'cover') ? html`<img class="cover" src="/api/resources/${r.id}/files/cover" alt="" />` : nothing}
              <audio controls preload="metadata" src=${src} @loadedmetadata=${this.#loaded} @timeupdate=${this.#time} @pause=${() => this.#keeper?.flush()}></audio>`
        }
        <div class="tools">
          <label for="speed">${t('speed')}</label>
          <select id="speed" @change=${(e: Event) => this.#media && (this.#media.playbackRate = Number((e.target as HTMLSelectElement).value))}>
            ${[0.75, 1, 1.25, 1.5, 2].map((v) => html`<option value=${v} ?selected=${v === 1}>${v}×</option>`)}
          </select>
          ${
            video
              ? nothing
              : html`<label for="sleep">${t('sleepTimer')}</label>
                <select id="sleep" @change=${(e: Event) => this.#setSleep((e.target as HTMLSelectElement).value)}>
                  <option value="off">${t('sleepOff')}</option>
                  ${[15, 30, 60].map((m) => html`<option value=${m}>${t('sleepMinutes', { minutes: m })}</option>`)}
                  ${chapters.length ? html`<option value="chapter">${t('sleepChapterEnd')}</option>` : nothing}
                </select>
                <span role="status" class="muted">${this.sleepAt ? t('sleepIn', { time: clock(Math.max(0, (this.sleepAt - Date.now()) / 1000)) }) : this.sleepChapter ? t('sleepChapterEnd') : ''}</span>`
          }
        </div>
        ${
          chapters.length
            ? html`<nav aria-label=${t('contents')}>
              <h2>${t('contents')}</h2>
              <ol>
                ${chapters.map(
                  (c, i) => html`<li>
                    <button class="link" aria-current=${i === current ? 'true' : 'false'} @click=${() => this.#media && ((this.#media.currentTime = c.start), void this.#media.play().catch(() => {}))}>
                      <span>${c.title}</span> <span class="muted">${clock(c.start)}</span>
                    </button>
                  </li>`,
                )}
              </ol>
            </nav>`
            : nothing
        }
      </div>
    </div>`
  }

  static override styles = [
    base,
    chrome,
    css`
      .body { overflow: auto; padding: 16px; display: grid; gap: 16px; align-content: start; justify-items: center; background: var(--paper); }
      video { width: 100%; max-height: 60vh; background: #000; }
      audio { width: 100%; max-width: 640px; }
      .cover { width: min(60vw, 260px); aspect-ratio: 1; object-fit: cover; border-radius: var(--radius); box-shadow: 0 4px 14px rgb(0 0 0 / 0.15); }
      .tools { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; width: 100%; max-width: 640px; }
      .tools label { margin: 0; }
      .tools select { width: auto; }
      nav { width: 100%; max-width: 640px; }
      ol { padding-left: 0; list-style: none; }
      .link { width: 100%; display: flex; justify-content: space-between; gap: 8px; }
      .link[aria-current='true'] { font-weight: 700; }
    `,
  ]
}
customElements.define('shulin-play', PlayPage)
