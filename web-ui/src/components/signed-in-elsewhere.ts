/**
 * @module components/signed-in-elsewhere
 * On the reader's own page at home: the other libraries (and the hub portal) where this
 * account is signed in, each with a button to end it there. The other library learns at its
 * next check with this one (within five minutes by default).
 */
import { LitElement, css, html, nothing } from 'lit'
import type { SignedInElsewhere } from '@shulin/protocol'
import { base } from '../styles.js'
import { locale, t } from '../i18n/index.js'
import { api } from '../api.js'
import { formError } from './form.js'

type Grant = SignedInElsewhere['grants'][number]

export class SignedInElsewhereList extends LitElement {
  static override properties = { grants: { state: true }, error: { state: true } }
  grants: Grant[] | undefined
  error: unknown

  override connectedCallback(): void {
    super.connectedCallback()
    void this.#load()
  }

  async #load(): Promise<void> {
    try {
      this.grants = (await api<SignedInElsewhere>('/api/me/identity/elsewhere')).grants
    } catch (err) {
      this.error = err
    }
  }

  async #end(g: Grant): Promise<void> {
    try {
      await api(`/api/me/identity/elsewhere/${encodeURIComponent(g.id)}/end`, { method: 'POST' })
      await this.#load()
    } catch (err) {
      this.error = err
    }
  }

  override render() {
    if (!this.grants) return formError(this.error)
    const when = (iso: string) => new Date(iso).toLocaleString(locale(), { dateStyle: 'medium', timeStyle: 'short' })
    return html`<section aria-labelledby="elsewhere-h">
      <h2 id="elsewhere-h">${t('signedInElsewhere')}</h2>
      ${
        this.grants.length
          ? html`<ul>
            ${this.grants.map(
              (g) => html`<li>
                <span class="who">${g.name ?? t('hubPortal')}<br /><span class="muted">${t('signedInSince', { time: when(g.createdAt) })}</span></span>
                <button class="secondary" aria-label="${t('endThere')}: ${g.name ?? t('hubPortal')}" @click=${() => void this.#end(g)}>${t('endThere')}</button>
              </li>`,
            )}
          </ul>`
          : html`<p class="muted">${t('signedInElsewhereNone')}</p>`
      }
      ${this.error ? formError(this.error) : nothing}
    </section>`
  }

  static override styles = [
    base,
    css`
      ul { list-style: none; padding: 0; display: grid; gap: 8px; }
      li { display: grid; grid-template-columns: 1fr auto; gap: 8px; align-items: center; padding: 8px 0; border-bottom: 1px solid #e4ddd0; }
    `,
  ]
}
customElements.define('shulin-signed-in-elsewhere', SignedInElsewhereList)
