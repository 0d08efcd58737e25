/**
 * @module components/subscribe-button
 * `<shulin-subscribe course=… series=…>`: on a course page, the reader's subscription to the
 * course (and, when it belongs to one, to its series) as toggle buttons (`aria-pressed`); a
 * new lecture then puts a notice in the reader's inbox. `<shulin-subscribe topic=…>` does the
 * same for a topic (专题): new items in it bring one notice per batch. Signed out, a link to sign in and come
 * back. Types from protocol, the state from `GET /api/me/subscriptions/state`.
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import type { SubscriptionState, SubscriptionTarget } from '@shulin/protocol'
import { base } from '../styles.js'
import { api, session } from '../api.js'
import { it } from '../i18n/inbox.js'

const query = (target: SubscriptionTarget) =>
  'course' in target
    ? `course=${encodeURIComponent(target.course)}`
    : 'topic' in target
      ? `topic=${encodeURIComponent(target.topic)}`
      : `series=${encodeURIComponent(target.series)}`

export class SubscribeButton extends LitElement {
  static override properties = { course: {}, series: {}, topic: {}, busy: { state: true }, error: { state: true } }
  course = ''
  series = ''
  topic = ''
  busy = false
  error = ''

  #targets = (): SubscriptionTarget[] => [
    ...(this.course ? [{ course: this.course }] : []),
    ...(this.series ? [{ series: this.series }] : []),
    ...(this.topic ? [{ topic: this.topic }] : []),
  ]

  #state = new Task(this, {
    task: async ([, , signedIn]) =>
      signedIn
        ? Promise.all(
            this.#targets().map(
              async (t) => (await api<SubscriptionState>(`/api/me/subscriptions/state?${query(t)}`)).subscribed,
            ),
          )
        : [],
    args: () => [this.course, this.series, !!session.current, this.topic] as const,
  })

  override connectedCallback(): void {
    super.connectedCallback()
    window.addEventListener('session-changed', this.#refresh)
  }
  override disconnectedCallback(): void {
    window.removeEventListener('session-changed', this.#refresh)
    super.disconnectedCallback()
  }
  #refresh = () => this.requestUpdate()

  async #toggle(target: SubscriptionTarget, on: boolean): Promise<void> {
    this.busy = true
    this.error = ''
    try {
      if (on) await api(`/api/me/subscriptions?${query(target)}`, { method: 'DELETE' })
      else await api('/api/me/subscriptions', { body: target })
      await this.#state.run()
    } catch (err) {
      this.error = (err as Error).message
    } finally {
      this.busy = false
    }
  }

  override render() {
    if (!session.current) {
      const next = location.pathname + location.search
      return html`<a class="signin" href="/signin?next=${encodeURIComponent(next)}">${it('subscribeSignIn')}</a>`
    }
    const states = this.#state.value ?? []
    const targets = this.#targets()
    return html`<div class="row">
        ${targets.map((t, i) => {
          const on = states[i] ?? false
          const label =
            'course' in t
              ? it(on ? 'subscribed' : 'subscribe')
              : 'topic' in t
                ? it(on ? 'subscribedTopic' : 'subscribeTopic')
                : it(on ? 'subscribedSeries' : 'subscribeSeries', { series: t.series })
          return html`<button
            class=${on ? 'secondary' : ''}
            aria-pressed=${on ? 'true' : 'false'}
            ?disabled=${this.busy || states[i] === undefined}
            @click=${() => void this.#toggle(t, on)}
          >
            ${on ? '✓ ' : ''}${label}
          </button>`
        })}
      </div>
      <p class="hint">${it(this.topic && !this.course ? 'subscribeTopicHint' : 'subscribeHint')}</p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}`
  }

  static override styles = [
    base,
    css`
      :host { display: block; margin: 8px 0; }
      .row { display: flex; flex-wrap: wrap; gap: 8px; }
      button { white-space: nowrap; }
      .hint { color: var(--muted); font-size: 0.85rem; margin: 4px 0 0; }
    `,
  ]
}
customElements.define('shulin-subscribe', SubscribeButton)
