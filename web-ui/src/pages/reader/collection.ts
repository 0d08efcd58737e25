/**
 * @module pages/reader/collection
 * `/collections/:id`: a column (栏目) or topic (专题) as the staff arranged it — title,
 * description and its published items in order (`GET /api/collections/:id`). A topic has a
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
              <a href="/r/${r.id}">${r.metadata.title}</a>
              <span class="muted">${typeLabel(r.type)}</span>
            </li>`,
          )}
        </ol>
      `,
    )
  }

  static override styles = [
    base,
    css`
      :host { display: block; max-width: 720px; margin: 0 auto; }
      .label { color: var(--muted); font-size: 0.85rem; margin: 0; }
      h1 { margin: 2px 0 4px; }
      .items { list-style: none; padding: 0; margin: 16px 0 0; }
      .items li { display: flex; justify-content: space-between; gap: 8px; align-items: center; min-height: 44px; border-bottom: 1px solid var(--line, #ddd); }
      .items a { font-size: 1.05rem; }
    `,
  ]
}
customElements.define('shulin-collection-page', CollectionPage)
