/**
 * @module pages/reader/notify-settings
 * `/me/notify`: how a reader is told besides the inbox — browser push (subscribing this browser
 * with the node's VAPID key), SMS, WeChat — and quiet hours on Beijing time. Channels the node
 * does not offer are shown, disabled, so a reader knows they exist.
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import type { ChannelName, NotifyPrefs, NotifySettings, PushKey } from '@shulin/protocol'
import { base } from '../../styles.js'
import { api, session } from '../../api.js'
import { navigate } from '../../router.js'
import { taskView } from '../../components/page-state.js'
import { it } from '../../i18n/inbox.js'

const channelWords: Record<ChannelName, Parameters<typeof it>[0]> = {
  push: 'notifyPush',
  sms: 'notifySms',
  wechat: 'notifyWechat',
}

export class NotifySettingsPage extends LitElement {
  static override properties = { prefs: { state: true }, message: { state: true }, pushCount: { state: true } }
  prefs: NotifyPrefs | null = null
  message = ''
  pushCount = 0
  #data = new Task(this, {
    task: async () => {
      const s = await api<NotifySettings>('/api/me/notify')
      this.prefs = s.prefs
      this.pushCount = s.pushSubscriptions
      return s
    },
    args: () => [],
  })

  override connectedCallback(): void {
    super.connectedCallback()
    if (session.known && !session.current) navigate('/signin?next=/me/notify', { replace: true })
  }

  /** Subscribes this browser through its push service, then gives the node the subscription. */
  async #pushHere(): Promise<void> {
    this.message = ''
    try {
      if (!('serviceWorker' in navigator) || !('PushManager' in window)) throw new Error('PushManager')
      if ((await Notification.requestPermission()) !== 'granted') {
        this.message = it('notifyPushDenied')
        return
      }
      const { publicKey } = await api<PushKey>('/api/push/key')
      const reg = await navigator.serviceWorker.ready
      const sub =
        (await reg.pushManager.getSubscription()) ??
        (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: fromBase64Url(publicKey) }))
      const s = await api<NotifySettings>('/api/me/push', { body: sub.toJSON() })
      this.pushCount = s.pushSubscriptions
      if (this.prefs && !this.prefs.channels.push)
        await this.#save({ ...this.prefs, channels: { ...this.prefs.channels, push: true } })
    } catch (err) {
      this.message = it('notifyPushFailed', { reason: err instanceof Error ? err.message : String(err) })
    }
  }

  async #save(prefs: NotifyPrefs): Promise<void> {
    const s = await api<NotifySettings>('/api/me/notify', { method: 'PUT', body: prefs })
    this.prefs = s.prefs
    this.message = it('notifySaved')
  }

  #form(e: Event): void {
    e.preventDefault()
    const f = new FormData(e.target as HTMLFormElement)
    const quiet = f.get('quiet') === 'on'
    void this.#save({
      channels: { push: f.get('push') === 'on', sms: f.get('sms') === 'on', wechat: f.get('wechat') === 'on' },
      quietHours: quiet ? { from: String(f.get('from') || '22:00'), to: String(f.get('to') || '07:00') } : null,
    }).catch((err: unknown) => (this.message = err instanceof Error ? err.message : String(err)))
  }

  override render() {
    return taskView(this.#data, (s) => {
      const prefs = this.prefs ?? s.prefs
      return html`<h1>${it('notifySettings')}</h1>
        <p>${it('notifyIntro')}</p>
        <form @submit=${(e: Event) => this.#form(e)}>
          <fieldset>
            ${(['push', 'sms', 'wechat'] as const).map((ch) => {
              const offered = s.available.includes(ch)
              return html`<label class="row">
                <input type="checkbox" name=${ch} ?checked=${offered && prefs.channels[ch]} ?disabled=${!offered} />
                <span>${it(channelWords[ch])}${offered ? nothing : html` <small>（${it('notifyUnavailable')}）</small>`}</span>
              </label>`
            })}
            ${
              s.available.includes('push')
                ? html`<p class="push">
                  ${this.pushCount ? html`<span>${it('notifyPushOn', { n: this.pushCount })}</span>` : nothing}
                  <button type="button" class="secondary" @click=${() => void this.#pushHere()}>${it('notifyPushHere')}</button>
                </p>`
                : nothing
            }
          </fieldset>
          <fieldset>
            <label class="row"><input type="checkbox" name="quiet" ?checked=${prefs.quietHours !== null} /> <span>${it('notifyQuiet')}</span></label>
            <div class="times">
              <label>${it('notifyQuietFrom')} <input type="time" name="from" .value=${prefs.quietHours?.from ?? '22:00'} /></label>
              <label>${it('notifyQuietTo')} <input type="time" name="to" .value=${prefs.quietHours?.to ?? '07:00'} /></label>
            </div>
            <p class="hint">${it('notifyQuietHint')}</p>
          </fieldset>
          <button type="submit">${it('notifySave')}</button>
          <p role="status" class="message">${this.message}</p>
        </form>`
    })
  }

  static override styles = [
    base,
    css`
      :host { display: block; max-width: 560px; }
      h1 { color: var(--ink); margin: 0 0 8px; }
      fieldset { border: 1px solid var(--line); border-radius: 8px; margin: 12px 0; padding: 8px 12px; display: grid; gap: 4px; }
      .row { display: flex; gap: 10px; align-items: center; min-height: 44px; }
      .row input { width: 22px; height: 22px; }
      small, .hint { color: var(--muted); font-size: 0.85rem; }
      .push { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 4px 0; }
      .times { display: flex; gap: 12px; flex-wrap: wrap; }
      .times input { min-height: 40px; }
      button { min-height: 44px; }
      .message { min-height: 1.5em; }
    `,
  ]
}
customElements.define('shulin-notify-settings', NotifySettingsPage)

/** The VAPID key as `applicationServerKey` wants it (bytes). */
function fromBase64Url(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'))
  const out = new Uint8Array(new ArrayBuffer(bin.length))
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}
