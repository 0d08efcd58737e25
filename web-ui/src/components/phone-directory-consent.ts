/**
 * @module components/phone-directory-consent
 * The reader's choice to be found by phone number anywhere in the network: when on, the home
 * library lists a keyed hash of the number in the hub's directory (never the number), so
 * "reader of another library? → phone number" on any member's sign-in page leads here.
 */
import { LitElement, css, html } from 'lit'
import type { DirectoryConsent } from '@shulin/protocol'
import { base } from '../styles.js'
import { t } from '../i18n/index.js'
import { api } from '../api.js'
import { formError } from './form.js'

export class PhoneDirectoryConsent extends LitElement {
  static override properties = { listed: { state: true }, error: { state: true } }
  listed: boolean | undefined
  error: unknown

  override connectedCallback(): void {
    super.connectedCallback()
    api<DirectoryConsent>('/api/me/identity/directory')
      .then((r) => (this.listed = r.listed))
      .catch((err: unknown) => (this.error = err))
  }

  async #change(e: Event): Promise<void> {
    const listed = (e.target as HTMLInputElement).checked
    this.error = undefined
    try {
      this.listed = (
        await api<DirectoryConsent>('/api/me/identity/directory', { method: 'PUT', body: { listed } })
      ).listed
    } catch (err) {
      this.error = err
      ;(e.target as HTMLInputElement).checked = !listed
    }
  }

  override render() {
    return html`<label class="check"><input type="checkbox" .checked=${this.listed ?? false} ?disabled=${this.listed === undefined} @change=${(e: Event) => void this.#change(e)} /> ${t('phoneDirectoryConsent')}</label>
      ${formError(this.error)}`
  }

  static override styles = [
    base,
    css`
      .check { display: flex; gap: 8px; align-items: flex-start; font-weight: 400; }
      .check input { width: 24px; min-height: 24px; flex: none; }
    `,
  ]
}
customElements.define('shulin-phone-directory-consent', PhoneDirectoryConsent)
