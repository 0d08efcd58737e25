/**
 * @module pages/staff/sms
 * The SMS settings (admins): provider and keys, sign name, the three templates, phone
 * verification at quick registration and the daily limits. The secret is write-only: the node
 * shows back only that one is saved and its last characters, and an empty field keeps it.
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import { base } from '../../styles.js'
import { st } from '../../i18n/sms.js'
import { api } from '../../api.js'
import { taskView } from '../../components/page-state.js'
import { fieldError, formError } from '../../components/form.js'

interface SmsView {
  provider: 'console' | 'aliyun' | 'tencent'
  keyId: string
  signName: string
  sdkAppId: string
  region: string
  endpoint: string
  templates: { reset: string; verify: string; notice: string }
  verifyPhoneAtRegistration: boolean
  limits: { perPhonePerDay: number; perAddressPerDay: number }
  secretSet: boolean
  secretHint: string
}

export class StaffSms extends LitElement {
  static override properties = { note: { state: true }, error: { state: true }, busy: { state: true } }
  note = ''
  error: unknown = null
  busy = false

  #data = new Task(this, { task: () => api<SmsView>('/api/staff/sms'), args: () => [] })

  async #save(e: SubmitEvent, was: SmsView): Promise<void> {
    e.preventDefault()
    const f = new FormData(e.target as HTMLFormElement)
    const v = (k: string) => String(f.get(k) ?? '').trim()
    const secret = String(f.get('secret') ?? '')
    const body = {
      provider: v('provider'),
      keyId: v('keyId'),
      ...(secret ? { secret } : {}),
      signName: v('signName'),
      sdkAppId: v('sdkAppId'),
      region: v('region') || 'ap-guangzhou',
      endpoint: was.endpoint,
      templates: { reset: v('reset'), verify: v('verify'), notice: v('notice') },
      verifyPhoneAtRegistration: f.get('verify-reg') === 'on',
      limits: { perPhonePerDay: Number(v('perPhone')), perAddressPerDay: Number(v('perAddress')) },
    }
    this.busy = true
    this.error = null
    this.note = ''
    try {
      await api<SmsView>('/api/staff/sms', { method: 'PUT', body })
      this.note = st('smsSaved')
      void this.#data.run()
    } catch (err) {
      this.error = err
    } finally {
      this.busy = false
    }
  }

  async #test(e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const phone = String(new FormData(e.target as HTMLFormElement).get('phone') ?? '').trim()
    try {
      const r = await api<{ result: string }>('/api/staff/sms/test', { method: 'POST', body: { phone } })
      this.note = st('smsTestSent', { result: r.result })
    } catch (err) {
      this.error = err
    }
  }

  override render() {
    return taskView(this.#data, (s) => this.#form(s))
  }

  #form(s: SmsView) {
    const input = (name: string, label: string, value: string, pointer = `/${name}`) => html`
      <label for="sms-${name}">${label}</label>
      <input id="sms-${name}" name=${name} .value=${value} autocomplete="off" />
      ${fieldError(this.error, pointer)}
    `
    return html`
      <section aria-labelledby="sms-h">
        <h2 id="sms-h">${st('smsTitle')}</h2>
        <p class="muted">${st('smsHint')}</p>
        <form @submit=${(e: SubmitEvent) => void this.#save(e, s)}>
          <label for="sms-provider">${st('smsProvider')}</label>
          <select id="sms-provider" name="provider">
            ${(['console', 'aliyun', 'tencent'] as const).map(
              (p) =>
                html`<option value=${p} ?selected=${s.provider === p}>
                  ${st(p === 'console' ? 'smsConsole' : p === 'aliyun' ? 'smsAliyun' : 'smsTencent')}
                </option>`,
            )}
          </select>
          ${input('keyId', st('smsKeyId'), s.keyId)}
          <label for="sms-secret">${st('smsSecret')}</label>
          <input id="sms-secret" name="secret" type="password" autocomplete="new-password" />
          ${s.secretSet ? html`<p class="muted">${st('smsSecretSet', { hint: s.secretHint })}</p>` : nothing}
          ${input('signName', st('smsSignName'), s.signName)} ${input('sdkAppId', st('smsSdkAppId'), s.sdkAppId)}
          ${input('region', st('smsRegion'), s.region)}
          ${input('reset', st('smsTplReset'), s.templates.reset, '/templates/reset')}
          ${input('verify', st('smsTplVerify'), s.templates.verify, '/templates/verify')}
          ${input('notice', st('smsTplNotice'), s.templates.notice, '/templates/notice')}
          <label class="check">
            <input type="checkbox" name="verify-reg" ?checked=${s.verifyPhoneAtRegistration} /> ${st('smsVerify')}
          </label>
          <label for="sms-perPhone">${st('smsPerPhone')}</label>
          <input id="sms-perPhone" name="perPhone" type="number" min="1" max="100" .value=${String(s.limits.perPhonePerDay)} />
          <label for="sms-perAddress">${st('smsPerAddress')}</label>
          <input
            id="sms-perAddress"
            name="perAddress"
            type="number"
            min="1"
            max="10000"
            .value=${String(s.limits.perAddressPerDay)}
          />
          <p><button type="submit" ?disabled=${this.busy}>${st('smsSave')}</button></p>
          ${formError(this.error)}
          <p role="status" class="muted">${this.note}</p>
        </form>
        <form class="test" @submit=${(e: SubmitEvent) => void this.#test(e)}>
          <label for="sms-test">${st('smsTest')}</label>
          <input id="sms-test" name="phone" inputmode="tel" autocomplete="off" />
          <button type="submit">${st('smsSend')}</button>
        </form>
      </section>
    `
  }

  static override styles = [
    base,
    css`
      select, input { display: block; width: 100%; max-width: 28rem; }
      label.check { display: flex; gap: 8px; align-items: center; margin: 12px 0; }
      label.check input { width: auto; }
      form.test { margin-top: 24px; }
    `,
  ]
}
customElements.define('shulin-staff-sms', StaffSms)
