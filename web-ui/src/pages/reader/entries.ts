/**
 * @module pages/reader/entries
 * Recitation entries: "my entries" (each with its status in words — processing, published,
 * failed with the reason — and its likes), and one entry's page (listen, like, the share link
 * to copy). While any of the reader's entries is still processing the list asks again every
 * few seconds, and stops when none is.
 */
import { LitElement, css, html, nothing } from 'lit'
import { initialState, Task } from '@lit/task'
import type { ActivityList, EntryList, EntryView } from '@shulin/protocol'
import { base } from '../../styles.js'
import { at } from '../../i18n/activities.js'
import { api, session } from '../../api.js'
import { navigate } from '../../router.js'
import { taskView } from '../../components/page-state.js'
import { formError } from '../../components/form.js'
import { activityHref, activityPaths, entryHref, entryStatusLabel, seconds, shanghaiTime } from '../../activities.js'
import '../../components/like-button.js'

const pollMs = 3000

class Relabelled extends LitElement {
  #relabel = () => this.requestUpdate()
  override connectedCallback(): void {
    super.connectedCallback()
    window.addEventListener('locale-changed', this.#relabel)
  }
  override disconnectedCallback(): void {
    super.disconnectedCallback()
    window.removeEventListener('locale-changed', this.#relabel)
  }
}

export class MyEntriesPage extends Relabelled {
  static override properties = { failed: { state: true } }
  /** The entry whose withdrawal failed, and why. */
  failed: { id: string; err: unknown } | undefined
  #poll: number | undefined
  #titles = new Map<string, string>()
  #data = new Task(this, {
    task: async () => {
      if (!session.current) return initialState
      const [r, list] = await Promise.all([
        api<EntryList>(activityPaths.myEntries),
        // The activities' titles, to name each entry's; the list shows without them.
        api<ActivityList>(activityPaths.list).catch(() => ({ activities: [] })),
      ])
      this.#titles = new Map(list.activities.map((a) => [a.id, a.title]))
      clearTimeout(this.#poll)
      if (r.entries.some((e) => e.status === 'processing'))
        this.#poll = window.setTimeout(() => void this.#data.run(), pollMs)
      return r
    },
    args: () => [],
  })

  override connectedCallback(): void {
    super.connectedCallback()
    if (!session.current) navigate('/signin?next=/me/entries', { replace: true })
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    clearTimeout(this.#poll)
  }

  /** Withdraws an entry after the reader confirms: it leaves the rankings, and its likes with it. */
  async #withdraw(e: EntryView): Promise<void> {
    if (!confirm(at('entryWithdrawConfirm', { title: e.title }))) return
    this.failed = undefined
    try {
      await api(activityPaths.entry(e.activity, e.id), { method: 'DELETE' })
      await this.#data.run()
    } catch (err) {
      this.failed = { id: e.id, err }
    }
  }

  override render() {
    return html`<h1>${at('myEntries')}</h1>
      ${taskView(this.#data, ({ entries }) =>
        entries.length
          ? html`<ul>
              ${entries.map(
                (e) => html`<li>
                  <a class="title" href=${entryHref(e.activity, e.id)}>${e.title}</a>
                  <span class="status ${e.status}">${entryStatusLabel(e.status)}${e.status === 'failed' && e.error ? `：${e.error}` : ''}</span>
                  <span class="muted">${shanghaiTime(e.createdAt)}${e.duration ? ` · ${at('entryDuration', { time: seconds(e.duration) })}` : ''} · ${at('likes', { count: e.likes })}</span>
                  <a class="muted" href=${activityHref(e.activity)}>${this.#titles.get(e.activity) ?? at('activities')}</a>
                  ${
                    e.status === 'withdrawn' || e.status === 'disqualified'
                      ? nothing
                      : html`<button class="secondary withdraw" aria-label=${at('entryWithdrawLabel', { title: e.title })} @click=${() => void this.#withdraw(e)}>${at('entryWithdraw')}</button>`
                  }
                  ${this.failed?.id === e.id ? formError(this.failed.err) : nothing}
                </li>`,
              )}
            </ul>`
          : html`<p class="muted">${at('myEntriesNone')} <a href="/activities">${at('activities')}</a></p>`,
      )}`
  }

  static override styles = [
    base,
    css`
      h1 { margin: 0 0 12px; font-size: 1.4rem; }
      ul { list-style: none; padding: 0; margin: 0; display: grid; gap: 10px; }
      li { display: grid; gap: 4px; padding: 12px; background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); }
      .title { font-weight: 700; font-size: 1.05rem; }
      .status { font-weight: 600; }
      .status.processing { color: var(--ink); }
      .status.ready { color: #1d6b3a; }
      .status.failed, .status.disqualified { color: var(--accent); }
      .muted { font-size: 0.9rem; }
      .withdraw { justify-self: start; margin-top: 4px; }
    `,
  ]
}
customElements.define('shulin-my-entries-page', MyEntriesPage)

export class EntryPage extends Relabelled {
  static override properties = { activityId: {}, entryId: {}, copied: { state: true } }
  activityId = ''
  entryId = ''
  copied = false

  #data = new Task(this, {
    task: ([a, e]) => api<EntryView>(activityPaths.entry(a, e)),
    args: () => [this.activityId, this.entryId] as const,
  })

  async #copy(url: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(url)
      this.copied = true
    } catch {
      // No clipboard (plain http, old browser): the link is shown selectable beside the button.
      this.renderRoot.querySelector<HTMLInputElement>('#share')?.select()
    }
  }

  override render() {
    return taskView(
      this.#data,
      (e) => {
        const share = new URL(e.share, location.origin).href
        return html`<a class="back" href=${activityHref(e.activity)}>‹ ${at('activities')}</a>
          <article>
            <h1>${e.title}</h1>
            <p class="muted">${at('entryBy', { name: e.author.name, library: e.author.library })} · ${shanghaiTime(e.createdAt)}</p>
            <p class="status ${e.status}">${entryStatusLabel(e.status)}${e.duration ? ` · ${at('entryDuration', { time: seconds(e.duration) })}` : ''}</p>
            ${e.audio ? html`<audio controls preload="metadata" src=${e.audio} aria-label=${e.title}></audio>` : html`<p class="muted">${at('entryNotReady')}</p>`}
            <shulin-like-button .activity=${e.activity} .entry=${e.id} .entryTitle=${e.title} .likes=${e.likes} .liked=${e.likedToday}></shulin-like-button>
            <label for="share">${at('entryShare')}</label>
            <span class="share">
              <input id="share" readonly .value=${share} @focus=${(ev: Event) => (ev.target as HTMLInputElement).select()} />
              <button class="secondary" @click=${() => void this.#copy(share)}>${this.copied ? at('entryCopied') : at('entryCopy')}</button>
            </span>
            ${this.copied ? html`<span class="visually-hidden" role="status">${at('entryCopied')}</span>` : nothing}
          </article>`
      },
      { stale: false },
    )
  }

  static override styles = [
    base,
    css`
      .back { display: inline-block; min-height: 44px; line-height: 44px; }
      article { display: grid; gap: 10px; }
      h1 { margin: 0; font-size: 1.4rem; }
      p { margin: 0; }
      audio { width: 100%; }
      .status.ready { color: #1d6b3a; }
      .status.failed { color: var(--accent); }
      .share { display: flex; gap: 8px; }
      .share button { flex: none; }
    `,
  ]
}
customElements.define('shulin-entry-page', EntryPage)
