/**
 * @module pages/reader/register
 * Registration: quick (phone and password) or real-name (name, resident ID and password).
 */
import { LitElement, css, html } from 'lit'
import type { LoginResponse } from '@shulin/protocol'
import { base } from '../../styles.js'
import { t } from '../../i18n/index.js'
import { api, session } from '../../api.js'
import { navigate } from '../../router.js'
import { fieldError, formError } from '../../components/form.js'

export class RegisterPage extends LitElement {
  static override properties = { mode: { state: true }, error: { state: true }, busy: { state: true } }
  mode: 'quick' | 'real-name' = 'quick'
  error: unknown
  busy = false

  async #submit(e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const f = new FormData(e.target as HTMLFormElement)
    const value = (k: string) => String(f.get(k) ?? '')
    const body =
      this.mode === 'quick'
        ? { mode: 'quick', phone: value('phone'), password: value('password') }
        : { mode: 'real-name', name: value('name'), idNumber: value('idNumber'), password: value('password') }
    this.busy = true
    this.error = undefined
    try {
      session.set(await api<LoginResponse>('/api/auth/register', { body }))
      navigate('/', { replace: true })
    } catch (err) {
      this.error = err
    } finally {
      this.busy = false
    }
  }

  override render() {
    const quick = this.mode === 'quick'
    return html`
      <h1>${t('register')}</h1>
      <div role="radiogroup" class="modes">
        <label><input type="radio" name="mode" .checked=${quick} @change=${() => (this.mode = 'quick')} /> ${t('quickRegistration')}</label>
        <label><input type="radio" name="mode" .checked=${!quick} @change=${() => (this.mode = 'real-name')} /> ${t('realNameRegistration')}</label>
      </div>
      <form @submit=${this.#submit} novalidate>
        ${
          quick
            ? html`<label for="phone">${t('phone')}</label>
              <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" required />
              ${fieldError(this.error, '/phone')}`
            : html`<label for="name">${t('name')}</label>
              <input id="name" name="name" autocomplete="name" required />
              ${fieldError(this.error, '/name')}
              <label for="idNumber">${t('idNumber')}</label>
              <input id="idNumber" name="idNumber" required />
              ${fieldError(this.error, '/idNumber')}`
        }
        <label for="password">${t('password')}</label>
        <input id="password" name="password" type="password" autocomplete="new-password" aria-describedby="pw-hint" required />
        <p id="pw-hint" class="muted">${t('passwordHint')}</p>
        ${fieldError(this.error, '/password')} ${formError(this.error)}
        <button type="submit" ?disabled=${this.busy}>${t('register')}</button>
      </form>
      <p>${t('haveAccount')} <a href="/signin">${t('signIn')}</a></p>
    `
  }

  static override styles = [
    base,
    css`
      :host { display: block; max-width: 420px; margin: 0 auto; }
      form { display: grid; }
      .modes { display: grid; gap: 4px; }
      .modes label { display: flex; gap: 8px; align-items: center; font-weight: 400; margin: 0; min-height: 44px; }
      .modes input { width: 22px; min-height: 22px; }
      button[type='submit'] { margin-top: 16px; }
    `,
  ]
}
customElements.define('shulin-register', RegisterPage)
