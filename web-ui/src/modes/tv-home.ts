/**
 * @module modes/tv-home
 * The TV's start, read from the sofa: live lectures first (live now, then coming up), then the
 * courses, then new arrivals — each a row of large cards the remote's arrow keys walk
 * (modes/spatial-nav) and OK opens.
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import type { CourseList, CourseSummary, LiveList, LiveView, SearchHit, SearchResponse } from '@shulin/protocol'
import { base } from '../styles.js'
import { api } from '../api.js'
import { mt } from '../i18n/modes.js'
import { ct } from '../i18n/courses.js'
import { taskView } from '../components/page-state.js'
import { hitHref, liveHref } from '../links.js'
import { shanghaiTime } from '../components/live-time.js'

const names = (people: Array<{ name: string }>): string => people.map((p) => p.name).join('、')
const initial = (title: string, fallback: string): string => [...title][0] ?? fallback

export class TvHome extends LitElement {
  #data = new Task(this, {
    task: () =>
      Promise.all([
        // A node without live lectures (or an older one) still shows its courses.
        api<LiveList>('/api/live').catch((): LiveList => ({ lectures: [] })),
        api<CourseList>('/api/courses'),
        api<SearchResponse>('/api/search?sort=newest&limit=12&facets=false'),
      ]),
    args: () => [],
  })

  override connectedCallback(): void {
    super.connectedCallback()
    window.addEventListener('locale-changed', this.#relabel)
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    window.removeEventListener('locale-changed', this.#relabel)
  }

  readonly #relabel = () => this.requestUpdate()

  override render() {
    return taskView(this.#data, ([live, courses, newest]) => {
      const upcoming = live.lectures.filter((l) => l.status === 'live' || l.status === 'scheduled')
      return html`
        <p class="muted hint">${mt('tvHint')}</p>
        ${
          upcoming.length
            ? this.#row(
                'live',
                mt('tvLive'),
                upcoming.map((l) => this.#live(l)),
              )
            : nothing
        }
        ${this.#row(
          'courses',
          mt('tvCourses'),
          courses.courses.map((c) => this.#course(c)),
        )}
        ${this.#row(
          'new',
          mt('tvNew'),
          newest.hits.map((h) => this.#hit(h)),
        )}
      `
    })
  }

  #row(id: string, title: string, cards: unknown[]) {
    return html`<section aria-labelledby="row-${id}">
      <h2 id="row-${id}">${title}</h2>
      ${cards.length ? html`<ul class="row">${cards.map((c) => html`<li>${c}</li>`)}</ul>` : html`<p class="muted">${mt('tvEmpty')}</p>`}
    </section>`
  }

  #live(l: LiveView) {
    return html`<a class="card" href=${liveHref(l.id)}>
      <span class="cover live" aria-hidden="true">${initial(l.title, '播')}</span>
      <span class="title">${l.title}</span>
      <span class="meta">${l.status === 'live' ? html`<strong class="now">${mt('tvLiveNow')}</strong>` : shanghaiTime(l.start)}${l.speakers.length ? ` · ${names(l.speakers)}` : ''}</span>
    </a>`
  }

  #course(c: CourseSummary) {
    return html`<a class="card" href="/courses/${encodeURIComponent(c.id)}">
      ${c.cover ? html`<img class="cover" src=${c.cover} alt="" loading="lazy" />` : html`<span class="cover" aria-hidden="true">${initial(c.title, '课')}</span>`}
      <span class="title">${c.title}</span>
      <span class="meta">${ct('courseLectures', { count: c.lectureCount })}${c.speakers.length ? ` · ${names(c.speakers)}` : ''}</span>
    </a>`
  }

  #hit(h: SearchHit) {
    return html`<a class="card" href=${hitHref(h)}>
      ${h.thumbnail ? html`<img class="cover" src=${h.thumbnail} alt="" loading="lazy" />` : html`<span class="cover" aria-hidden="true">${initial(h.title, '书')}</span>`}
      <span class="title">${h.title}</span>
      ${h.creators.length ? html`<span class="meta">${h.creators.join('、')}</span>` : nothing}
    </a>`
  }

  static override styles = [
    base,
    css`
      :host { display: block; }
      .hint { margin: 0 0 8px; }
      h2 { margin: 16px 0 8px; }
      ul { list-style: none; padding: 0; margin: 0; }
      /* Room around each card for the thick focus ring, which must never be clipped. */
      .row { display: flex; gap: 20px; overflow-x: auto; scroll-snap-type: x proximity; padding: 10px; scroll-padding: 10px; }
      .row li { flex: none; scroll-snap-align: start; }
      .card {
        display: flex; flex-direction: column; gap: 6px; width: 220px; padding: 10px; border-radius: var(--radius);
        background: var(--card); border: 1px solid var(--line); color: var(--text); text-decoration: none;
      }
      .card:focus-visible { outline-offset: 4px; transform: scale(1.04); box-shadow: 0 6px 18px rgb(0 0 0 / 0.25); }
      .cover {
        display: grid; place-items: center; width: 100%; aspect-ratio: 16 / 9; border-radius: 6px; object-fit: cover;
        background: var(--ink); color: #fff; font-size: 2.4rem; font-family: serif;
      }
      .cover.live { background: var(--accent); }
      .title { font-weight: 700; color: var(--ink); font-size: 1.1rem; }
      .meta { color: var(--muted); font-size: 0.9rem; }
      .now { color: var(--accent); }
    `,
  ]
}
customElements.define('shulin-tv-home', TvHome)
