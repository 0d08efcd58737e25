/**
 * @module components/live-remind
 * `<shulin-live-remind live=…>`: "add to my reminders" for a live lecture that has not started
 * (`POST /api/live/:id/remind`; the node puts a notice in the reader's inbox before the start).
 * Signed out, a link to sign in and come back. Asking twice is harmless (the node keeps one
 * reminder per reader), so the button only says what was done; a failure is said in words.
 */
import { LitElement, css, html } from 'lit'
import { base } from '../styles.js'
import { api, session } from '../api.js'
import { lt } from '../i18n/live.js'
import { signInHref } from '../links.js'

export class LiveRemind extends LitElement {
  static override properties = { live: {}, done: { state: true }, busy: { state: true }, error: { state: true } }
  /** The live lecture's id. */
  live = ''
  done = false
  busy = false
  error = ''

  #refresh = () => this.requestUpdate()
  override connectedCallback(): void {
    super.connectedCallback()
    window.addEventListener('session-changed', this.#refresh)
    window.addEventListener('locale-changed', this.#refresh)
  }
  override disconnectedCallback(): void {
    window.removeEventListener('session-changed', this.#refresh)
    window.removeEventListener('locale-changed', this.#refresh)
    super.disconnectedCallback()
  }

  async #remind(): Promise<void> {
    this.busy = true
    this.error = ''
    try {
      await api(`/api/live/${encodeURIComponent(this.live)}/remind`, { method: 'POST' })
      this.done = true
    } catch (err) {
      this.error = (err as Error).message
    } finally {
      this.busy = false
    }
  }

  override render() {
    if (!session.current)
      return html`<a class="signin" href=${signInHref(location.pathname + location.search)}>${lt('liveRemindSignIn')}</a>`
    return html`<button class="secondary" aria-pressed=${this.done ? 'true' : 'false'} ?disabled=${this.busy || this.done} @click=${this.#remind}>
        ${this.done ? `✓ ${lt('liveReminded')}` : lt('liveRemind')}
      </button>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}`
  }

  static override styles = [
    base,
    css`
      :host { display: inline-block; }
      .signin { display: inline-block; min-height: 44px; line-height: 44px; }
      .error { margin: 8px 0 0; }
    `,
  ]
}
customElements.define('shulin-live-remind', LiveRemind)

declare global {
  interface HTMLElementTagNameMap {
    'shulin-live-remind': LiveRemind
  }
}
