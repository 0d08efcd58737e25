/**
 * @module pages/reader/home
 * The portal's front page: news and announcements (the library's and the hub's), columns (栏目)
 * and topics (专题) staff arranged, and new arrivals.
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import type { Collection, CollectionList, NewsList, SearchResponse } from '@shulin/protocol'
import { base } from '../../styles.js'
import { t } from '../../i18n/index.js'
import { api } from '../../api.js'
import { taskView } from '../../components/page-state.js'
import '../../components/resource-card.js'
import '../../components/recommendations.js'
import '../../components/news-list.js'
import { nt } from '../../i18n/news.js'

export class HomePage extends LitElement {
  #data = new Task(this, {
    task: () =>
      Promise.all([
        api<SearchResponse>('/api/search?sort=newest&limit=12&facets=false'),
        api<CollectionList>('/api/collections'),
        // News never keeps the home page from showing: an error shows no section.
        api<NewsList>('/api/news?limit=5').catch((): NewsList => ({ items: [] })),
      ]),
    args: () => [],
  })

  override render() {
    return taskView(this.#data, ([newest, cols, news]) => this.#home(newest, cols.collections, news))
  }

  #home(newest: SearchResponse, collections: Collection[], news: NewsList) {
    return html`
      ${
        news.items.length
          ? html`<section aria-labelledby="news">
            <h2 id="news">${nt('news')} <a class="all" href="/news">${nt('newsAll')} ›</a></h2>
            <shulin-news-list .items=${news.items}></shulin-news-list>
          </section>`
          : nothing
      }
      ${
        collections.length
          ? html`<section aria-labelledby="cols">
            <h2 id="cols">${t('columns')}</h2>
            <ul class="chips">
              ${collections.map((c) => html`<li><a href="/collections/${c.id}">${c.title}</a></li>`)}
            </ul>
          </section>`
          : nothing
      }
      <shulin-recommendations></shulin-recommendations>
      <section aria-labelledby="new">
        <h2 id="new">${t('newArrivals')} <a class="all" href="/catalog">${t('catalog')} ›</a></h2>
        ${
          newest.hits.length
            ? html`<ul class="grid">
              ${newest.hits.map((h) => html`<li><shulin-resource-card .hit=${h}></shulin-resource-card></li>`)}
            </ul>`
            : html`<p class="muted">${t('nothingYet')}</p>`
        }
      </section>
    `
  }

  static override styles = [
    base,
    css`
      ul { list-style: none; padding: 0; margin: 0; }
      .grid { display: grid; gap: 12px; grid-template-columns: 1fr; }
      @media (min-width: 800px) { .grid { grid-template-columns: 1fr 1fr; } }
      @media (min-width: 1200px) { .grid { grid-template-columns: 1fr 1fr 1fr; } }
      .all { font-size: 0.95rem; font-weight: 400; margin-left: 12px; }
      .chips { display: flex; flex-wrap: wrap; gap: 8px; }
      .chips a { display: inline-block; padding: 10px 14px; border: 1px solid var(--ink); border-radius: 999px; text-decoration: none; background: #fff; }
    `,
  ]
}
customElements.define('shulin-home', HomePage)
