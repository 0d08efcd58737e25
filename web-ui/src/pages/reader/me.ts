/**
 * @module pages/reader/me
 * The reader's own page: who they are, their shelf and reading history, sign out.
 */
import { LitElement, css, html, nothing } from 'lit'
import { initialState, Task, TaskStatus } from '@lit/task'
import type { HistoryList, ShelfList } from '@shulin/protocol'
import { base } from '../../styles.js'
import { t } from '../../i18n/index.js'
import { api, session } from '../../api.js'
import { navigate } from '../../router.js'
import { errorView, taskView } from '../../components/page-state.js'
import '../../components/signed-in-elsewhere.js'
import '../../components/external-sign-in.js'
import '../../components/phone-directory-consent.js'
import '../../components/kosync-key.js'

/** A shelf or history entry: the record it points at is what the page shows. */
type Item = ShelfList['items'][number] | HistoryList['items'][number]

export class MePage extends LitElement {
  /** The shelf and the history (nothing is asked for while signed out: the page goes to sign-in). */
  #data = new Task(this, {
    task: () =>
      session.current
        ? Promise.all([api<ShelfList>('/api/me/shelf'), api<HistoryList>('/api/me/history?limit=20')])
        : initialState,
    args: () => [],
  })

  override connectedCallback(): void {
    super.connectedCallback()
    if (!session.current) navigate('/signin?next=/me', { replace: true })
  }

  async #signOut(): Promise<void> {
    await api('/api/auth/logout', { method: 'POST' }).catch(() => {})
    session.set(null)
    navigate('/', { replace: true })
  }

  override render() {
    const me = session.current
    if (!me) return nothing
    if (this.#data.status === TaskStatus.ERROR) return errorView(this.#data.error, () => void this.#data.run())
    const list = (items: Item[], empty: 'emptyShelf' | 'emptyHistory') =>
      items.length
        ? html`<ul>${items.map((i) => html`<li><a href="/r/${i.resource.id}">${i.resource.metadata.title}</a> <span class="muted">${i.resource.metadata.creators.join('、')}</span></li>`)}</ul>`
        : html`<p class="muted">${t(empty)}</p>`
    return html`
      <h1>${me.account.name ?? me.account.cardNo ?? me.account.username ?? me.account.phone}</h1>
      ${me.account.home ? html`<p class="muted">${t('visitingFrom', { name: me.account.home.name })}</p>` : nothing}
      <button class="secondary" @click=${() => void this.#signOut()}>${t('signOut')}</button>
      ${taskView(
        this.#data,
        ([shelf, history]) => html`<section><h2>${t('myShelf')}</h2>${list(shelf.items, 'emptyShelf')}</section>
          <section><h2>${t('history')}</h2>${list(history.items, 'emptyHistory')}</section>`,
      )}
      ${me.account.home ? nothing : html`<shulin-signed-in-elsewhere></shulin-signed-in-elsewhere><shulin-external-sign-in mode="link" next="/me"></shulin-external-sign-in>`}
      ${!me.account.home && me.account.phone ? html`<shulin-phone-directory-consent></shulin-phone-directory-consent>` : nothing}
      ${me.account.home ? nothing : html`<shulin-kosync-key></shulin-kosync-key>`}
    `
  }

  static override styles = [base, css`ul { padding-left: 20px; line-height: 2; }`]
}
customElements.define('shulin-me', MePage)
