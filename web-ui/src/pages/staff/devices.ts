/**
 * @module pages/staff/devices
 * Setting a screen up as a kiosk or a TV (modes/device-mode): the address to open once on the
 * device, with the kiosk's idle time and whether readers may sign in on it, and a button that
 * puts the device the console is open on into the mode. The mode lives on the device, not on
 * the node: nothing here is saved on the server.
 */
import { LitElement, css, html, nothing } from 'lit'
import { base } from '../../styles.js'
import { mt } from '../../i18n/modes.js'
import { deviceMode, entryUrl, kioskSettings } from '../../modes/device-mode.js'

export class StaffDevices extends LitElement {
  static override properties = { idle: { state: true }, signIn: { state: true } }
  idle = String(kioskSettings().idleSeconds)
  signIn = kioskSettings().signIn

  override connectedCallback(): void {
    super.connectedCallback()
    window.addEventListener('locale-changed', this.#relabel)
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    window.removeEventListener('locale-changed', this.#relabel)
  }

  readonly #relabel = () => this.requestUpdate()

  /** The idle seconds typed, or null while they are not a whole number from 3 to 3600. */
  get #idleSeconds(): number | null {
    const n = Number(this.idle)
    return /^\d+$/.test(this.idle.trim()) && n >= 3 && n <= 3600 ? n : null
  }

  override render() {
    const mode = deviceMode()
    const idle = this.#idleSeconds
    const kiosk = idle === null ? null : entryUrl('kiosk', { idleSeconds: idle, signIn: this.signIn })
    return html`
      <h2>${mt('devicesTitle')}</h2>
      <p class="muted">${mt('devicesIntro')}</p>
      <p>${mt('devicesCurrent', { mode: mode === 'kiosk' ? mt('devicesKiosk') : mode === 'tv' ? mt('devicesTv') : mt('devicesNone') })}
        ${mode ? html`<a href="/mode/off">${mt('devicesOff')}</a>` : nothing}</p>
      <section aria-labelledby="kiosk-h">
        <h3 id="kiosk-h">${mt('devicesKiosk')}</h3>
        <p class="muted">${mt('devicesKioskAbout')}</p>
        <label for="idle">${mt('devicesIdle')}</label>
        <input id="idle" inputmode="numeric" .value=${this.idle} aria-invalid=${idle === null ? 'true' : 'false'}
          aria-describedby=${idle === null ? 'idle-error' : nothing}
          @input=${(e: Event) => (this.idle = (e.target as HTMLInputElement).value)} />
        ${idle === null ? html`<p class="field-error" id="idle-error">${mt('devicesIdleError')}</p>` : nothing}
        <label class="check"><input type="checkbox" .checked=${this.signIn} @change=${(e: Event) => (this.signIn = (e.target as HTMLInputElement).checked)} />
          ${mt('devicesSignIn')}</label>
        ${kiosk ? this.#entry(kiosk, 'kiosk-h') : nothing}
      </section>
      <section aria-labelledby="tv-h">
        <h3 id="tv-h">${mt('devicesTv')}</h3>
        <p class="muted">${mt('devicesTvAbout')}</p>
        ${this.#entry(entryUrl('tv'), 'tv-h')}
      </section>
    `
  }

  /** `heading`: the section's heading, which tells the two same-worded links apart to a screen reader. */
  #entry(path: string, heading: string) {
    const url = location.origin + path
    return html`<p>${mt('devicesAddress')}：<code>${url}</code></p>
      <p><a class="button" href=${path} aria-describedby=${heading}>${mt('devicesThis')}</a></p>`
  }

  static override styles = [
    base,
    css`
      section { margin: 16px 0; padding: 16px; background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); }
      input#idle { max-width: 10em; }
      label.check { display: flex; gap: 8px; align-items: center; font-weight: 400; }
      label.check input { width: auto; min-height: 24px; }
      code { overflow-wrap: anywhere; }
      .button {
        display: inline-grid; place-items: center; min-height: 44px; padding: 0 16px; border-radius: var(--radius);
        background: var(--ink); color: #fff; text-decoration: none;
      }
    `,
  ]
}
customElements.define('shulin-staff-devices', StaffDevices)
