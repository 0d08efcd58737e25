/**
 * @module pages/reader/live-list
 * Live lectures (公开课直播) on the portal: those live now first, then those coming up (soonest
 * first, each with its Beijing-time start, a countdown and "add to my reminders"), then those
 * ended (latest first, with the replay once the recording is a lecture). A countdown reaching
 * zero asks the node again, and so does the page every half minute, so a lecture that goes live
 * moves to the top without a reload.
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import type { LiveList, LiveView } from '@shulin/protocol'
import { base } from '../../styles.js'
import { api } from '../../api.js'
import { colon, lt } from '../../i18n/live.js'
import { taskView } from '../../components/page-state.js'
import { liveHref } from '../../links.js'
import { shanghaiTime } from '../../components/live-time.js'
import '../../components/live-time.js'
import '../../components/live-remind.js'

const refreshMs = 30_000

export const speakerNames = (l: Pick<LiveView, 'speakers'>): string => l.speakers.map((s) => s.name).join('、')

export class LiveListPage extends LitElement {
  #relabel = () => this.requestUpdate()
  #timer: number | undefined

  #data = new Task(this, { task: () => api<LiveList>('/api/live'), args: () => [] })

  override connectedCallback(): void {
    super.connectedCallback()
    window.addEventListener('locale-changed', this.#relabel)
    this.#timer = window.setInterval(() => void this.#data.run(), refreshMs)
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    window.removeEventListener('locale-changed', this.#relabel)
    clearInterval(this.#timer)
  }

  #card(l: LiveView) {
    const who = speakerNames(l)
    return html`<article class="card ${l.status}" aria-labelledby="t-${l.id}">
      <h3 id="t-${l.id}"><a href=${liveHref(l.id)}>${l.title}</a></h3>
      ${l.status === 'live' ? html`<span class="badge">${lt('liveNow')}</span>` : nothing}
      ${who ? html`<p>${lt('liveSpeakers')}${colon()}${who}</p>` : nothing}
      <p class="muted">
        ${l.status === 'live' && l.startedAt ? lt('liveStartedAt', { time: shanghaiTime(l.startedAt) }) : lt('liveStartsAt', { time: shanghaiTime(l.start) })}
        · ${lt('liveFrom', { name: l.origin.name })}
      </p>
      <div class="actions">
        ${
          l.status === 'scheduled'
            ? html`<shulin-countdown .to=${l.start} @elapsed=${() => void this.#data.run()}></shulin-countdown>
              <shulin-live-remind .live=${l.id}></shulin-live-remind>`
            : l.status === 'live'
              ? html`<a class="button" href=${liveHref(l.id)}>${lt('liveWatch')}</a>`
              : l.replay
                ? html`<a class="button secondary" href="/lectures/${encodeURIComponent(l.replay)}">${lt('liveReplay')}</a>`
                : html`<span class="muted">${lt('liveReplayPreparing')}</span>`
        }
      </div>
    </article>`
  }

  #section(id: string, title: string, items: LiveView[]) {
    if (!items.length) return nothing
    return html`<section aria-labelledby=${id}>
      <h2 id=${id}>${title}</h2>
      <ul class="grid">
        ${items.map((l) => html`<li>${this.#card(l)}</li>`)}
      </ul>
    </section>`
  }

  override render() {
    return taskView(this.#data, ({ lectures }) => {
      const by = (s: LiveView['status']) => lectures.filter((l) => l.status === s)
      const upcoming = by('scheduled').sort((a, b) => a.start.localeCompare(b.start))
      const ended = by('ended').sort((a, b) => (b.endedAt ?? b.start).localeCompare(a.endedAt ?? a.start))
      return html`<h1>${lt('liveTitle')}</h1>
        ${lectures.length ? nothing : html`<p class="muted">${lt('liveNone')}</p>`}
        ${this.#section('live-now', lt('liveNow'), by('live'))}
        ${this.#section('live-upcoming', lt('liveUpcoming'), upcoming)}
        ${this.#section('live-ended', lt('liveEnded'), ended)}`
    })
  }

  static override styles = [
    base,
    css`
      h1 { margin: 0 0 12px; font-size: 1.4rem; }
      h2 { font-size: 1.1rem; margin: 20px 0 8px; }
      ul { list-style: none; padding: 0; margin: 0; }
      .grid { display: grid; gap: 12px; grid-template-columns: 1fr; }
      @media (min-width: 800px) { .grid { grid-template-columns: 1fr 1fr; } }
      @media (min-width: 1200px) { .grid { grid-template-columns: 1fr 1fr 1fr; } }
      .card { display: grid; gap: 6px; padding: 14px; background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); height: 100%; }
      .card.live { border-color: var(--accent); border-width: 2px; }
      .card h3 { margin: 0; font-size: 1.05rem; }
      .card h3 a { text-decoration: none; }
      .card p { margin: 0; }
      .badge { justify-self: start; background: var(--accent); color: #fff; font-weight: 700; padding: 2px 10px; border-radius: 4px; font-size: 0.9rem; }
      .actions { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; margin-top: 4px; }
      shulin-countdown { font-variant-numeric: tabular-nums; font-weight: 600; color: var(--ink); }
      a.button { display: inline-grid; place-items: center; min-height: 44px; padding: 0 16px; border-radius: var(--radius); background: var(--ink); color: #fff; text-decoration: none; border: 1px solid var(--ink); }
      a.button.secondary { background: transparent; color: var(--ink); }
    `,
  ]
}
customElements.define('shulin-live-list', LiveListPage)
