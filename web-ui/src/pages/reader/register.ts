/**
 * @module pages/reader/register
 * Registration: quick (phone and password) or real-name (name, resident ID and password).
 * When the staff turn on phone verification (`GET /api/auth/registration`), quick registration
 * also asks for the code texted by `POST /api/auth/phone-code`, with a resend countdown and the
 * daily limit (429) said in words.
 */
import { LitElement, css, html, nothing } from 'lit'
import type { LoginResponse } from '@shulin/protocol'
import { base } from '../../styles.js'
import { t } from '../../i18n/index.js'
import { ApiError, api, session } from '../../api.js'
import { st } from '../../i18n/sms.js'
import { navigate } from '../../router.js'
import { fieldError, formError } from '../../components/form.js'

/** Seconds before another code may be asked for, so a reader does not spend the day's limit by tapping. */
const resendSeconds = 60

/** "3 小时" / "12 分钟": how long until the daily limit resets, rounded up. */
function waitWords(seconds: number): string {
  return seconds >= 3600
    ? st('regHours', { n: Math.ceil(seconds / 3600) })
    : st('regMinutes', { n: Math.max(1, Math.ceil(seconds / 60)) })
}

export class RegisterPage extends LitElement {
  static override properties = {
    mode: { state: true },
    error: { state: true },
    busy: { state: true },
    needsCode: { state: true },
    countdown: { state: true },
    codeNote: { state: true },
    codeError: { state: true },
  }
  mode: 'quick' | 'real-name' = 'quick'
  error: unknown
  busy = false
  /** Whether the node asks for a texted code at quick registration. */
  needsCode = false
  countdown = 0
  codeNote = ''
  codeError = ''
  #timer: ReturnType<typeof setInterval> | undefined

  override connectedCallback(): void {
    super.connectedCallback()
    api<{ phoneCode: boolean }>('/api/auth/registration')
      .then((r) => (this.needsCode = r.phoneCode))
      // An older node without the route: register as before; the server still says if a code is missing.
      .catch(() => undefined)
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    clearInterval(this.#timer)
  }

  async #getCode(): Promise<void> {
    const input = this.renderRoot.querySelector<HTMLInputElement>('#phone')
    const phone = input?.value.trim() ?? ''
    this.codeNote = ''
    this.codeError = ''
    if (!phone) {
      this.codeError = st('regPhoneFirst')
      return
    }
    try {
      await api('/api/auth/phone-code', { body: { phone } })
      this.codeNote = st('regCodeSent', { phone })
      this.#startCountdown()
      this.renderRoot.querySelector<HTMLInputElement>('#phoneCode')?.focus()
    } catch (err) {
      if (err instanceof ApiError && err.status === 429)
        this.codeError = st('regTooMany', { when: waitWords(err.retryAfterSeconds ?? 86_400) })
      else if (err instanceof ApiError && err.fields.length > 0) this.error = err
      else this.codeError = err instanceof Error ? err.message : String(err)
    }
  }

  #startCountdown(): void {
    this.countdown = resendSeconds
    clearInterval(this.#timer)
    this.#timer = setInterval(() => {
      this.countdown -= 1
      if (this.countdown <= 0) clearInterval(this.#timer)
    }, 1000)
  }

  async #submit(e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const f = new FormData(e.target as HTMLFormElement)
    const value = (k: string) => String(f.get(k) ?? '')
    const body =
      this.mode === 'quick'
        ? {
            mode: 'quick',
            phone: value('phone'),
            password: value('password'),
            ...(this.needsCode ? { phoneCode: value('phoneCode') } : {}),
          }
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
              ${fieldError(this.error, '/phone')}
              ${this.needsCode ? this.#codeField() : nothing}`
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

  #codeField() {
    return html`<label for="phoneCode">${st('regCode')}</label>
      <div class="code">
        <input id="phoneCode" name="phoneCode" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required />
        <button type="button" class="secondary" ?disabled=${this.countdown > 0} @click=${this.#getCode}>
          ${this.countdown > 0 ? st('regResend', { seconds: this.countdown }) : st('regGetCode')}
        </button>
      </div>
      ${this.codeNote ? html`<p class="muted" role="status">${this.codeNote}</p>` : nothing}
      ${this.codeError ? html`<p class="error" role="alert">${this.codeError}</p>` : nothing}
      ${fieldError(this.error, '/phoneCode')}`
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
      .code { display: grid; grid-template-columns: 1fr auto; gap: 8px; align-items: center; }
      .code button { white-space: nowrap; }
    `,
  ]
}
customElements.define('shulin-register', RegisterPage)
