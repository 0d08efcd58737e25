/**
 * @module components/kosync-key
 * The reader's KOReader sync on their page: the server address, their sync username, a key
 * made on request (shown once, never again: the node keeps only a hash), and revoking it.
 */
import { LitElement, css, html, nothing } from 'lit'
import type { KosyncKey, KosyncStatus } from '@shulin/protocol'
import { base } from '../styles.js'
import { kt } from '../i18n/kosync.js'
import { api } from '../api.js'
import { formError } from './form.js'

export class KosyncKeyBox extends LitElement {
  static override properties = {
    status: { state: true },
    made: { state: true },
    busy: { state: true },
    error: { state: true },
  }
  status: KosyncStatus | undefined
  made: KosyncKey | undefined
  busy = false
  error: unknown

  override connectedCallback(): void {
    super.connectedCallback()
    api<KosyncStatus>('/api/me/kosync')
      .then((s) => (this.status = s))
      .catch((err: unknown) => (this.error = err))
  }

  async #act(method: 'POST' | 'DELETE'): Promise<void> {
    this.busy = true
    this.error = undefined
    try {
      if (method === 'POST') {
        this.made = await api<KosyncKey>('/api/me/kosync', { method })
      } else {
        await api('/api/me/kosync', { method })
        this.made = undefined
      }
      this.status = await api<KosyncStatus>('/api/me/kosync')
    } catch (err) {
      this.error = err
    } finally {
      this.busy = false
    }
  }

  override render() {
    const s = this.status
    if (!s) return formError(this.error)
    const field = (label: string, value: string) =>
      html`<label>${label}<input readonly .value=${value} @focus=${(e: Event) => (e.target as HTMLInputElement).select()} /></label>`
    return html`<section>
      <h2>${kt('kosyncTitle')}</h2>
      <p class="muted">${kt('kosyncHint')}</p>
      ${field(kt('kosyncServer'), s.url)}
      ${s.username ? field(kt('kosyncUsername'), s.username) : nothing}
      ${this.made ? field(kt('kosyncKey'), this.made.key) : nothing}
      ${s.createdAt && !this.made ? html`<p class="muted">${kt('kosyncSince', { when: new Date(s.createdAt).toLocaleString() })}</p>` : nothing}
      <div class="actions">
        <button ?disabled=${this.busy} @click=${() => void this.#act('POST')}>${kt(s.username ? 'kosyncRenew' : 'kosyncCreate')}</button>
        ${s.username ? html`<button class="secondary" ?disabled=${this.busy} @click=${() => void this.#act('DELETE')}>${kt('kosyncRevoke')}</button>` : nothing}
      </div>
      ${formError(this.error)}
    </section>`
  }

  static override styles = [
    base,
    css`
      label { display: grid; gap: 4px; margin: 8px 0; }
      .actions { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 8px; }
    `,
  ]
}
customElements.define('shulin-kosync-key', KosyncKeyBox)
