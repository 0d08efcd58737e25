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
import { coverHref, hitHref, liveHref } from '../links.js'
import { shanghaiTime } from '../components/live-time.js'

const names = (people: Array<{ name: string }>): string => people.map((p) => p.name).join('、')

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
      <!-- A live lecture is no record (its course may be a draft, or the hub's): a cover set from its own title. -->
      <span class="cover live" aria-hidden="true"><span class="badge">${mt('tvLive')}</span><span class="cover-title">${l.title}</span></span>
      <span class="title">${l.title}</span>
      <span class="meta">${l.status === 'live' ? html`<strong class="now">${mt('tvLiveNow')}</strong>` : shanghaiTime(l.start)}${l.speakers.length ? ` · ${names(l.speakers)}` : ''}</span>
    </a>`
  }

  #course(c: CourseSummary) {
    return html`<a class="card" href="/courses/${encodeURIComponent(c.id)}">
      <img class="cover" src=${c.cover ?? coverHref(c.id, 'small')} alt="" loading="lazy" />
      <span class="title">${c.title}</span>
      <span class="meta">${ct('courseLectures', { count: c.lectureCount })}${c.speakers.length ? ` · ${names(c.speakers)}` : ''}</span>
    </a>`
  }

  #hit(h: SearchHit) {
    return html`<a class="card" href=${hitHref(h)}>
      <img class="cover" src=${h.thumbnail ?? coverHref(h.id, 'small')} alt="" loading="lazy" />
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
        display: flex; flex-direction: column; gap: 6px; width: 190px; padding: 10px; border-radius: var(--radius);
        background: var(--card); border: 1px solid var(--line); color: var(--text); text-decoration: none;
      }
      .card:focus-visible { outline-offset: 4px; transform: scale(1.04); box-shadow: 0 6px 18px rgb(0 0 0 / 0.25); }
      /* Covers stand like books on a shelf (the generated ones are 3:4, their title in the upper third). */
      .cover { display: block; width: 100%; aspect-ratio: 3 / 4; border-radius: 6px; object-fit: cover; background: var(--line); }
      .cover.live {
        display: flex; flex-direction: column; gap: 16px; padding: 18px 16px; box-sizing: border-box;
        background: var(--accent); color: #fff; font-family: serif;
      }
      .cover .badge { align-self: flex-start; padding: 2px 10px; border: 1px solid rgb(255 255 255 / 0.8); border-radius: 999px; font-family: sans-serif; font-size: 0.9rem; }
      .cover-title { font-size: 1.6rem; font-weight: 700; line-height: 1.35; overflow-wrap: anywhere; }
      .title { font-weight: 700; color: var(--ink); font-size: 1.1rem; }
      .meta { color: var(--muted); font-size: 0.9rem; }
      .now { color: var(--accent); }
    `,
  ]
}
customElements.define('shulin-tv-home', TvHome)
