/**
 * @module pages/reader/shelf
 * The 书架 tab's own page (it used to open 我的 like the 我的 tab): what the reader is reading,
 * newest first with how far this device got, and the books they saved, as covers. Signed out,
 * it says what the shelf is and offers sign-in instead of jumping to the sign-in form, so the
 * tab bar keeps one tab per destination.
 */
import { LitElement, css, html, nothing } from 'lit'
import { initialState, Task } from '@lit/task'
import type { HistoryList, ShelfList } from '@shulin/protocol'
import { base } from '../../styles.js'
import { t } from '../../i18n/index.js'
import { api, session } from '../../api.js'
import { taskView } from '../../components/page-state.js'
import { savedFraction } from '../../reading/position.js'
import { coverHref } from '../../links.js'

type Book = ShelfList['items'][number]['resource']

export class ShelfPage extends LitElement {
  #data = new Task(this, {
    task: () =>
      session.current
        ? Promise.all([api<ShelfList>('/api/me/shelf'), api<HistoryList>('/api/me/history?limit=20')])
        : initialState,
    args: () => [],
  })

  override connectedCallback(): void {
    super.connectedCallback()
    window.addEventListener('session-changed', this.#reload)
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    window.removeEventListener('session-changed', this.#reload)
  }

  #reload = () => void this.#data.run()

  /** One book as a cover with its title under it, and, when given, how far it was read. */
  #book(r: Book, fraction?: number) {
    const m = r.metadata
    return html`<li>
      <a href="/r/${r.id}">
        <img src=${coverHref(r.id, 'small')} alt="" loading="lazy" width="120" height="160" />
        <span class="title">${m.title}</span>
        ${m.creators.length ? html`<span class="muted creators">${m.creators.join('、')}</span>` : nothing}
        ${
          fraction !== undefined
            ? html`<span class="progress"><progress max="100" value=${Math.round(fraction * 100)} aria-hidden="true"></progress>${t('shelfProgress', { percent: Math.round(fraction * 100) })}</span>`
            : nothing
        }
      </a>
    </li>`
  }

  override render() {
    if (!session.current)
      return html`<h1>${t('shelfTitle')}</h1>
        <p>${t('shelfSignIn')}</p>
        <p><a class="button" href="/signin?next=/shelf">${t('signIn')}</a></p>`
    return html`<h1>${t('shelfTitle')}</h1>
      ${taskView(this.#data, ([shelf, history]) => {
        // History holds every opening; the shelf shows each book once, at its latest.
        const seen = new Set<string>()
        const reading = history.items.filter((i) => !seen.has(i.resource.id) && seen.add(i.resource.id))
        return html`<section aria-labelledby="reading">
            <h2 id="reading">${t('shelfReading')} <span class="muted">${t('shelfCount', { n: reading.length })}</span></h2>
            ${reading.length ? html`<ul class="books">${reading.map((i) => this.#book(i.resource, savedFraction(i.resource.id)))}</ul>` : html`<p class="muted">${t('emptyHistory')}</p>`}
          </section>
          <section aria-labelledby="saved">
            <h2 id="saved">${t('shelfSaved')} <span class="muted">${t('shelfCount', { n: shelf.items.length })}</span></h2>
            ${shelf.items.length ? html`<ul class="books">${shelf.items.map((i) => this.#book(i.resource))}</ul>` : html`<p class="muted">${t('emptyShelf')} <a href="/search">${t('shelfBrowse')}</a></p>`}
          </section>`
      })}`
  }

  static override styles = [
    base,
    css`
      h2 { font-size: 1.1rem; }
      h2 .muted { font-weight: 400; font-size: 0.9rem; margin-left: 6px; }
      .books { list-style: none; padding: 0; margin: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(104px, 1fr)); gap: 16px 12px; }
      .books a { display: flex; flex-direction: column; gap: 4px; text-decoration: none; color: var(--text, inherit); }
      .books img { width: 100%; aspect-ratio: 3 / 4; height: auto; object-fit: cover; border-radius: var(--radius); box-shadow: 0 2px 8px rgb(0 0 0 / 0.12); }
      .title { font-weight: 600; line-height: 1.3; display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }
      .creators { font-size: 0.85rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      .progress { font-size: 0.8rem; color: var(--muted); display: flex; flex-direction: column; gap: 2px; }
      progress { width: 100%; height: 4px; accent-color: var(--ink); }
      .button { display: inline-block; padding: 10px 20px; background: var(--ink); color: #fff; border-radius: var(--radius); text-decoration: none; }
    `,
  ]
}
// `shulin-shelf` is the home page's row of covers (components/shelf): this page is `-page`.
customElements.define('shulin-shelf-page', ShelfPage)
