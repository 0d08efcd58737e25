/**
 * @module components/live-remind
 * `<shulin-live-remind live=…>`: "add to my reminders" for a live lecture that has not started
 * (`POST /api/live/:id/remind`; the node puts a notice in the reader's inbox before the start).
 * Signed out, a link to sign in and come back. Signed in, it first asks the node whether this
 * reader is reminded already (`GET …/remind`), so after a reload it says "已设提醒" with a way to
 * cancel (`DELETE …/remind`). Asking twice is harmless (the node keeps one reminder per reader);
 * a failure is said in words.
 */
import { LitElement, css, html } from 'lit'
import { base } from '../styles.js'
import { api, session } from '../api.js'
import { lt } from '../i18n/live.js'
import { signInHref } from '../links.js'

interface RemindState {
  reminded: boolean
}

export class LiveRemind extends LitElement {
  static override properties = {
    live: {},
    done: { state: true },
    busy: { state: true },
    error: { state: true },
    note: { state: true },
  }
  /** The live lecture's id. */
  live = ''
  done = false
  busy = false
  error = ''
  /** What was just done ("已取消开播提醒"), for a screen reader too. */
  note = ''

  #refresh = () => {
    this.requestUpdate()
    void this.#load()
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('live')) void this.#load()
  }

  /** Whether this reader is reminded already (signed in only). */
  async #load(): Promise<void> {
    const id = this.live
    if (!id || !session.current) return
    try {
      const state = await api<RemindState>(`/api/live/${encodeURIComponent(id)}/remind`)
      if (id === this.live) this.done = state.reminded
    } catch {
      /* the button still works; the state is only a courtesy */
    }
  }

  async #cancel(): Promise<void> {
    this.busy = true
    this.error = ''
    try {
      await api(`/api/live/${encodeURIComponent(this.live)}/remind`, { method: 'DELETE' })
      this.done = false
      this.note = lt('liveRemindCancelled')
    } catch (err) {
      this.error = (err as Error).message
    } finally {
      this.busy = false
    }
  }
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
      this.note = ''
    } catch (err) {
      this.error = (err as Error).message
    } finally {
      this.busy = false
    }
  }

  override render() {
    if (!session.current)
      return html`<a class="signin" href=${signInHref(location.pathname + location.search)}>${lt('liveRemindSignIn')}</a>`
    const button = this.done
      ? html`<span class="done" role="status">✓ ${lt('liveReminded')}</span>
          <button class="secondary" ?disabled=${this.busy} @click=${this.#cancel}>${lt('liveRemindCancel')}</button>`
      : html`<button class="secondary" ?disabled=${this.busy} @click=${this.#remind}>${lt('liveRemind')}</button>`
    return html`<div class="row">${button}</div>
      ${this.note ? html`<p class="note" role="status">${this.note}</p>` : ''}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}`
  }

  static override styles = [
    base,
    css`
      :host { display: inline-block; }
      .signin { display: inline-block; min-height: 44px; line-height: 44px; }
      .error { margin: 8px 0 0; }
      .row { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; justify-content: center; }
      .done { font-weight: 600; }
      .note { margin: 8px 0 0; }
    `,
  ]
}
customElements.define('shulin-live-remind', LiveRemind)

declare global {
  interface HTMLElementTagNameMap {
    'shulin-live-remind': LiveRemind
  }
}
