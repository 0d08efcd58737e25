/**
 * @module pages/reader/courses
 * Open courses (公开课) for readers: the list (cards with cover, title, speakers, lecture count
 * and length, narrowed by series) and one course's page (description, speakers, lectures in
 * order with their state and length). The player itself is pages/reader/lecture.
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import '../../components/subscribe-button.js'
import '../../components/knowledge-cards.js'
import type { CourseDetail, CourseList, CourseSummary, LectureView } from '@shulin/protocol'
import { base } from '../../styles.js'
import { t } from '../../i18n/index.js'
import { ct } from '../../i18n/courses.js'
import { api } from '../../api.js'
import { taskView } from '../../components/page-state.js'
import { clock } from '../../links.js'

const speakers = (c: { speakers: Array<{ name: string }> }) => c.speakers.map((s) => s.name).join('、')

/** A lecture's state in words, for the list and the player page. */
export function lectureState(l: LectureView): string {
  if (l.status === 'failed') return ct('lectureFailed')
  if (l.status === 'processing')
    return l.progress !== undefined
      ? `${ct('lectureProcessing')} ${Math.round(l.progress * 100)}%`
      : ct('lectureProcessing')
  return l.duration ? clock(l.duration) : ct('lectureReady')
}

export class CoursesPage extends LitElement {
  /** Re-rendered in the new language when the reader switches. */
  #relabel = () => this.requestUpdate()

  override connectedCallback(): void {
    super.connectedCallback()
    window.addEventListener('locale-changed', this.#relabel)
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    window.removeEventListener('locale-changed', this.#relabel)
  }
  static override properties = { series: { state: true } }
  /** The series shown, or '' for all. */
  series = ''

  #data = new Task(this, { task: () => api<CourseList>('/api/courses'), args: () => [] })

  #card(c: CourseSummary) {
    return html`<a class="card" href="/courses/${c.id}">
      ${c.cover ? html`<img src=${c.cover} alt="" loading="lazy" />` : html`<span class="cover" aria-hidden="true">${[...c.title][0] ?? '课'}</span>`}
      <span class="text">
        <span class="title">${c.title}</span>
        ${c.speakers.length ? html`<span>${ct('courseSpeakers')}：${speakers(c)}</span>` : nothing}
        <span class="muted">${ct('courseLectures', { count: c.lectureCount })}${c.duration ? ` · ${ct('courseDuration', { time: clock(c.duration) })}` : ''}${c.series ? ` · ${c.series}` : ''}</span>
      </span>
    </a>`
  }

  override render() {
    return taskView(this.#data, ({ courses }) => {
      const series = [...new Set(courses.map((c) => c.series).filter((s): s is string => !!s))].sort()
      const shown = this.series ? courses.filter((c) => c.series === this.series) : courses
      return html`<h1>${ct('courses')} <a class="live" href="/live">${t('navLive')} ›</a></h1>
        ${
          series.length
            ? html`<div class="filter" role="group" aria-label=${ct('coursesSeries')}>
              ${['', ...series].map(
                (s) =>
                  html`<button class=${this.series === s ? '' : 'secondary'} aria-pressed=${this.series === s ? 'true' : 'false'} @click=${() => (this.series = s)}>${s || ct('coursesAll')}</button>`,
              )}
            </div>`
            : nothing
        }
        ${
          shown.length
            ? html`<ul class="grid">
              ${shown.map((c) => html`<li>${this.#card(c)}</li>`)}
            </ul>`
            : html`<p class="muted">${ct('coursesNone')}</p>`
        }`
    })
  }

  static override styles = [
    base,
    css`
      h1 { margin: 0 0 12px; font-size: 1.4rem; }
      h1 .live { font-size: 1rem; font-weight: 400; margin-left: 12px; }
      ul { list-style: none; padding: 0; margin: 0; }
      .filter { display: flex; gap: 8px; overflow-x: auto; padding-bottom: 8px; margin-bottom: 8px; }
      .filter button { flex: none; border-radius: 999px; }
      .grid { display: grid; gap: 12px; grid-template-columns: 1fr; }
      @media (min-width: 800px) { .grid { grid-template-columns: 1fr 1fr; } }
      @media (min-width: 1200px) { .grid { grid-template-columns: 1fr 1fr 1fr; } }
      .card { display: flex; gap: 12px; padding: 12px; background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); text-decoration: none; color: var(--text); }
      .card:hover { border-color: var(--ink); }
      img, .cover { flex: none; width: 128px; aspect-ratio: 16 / 9; border-radius: 6px; object-fit: cover; }
      .cover { display: grid; place-items: center; background: var(--ink); color: #fff; font-size: 2rem; font-family: serif; }
      .text { display: flex; flex-direction: column; gap: 4px; min-width: 0; }
      .title { font-weight: 700; color: var(--ink); font-size: 1.05rem; }
      .muted { font-size: 0.9rem; }
    `,
  ]
}
customElements.define('shulin-courses-page', CoursesPage)

export class CoursePage extends LitElement {
  /** Re-rendered in the new language when the reader switches. */
  #relabel = () => this.requestUpdate()

  override connectedCallback(): void {
    super.connectedCallback()
    window.addEventListener('locale-changed', this.#relabel)
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    window.removeEventListener('locale-changed', this.#relabel)
  }
  static override properties = { courseId: {} }
  courseId = ''

  #data = new Task(this, {
    task: ([id]) => api<CourseDetail>(`/api/courses/${encodeURIComponent(id)}`),
    args: () => [this.courseId] as const,
  })

  override render() {
    return taskView(
      this.#data,
      (c) => html`<a class="back" href="/courses">${ct('courseAllBack')}</a>
        <article>
          <header>
            ${c.cover ? html`<img class="cover" src=${c.cover} alt="" />` : nothing}
            <div>
              <h1>${c.title}</h1>
              ${c.series ? html`<p class="muted">${ct('coursesSeries')}：${c.series}</p>` : nothing}
              ${c.speakers.length ? html`<p>${ct('courseSpeakers')}：${speakers(c)}</p>` : nothing}
              ${c.audience ? html`<p class="muted">${ct('courseAudience')}：${c.audience}</p>` : nothing}
              <p class="muted">${ct('courseLectures', { count: c.lectures.length })}${c.duration ? ` · ${ct('courseDuration', { time: clock(c.duration) })}` : ''}</p>
              <shulin-subscribe .course=${c.id} .series=${c.series ?? ''}></shulin-subscribe>
            </div>
          </header>
          ${c.description ? html`<p class="description">${c.description}</p>` : nothing}
          ${
            c.speakers.some((s) => s.bio)
              ? html`<dl class="bios">
                ${c.speakers.filter((s) => s.bio).map((s) => html`<dt>${s.name}</dt><dd>${s.bio}</dd>`)}
              </dl>`
              : nothing
          }
          <h2>${ct('courseLectureList')}</h2>
          <ol class="lectures">
            ${[...c.lectures]
              .sort((a, b) => a.position - b.position)
              .map(
                (l, i) => html`<li>
                  <a href="/lectures/${l.id}">
                    <span class="n">${i + 1}</span>
                    <span class="title">${l.title}</span>
                    <span class=${`state ${l.status}`}>${lectureState(l)}</span>
                  </a>
                </li>`,
              )}
          </ol>
          <shulin-related .record=${c.id}></shulin-related>
        </article>`,
      { stale: false },
    )
  }

  static override styles = [
    base,
    css`
      .back { display: inline-block; min-height: 44px; line-height: 44px; }
      header { display: grid; gap: 12px; }
      @media (min-width: 700px) { header { grid-template-columns: 320px 1fr; } }
      .cover { width: 100%; aspect-ratio: 16 / 9; object-fit: cover; border-radius: var(--radius); }
      h1 { margin: 0 0 8px; font-size: 1.4rem; }
      header p { margin: 4px 0; }
      .description { white-space: pre-line; line-height: 1.7; }
      .bios dt { font-weight: 700; }
      .bios dd { margin: 0 0 8px; color: var(--muted); }
      .lectures { list-style: none; padding: 0; margin: 0; border-top: 1px solid var(--line); }
      .lectures a {
        display: grid; grid-template-columns: 2em 1fr auto; gap: 8px; align-items: center; min-height: 56px;
        padding: 8px 4px; border-bottom: 1px solid var(--line); text-decoration: none; color: var(--text);
      }
      .lectures a:hover { background: #fff; }
      .n { color: var(--muted); text-align: right; font-variant-numeric: tabular-nums; }
      .title { color: var(--ink); font-weight: 600; }
      .state { font-size: 0.9rem; color: var(--muted); font-variant-numeric: tabular-nums; }
      .state.failed { color: var(--accent); }
    `,
  ]
}
customElements.define('shulin-course-page', CoursePage)
