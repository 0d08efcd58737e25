/**
 * @module pages/reader/sign-in
 * Sign-in as the library's platform has it: card number, phone, username or resident ID
 * with a password, "keep me signed in for two weeks", and the ways to register or reset.
 */
import { LitElement, css, html } from 'lit'
import type { LoginResponse } from '@shulin/protocol'
import { base } from '../../styles.js'
import { t } from '../../i18n/index.js'
import { api, session } from '../../api.js'
import { navigate } from '../../router.js'
import { fieldError, formError } from '../../components/form.js'
import '../../components/home-picker.js'
import '../../components/external-sign-in.js'

export class SignInPage extends LitElement {
  static override properties = { next: {}, reset: { type: Boolean }, error: { state: true }, busy: { state: true } }
  reset = false
  next = '/'
  error: unknown
  busy = false

  // `autofocus` inside a shadow root is not honoured on client-side navigation.
  override firstUpdated(): void {
    this.renderRoot.querySelector<HTMLInputElement>('#identifier')?.focus()
  }

  async #submit(e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const form = new FormData(e.target as HTMLFormElement)
    this.busy = true
    this.error = undefined
    try {
      const res = await api<LoginResponse>('/api/auth/login', {
        body: {
          identifier: String(form.get('identifier') ?? ''),
          password: String(form.get('password') ?? ''),
          remember: form.get('remember') === 'on',
        },
      })
      session.set(res)
      const next = this.next.startsWith('/') && !this.next.startsWith('//') ? this.next : '/'
      // Another library asked for this sign-in: its authorize step is the server's, not a page here.
      if (next.startsWith('/oidc/') || next.startsWith('/wechat/')) location.assign(next)
      else navigate(next, { replace: true })
    } catch (err) {
      this.error = err
    } finally {
      this.busy = false
    }
  }

  override render() {
    return html`
      <h1>${t('signIn')}</h1>
      ${this.reset ? html`<p role="status">${t('passwordReset')}</p>` : ''}
      ${new URLSearchParams(location.search).get('elsewhere') === 'failed' ? html`<p class="error" role="alert">${t('signInElsewhereFailed')}</p>` : ''}
      <form @submit=${this.#submit} novalidate>
        <label for="identifier">${t('identifier')}</label>
        <input id="identifier" name="identifier" autocomplete="username" required autofocus />
        ${fieldError(this.error, '/identifier')}
        <label for="password">${t('password')}</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        ${fieldError(this.error, '/password')}
        <label class="check"><input type="checkbox" name="remember" /> ${t('rememberMe')}</label>
        ${formError(this.error)}
        <button type="submit" ?disabled=${this.busy}>${t('signIn')}</button>
      </form>
      <p><a href="/forgot">${t('forgotPassword')}</a></p>
      <p>${t('noAccount')} <a href="/register">${t('register')}</a></p>
      <shulin-external-sign-in .next=${this.next.startsWith('/') && !this.next.startsWith('//') && !this.next.startsWith('/oidc/') ? this.next : '/'}></shulin-external-sign-in>
      <shulin-home-picker .next=${this.next.startsWith('/') && !this.next.startsWith('//') && !this.next.startsWith('/oidc/') ? this.next : '/'}></shulin-home-picker>
    `
  }

  static override styles = [
    base,
    css`
      :host { display: block; max-width: 420px; margin: 0 auto; }
      form { display: grid; }
      .check { display: flex; gap: 8px; align-items: center; font-weight: 400; }
      .check input { width: 24px; min-height: 24px; }
      button[type='submit'] { margin-top: 16px; }
    `,
  ]
}
customElements.define('shulin-sign-in', SignInPage)
