/**
 * @module modes/mode-shell
 * The frame of the kiosk and the TV around the app's pages: the library's name, 返回 and 首页 as
 * large targets, the language switch (visitors to the experience zone read English too), no tab bar and (on a kiosk, unless its staff allowed it) no sign-in. The page
 * inside is drawn larger (CSS zoom) — a portrait 1080×1920 kiosk at 1.4, so every 44 px target
 * is 62 px under a finger, and a 1920×1080 TV at 1.5, the desktop layout read from the sofa.
 * On a TV the focus lands on the page's first control after every move, and is drawn thick.
 */
import { LitElement, css, html, nothing } from 'lit'
import { base } from '../styles.js'
import { locale, setLocale, t } from '../i18n/index.js'
import { session } from '../api.js'
import { mt } from '../i18n/modes.js'
import { switchLabel } from '../components/language-switch.js'
import { deviceMode, modeHome, type DeviceMode } from './device-mode.js'
import { deepActive, focusFirst } from './spatial-nav.js'

export class ModeShell extends LitElement {
  static override properties = {
    mode: { reflect: true },
    libraryName: {},
    signIn: { type: Boolean },
    atHome: { state: true },
  }
  mode: DeviceMode = 'kiosk'
  libraryName = ''
  signIn = false
  atHome = true
  #focusTimer: ReturnType<typeof setTimeout> | undefined

  readonly #onRoute = () => {
    this.atHome = ['/', '/kiosk', '/tv'].includes(location.pathname)
    // From the device, not `this.mode`: an element upgraded after its module loaded lazily gets
    // its properties only at its first update, after this first call.
    if (deviceMode() === 'tv') this.#focusPage()
  }

  /** The app put the new page in: focus it (the first try, at the address change, found the old page's link still there). */
  readonly #onShown = () => {
    if (deviceMode() === 'tv') this.#focusPage()
  }

  override connectedCallback(): void {
    super.connectedCallback()
    window.addEventListener('route-changed', this.#onRoute)
    window.addEventListener('page-shown', this.#onShown)
    window.addEventListener('locale-changed', this.#relabel)
    window.addEventListener('session-changed', this.#relabel)
    this.#onRoute()
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    window.removeEventListener('route-changed', this.#onRoute)
    window.removeEventListener('page-shown', this.#onShown)
    window.removeEventListener('locale-changed', this.#relabel)
    window.removeEventListener('session-changed', this.#relabel)
    clearTimeout(this.#focusTimer)
  }

  readonly #relabel = () => this.requestUpdate()

  /**
   * Puts the focus on the new page's first control once it has one (pages load their data
   * first), so a remote always has something to move from; gives up after five seconds.
   */
  #focusPage(): void {
    clearTimeout(this.#focusTimer)
    const until = Date.now() + 5000
    const tryFocus = () => {
      const active = deepActive()
      const onPage = (el: Element) => el.getRootNode() !== this.shadowRoot
      if (active?.isConnected && onPage(active)) return
      if (focusFirst(onPage) || Date.now() > until) return
      this.#focusTimer = setTimeout(tryFocus, 100)
    }
    this.#focusTimer = setTimeout(tryFocus, 50)
  }

  override render() {
    const home = modeHome(this.mode)
    return html`
      <header>
        <nav aria-label=${mt('modeNav')}>
          ${this.atHome ? nothing : html`<button class="back" @click=${() => history.back()}>‹ ${mt('modeBack')}</button>`}
          <a class="home" href=${home}>${mt('modeHome')}</a>
        </nav>
        <span class="name">${this.libraryName}</span>
        <button class="home lang" @click=${() => setLocale(locale() === 'zh-CN' ? 'en' : 'zh-CN')}>${switchLabel(locale() === 'zh-CN' ? 'en' : 'zh-CN')}</button>
        ${this.signIn && !session.current ? html`<a class="home" href="/signin">${t('signIn')}</a>` : nothing}
      </header>
      <main id="main" tabindex="-1"><slot></slot></main>
    `
  }

  static override styles = [
    base,
    css`
      :host { display: block; min-height: 100vh; background: var(--paper); }
      :host([mode='tv']) { --focus-width: 6px; }
      header {
        display: flex; align-items: center; gap: 16px; padding: 16px 24px; background: var(--ink); color: #fff;
        position: sticky; top: 0; z-index: 5;
      }
      nav { display: flex; gap: 12px; }
      .name { font-size: 2rem; font-weight: 700; letter-spacing: 0.1em; flex: 1; text-align: end; }
      .back, .home {
        min-height: 72px; min-width: 120px; padding: 0 24px; font-size: 1.6rem; display: inline-grid; place-items: center;
        border: 2px solid #fff; border-radius: var(--radius); background: transparent; color: #fff; text-decoration: none;
      }
      header :focus-visible { outline: var(--focus-width, 3px) solid #ffd166; outline-offset: 3px; }
      main { padding: 16px 24px; outline: none; }
      :host([mode='kiosk']) main { zoom: 1.4; }
      :host([mode='tv']) main { zoom: 1.5; max-width: 1280px; margin: 0 auto; }
    `,
  ]
}
customElements.define('shulin-mode-shell', ModeShell)
