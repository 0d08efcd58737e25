/**
 * @module components/live-time
 * Times of live lectures as readers read them: always Beijing time (Asia/Shanghai — a reader in
 * Urumqi and the hub in Beijing mean the same hour when a lecture is announced), and
 * `<shulin-countdown>`, the time left before a start, ticking each second.
 *
 * The countdown is a `timer` (not announced at every tick; a screen reader reads it when asked)
 * and fires `elapsed` once when it reaches zero, so the page can ask whether the lecture is live.
 */
import { LitElement, html } from 'lit'
import { locale } from '../i18n/index.js'
import { lt } from '../i18n/live.js'

export const liveTimeZone = 'Asia/Shanghai'

/** `12月3日 星期四 20:00` / `Thu, Dec 3, 20:00`, in Beijing time. */
export function shanghaiTime(iso: string, opts: { date?: boolean } = {}): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return new Intl.DateTimeFormat(locale(), {
    timeZone: liveTimeZone,
    ...(opts.date === false ? {} : { month: 'short', day: 'numeric', weekday: 'short' }),
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(d)
}

/** The value of a `datetime-local` input read as Beijing time → ISO 8601 with its offset. */
export function fromShanghaiInput(value: string): string {
  return `${value.length === 16 ? `${value}:00` : value}+08:00`
}

/** A `datetime-local` value for an instant, in Beijing time (`2026-12-03T20:00`). */
export function toShanghaiInput(at: Date): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: liveTimeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  )
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour === '24' ? '00' : parts.hour}:${parts.minute}`
}

/** `1:02:03`, or `2 天 1:02:03` past a day. */
export function countdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000))
  const d = Math.floor(s / 86_400)
  const h = Math.floor((s % 86_400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  const hms = `${h}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`
  return d ? lt('liveCountdownDays', { d, hms }) : hms
}

export class ShulinCountdown extends LitElement {
  static override properties = { to: {}, now: { state: true } }
  /** The instant counted down to (ISO). */
  to = ''
  now = Date.now()
  #tick: number | undefined
  #fired = false

  override connectedCallback(): void {
    super.connectedCallback()
    this.#tick = window.setInterval(() => (this.now = Date.now()), 1000)
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    clearInterval(this.#tick)
  }

  override updated(): void {
    if (!this.#fired && Date.parse(this.to) <= this.now) {
      this.#fired = true
      this.dispatchEvent(new CustomEvent('elapsed', { bubbles: true, composed: true }))
    }
  }

  override render() {
    const left = Date.parse(this.to) - this.now
    return html`<span role="timer">${left > 0 ? lt('liveCountdown', { time: countdown(left) }) : lt('liveStartingSoon')}</span>`
  }
}
customElements.define('shulin-countdown', ShulinCountdown)

declare global {
  interface HTMLElementTagNameMap {
    'shulin-countdown': ShulinCountdown
  }
}
