/**
 * @module components/external-sign-in
 * Buttons for the third-party accounts this library accepts (QQ, Weibo, WeChat…): on the
 * sign-in page they sign in (a first visit makes a quick account); on the reader's own page
 * they link the account, so that it signs this reader in from then on.
 */
import { LitElement, css, html, nothing } from 'lit'
import type { LinkedProviders, ProviderList } from '@shulin/protocol'
import { base } from '../styles.js'
import { t } from '../i18n/index.js'
import { api } from '../api.js'

type Provider = ProviderList['providers'][number]

export class ExternalSignIn extends LitElement {
  static override properties = { mode: {}, next: {}, providers: { state: true }, linked: { state: true } }
  mode: 'sign-in' | 'link' = 'sign-in'
  next = '/'
  providers: Provider[] = []
  linked: string[] = []

  override connectedCallback(): void {
    super.connectedCallback()
    void this.#load()
  }

  async #load(): Promise<void> {
    try {
      this.providers = (await api<ProviderList>('/api/identity/providers')).providers
      if (this.mode === 'link' && this.providers.length)
        this.linked = (await api<LinkedProviders>('/api/me/identity/external')).linked
    } catch {
      // Without the list there is simply no third-party button: signing in with a card still works.
    }
  }

  #go(p: Provider): void {
    location.assign(`/api/identity/external/start?${new URLSearchParams({ provider: p.id, next: this.next })}`)
  }

  override render() {
    if (!this.providers.length) return nothing
    return html`<div class="providers">
      ${this.providers.map((p) =>
        this.mode === 'link' && this.linked.includes(p.id)
          ? html`<p class="muted">${t('linkedWith', { name: p.name })}</p>`
          : html`<button class="secondary" @click=${() => this.#go(p)}>${t(this.mode === 'link' ? 'linkWith' : 'signInWith', { name: p.name })}</button>`,
      )}
    </div>`
  }

  static override styles = [
    base,
    css`
      .providers { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 16px; }
    `,
  ]
}
customElements.define('shulin-external-sign-in', ExternalSignIn)
