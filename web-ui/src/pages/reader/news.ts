/**
 * @module pages/reader/news
 * `/news`: the library's news and announcements (its own and, on a member, the hub's with their
 * source), pinned first; `/news/:id`: one post. The post's HTML is rendered as the server
 * sanitised it (news/sanitize on the node: a small allow-list, no scripts, handlers or
 * `javascript:` URLs) — the page adds nothing to it and parses nothing of its own.
 */
import { LitElement, css, html, nothing } from 'lit'
import { unsafeHTML } from 'lit/directives/unsafe-html.js'
import { Task } from '@lit/task'
import type { NewsItem, NewsList } from '@shulin/protocol'
import { base } from '../../styles.js'
import { api } from '../../api.js'
import { taskView } from '../../components/page-state.js'
import { nt } from '../../i18n/news.js'
import { newsDate } from '../../components/news-list.js'

export class NewsPage extends LitElement {
  static override properties = { pages: { state: true } }
  /** Pages loaded so far ("more" appends the next). */
  pages: NewsList[] = []
  #data = new Task(this, {
    task: async () => (this.pages = [await api<NewsList>('/api/news?limit=20')]),
    args: () => [],
  })

  async #more(next: string): Promise<void> {
    this.pages = [...this.pages, await api<NewsList>(`/api/news?limit=20&cursor=${encodeURIComponent(next)}`)]
  }

  override render() {
    return taskView(this.#data, () => {
      const items = this.pages.flatMap((p) => p.items)
      const next = this.pages.at(-1)?.next
      return html`<h1>${nt('news')} <a class="feed" href="/news.atom">${nt('newsFeed')}</a></h1>
        ${items.length ? html`<shulin-news-list .items=${items}></shulin-news-list>` : html`<p class="muted">${nt('newsEmpty')}</p>`}
        ${next ? html`<p><button class="secondary" @click=${() => void this.#more(next)}>${nt('newsMore')}</button></p>` : nothing}`
    })
  }

  static override styles = [
    base,
    css`
      :host { display: block; max-width: 760px; }
      h1 { color: var(--ink); margin: 0 0 8px; display: flex; align-items: baseline; gap: 12px; flex-wrap: wrap; }
      .feed { font-size: 0.85rem; font-weight: 400; }
      .muted { color: var(--muted); }
    `,
  ]
}
customElements.define('shulin-news-page', NewsPage)

export class NewsArticle extends LitElement {
  static override properties = { newsId: {} }
  newsId = ''
  #data = new Task(this, {
    task: ([id]: readonly [string]) => api<NewsItem>(`/api/news/${encodeURIComponent(id)}`),
    args: () => [this.newsId] as const,
  })

  override render() {
    return taskView(
      this.#data,
      (n) => html`<p><a href="/news">${nt('newsBack')}</a></p>
        <article>
          <h1>${n.title}</h1>
          <p class="meta">
            ${n.pinned ? html`<span class="tag">${nt('newsPinned')}</span>` : nothing}
            <time datetime=${n.from ?? n.publishedAt ?? n.createdAt}>${newsDate(n.from ?? n.publishedAt ?? n.createdAt)}</time>
            · <span class="source">${n.source.hub ? nt('newsFromHub', { name: n.source.name }) : n.source.name}</span>
          </p>
          <div class="body">${unsafeHTML(n.html)}</div>
        </article>`,
      { stale: false },
    )
  }

  static override styles = [
    base,
    css`
      :host { display: block; max-width: 760px; }
      h1 { color: var(--ink); margin: 8px 0 4px; line-height: 1.35; }
      .meta { color: var(--muted); font-size: 0.9rem; margin: 0 0 16px; }
      .tag { color: #fff; background: var(--accent); border-radius: 4px; padding: 0 6px; margin-right: 6px; }
      .source { color: var(--ink); }
      .body { line-height: 1.8; font-size: 1.05rem; overflow-wrap: anywhere; }
      .body img { max-width: 100%; height: auto; border-radius: 6px; }
      .body figure { margin: 16px 0; }
      .body figcaption { color: var(--muted); font-size: 0.9rem; text-align: center; }
      .body blockquote { margin: 12px 0; padding: 4px 12px; border-left: 4px solid var(--line); color: var(--muted); }
      .body h2, .body h3, .body h4 { color: var(--ink); }
    `,
  ]
}
customElements.define('shulin-news-article', NewsArticle)
