/**
 * @module components/recommendations
 * A list of recommended records, each with the reason it was picked: "猜你喜欢" on the portal
 * home (`for` unset) and "读过这本的人也读了" on a record's page. Shows nothing when the node has
 * nothing to recommend, or when asking failed (a section of a page, not the page).
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import type { RecommendationList } from '@shulin/protocol'
import { base } from '../styles.js'
import { api } from '../api.js'
import { rt } from '../i18n/recommend.js'

export class Recommendations extends LitElement {
  static override properties = { for: {} }
  /** A record id: what readers of it also read. */
  for = ''

  #data = new Task(this, {
    task: ([forId]) =>
      api<RecommendationList>(`/api/recommendations?limit=8${forId ? `&for=${encodeURIComponent(forId)}` : ''}`),
    args: () => [this.for],
  })

  override connectedCallback(): void {
    super.connectedCallback()
    window.addEventListener('locale-changed', this.#rerun)
  }

  override disconnectedCallback(): void {
    window.removeEventListener('locale-changed', this.#rerun)
    super.disconnectedCallback()
  }

  // The reasons are worded by the node in the reader's language: ask again.
  #rerun = () => void this.#data.run()

  override render() {
    return this.#data.render({
      complete: ({ items }) =>
        items.length
          ? html`<section aria-labelledby="rec">
              <h2 id="rec">${this.for ? rt('alsoRead') : rt('forYou')}</h2>
              <ul>
                ${items.map(
                  (i) =>
                    html`<li>
                      <a href="/r/${encodeURIComponent(i.id)}"
                        ><span class="title">${i.title}</span><span class="reason muted">${i.reason}</span></a
                      >
                    </li>`,
                )}
              </ul>
            </section>`
          : nothing,
      error: () => nothing,
    })
  }

  static override styles = [
    base,
    css`
      ul { list-style: none; padding: 0; margin: 0; display: grid; gap: 8px; grid-template-columns: 1fr; }
      @media (min-width: 800px) { ul { grid-template-columns: 1fr 1fr; } }
      a { display: grid; gap: 2px; min-height: 44px; padding: 10px 14px; border: 1px solid #ddd; border-radius: var(--radius); background: #fff; text-decoration: none; color: inherit; }
      .title { font-weight: 600; overflow-wrap: anywhere; }
      .reason { font-size: 0.9rem; }
    `,
  ]
}
customElements.define('shulin-recommendations', Recommendations)
