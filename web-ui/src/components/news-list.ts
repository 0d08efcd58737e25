/**
 * @module components/news-list
 * A list of news posts (the portal home's section and the news page): title, date, summary,
 * a thumbnail when the post has an image, "置顶" for pinned posts and the source library for
 * the hub's posts.
 */
import { LitElement, css, html, nothing } from 'lit'
import type { NewsItem } from '@shulin/protocol'
import { base } from '../styles.js'
import { nt } from '../i18n/news.js'

export const newsDate = (iso: string) => iso.slice(0, 10)

export class NewsListView extends LitElement {
  static override properties = { items: { attribute: false } }
  items: NewsItem[] = []

  override render() {
    return html`<ul>
      ${this.items.map(
        (n) => html`<li>
          <a href="/news/${n.id}">
            ${n.image ? html`<img src=${n.image} alt="" loading="lazy" />` : nothing}
            <span class="text">
              <span class="title">${n.pinned ? html`<span class="tag">${nt('newsPinned')}</span>` : nothing}${n.title}</span>
              <span class="meta"
                ><time datetime=${n.from ?? n.publishedAt ?? n.createdAt}>${newsDate(n.from ?? n.publishedAt ?? n.createdAt)}</time>
                ${n.source.hub ? html`· <span class="source">${nt('newsFromHub', { name: n.source.name })}</span>` : nothing}</span
              >
              ${n.summary ? html`<span class="summary">${n.summary}</span>` : nothing}
            </span>
          </a>
        </li>`,
      )}
    </ul>`
  }

  static override styles = [
    base,
    css`
      ul { list-style: none; padding: 0; margin: 0; }
      li a { display: flex; gap: 12px; padding: 12px 0; border-bottom: 1px solid var(--line); text-decoration: none; color: var(--text); min-height: 44px; }
      img { flex: none; width: 84px; height: 64px; object-fit: cover; border-radius: 6px; background: var(--line); }
      .text { display: grid; gap: 2px; min-width: 0; }
      .title { color: var(--ink); font-weight: 700; }
      .tag { display: inline-block; font-size: 0.75rem; font-weight: 400; color: #fff; background: var(--accent); border-radius: 4px; padding: 0 6px; margin-right: 6px; vertical-align: 2px; }
      .meta { font-size: 0.85rem; color: var(--muted); }
      .source { color: var(--ink); }
      .summary { font-size: 0.9rem; color: var(--muted); overflow: hidden; display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; }
    `,
  ]
}
customElements.define('shulin-news-list', NewsListView)
