/**
 * @module pages/reader/collection
 * `/collections/:id`: a column (栏目) or topic (专题) as the staff arranged it — title,
 * description and its published items in order as covers (`GET /api/collections/:id`), and a link to
 * search within it (`/search?collection=`). A topic has a
 * subscribe button: new items joining it then reach the reader's inbox, one notice per batch.
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import type { Collection, Resource } from '@shulin/protocol'
import { base } from '../../styles.js'
import { api } from '../../api.js'
import { taskView } from '../../components/page-state.js'
import { it } from '../../i18n/inbox.js'
import { typeLabel } from '../../labels.js'
import { pt } from '../../i18n/portal.js'
import { coverHref, hitHref } from '../../links.js'
import '../../components/subscribe-button.js'

type CollectionWithResources = Collection & { resources: Resource[] }

export class CollectionPage extends LitElement {
  static override properties = { collectionId: { attribute: false } }
  collectionId = ''
  #data = new Task(this, {
    task: async ([id]) => api<CollectionWithResources>(`/api/collections/${encodeURIComponent(id)}`),
    args: () => [this.collectionId] as const,
  })

  override render() {
    return taskView(
      this.#data,
      (c) => html`
        ${c.kind === 'topic' ? html`<p class="label">${it('topicLabel')}</p>` : nothing}
        <h1>${c.title}</h1>
        ${c.description ? html`<p class="desc">${c.description}</p>` : nothing}
        ${c.kind === 'topic' ? html`<shulin-subscribe .topic=${c.id}></shulin-subscribe>` : nothing}
        ${c.resources.length ? html`<p><a href="/search?collection=${encodeURIComponent(c.id)}">${pt('searchWithin')} ›</a></p>` : nothing}
        <ol class="items">
          ${c.resources.map(
            (r) => html`<li>
              <a href=${hitHref({ id: r.id, type: r.type })}>
                <img src=${coverHref(r.id, 'small')} alt="" loading="lazy" decoding="async" width="104" height="139" />
                <span class="title">${r.metadata.title}</span>
                <span class="muted">${r.metadata.creators.length ? `${r.metadata.creators.join('、')} · ` : ''}${typeLabel(r.type)}</span>
              </a>
            </li>`,
          )}
        </ol>
      `,
    )
  }

  static override styles = [
    base,
    css`
      :host { display: block; max-width: 960px; margin: 0 auto; }
      .label { color: var(--muted); font-size: 0.85rem; margin: 0; }
      h1 { margin: 2px 0 4px; }
      /* The items as covers, in the staff's order: three across on a phone, more as it widens. */
      .items { list-style: none; padding: 0; margin: 16px 0 0; display: grid; gap: 16px 12px; grid-template-columns: repeat(auto-fill, minmax(100px, 1fr)); }
      .items a { display: flex; flex-direction: column; gap: 4px; text-decoration: none; color: var(--text); }
      .items img { width: 100%; height: auto; aspect-ratio: 3 / 4; object-fit: cover; border-radius: 6px; background: var(--line); box-shadow: 0 1px 2px rgb(0 0 0 / 0.12), 0 4px 10px rgb(0 0 0 / 0.08); }
      .items .title { font-size: 0.92rem; line-height: 1.35; color: var(--ink); font-weight: 600; }
      .items .muted { font-size: 0.8rem; }
      @media (min-width: 768px) { .items { grid-template-columns: repeat(auto-fill, minmax(132px, 1fr)); } }
    `,
  ]
}
customElements.define('shulin-collection-page', CollectionPage)
