/**
 * @module embed/course
 * `<shulin-course node course lecture lang>`: a course of the node on another site — its title,
 * description and lectures in order, with the player (`<shulin-player>`) for the chosen one
 * (the `lecture` attribute, else the first that can be played). Without `course`, the node's
 * courses to choose from. Everything renders in its shadow root: the host page's CSS does not
 * reach in and its own does not leak out.
 */
import { LitElement, css, html, nothing } from 'lit'
import { ifDefined } from 'lit/directives/if-defined.js'
import type { CourseDetail, CourseSummary, LectureView } from '@shulin/client'
import { base } from '../styles.js'
import { clock, type ShulinPlayer } from '../components/course-player.js'
import { clientFor, fillPlayer, wordsFor } from './shared.js'

type State =
  | { kind: 'loading' }
  | { kind: 'failed'; message: string }
  | { kind: 'list'; courses: CourseSummary[] }
  | { kind: 'course'; course: CourseDetail }

export class ShulinCourse extends LitElement {
  static override properties = {
    node: {},
    course: {},
    lecture: { reflect: true },
    state: { state: true },
  }
  node = ''
  course = ''
  /** The lecture shown in the player. */
  lecture = ''
  state: State = { kind: 'loading' }
  #loaded = ''

  static override styles = [
    base,
    css`
      :host { display: block; background: var(--paper); border: 1px solid var(--line); border-radius: var(--radius); padding: 16px; line-height: 1.6; }
      h2 { margin: 0 0 4px; color: var(--ink); font-size: 1.3rem; }
      .meta, .muted { color: var(--muted); font-size: 0.9rem; }
      ol, ul { list-style: none; margin: 12px 0 0; padding: 0; }
      li button { width: 100%; text-align: left; display: flex; align-items: center; justify-content: space-between; gap: 8px; background: var(--card); color: var(--text); border-color: var(--line); margin-top: 6px; }
      li button[aria-current='true'] { border-color: var(--ink); box-shadow: inset 4px 0 0 var(--ink); }
      .player { margin-top: 12px; }
      shulin-player { display: block; }
    `,
  ]

  override updated(): void {
    const key = `${this.node}|${this.course}`
    if (key !== this.#loaded) {
      this.#loaded = key
      void this.#load()
    }
    const player = this.renderRoot.querySelector<ShulinPlayer>('shulin-player')
    const lecture = this.#current()
    if (player && lecture && player.dataset.lecture !== lecture.id) {
      player.dataset.lecture = lecture.id
      fillPlayer(player, lecture, clientFor(this.node))
    }
  }

  async #load(): Promise<void> {
    const client = clientFor(this.node)
    this.state = { kind: 'loading' }
    try {
      this.state = this.course
        ? { kind: 'course', course: await client.course(this.course) }
        : { kind: 'list', courses: (await client.courses({ limit: 50 })).courses }
    } catch (err) {
      this.state = { kind: 'failed', message: (err as Error).message }
    }
  }

  #current(): LectureView | undefined {
    if (this.state.kind !== 'course') return undefined
    const lectures = this.state.course.lectures
    return (
      lectures.find((l) => l.id === this.lecture) ??
      lectures.find((l) => l.status === 'ready' || l.original) ??
      lectures[0]
    )
  }

  override render() {
    const w = wordsFor(this)
    const s = this.state
    if (s.kind === 'loading') return html`<p class="muted" role="status">${w('loading')}</p>`
    if (s.kind === 'failed')
      return html`<p role="alert">${w('failed')}: ${s.message}</p><button @click=${() => void this.#load()}>${w('retry')}</button>`
    if (s.kind === 'list')
      return html`<h2>${w('courses')}</h2>
        <ul>
          ${s.courses.map(
            (c) =>
              html`<li><button @click=${() => (this.course = c.id)}><span>${c.title}</span><span class="muted">${c.lectureCount} ${w('lectures')}</span></button></li>`,
          )}
        </ul>`
    const c = s.course
    const current = this.#current()
    return html`
      <h2>${c.title}</h2>
      <p class="meta">${[c.series, c.speakers.map((p) => p.name).join('、'), `${c.lectureCount} ${w('lectures')}`].filter(Boolean).join(' · ')}</p>
      ${c.description ? html`<p>${c.description}</p>` : nothing}
      ${current ? this.#player(current, w) : nothing}
      <ol>
        ${c.lectures.map(
          (l) => html`<li>
            <button aria-current=${l.id === current?.id ? 'true' : 'false'} @click=${() => (this.lecture = l.id)}>
              <span>${l.title}</span><span class="muted">${l.duration ? clock(l.duration) : ''}</span>
            </button>
          </li>`,
        )}
      </ol>
    `
  }

  #player(l: LectureView, w: ReturnType<typeof wordsFor>) {
    if (l.status === 'failed' && !l.original) return html`<p class="muted">${w('failedLecture')}</p>`
    if (l.status === 'processing' && !l.original) return html`<p class="muted">${w('processing')}</p>`
    return html`<div class="player"><shulin-player lang=${ifDefined(this.getAttribute('lang') ?? undefined)}></shulin-player></div>`
  }
}
