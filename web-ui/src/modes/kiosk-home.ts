/**
 * @module modes/kiosk-home
 * The kiosk's start: an on-screen keyboard of the pinyin initials (the node's search already
 * finds 春江花月夜 by `cjhyy`: search/text/pinyin), the hits as large cards, and, before any
 * letter, the new arrivals. A kiosk that goes back to its start after a while untouched
 * (`kiosk-reset`) clears its letters.
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import type { SearchResponse } from '@shulin/protocol'
import { base } from '../styles.js'
import { api } from '../api.js'
import { mt } from '../i18n/modes.js'
import { taskView } from '../components/page-state.js'
import { kioskSettings } from './device-mode.js'
import '../components/resource-card.js'

const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('')
/** A pause after a tap before asking the node: a reader tapping CJHYY asks once, not five times. */
const typingMs = 250

export class KioskHome extends LitElement {
  static override properties = { letters: { state: true }, asked: { state: true } }
  /** The letters tapped so far. */
  letters = ''
  /** The letters the results are for (they follow `letters` after a pause). */
  asked = ''
  #typing: ReturnType<typeof setTimeout> | undefined

  #results = new Task(this, {
    task: ([q], { signal }) =>
      api<SearchResponse>(
        q
          ? `/api/search?q=${encodeURIComponent(q)}&limit=12&facets=false`
          : '/api/search?sort=newest&limit=12&facets=false',
        { signal },
      ),
    args: () => [this.asked],
  })

  readonly #reset = () => {
    clearTimeout(this.#typing)
    this.letters = this.asked = ''
  }

  override connectedCallback(): void {
    super.connectedCallback()
    window.addEventListener('kiosk-reset', this.#reset)
    window.addEventListener('locale-changed', this.#relabel)
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    window.removeEventListener('kiosk-reset', this.#reset)
    window.removeEventListener('locale-changed', this.#relabel)
    clearTimeout(this.#typing)
  }

  readonly #relabel = () => this.requestUpdate()

  #type(next: string): void {
    this.letters = next
    clearTimeout(this.#typing)
    this.#typing = setTimeout(() => (this.asked = this.letters), typingMs)
  }

  override render() {
    return html`
      <h1>${mt('kioskTitle')}</h1>
      <p class="muted">${mt('kioskHint')}</p>
      <p class="query"><span class="label">${mt('kioskQuery')}</span><output aria-live="polite" aria-label=${mt('kioskQuery')}>${this.letters}</output></p>
      <div class="keys" role="group" aria-label=${mt('kioskKeyboard')}>
        ${letters.map((l) => html`<button class="key" @click=${() => this.#type(this.letters + l.toLowerCase())}>${l}</button>`)}
        <button class="key wide secondary" ?disabled=${!this.letters} @click=${() => this.#type(this.letters.slice(0, -1))}>⌫ ${mt('kioskDelete')}</button>
        <button class="key wide secondary" ?disabled=${!this.letters} @click=${() => this.#type('')}>${mt('kioskClear')}</button>
      </div>
      <section aria-labelledby="results">
        <h2 id="results">${this.asked ? mt('kioskResults') : mt('kioskNew')}</h2>
        ${taskView(this.#results, (r) =>
          r.hits.length
            ? html`${this.asked ? html`<p class="muted" role="status">${mt('kioskFound', { count: r.total })}</p>` : nothing}
                <ul class="grid">
                  ${r.hits.map((h) => html`<li><shulin-resource-card .hit=${h}></shulin-resource-card></li>`)}
                </ul>`
            : html`<p class="muted" role="status">${mt('kioskNoResults')}</p>`,
        )}
      </section>
      <p class="muted idle">${mt('kioskIdle', { seconds: kioskSettings().idleSeconds })}</p>
    `
  }

  static override styles = [
    base,
    css`
      :host { display: block; }
      h1 { margin: 8px 0; }
      ul { list-style: none; padding: 0; margin: 0; }
      .query { display: flex; align-items: center; gap: 12px; font-size: 1.4rem; }
      output {
        flex: 1; min-height: 56px; padding: 8px 16px; border: 2px solid var(--ink); border-radius: var(--radius);
        background: #fff; font-size: 1.8rem; letter-spacing: 0.2em; text-transform: uppercase;
      }
      .keys { display: grid; grid-template-columns: repeat(6, 1fr); gap: 8px; margin: 12px 0 24px; }
      .key { min-height: 64px; font-size: 1.6rem; padding: 0; }
      .key.wide { grid-column: span 2; font-size: 1.2rem; }
      .grid { display: grid; gap: 12px; grid-template-columns: 1fr 1fr; }
      .idle { font-size: 0.9rem; margin-top: 24px; }
    `,
  ]
}
customElements.define('shulin-kiosk-home', KioskHome)

/** What a kiosk without sign-in shows where the sign-in pages would be. */
export class KioskNoSignIn extends LitElement {
  override render() {
    return html`<p role="alert">${mt('noSignIn')}</p>
      <p><a href="/kiosk">${mt('modeHome')}</a></p>`
  }

  static override styles = [
    base,
    css`p[role='alert'] { font-size: 1.3rem; color: var(--ink); } a { display: inline-block; min-height: 44px; line-height: 44px; }`,
  ]
}
customElements.define('shulin-kiosk-no-sign-in', KioskNoSignIn)
