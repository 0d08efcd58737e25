/**
 * @module pages/staff/wechat-settings
 * The WeChat official account's settings (admins only): AppID, AppSecret, token, EncodingAESKey
 * and the welcome text, with the server URL to give WeChat's console. The secret, token and key
 * are write-only: the node says only whether each is set, and an empty field keeps it.
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import type { WechatSettingsUpdate, WechatSettingsView } from '@shulin/protocol'
import { base } from '../../styles.js'
import { api, session } from '../../api.js'
import { taskView } from '../../components/page-state.js'
import { fieldError, formError } from '../../components/form.js'
import { wt } from '../../i18n/wechat.js'

const secrets = [
  ['secret', 'wechatSecret', 'secretSet'],
  ['token', 'wechatToken', 'tokenSet'],
  ['aesKey', 'wechatAesKey', 'aesKeySet'],
] as const

export class StaffWechatSettings extends LitElement {
  static override properties = { note: { state: true }, error: { state: true }, busy: { state: true } }
  note = ''
  error: unknown = null
  busy = false

  #data = new Task(this, {
    task: () => api<WechatSettingsView>('/api/staff/wechat'),
    args: () => [],
  })

  async #save(e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const form = new FormData(e.target as HTMLFormElement)
    const value = (k: string) => String(form.get(k) ?? '').trim()
    const body: WechatSettingsUpdate = { appId: value('appId'), welcome: value('welcome'), template: value('template') }
    // A secret left empty stays as it is (the form never holds it).
    for (const [k] of secrets) if (value(k)) body[k] = value(k)
    this.busy = true
    this.error = null
    this.note = ''
    try {
      await api<WechatSettingsView>('/api/staff/wechat', { method: 'PUT', body })
      this.note = wt('wechatSaved')
      // The secrets leave the page once sent.
      for (const [k] of secrets) {
        const input = this.renderRoot.querySelector<HTMLInputElement>(`#wx-${k}`)
        if (input) input.value = ''
      }
      void this.#data.run()
    } catch (err) {
      this.error = err
    } finally {
      this.busy = false
    }
  }

  override render() {
    if (!session.current?.account.roles.includes('admin')) return nothing
    return taskView(this.#data, (s) => this.#form(s))
  }

  #form(s: WechatSettingsView) {
    return html`
      <section aria-labelledby="wechat-h">
        <h2 id="wechat-h">${wt('wechatSettings')}</h2>
        <p>${wt('wechatEndpoint')}：<code>${s.endpoint}</code></p>
        <form @submit=${(e: SubmitEvent) => void this.#save(e)} autocomplete="off">
          <label for="wx-appId">${wt('wechatAppId')}</label>
          <input id="wx-appId" name="appId" .value=${s.appId} placeholder="wx…" aria-describedby="err--appId" />
          ${fieldError(this.error, '/appId')}
          ${secrets.map(
            ([k, label, set]) => html`
              <label for="wx-${k}">${wt(label)}</label>
              <input id="wx-${k}" name=${k} type="password" aria-describedby="err--${k} wx-${k}-state" />
              <p class="muted" id="wx-${k}-state">
                ${s[set] ? wt('wechatSet') : wt('wechatNotSet')}
                ${k === 'token' && s.tokenSource === 'flag' ? html`（${wt('wechatFromFlag')}）` : nothing}
              </p>
              ${fieldError(this.error, `/${k}`)}
            `,
          )}
          <label for="wx-welcome">${wt('wechatWelcome')}</label>
          <textarea id="wx-welcome" name="welcome" rows="3" maxlength="600" .value=${s.welcome}></textarea>
          <label for="wx-template">${wt('wechatTemplate')}</label>
          <input id="wx-template" name="template" .value=${s.template} aria-describedby="err--template" />
          ${fieldError(this.error, '/template')}
          <p><button type="submit" ?disabled=${this.busy}>${wt('wechatSave')}</button></p>
          ${formError(this.error)}
          <p role="status" class="muted">${this.note}</p>
        </form>
      </section>
    `
  }

  static override styles = [
    base,
    css`
      code { word-break: break-all; }
      textarea { width: 100%; }
    `,
  ]
}
customElements.define('shulin-staff-wechat-settings', StaffWechatSettings)
