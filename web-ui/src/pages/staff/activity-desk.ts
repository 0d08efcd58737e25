/**
 * @module pages/staff/activity-desk
 * Two staff tasks on the day: judging (a judge listens to the entries that reached judging and
 * scores each 0–100, with a comment) and desk check-in (the reader's QR code scanned with the
 * camera through the BarcodeDetector API where the browser has it — Chromium on Android and
 * desktop — else the code typed or read by a USB scanner, which types it).
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import type { ActivityList, ActivityView, CheckInResult, FinalistList } from '@shulin/protocol'
import { base } from '../../styles.js'
import { at } from '../../i18n/activities.js'
import { api, session } from '../../api.js'
import { activityPaths } from '../../activities.js'
import { taskView } from '../../components/page-state.js'
import { formError } from '../../components/form.js'

/** The part of the BarcodeDetector API used here (not yet in TypeScript's DOM types). */
interface Detector {
  detect(source: HTMLVideoElement): Promise<Array<{ rawValue: string }>>
}
type DetectorClass = new (opts: { formats: string[] }) => Detector

function detectorClass(): DetectorClass | undefined {
  return (window as unknown as { BarcodeDetector?: DetectorClass }).BarcodeDetector
}

/** Re-rendered in the new language; chooses an activity of one kind. */
class ActivityChooser extends LitElement {
  static override properties = { chosen: { state: true } }
  chosen = ''
  #relabel = () => this.requestUpdate()
  override connectedCallback(): void {
    super.connectedCallback()
    window.addEventListener('locale-changed', this.#relabel)
  }
  override disconnectedCallback(): void {
    super.disconnectedCallback()
    window.removeEventListener('locale-changed', this.#relabel)
  }
  protected list = new Task(this, { task: () => api<ActivityList>(activityPaths.list), args: () => [] })

  protected chooser(kind: ActivityView['kind']) {
    return taskView(this.list, ({ activities }) => {
      const mine = activities.filter((a) => a.kind === kind)
      if (!this.chosen && mine[0]) queueMicrotask(() => (this.chosen = mine[0]!.id))
      return html`<label for="activity">${at('staffJudgeChoose')}</label>
        <select id="activity" @change=${(e: Event) => (this.chosen = (e.target as HTMLSelectElement).value)}>
          ${mine.map((a) => html`<option value=${a.id} ?selected=${a.id === this.chosen}>${a.title}</option>`)}
        </select>`
    })
  }
}

export class StaffJudging extends ActivityChooser {
  static override properties = {
    ...ActivityChooser.properties,
    saved: { state: true },
    errors: { state: true },
    resultsDone: { state: true },
    resultsError: { state: true },
  }
  /** Scores saved in this visit, by entry. */
  saved: Record<string, number> = {}
  errors: Record<string, unknown> = {}
  resultsDone = false
  resultsError: unknown

  #entries = new Task(this, {
    task: async ([id]) => (id ? (await api<FinalistList>(activityPaths.finalists(id))).entries : []),
    args: () => [this.chosen] as const,
  })

  async #score(e: Event, entry: string): Promise<void> {
    e.preventDefault()
    const f = new FormData(e.target as HTMLFormElement)
    const score = Number(f.get('score'))
    const comment = String(f.get('comment') ?? '').trim()
    try {
      await api(activityPaths.score(this.chosen, entry), { body: { score, ...(comment ? { comment } : {}) } })
      this.saved = { ...this.saved, [entry]: score }
      this.errors = { ...this.errors, [entry]: undefined }
    } catch (err) {
      this.errors = { ...this.errors, [entry]: err }
    }
  }

  async #publishResults(): Promise<void> {
    this.resultsError = undefined
    try {
      await api(activityPaths.staffResults(this.chosen), { method: 'POST' })
      this.resultsDone = true
    } catch (err) {
      this.resultsError = err
    }
  }

  override render() {
    return html`<h2>${at('staffJudge')}</h2>
      ${this.chooser('recitation')}
      ${taskView(this.#entries, (entries) =>
        entries.length
          ? html`<ol class="entries">
              ${entries.map(
                (e) => html`<li>
                  <h3>${e.title}</h3>
                  <p class="muted">${at('entryBy', { name: e.author.name, library: e.author.library })} · ${at('likes', { count: e.likes })}</p>
                  ${e.audio ? html`<audio controls preload="none" src=${e.audio} aria-label=${e.title}></audio>` : html`<p class="muted">${at('entryNotReady')}</p>`}
                  <form @submit=${(ev: Event) => void this.#score(ev, e.id)}>
                    <span><label for="score-${e.id}">${at('staffJudgeScore')}</label>
                    <input id="score-${e.id}" name="score" type="number" min="0" max="100" step="0.5" required .value=${String(e.scores.find((x) => x.judge === session.current?.account.id)?.score ?? '')} /></span>
                    <span><label for="comment-${e.id}">${at('staffJudgeComment')}</label>
                    <input id="comment-${e.id}" name="comment" maxlength="2000" /></span>
                    <button>${at('staffJudgeSave')}</button>
                  </form>
                  ${this.saved[e.id] !== undefined ? html`<p role="status" class="ok">${at('staffJudgeSaved', { score: this.saved[e.id]! })}</p>` : nothing}
                  ${formError(this.errors[e.id])}
                </li>`,
              )}
            </ol>`
          : html`<p class="muted">${at('staffJudgeNone')}</p>`,
      )}
      ${
        session.current?.account.roles.includes('admin')
          ? html`<p class="results">
            ${this.resultsDone ? html`<strong role="status">${at('staffResultsDone')}</strong>` : html`<button class="secondary" ?disabled=${!this.chosen} @click=${() => void this.#publishResults()}>${at('staffResults')}</button>`}
          </p>
          ${formError(this.resultsError)}`
          : nothing
      }`
  }

  static override styles = [
    base,
    css`
      h2 { font-size: 1.2rem; }
      select { max-width: 480px; }
      .entries { list-style: none; padding: 0; display: grid; gap: 12px; margin-top: 12px; }
      .entries li { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 12px; }
      h3 { margin: 0; font-size: 1.05rem; }
      .entries p { margin: 4px 0; }
      audio { width: 100%; margin: 8px 0; }
      form { display: grid; gap: 0 12px; align-items: end; }
      @media (min-width: 700px) { form { grid-template-columns: 10em 1fr auto; } }
      form button { margin-top: 8px; }
      .ok { color: #1d6b3a; }
      .results { margin-top: 16px; }
    `,
  ]
}
customElements.define('shulin-staff-judging', StaffJudging)

export class StaffDesk extends ActivityChooser {
  static override properties = {
    ...ActivityChooser.properties,
    scanning: { state: true },
    result: { state: true },
    error: { state: true },
  }
  scanning = false
  result = ''
  error: unknown
  #stream: MediaStream | undefined
  #timer: number | undefined
  /** The last code sent, so one code held in front of the camera is sent once. */
  #last = ''

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    this.#stopScan()
  }

  async #checkIn(code: string): Promise<void> {
    this.error = undefined
    this.result = ''
    try {
      const r = await api<CheckInResult>(activityPaths.staffCheckIn(this.chosen), { body: { code: code.trim() } })
      this.result = at('staffCheckInDone', { name: r.name })
    } catch (err) {
      this.error = err
    }
  }

  async #scan(): Promise<void> {
    const Detector = detectorClass()
    if (!Detector || !navigator.mediaDevices?.getUserMedia) return
    try {
      this.#stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } })
    } catch (err) {
      this.error = err
      return
    }
    this.scanning = true
    await this.updateComplete
    const video = this.renderRoot.querySelector('video')!
    video.srcObject = this.#stream
    await video.play().catch(() => {})
    const detector = new Detector({ formats: ['qr_code'] })
    const look = async () => {
      if (!this.scanning) return
      try {
        const [hit] = await detector.detect(video)
        if (hit && hit.rawValue !== this.#last) {
          this.#last = hit.rawValue
          await this.#checkIn(hit.rawValue)
        }
      } catch {
        // A frame not ready yet: try the next one.
      }
      this.#timer = window.setTimeout(() => void look(), 300)
    }
    void look()
  }

  #stopScan(): void {
    this.scanning = false
    clearTimeout(this.#timer)
    this.#stream?.getTracks().forEach((t) => t.stop())
    this.#stream = undefined
  }

  override render() {
    const canScan = !!detectorClass()
    return html`<h2>${at('staffCheckIn')}</h2>
      ${this.chooser('event')}
      <div class="scan">
        ${
          canScan
            ? this.scanning
              ? html`<video muted playsinline aria-label=${at('staffCheckInScan')}></video>
                <button class="secondary" @click=${() => this.#stopScan()}>${at('staffCheckInStop')}</button>`
              : html`<button @click=${() => void this.#scan()}>${at('staffCheckInScan')}</button>`
            : html`<p class="muted">${at('staffCheckInNoCamera')}</p>`
        }
      </div>
      <form @submit=${(e: Event) => {
        e.preventDefault()
        const input = (e.target as HTMLFormElement).querySelector('input')!
        void this.#checkIn(input.value).then(() => this.result && (input.value = ''))
      }}>
        <label for="code">${at('staffCheckInCode')}</label>
        <span class="line"><input id="code" name="code" required maxlength="1000" autocomplete="off" /><button>${at('staffCheckInSubmit')}</button></span>
      </form>
      ${this.result ? html`<p role="status" class="ok">${this.result}</p>` : nothing}
      ${formError(this.error)}`
  }

  static override styles = [
    base,
    css`
      h2 { font-size: 1.2rem; }
      select { max-width: 480px; }
      .scan { margin: 16px 0; display: grid; gap: 8px; justify-items: start; }
      video { width: min(100%, 480px); aspect-ratio: 4 / 3; background: #000; border-radius: var(--radius); }
      .line { display: flex; gap: 8px; max-width: 560px; }
      .line button { flex: none; }
      .ok { color: #1d6b3a; font-size: 1.2rem; font-weight: 700; }
    `,
  ]
}
customElements.define('shulin-staff-desk', StaffDesk)
