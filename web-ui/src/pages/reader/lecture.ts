/**
 * @module pages/reader/lecture
 * One lecture: the `<shulin-player>` (whose module brings hls.js in only when a stream is
 * played), its title and speakers, and the way back to the course. `?t=SECONDS` starts there
 * (search hits in transcripts link so); otherwise the player resumes at the reader's last
 * position (the reading-progress model, `{kind:'time'}`), which it keeps as it plays. A lecture
 * still being transcoded shows how far along it is and is asked again every few seconds; a
 * failed one says so. A lecture that was broadcast live (its replay) lists the questions asked
 * during the broadcast, each at its second in the recording (`GET /api/lectures/:id/questions`).
 */
import { LitElement, css, html, nothing } from 'lit'
import type { LectureView, ReplayTimeline, RoomQuestion } from '@shulin/protocol'
import { base } from '../../styles.js'
import { t } from '../../i18n/index.js'
import { ct } from '../../i18n/courses.js'
import { api, session } from '../../api.js'
import { errorView, loadingView } from '../../components/page-state.js'
import { loadPosition, PositionKeeper } from '../../reading/position.js'
import { clock, type PositionDetail, type ShulinPlayer } from '../../components/course-player.js'
import { lt } from '../../i18n/live.js'
import '../../components/course-player.js'
import '../../components/knowledge-cards.js'

/** How often a lecture being transcoded is asked about again. */
const pollMs = 3000

export class LecturePage extends LitElement {
  /** Re-rendered in the new language when the reader switches. */
  #relabel = () => this.requestUpdate()
  static override properties = {
    lectureId: {},
    query: { attribute: false },
    lecture: { state: true },
    start: { state: true },
    error: { state: true },
    questions: { state: true },
  }
  lectureId = ''
  query = new URLSearchParams()
  lecture: LectureView | undefined
  start = 0
  error: unknown
  /** The questions asked while it was live (a replay), in order; none for other lectures. */
  questions: RoomQuestion[] = []
  #keeper: PositionKeeper | undefined
  #poll: number | undefined

  override connectedCallback(): void {
    super.connectedCallback()
    window.addEventListener('locale-changed', this.#relabel)
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    window.removeEventListener('locale-changed', this.#relabel)
    this.#keeper?.flush()
    clearTimeout(this.#poll)
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('lectureId')) void this.#open()
    else if (changed.has('query')) {
      const t0 = this.#startParam()
      if (t0 !== undefined) this.start = t0
    }
  }

  #startParam(): number | undefined {
    const raw = this.query.get('t')
    const n = raw === null ? NaN : Number(raw)
    return Number.isFinite(n) && n >= 0 ? n : undefined
  }

  async #open(): Promise<void> {
    this.error = undefined
    this.lecture = undefined
    this.questions = []
    clearTimeout(this.#poll)
    this.#keeper?.flush()
    try {
      const id = this.lectureId
      this.#keeper = new PositionKeeper(id, 5000)
      this.#keeper.onSaved = (p) => p.kind === 'time' && (this.dataset.saved = String(Math.round(p.seconds)))
      const [lecture, position, timeline] = await Promise.all([
        api<LectureView>(`/api/lectures/${encodeURIComponent(id)}`),
        this.#startParam() === undefined ? loadPosition(id) : Promise.resolve(undefined),
        // Only a replay has a timeline; without one (or an older node) the lecture shows without it.
        api<ReplayTimeline>(`/api/lectures/${encodeURIComponent(id)}/questions`).catch(() => ({ questions: [] })),
      ])
      if (id !== this.lectureId) return
      this.questions = timeline.questions
      this.start = this.#startParam() ?? (position?.kind === 'time' ? position.seconds : 0)
      this.lecture = lecture
      this.#watch()
    } catch (err) {
      this.error = err
    }
  }

  /** Asks again while the video is being transcoded, until it is ready or failed. */
  #watch(): void {
    if (this.lecture?.status !== 'processing') return
    this.#poll = window.setTimeout(async () => {
      try {
        const next = await api<LectureView>(`/api/lectures/${encodeURIComponent(this.lectureId)}`)
        if (next.id === this.lectureId) this.lecture = next
      } catch {
        /* asked again next time */
      }
      this.#watch()
    }, pollMs)
  }

  #position(e: CustomEvent<PositionDetail>): void {
    const { seconds, duration } = e.detail
    this.dataset.time = String(Math.floor(seconds))
    this.#keeper?.update({ kind: 'time', seconds }, duration ? seconds / duration : 0)
  }

  #player(l: LectureView) {
    if (l.status === 'failed')
      // ffmpeg's reason is for staff (it names files on the server); readers get a plain sentence.
      return html`<div class="notice error" role="alert">
        <strong>${ct('lectureFailed')}</strong>
        <p>${session.isStaff() && l.error ? l.error : ct('lectureFailedHint')}</p>
      </div>`
    if (l.status === 'processing' && !l.original) return html`<p class="notice">${ct('lectureNoVideo')}</p>`
    if (l.status === 'processing') {
      const percent = Math.round((l.progress ?? 0) * 100)
      return html`<div class="notice" role="status">
        <p>${ct('lectureProcessingProgress', { percent })}</p>
        <progress max="100" value=${percent} aria-label=${ct('lectureProcessing')}></progress>
      </div>`
    }
    if (!l.hls && !l.original) return html`<p class="notice">${ct('lectureNoVideo')}</p>`
    const csrf = session.current?.session.csrfToken
    return html`<shulin-player
      lang=${document.documentElement.lang}
      .heading=${l.title}
      .src=${l.hls ?? ''}
      .original=${l.original ?? ''}
      .poster=${l.poster ?? ''}
      .subtitles=${l.subtitles}
      .chapters=${l.chapters}
      .transcriptUrl=${l.subtitles.length ? `/api/lectures/${l.id}/transcript` : ''}
      .watchedUrl=${`/api/lectures/${l.id}/watched`}
      .watchedHeaders=${csrf ? { 'x-csrf-token': csrf } : {}}
      .start=${this.start}
      @position=${this.#position}
    ></shulin-player>`
  }

  #timeline() {
    if (!this.questions.length) return nothing
    const jump = (q: RoomQuestion) => {
      const player = this.renderRoot.querySelector<ShulinPlayer>('shulin-player')
      // Before the video's metadata a seek does not hold: the player applies `start` once it has it.
      this.start = q.offset ?? 0
      if (player?.video?.readyState) player.seek(this.start)
      void player?.video?.play().catch(() => {})
    }
    return html`<section class="timeline" aria-labelledby="timeline-h">
      <h2 id="timeline-h">${lt('replayQuestions', { count: this.questions.length })}</h2>
      <ol>
        ${this.questions.map(
          (q) => html`<li>
            <button class="row" ?disabled=${q.offset === null} @click=${() => jump(q)}>
              <span class="at">${q.offset === null ? '–' : clock(q.offset)}</span>
              <span class="q"><span>${q.text}</span>
                <span class="muted">${q.author.name} · ${q.author.library} · ▲ ${q.votes}${q.answered ? ` · ✓ ${lt('roomAnswered')}` : ''}</span></span>
            </button>
          </li>`,
        )}
      </ol>
    </section>`
  }

  override render() {
    if (this.error) return errorView(this.error, () => void this.#open())
    const l = this.lecture
    if (!l) return loadingView()
    const course = l.course
    return html`
      <a class="back" href=${course ? `/courses/${course}` : '/courses'}>${course ? ct('courseBack') : ct('courseAllBack')}</a>
      <h1>${l.title}</h1>
      <div class="player">${this.#player(l)}</div>
      ${l.speakers.length ? html`<p>${ct('courseSpeakers')}：${l.speakers.map((s) => s.name).join('、')}</p>` : nothing}
      ${l.description ? html`<p class="description">${l.description}</p>` : nothing}
      ${this.#timeline()}
      <shulin-lecture-cards .lecture=${l.id}></shulin-lecture-cards>
      <shulin-related .record=${l.id}></shulin-related>
      ${
        l.attachments.length
          ? html`<ul class="attachments">
            ${l.attachments.map((a) => html`<li><a href=${a.url} download>${a.name}</a></li>`)}
          </ul>`
          : nothing
      }
    `
  }

  static override styles = [
    base,
    css`
      :host { display: block; }
      /* Phone first: the video runs edge to edge under the header. */
      .player { margin: 0 -16px 8px; }
      @media (min-width: 800px) { .player { margin: 0 0 12px; } }
      .notice { margin: 0; overflow-wrap: anywhere; padding: 24px 16px; background: #fff; border: 1px solid var(--line); border-radius: var(--radius); }
      .notice progress { width: 100%; height: 12px; }
      .back { display: inline-block; min-height: 44px; line-height: 44px; margin-top: -8px; }
      h1 { margin: 0 0 8px; font-size: 1.2rem; }
      .description { white-space: pre-line; line-height: 1.7; }
      .timeline h2 { font-size: 1.05rem; margin: 16px 0 8px; }
      .timeline ol { list-style: none; margin: 0; padding: 0; }
      .timeline .row {
        display: flex; gap: 12px; width: 100%; text-align: left; background: #fff; color: var(--text);
        border: 0; border-bottom: 1px solid var(--line); border-radius: 0; padding: 8px; align-items: baseline;
      }
      .timeline .at { flex: none; min-width: 3.5em; color: var(--muted); font-variant-numeric: tabular-nums; }
      .timeline .q { display: grid; gap: 2px; overflow-wrap: anywhere; }
      .timeline .muted { font-size: 0.85rem; }
    `,
  ]
}
customElements.define('shulin-lecture-page', LecturePage)
