/**
 * @module components/inbox-badge
 * `<shulin-inbox-badge>`: the header's link to the reader's inbox with the unread count, asked
 * again on every page change, when the inbox page marks notices read (`inbox-changed`) and when
 * the service worker says a pushed notice arrived (`shulin-notice`).
 */
import { LitElement, css, html, nothing } from 'lit'
import type { UnreadCount } from '@shulin/protocol'
import { api } from '../api.js'
import { it } from '../i18n/inbox.js'

export class InboxBadge extends LitElement {
  static override properties = { unread: { state: true } }
  unread = 0
  #onWorker = (e: MessageEvent) => {
    if ((e.data as { type?: unknown } | null)?.type === 'shulin-notice') this.#refresh()
  }
  #refresh = () => {
    api<UnreadCount>('/api/me/inbox/unread').then(
      (r) => (this.unread = r.unread),
      () => (this.unread = 0),
    )
  }

  override connectedCallback(): void {
    super.connectedCallback()
    window.addEventListener('route-changed', this.#refresh)
    window.addEventListener('inbox-changed', this.#refresh)
    navigator.serviceWorker?.addEventListener('message', this.#onWorker)
    this.#refresh()
  }
  override disconnectedCallback(): void {
    window.removeEventListener('route-changed', this.#refresh)
    window.removeEventListener('inbox-changed', this.#refresh)
    navigator.serviceWorker?.removeEventListener('message', this.#onWorker)
    super.disconnectedCallback()
  }

  override render() {
    const label = this.unread ? `${it('inbox')}（${it('inboxUnread', { n: this.unread })}）` : it('inbox')
    return html`<a href="/me/inbox" aria-label=${label}
      >${it('inbox')}${this.unread ? html`<span class="count" aria-hidden="true">${this.unread > 99 ? '99+' : this.unread}</span>` : nothing}</a
    >`
  }

  static override styles = css`
    a { color: inherit; text-decoration: none; display: inline-flex; align-items: center; gap: 4px; min-height: 44px; }
    .count { background: #b23a2a; color: #fff; border-radius: 999px; padding: 0 7px; font-size: 0.8rem; line-height: 1.4; font-weight: 700; }
  `
}
customElements.define('shulin-inbox-badge', InboxBadge)
