/**
 * @module pages/reader/home
 * The portal's front page, laid out as the staff arranged it (`GET /api/portal/home`): the
 * banner strip, news, one sideways shelf per column (栏目) and topic (专题) in the staff's order,
 * courses, live lectures, activities, new arrivals and recommendations — each section in the
 * staff's order, hidden ones not even asked for. A part that fails to load shows nothing rather
 * than keeping the page from showing; only the new arrivals (the catalogue itself) is required.
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import type {
  ActivityList,
  Collection,
  CollectionList,
  CourseList,
  HomeSectionKind,
  LiveList,
  NewsList,
  PortalHome,
  Resource,
  SearchResponse,
} from '@shulin/protocol'
import { base } from '../../styles.js'
import { t } from '../../i18n/index.js'
import { api } from '../../api.js'
import { BelowTheFold, early } from '../../early.js'
import { taskView } from '../../components/page-state.js'
import { coverHref, hitHref, liveHref } from '../../links.js'
import { shanghaiTime } from '../../components/live-time.js'
import { it } from '../../i18n/inbox.js'
import { pt } from '../../i18n/portal.js'
import { nt } from '../../i18n/news.js'
import type { ShelfItem } from '../../components/shelf.js'
import '../../components/shelf.js'
import '../../components/banner-strip.js'
import '../../components/recommendations.js'
import '../../components/news-list.js'

/** The order a node answers with before its staff change anything (and if asking fails). */
const fallback: PortalHome = {
  sections: ['banners', 'news', 'shelves', 'courses', 'live', 'activities', 'newArrivals', 'recommendations'],
  banners: [],
}
/**
 * An activity's page. Spelled here rather than taken from `activities.ts`, which would bring the
 * activities' word catalogue (5.6 kB gzipped) to every phone that opens the home page.
 */
const activityPage = (id: string) => `/activities/${encodeURIComponent(id)}`
/** A shelf is a glimpse: the rest is one tap away on the collection's own page. */
const shelfLength = 20
const maxShelves = 12

type CollectionWithResources = Collection & { resources: Resource[] }

interface HomeData {
  layout: PortalHome
  /** The newest records: the one part that must load (it is the catalogue); none when hidden. */
  newest: SearchResponse['hits']
  shelves: CollectionWithResources[]
  news: NewsList
  courses: CourseList
  live: LiveList
  activities: ActivityList
}

/** Asks only when the section is shown; a failure is an empty section, not a broken page. */
const optional = <T>(shown: boolean, ask: () => Promise<T>, empty: T): Promise<T> =>
  shown ? ask().catch(() => empty) : Promise.resolve(empty)

async function load(): Promise<HomeData> {
  const layout = await api<PortalHome>('/api/portal/home').catch(() => fallback)
  const on = (k: HomeSectionKind) => layout.sections.includes(k)
  const [newest, shelves, news, courses, live, activities] = await Promise.all([
    on('newArrivals')
      ? api<SearchResponse>('/api/search?sort=newest&limit=12&facets=false').then((r) => r.hits)
      : Promise.resolve([]),
    optional(
      on('shelves'),
      async () => {
        const { collections } = await api<CollectionList>('/api/collections')
        const full = await Promise.all(
          collections
            .slice(0, maxShelves)
            .map((c) =>
              api<CollectionWithResources>(`/api/collections/${encodeURIComponent(c.id)}`).catch(() => undefined),
            ),
        )
        return full.filter((c): c is CollectionWithResources => !!c?.resources.length)
      },
      [],
    ),
    optional(on('news'), () => api<NewsList>('/api/news?limit=5'), { items: [] }),
    optional(on('courses'), () => api<CourseList>('/api/courses'), { courses: [] }),
    optional(on('live'), () => api<LiveList>('/api/live'), { lectures: [] }),
    optional(on('activities'), () => api<ActivityList>('/api/activities'), { activities: [] }),
  ])
  return { layout, newest, shelves, news, courses, live, activities }
}

/** The home's data, asked for as soon as this module loads when the reader opened the home. */
const firstLoad = early(location.pathname === '/' ? [] : undefined, load)

/** Sections drawn with the page's first paint; the rest follow once it is painted. */
const firstSections = 2

export class HomePage extends LitElement {
  #data = new Task(this, { task: () => firstLoad(), args: () => [] })
  /** The sections past the first ones (below the fold on a phone) render once those are painted. */
  #below = new BelowTheFold(this, () => !!this.#data.value)

  override render() {
    return taskView(this.#data, (d) => {
      const shown = d.layout.sections
        .map((s) => this.#section(s, d))
        .filter((s) => s !== nothing && !(Array.isArray(s) && !s.length))
      return this.#below.shown ? shown : shown.slice(0, firstSections)
    })
  }

  #section(kind: HomeSectionKind, d: HomeData) {
    switch (kind) {
      // An empty section renders nothing at all: an empty element would still take its 20 px gap.
      case 'banners':
        return d.layout.banners.length
          ? html`<shulin-banner-strip .banners=${d.layout.banners}></shulin-banner-strip>`
          : nothing
      case 'news':
        return d.news.items.length
          ? html`<section aria-labelledby="news">
              <h2 id="news">${nt('news')} <a class="all" href="/news">${nt('newsAll')} ›</a></h2>
              <shulin-news-list .items=${d.news.items}></shulin-news-list>
            </section>`
          : nothing
      case 'shelves':
        return d.shelves
          .filter((c) => c.resources.length)
          .map(
            (c) => html`<shulin-shelf
            .heading=${c.title}
            .label=${c.kind === 'topic' ? it('topicLabel') : t('columns')}
            .more=${`/collections/${encodeURIComponent(c.id)}`}
            .items=${c.resources.slice(0, shelfLength).map((r): ShelfItem => ({
              href: hitHref({ id: r.id, type: r.type }),
              title: r.metadata.title,
              note: r.metadata.creators.join('、'),
              cover: coverHref(r.id, 'small'),
            }))}
          ></shulin-shelf>`,
          )
      case 'courses':
        if (!d.courses.courses.length) return nothing
        return html`<shulin-shelf
          .heading=${pt('courses')}
          more="/courses"
          .items=${d.courses.courses.slice(0, shelfLength).map((c): ShelfItem => ({
            href: `/courses/${encodeURIComponent(c.id)}`,
            title: c.title,
            cover: c.cover,
            wide: true,
          }))}
        ></shulin-shelf>`
      case 'live': {
        // Now and next first; a finished lecture belongs to the courses' replays, not here.
        const lectures = d.live.lectures.filter((l) => l.status === 'live' || l.status === 'scheduled')
        if (!lectures.length) return nothing
        return html`<shulin-shelf
          .heading=${pt('live')}
          more="/live"
          .items=${lectures.slice(0, shelfLength).map((l): ShelfItem => ({
            href: liveHref(l.id),
            title: l.title,
            wide: true,
            note: shanghaiTime(l.startedAt ?? l.start),
            ...(l.status === 'live' && { badge: pt('liveNow') }),
          }))}
        ></shulin-shelf>`
      }
      case 'activities':
        if (!d.activities.activities.length) return nothing
        return html`<shulin-shelf
          .heading=${pt('activities')}
          more="/activities"
          .items=${d.activities.activities
            .slice(0, shelfLength)
            .map((a): ShelfItem => ({ href: activityPage(a.id), title: a.title, cover: a.cover, wide: true }))}
        ></shulin-shelf>`
      case 'newArrivals':
        return html`<section aria-labelledby="new">
          <h2 id="new">${t('newArrivals')} <a class="all" href="/catalog">${t('catalog')} ›</a></h2>
          ${
            d.newest.length
              ? html`<ul class="grid">
                ${d.newest.map(
                  (h) => html`<li>
                    <a href=${hitHref(h)}>
                      <img src=${coverHref(h.id, 'small')} alt="" loading="lazy" decoding="async" width="112" height="150" />
                      <span class="title">${h.title}</span>
                      ${h.creators.length ? html`<span class="note">${h.creators.join('、')}</span>` : nothing}
                    </a>
                  </li>`,
                )}
              </ul>`
              : html`<p class="muted">${t('nothingYet')}</p>`
          }
        </section>`
      case 'recommendations':
        return html`<shulin-recommendations></shulin-recommendations>`
    }
  }

  static override styles = [
    base,
    css`
      :host { display: flex; flex-direction: column; gap: 20px; }
      h2 { margin: 0 0 8px; font-size: 1.15rem; }
      ul { list-style: none; padding: 0; margin: 0; }
      .all { font-size: 0.95rem; font-weight: 400; margin-left: 12px; }
      /* New arrivals: a grid of covers, three across on a phone, more as the screen widens. */
      .grid { display: grid; gap: 16px 12px; grid-template-columns: repeat(auto-fill, minmax(100px, 1fr)); }
      .grid a { display: flex; flex-direction: column; gap: 4px; text-decoration: none; color: var(--text); }
      .grid img {
        width: 100%; height: auto; aspect-ratio: 3 / 4; object-fit: cover; border-radius: 6px; background: var(--line);
        box-shadow: 0 1px 2px rgb(0 0 0 / 0.12), 0 4px 10px rgb(0 0 0 / 0.08);
      }
      .grid .title {
        font-size: 0.92rem; line-height: 1.35; color: var(--ink); font-weight: 600;
        display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden;
      }
      .grid .note { font-size: 0.8rem; color: var(--muted); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
      @media (min-width: 768px) { .grid { grid-template-columns: repeat(auto-fill, minmax(132px, 1fr)); } }
    `,
  ]
}
customElements.define('shulin-home', HomePage)
