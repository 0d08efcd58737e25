/**
 * @module pages/reader/live-watch
 * One live lecture (`/live/:id`): before the start, the countdown and "add to my reminders";
 * while live, the course player in its live mode (`<shulin-player live>`: live edge, reconnecting,
 * never a dead box) with the comments (弹幕) flying over it, and the room beside it (below on a
 * phone); after the end, the replay's link once the recording is a lecture.
 *
 * The page follows the lecture's status two ways: the room's `status` message (at once), and
 * asking the node every few seconds while it waits for the start (a room can be slow to say, or
 * unreachable). The player's position goes to the room as a `ping` for the moderators' delay.
 */
import { LitElement, css, html, nothing } from 'lit'
import type { LiveStatus, LiveView, RoomComment } from '@shulin/protocol'
import { base } from '../../styles.js'
import { api } from '../../api.js'
import { colon, lt } from '../../i18n/live.js'
import { errorView, loadingView } from '../../components/page-state.js'
import { shanghaiTime } from '../../components/live-time.js'
import type { LiveRoom } from '../../components/live-room.js'
import type { ShulinDanmaku } from '../../components/danmaku.js'
import { speakerNames } from './live-list.js'
import '../../components/live-time.js'
import '../../components/live-remind.js'
import '../../components/live-room.js'
import '../../components/danmaku.js'
import '../../components/course-player.js'

/** How often the page asks while waiting for the start (or for a playlist once live). */
const waitPollMs = 5000
/**
 * How often it asks while live (and while the replay is being made): the room's `status` says
 * the end at once; this is for a room that cannot be reached.
 */
const livePollMs = 15_000

export class LiveWatchPage extends LitElement {
  static override properties = {
    liveId: {},
    view: { state: true },
    error: { state: true },
    danmaku: { state: true },
  }
  liveId = ''
  view: LiveView | undefined
  error: unknown
  /** Whether comments fly over the video (the reader may turn them off). */
  danmaku = true
  #poll: number | undefined
  #relabel = () => this.requestUpdate()

  override connectedCallback(): void {
    super.connectedCallback()
    window.addEventListener('locale-changed', this.#relabel)
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    window.removeEventListener('locale-changed', this.#relabel)
    clearTimeout(this.#poll)
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('liveId')) void this.#open()
  }

  async #open(): Promise<void> {
    this.error = undefined
    this.view = undefined
    await this.#refresh()
  }

  async #refresh(): Promise<void> {
    clearTimeout(this.#poll)
    const id = this.liveId
    try {
      const view = await api<LiveView>(`/api/live/${encodeURIComponent(id)}`)
      if (id !== this.liveId) return
      this.view = view
      this.dataset.status = view.status
    } catch (err) {
      if (!this.view) this.error = err
    }
    // Waiting for the start, for the playlist, for the end, or for the replay once ended.
    const v = this.view
    const every =
      !v || v.status === 'scheduled' || (v.status === 'live' && !v.hls)
        ? waitPollMs
        : v.status === 'live' || !v.replay
          ? livePollMs
          : 0
    if (every && this.isConnected && !this.error) this.#poll = window.setTimeout(() => void this.#refresh(), every)
  }

  #onStatus(e: CustomEvent<LiveStatus>): void {
    if (this.view && e.detail !== this.view.status) void this.#refresh()
  }

  #onComment(e: CustomEvent<RoomComment>): void {
    if (this.danmaku) this.renderRoot.querySelector<ShulinDanmaku>('shulin-danmaku')?.add(e.detail.text)
  }

  #onPosition(e: CustomEvent<{ at: number }>): void {
    this.renderRoot.querySelector<LiveRoom>('shulin-live-room')?.ping(e.detail.at)
  }

  #stage(v: LiveView) {
    if (v.status === 'live' && v.hls)
      return html`<shulin-player
        live
        lang=${document.documentElement.lang}
        .heading=${v.title}
        .src=${v.hls}
        .liveStartedAt=${v.startedAt ?? v.start}
        @live-position=${this.#onPosition}
      >${this.danmaku ? html`<shulin-danmaku slot="overlay"></shulin-danmaku>` : nothing}</shulin-player>
        <label class="toggle"><input type="checkbox" .checked=${this.danmaku} @change=${(e: Event) => (this.danmaku = (e.target as HTMLInputElement).checked)} /> ${lt('roomDanmaku')}</label>`
    if (v.status === 'live') return html`<div class="notice" role="status">${lt('liveStartingSoon')}</div>`
    if (v.status === 'scheduled')
      return html`<div class="notice waiting">
        <p class="when">${lt('liveStartsAt', { time: shanghaiTime(v.start) })}</p>
        <p class="count"><shulin-countdown .to=${v.start} @elapsed=${() => void this.#refresh()}></shulin-countdown></p>
        <p class="muted">${lt('liveWaiting')}</p>
        <shulin-live-remind .live=${v.id}></shulin-live-remind>
      </div>`
    return html`<div class="notice">
      <p>${lt('liveEndedNotice')}</p>
      ${
        v.replay
          ? html`<a class="button" href="/lectures/${encodeURIComponent(v.replay)}">${lt('liveReplay')}</a>`
          : html`<p class="muted">${lt('liveReplayPreparing')}</p>`
      }
    </div>`
  }

  override render() {
    if (this.error) return errorView(this.error, () => void this.#open())
    const v = this.view
    if (!v) return loadingView()
    const who = speakerNames(v)
    return html`<a class="back" href="/live">${lt('liveBack')}</a>
      <div class="layout">
        <div class="main">
          <h1>${v.status === 'live' ? html`<span class="badge">${lt('liveNow')}</span> ` : nothing}${v.title}</h1>
          <div class="stage">${this.#stage(v)}</div>
          <p class="muted">${who ? `${lt('liveSpeakers')}${colon()}${who} · ` : ''}${lt('liveFrom', { name: v.origin.name })}</p>
          ${v.course ? html`<p><a href="/courses/${encodeURIComponent(v.course)}">${lt('liveCourse')} ›</a></p>` : nothing}
          ${v.description ? html`<p class="description">${v.description}</p>` : nothing}
        </div>
        <shulin-live-room class="side" .room=${v.room} .status=${v.status} @room-status=${this.#onStatus} @room-comment=${this.#onComment}></shulin-live-room>
      </div>`
  }

  static override styles = [
    base,
    css`
      :host { display: block; }
      .back { display: inline-block; min-height: 44px; line-height: 44px; margin-top: -8px; }
      h1 { margin: 0 0 8px; font-size: 1.2rem; }
      .badge { background: var(--accent); color: #fff; font-size: 0.85rem; padding: 2px 8px; border-radius: 4px; vertical-align: middle; }
      /* Phone first: the video edge to edge under the header, the room below it. */
      .stage { margin: 0 -16px 8px; }
      .layout { display: grid; gap: 12px; }
      .main { min-width: 0; }
      @media (min-width: 1000px) {
        .stage { margin: 0 0 12px; }
        .layout { grid-template-columns: minmax(0, 1fr) 360px; align-items: start; }
        .side { position: sticky; top: 80px; }
      }
      .notice { margin: 0; padding: 24px 16px; background: #fff; border: 1px solid var(--line); border-radius: var(--radius); text-align: center; }
      .notice p { margin: 6px 0; }
      .when { font-weight: 600; }
      .count { font-size: 1.6rem; color: var(--ink); font-variant-numeric: tabular-nums; }
      .toggle { display: flex; gap: 8px; align-items: center; font-weight: 400; margin: 8px 16px; }
      .toggle input { width: auto; min-height: 0; }
      @media (min-width: 1000px) { .toggle { margin: 8px 0; } }
      .description { white-space: pre-line; line-height: 1.7; }
      a.button { display: inline-grid; place-items: center; min-height: 44px; padding: 0 16px; border-radius: var(--radius); background: var(--ink); color: #fff; text-decoration: none; }
    `,
  ]
}
customElements.define('shulin-live-watch', LiveWatchPage)
