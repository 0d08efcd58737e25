/**
 * @module components/sushi-credentials
 * `<shulin-sushi-credentials>`: the console's COUNTER-SUSHI harvesters. Staff name a harvester
 * (a provincial centre's usage platform, the library's ERM) and get the three values it is
 * configured with — `customer_id`, `requestor_id`, `api_key` — with the base URL; the key is
 * shown this once (the node keeps only its hash). Each credential can be revoked.
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import { base } from '../styles.js'
import { api, ApiError } from '../api.js'
import { st } from '../i18n/stats.js'
import { taskView } from './page-state.js'

interface CredentialView {
  requestor_id: string
  customer_id: string
  name: string
  createdAt: string
  createdBy?: string
  lastUsedAt?: string
}
interface CredentialAnswer {
  customer_id: string
  requestor_id: string
  api_key: string
}

export class SushiCredentials extends LitElement {
  static override properties = { made: { state: true }, error: { state: true } }
  made: CredentialAnswer | undefined
  error = ''

  #list = new Task(this, {
    task: () => api<CredentialView[]>('/api/staff/sushi/credentials'),
    args: () => [],
  })

  async #create(e: SubmitEvent) {
    e.preventDefault()
    const form = e.target as HTMLFormElement
    const name = (new FormData(form).get('name') as string | null)?.trim() ?? ''
    this.error = ''
    try {
      this.made = await api<CredentialAnswer>('/api/staff/sushi/credentials', { method: 'POST', body: { name } })
      form.reset()
      void this.#list.run()
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : String(err)
    }
  }

  async #revoke(c: CredentialView) {
    if (!confirm(st('sushiRevokeConfirm', { name: c.name }))) return
    try {
      await api(`/api/staff/sushi/credentials/${encodeURIComponent(c.requestor_id)}`, { method: 'DELETE' })
      if (this.made?.requestor_id === c.requestor_id) this.made = undefined
      void this.#list.run()
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : String(err)
    }
  }

  override render() {
    const baseUrl = `${location.origin}/sushi/r51`
    return html`
      <h2 id="sushi-cred">${st('sushiCredentials')}</h2>
      <p class="muted">${st('sushiHelp', { url: baseUrl })}</p>
      <form @submit=${(e: SubmitEvent) => void this.#create(e)}>
        <label>${st('sushiName')} <input name="name" required maxlength="100" autocomplete="off" /></label>
        <button type="submit">${st('sushiCreate')}</button>
      </form>
      ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
      ${
        this.made
          ? html`<div class="made" role="status">
            <p><strong>${st('sushiShownOnce')}</strong></p>
            <dl>
              <dt>URL</dt><dd><code>${baseUrl}</code></dd>
              <dt>customer_id</dt><dd><code>${this.made.customer_id}</code></dd>
              <dt>requestor_id</dt><dd><code>${this.made.requestor_id}</code></dd>
              <dt>api_key</dt><dd><code>${this.made.api_key}</code></dd>
            </dl>
          </div>`
          : nothing
      }
      ${taskView(this.#list, (list) =>
        list.length
          ? html`<table>
              <thead><tr><th>${st('sushiName')}</th><th>requestor_id</th><th>${st('sushiCreated')}</th><th>${st('sushiLastUsed')}</th><th></th></tr></thead>
              <tbody>
                ${list.map(
                  (c) => html`<tr>
                    <td>${c.name}</td><td><code>${c.requestor_id}</code></td>
                    <td>${c.createdAt.slice(0, 10)}${c.createdBy ? ` · ${c.createdBy}` : ''}</td>
                    <td>${c.lastUsedAt?.slice(0, 16).replace('T', ' ') ?? '—'}</td>
                    <td><button class="secondary" @click=${() => void this.#revoke(c)}>${st('sushiRevoke')}</button></td>
                  </tr>`,
                )}
              </tbody>
            </table>`
          : html`<p class="muted">${st('sushiNone')}</p>`,
      )}
    `
  }

  static override styles = [
    base,
    css`
      h2 { font-size: 1.1rem; margin: 4px 0 12px; }
      form { display: flex; gap: 8px; align-items: end; flex-wrap: wrap; margin: 8px 0; }
      .made { border: 1px solid currentColor; border-radius: 6px; padding: 8px 12px; margin: 8px 0; }
      dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px; margin: 0; }
      dd { margin: 0; word-break: break-all; }
      table { border-collapse: collapse; width: 100%; }
      th, td { text-align: start; padding: 4px 8px; border-bottom: 1px solid #ddd; }
      .error { color: #b00020; }
    `,
  ]
}
customElements.define('shulin-sushi-credentials', SushiCredentials)
