/**
 * @module pages/reader/forgot
 * Forgotten password: the reader gives their card number or phone, receives a six-digit code
 * on the phone the library has for them, and sets a new password with it.
 */
import { LitElement, css, html } from 'lit'
import { base } from '../../styles.js'
import { t } from '../../i18n/index.js'
import { api } from '../../api.js'
import { navigate } from '../../router.js'
import { fieldError, formError } from '../../components/form.js'

export class ForgotPage extends LitElement {
  static override properties = { sent: { state: true }, error: { state: true }, busy: { state: true } }
  sent = ''
  error: unknown
  busy = false

  async #send(e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const identifier = String(new FormData(e.target as HTMLFormElement).get('identifier') ?? '').trim()
    await this.#run(async () => {
      await api('/api/auth/password/forgot', { body: { identifier } })
      this.sent = identifier
    })
  }

  async #reset(e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const f = new FormData(e.target as HTMLFormElement)
    await this.#run(async () => {
      await api('/api/auth/password/reset', {
        body: {
          identifier: this.sent,
          code: String(f.get('code') ?? '').trim(),
          password: String(f.get('password') ?? ''),
        },
      })
      navigate(`/signin?reset=1`, { replace: true })
    })
  }

  async #run(fn: () => Promise<void>): Promise<void> {
    this.busy = true
    this.error = undefined
    try {
      await fn()
    } catch (err) {
      this.error = err
    } finally {
      this.busy = false
    }
  }

  override render() {
    return html`<h1>${t('forgotTitle')}</h1>
      ${
        this.sent
          ? html`<p role="status">${t('codeSent')}</p>
            <form @submit=${this.#reset} novalidate>
              <label for="code">${t('code')}</label>
              <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required />
              ${fieldError(this.error, '/code')}
              <label for="password">${t('newPassword')}</label>
              <input id="password" name="password" type="password" autocomplete="new-password" aria-describedby="pw-hint" required />
              <p id="pw-hint" class="muted">${t('passwordHint')}</p>
              ${fieldError(this.error, '/password')} ${formError(this.error)}
              <button type="submit" ?disabled=${this.busy}>${t('resetPassword')}</button>
            </form>`
          : html`<form @submit=${this.#send} novalidate>
            <label for="identifier">${t('identifier')}</label>
            <input id="identifier" name="identifier" autocomplete="username" required />
            ${fieldError(this.error, '/identifier')} ${formError(this.error)}
            <button type="submit" ?disabled=${this.busy}>${t('sendCode')}</button>
          </form>`
      }`
  }

  static override styles = [
    base,
    css`:host { display: block; max-width: 420px; margin: 0 auto; } form { display: grid; } button[type='submit'] { margin-top: 16px; }`,
  ]
}
customElements.define('shulin-forgot', ForgotPage)
