/**
 * @module pages/me
 * The reader's own page: who they are, their shelf and reading history, sign out.
 */
import { LitElement, css, html, nothing } from 'lit'
import type { HistoryList, ShelfList } from '@shulin/protocol'
import { base } from '../styles.js'
import { t } from '../i18n/index.js'
import { api, session } from '../api.js'
import { navigate } from '../router.js'
import { errorView, loadingView } from '../components/page-state.js'
import '../components/signed-in-elsewhere.js'
import '../components/external-sign-in.js'
import '../components/phone-directory-consent.js'

/** A shelf or history entry: the record it points at is what the page shows. */
type Item = ShelfList['items'][number] | HistoryList['items'][number]

export class MePage extends LitElement {
  static override properties = { shelf: { state: true }, history: { state: true }, error: { state: true } }
  shelf: Item[] | undefined
  history: Item[] | undefined
  error: unknown

  override connectedCallback(): void {
    super.connectedCallback()
    if (!session.current) {
      navigate('/signin?next=/me', { replace: true })
      return
    }
    void this.#load()
  }

  async #load(): Promise<void> {
    try {
      const [shelf, history] = await Promise.all([api<ShelfList>('/api/me/shelf'), api<HistoryList>('/api/me/history?limit=20')])
      this.shelf = shelf.items
      this.history = history.items
    } catch (err) {
      this.error = err
    }
  }

  async #signOut(): Promise<void> {
    await api('/api/auth/logout', { method: 'POST' }).catch(() => {})
    session.set(null)
    navigate('/', { replace: true })
  }

  override render() {
    const me = session.current
    if (!me) return nothing
    if (this.error) return errorView(this.error, () => void this.#load())
    const list = (items: Item[], empty: 'emptyShelf' | 'emptyHistory') =>
      items.length ? html`<ul>${items.map((i) => html`<li><a href="/r/${i.resource.id}">${i.resource.metadata.title}</a> <span class="muted">${i.resource.metadata.creators.join('、')}</span></li>`)}</ul>` : html`<p class="muted">${t(empty)}</p>`
    return html`
      <h1>${me.account.name ?? me.account.cardNo ?? me.account.username ?? me.account.phone}</h1>
      ${me.account.home ? html`<p class="muted">${t('visitingFrom', { name: me.account.home.name })}</p>` : nothing}
      <button class="secondary" @click=${() => void this.#signOut()}>${t('signOut')}</button>
      ${this.shelf && this.history
        ? html`<section><h2>${t('myShelf')}</h2>${list(this.shelf, 'emptyShelf')}</section>
            <section><h2>${t('history')}</h2>${list(this.history, 'emptyHistory')}</section>`
        : loadingView()}
      ${me.account.home ? nothing : html`<shulin-signed-in-elsewhere></shulin-signed-in-elsewhere><shulin-external-sign-in mode="link" next="/me"></shulin-external-sign-in>`}
      ${!me.account.home && me.account.phone ? html`<shulin-phone-directory-consent></shulin-phone-directory-consent>` : nothing}
    `
  }

  static override styles = [base, css`ul { padding-left: 20px; line-height: 2; }`]
}
customElements.define('shulin-me', MePage)
