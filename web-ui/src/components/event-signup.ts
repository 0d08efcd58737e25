/**
 * @module components/event-signup
 * Signing up for an event (讲座, 展览, 读书会): sign up, cancel, the place on the waiting list,
 * and once confirmed the check-in QR code (its module — and the `qrcode` library — loaded only
 * then). When the node cannot be reached the last code shown on this device is shown again:
 * the reader is often standing in a hall with no signal.
 */
import { LitElement, css, html, nothing } from 'lit'
import type { ActivityView, SignupView } from '@shulin/protocol'
import { base } from '../styles.js'
import { at } from '../i18n/activities.js'
import { api, ApiError, session } from '../api.js'
import { activityPaths, isOpen, savedCodeKey } from '../activities.js'
import { formError } from './form.js'

export class EventSignup extends LitElement {
  static override properties = {
    activity: { attribute: false },
    signup: { state: true },
    offlineCode: { state: true },
    busy: { state: true },
    error: { state: true },
    note: { state: true },
    qrReady: { state: true },
  }
  activity: ActivityView | undefined
  /** The reader's sign-up, null when none, undefined until known. */
  signup: SignupView | null | undefined
  offlineCode = ''
  busy = false
  error: unknown
  note = ''
  qrReady = false

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('activity') && this.activity) {
      if (session.current) void this.#load()
      // Offline the session cannot be asked for either: the code kept on this device is shown.
      else if (!navigator.onLine) this.offlineCode = localStorage.getItem(savedCodeKey(this.activity.id)) ?? ''
    }
    if (this.signup?.checkInCode && !this.qrReady) void import('./check-in-qr.js').then(() => (this.qrReady = true))
    if (this.offlineCode && !this.qrReady) void import('./check-in-qr.js').then(() => (this.qrReady = true))
  }

  async #load(): Promise<void> {
    const id = this.activity!.id
    try {
      this.signup = await api<SignupView>(activityPaths.signup(id))
      this.offlineCode = ''
      // A code no longer valid (cancelled, waiting) is not shown offline either.
      if (!this.signup.checkInCode) localStorage.removeItem(savedCodeKey(id))
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        this.signup = null
        localStorage.removeItem(savedCodeKey(id))
      } else if (err instanceof ApiError && err.status === 0) {
        this.offlineCode = localStorage.getItem(savedCodeKey(id)) ?? ''
        if (!this.offlineCode) this.error = err
      } else this.error = err
    }
  }

  async #showCode(): Promise<void> {
    await import('./check-in-qr.js')
    this.qrReady = true
    await this.updateComplete
    this.renderRoot.querySelector('shulin-check-in-qr')?.scrollIntoView({ block: 'center' })
  }

  async #act(method: 'POST' | 'DELETE'): Promise<void> {
    const id = this.activity!.id
    this.busy = true
    this.error = undefined
    this.note = ''
    try {
      if (method === 'POST') {
        this.signup = await api<SignupView>(activityPaths.signup(id), { method: 'POST' })
        // Show the code at once: on a phone it would be below the fold.
        void this.#showCode()
      } else {
        await api(activityPaths.signup(id), { method: 'DELETE' })
        this.signup = null
        localStorage.removeItem(savedCodeKey(id))
        this.note = at('signupCancelled')
      }
      this.dispatchEvent(new CustomEvent('signup-changed', { bubbles: true, composed: true }))
    } catch (err) {
      this.error = err
    } finally {
      this.busy = false
    }
  }

  #status(s: SignupView) {
    switch (s.status) {
      case 'waitlisted':
        return html`<p class="status waiting"><strong>${at('signupWaitlisted', { position: s.position ?? '?' })}</strong></p>
          <p class="muted">${at('signupWaitlistedHint')}</p>`
      case 'checked-in':
        return html`<p class="status ok"><strong>${at('signupCheckedIn')}</strong></p>`
      case 'confirmed':
        return html`<p class="status ok"><strong>${at('signupConfirmed')}</strong></p>`
      default:
        return nothing
    }
  }

  override render() {
    const a = this.activity
    if (!a) return nothing
    const s = this.signup
    const open = isOpen(a, 'signup')
    const active = s && s.status !== 'cancelled'
    return html`<section aria-labelledby="signup-h">
      <h2 id="signup-h">${at('signup')}</h2>
      ${a.capacity !== null && a.signups ? html`<p class="muted">${at('signupSeats', { confirmed: a.signups.confirmed, capacity: a.capacity, waitlisted: a.signups.waitlisted })}</p>` : nothing}
      ${
        this.offlineCode
          ? html`<p class="muted" role="status">${at('checkInOffline')}</p>
              ${this.qrReady ? html`<shulin-check-in-qr .activity=${a.id} .code=${this.offlineCode}></shulin-check-in-qr>` : nothing}`
          : !session.current
            ? html`<p><a href="/signin?next=${encodeURIComponent(location.pathname)}">${at('signupSignIn')}</a></p>`
            : html`
              ${active ? this.#status(s) : nothing}
              ${active && s.status === 'confirmed' && s.checkInCode && this.qrReady ? html`<shulin-check-in-qr .activity=${a.id} .code=${s.checkInCode}></shulin-check-in-qr>` : nothing}
              <p role="status" class="note">${this.note}</p>
              ${formError(this.error)}
              ${
                active
                  ? s.status !== 'checked-in'
                    ? html`<button class="secondary" ?disabled=${this.busy} @click=${() => void this.#act('DELETE')}>${at('signupCancel')}</button>`
                    : nothing
                  : open
                    ? html`<button ?disabled=${this.busy || s === undefined} @click=${() => void this.#act('POST')}>${at('signupNow')}</button>`
                    : html`<p class="muted">${at('signupClosed')}</p>`
              }`
      }
    </section>`
  }

  static override styles = [
    base,
    css`
      section { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 16px; display: grid; gap: 8px; }
      h2 { margin: 0; font-size: 1.15rem; }
      p { margin: 0; }
      .status { font-size: 1.1rem; }
      .status.ok { color: #1d6b3a; }
      .status.waiting { color: var(--ink); }
      .note:empty { display: none; }
      button { justify-self: start; }
    `,
  ]
}
customElements.define('shulin-event-signup', EventSignup)
