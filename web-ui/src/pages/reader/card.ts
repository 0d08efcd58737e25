/**
 * @module pages/reader/card
 * `/me/card`: the electronic reader card (电子读者证) — the card number as a Code 128 barcode
 * (npm `jsbarcode`) and as a QR code (npm `qrcode`), both drawn as SVG on the phone (sharp at
 * any size, nothing to fetch), a hint to turn the screen bright, and the screen kept awake while
 * it shows (Screen Wake Lock, where the browser has it). Opened from WeChat's menu through
 * `/wechat/oauth/start`, which signs a bound reader in first.
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import { unsafeSVG } from 'lit/directives/unsafe-svg.js'
import JsBarcode from 'jsbarcode'
import QRCode from 'qrcode'
import type { MeResponse, WechatBinding } from '@shulin/protocol'
import { base } from '../../styles.js'
import { api, session } from '../../api.js'
import { navigate } from '../../router.js'
import { taskView } from '../../components/page-state.js'
import { wt } from '../../i18n/wechat.js'

const inWechat = () => /MicroMessenger/i.test(navigator.userAgent)

export class CardPage extends LitElement {
  static override properties = { qr: { state: true } }
  qr = ''
  #wakeLock: { release(): Promise<void> } | undefined
  #data = new Task(this, {
    task: async () => {
      const [me, wechat] = await Promise.all([
        api<MeResponse>('/api/me'),
        api<WechatBinding>('/api/me/wechat').catch(() => ({ bound: false })),
      ])
      const cardNo = me.account.cardNo
      if (cardNo) this.qr = await QRCode.toString(cardNo, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
      return { me, wechat }
    },
    args: () => [],
  })

  override connectedCallback(): void {
    super.connectedCallback()
    if (session.known && !session.current) navigate('/signin?next=/me/card', { replace: true })
    // A scanner at the desk needs a screen that stays on.
    const wl = (navigator as { wakeLock?: { request(t: 'screen'): Promise<{ release(): Promise<void> }> } }).wakeLock
    wl?.request('screen')
      .then((l) => (this.#wakeLock = l))
      .catch(() => undefined)
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    void this.#wakeLock?.release().catch(() => undefined)
  }

  override updated(): void {
    const svg = this.renderRoot.querySelector<SVGSVGElement>('svg.barcode')
    const cardNo = svg?.dataset.value
    if (svg && cardNo && svg.dataset.drawn !== cardNo) {
      JsBarcode(svg, cardNo, { format: 'CODE128', displayValue: true, height: 80, margin: 12, fontSize: 18 })
      svg.dataset.drawn = cardNo
    }
  }

  override render() {
    return taskView(this.#data, ({ me, wechat }) => {
      const cardNo = me.account.cardNo
      return html`<h1>${wt('card')}</h1>
        <section class="card">
          <p class="name">${me.account.name ?? me.account.username ?? ''}</p>
          ${
            cardNo
              ? html`<svg class="barcode" role="img" aria-label=${wt('cardBarcode')} data-value=${cardNo}></svg>
                  <div class="qr" role="img" aria-label=${wt('cardQr')}>${this.qr ? unsafeSVG(this.qr) : nothing}</div>
                  <p class="no">${wt('cardNo')}：<strong>${cardNo}</strong></p>`
              : html`<p>${wt('cardNone')}</p>`
          }
        </section>
        <p class="hint" role="note">☀ ${wt('cardBrightness')}</p>
        ${
          wechat.bound
            ? html`<p class="muted">${wt('cardWechatBound')}</p>`
            : inWechat()
              ? html`<a class="button" href="/wechat/oauth/start?next=/me/card">${wt('cardBindWechat')}</a>`
              : nothing
        }`
    })
  }

  static override styles = [
    base,
    css`
      :host { display: block; max-width: 480px; margin: 0 auto; }
      h1 { color: var(--ink); margin: 0 0 12px; }
      /* White all round: scanners need the quiet zone and the contrast, whatever the theme. */
      .card { background: #fff; color: #000; border: 1px solid var(--line); border-radius: var(--radius); padding: 16px; display: grid; justify-items: center; gap: 12px; }
      .name { margin: 0; font-size: 1.2rem; font-weight: 700; }
      .barcode { width: 100%; max-width: 420px; height: auto; }
      .qr { width: min(60vw, 220px); aspect-ratio: 1; }
      .qr svg { width: 100%; height: 100%; display: block; }
      .no { margin: 0; font-size: 1rem; }
      .hint { color: var(--muted); text-align: center; }
      .muted { color: var(--muted); text-align: center; }
      .button { display: block; text-align: center; padding: 12px; min-height: 44px; }
    `,
  ]
}
customElements.define('shulin-card-page', CardPage)
