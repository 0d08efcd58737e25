/**
 * @module pages/staff/live
 * Live lectures for staff: schedule one (title, Beijing-time start, speakers, the course its
 * replay joins, who may watch) — the answer's RTMP URL and stream key are shown this once, with
 * copy buttons, because the node keeps only the key's hash; the list of this node's lectures with
 * their state, a link to each watch page (where staff and moderators get the moderator view)
 * and "end the lecture" for those not ended; and the rooms' keyword filter
 * (`GET`/`PUT /api/staff/live/keywords`, one word a line). An account with only the `moderator`
 * role sees the list (to reach each room's moderator view) and the keyword filter, nothing else.
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import type { AccessPolicy, CourseList, CreateLiveRequest, LiveCreated, LiveList, LiveView } from '@shulin/protocol'
import { base } from '../../styles.js'
import { api, session } from '../../api.js'
import { lt, type LiveKey } from '../../i18n/live.js'
import { taskView } from '../../components/page-state.js'
import { fieldError, formError } from '../../components/form.js'
import { fromShanghaiInput, shanghaiTime, toShanghaiInput } from '../../components/live-time.js'
import { liveHref } from '../../links.js'

const names = (s: string) =>
  s
    .split(/[,，、;；]/)
    .map((x) => x.trim())
    .filter(Boolean)

const accessChoices: Array<[AccessPolicy, LiveKey]> = [
  ['public', 'staffLiveAccessPublic'],
  ['node-readers', 'staffLiveAccessReaders'],
  ['member-readers', 'staffLiveAccessMembers'],
]
const statusWords: Record<LiveView['status'], LiveKey> = {
  scheduled: 'liveUpcoming',
  live: 'liveNow',
  ended: 'liveEnded',
}

export class StaffLive extends LitElement {
  static override properties = {
    created: { state: true },
    createdTitle: { state: true },
    formErr: { state: true },
    note: { state: true },
    copied: { state: true },
    busy: { state: true },
    kwNote: { state: true },
    kwErr: { state: true },
    kwBusy: { state: true },
  }
  /** The last lecture scheduled: its key, shown until the page is left. */
  created: LiveCreated | undefined
  createdTitle = ''
  formErr: unknown
  note = ''
  copied = ''
  busy = false
  kwNote = ''
  kwErr: unknown
  kwBusy = false
  #relabel = () => this.requestUpdate()

  #lectures = new Task(this, { task: () => api<LiveList>('/api/live'), args: () => [] })
  #keywords = new Task(this, {
    task: () => api<{ keywords: string[] }>('/api/staff/live/keywords'),
    args: () => [],
  })
  #courses = new Task(this, {
    task: () =>
      // Scheduling is for staff only: a moderator's console never asks.
      !session.may('staff')
        ? Promise.resolve({ courses: [] } as unknown as CourseList)
        : api<CourseList>('/api/courses?status=published').catch(() => ({ courses: [] }) as unknown as CourseList),
    args: () => [],
  })

  override connectedCallback(): void {
    super.connectedCallback()
    window.addEventListener('locale-changed', this.#relabel)
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    window.removeEventListener('locale-changed', this.#relabel)
  }

  async #create(e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const form = e.target as HTMLFormElement
    const f = new FormData(form)
    const v = (k: string) => String(f.get(k) ?? '').trim()
    this.formErr = undefined
    this.note = ''
    this.created = undefined
    this.busy = true
    try {
      const body: Partial<CreateLiveRequest> = {
        title: v('title'),
        start: fromShanghaiInput(v('start')),
        speakers: names(v('speakers')).map((name) => ({ name })),
        access: v('access') as AccessPolicy,
        ...(v('description') ? { description: v('description') } : {}),
        ...(v('course') ? { course: v('course') } : {}),
      }
      this.created = await api<LiveCreated>('/api/staff/live', { body })
      this.createdTitle = body.title ?? ''
      form.reset()
      void this.#lectures.run()
    } catch (err) {
      this.formErr = err
    } finally {
      this.busy = false
    }
  }

  async #end(l: LiveView): Promise<void> {
    if (!confirm(lt('staffLiveEndConfirm', { title: l.title }))) return
    this.note = ''
    try {
      await api(`/api/staff/live/${encodeURIComponent(l.id)}/end`, { method: 'POST' })
      this.note = lt('staffLiveEndedNote', { title: l.title })
      void this.#lectures.run()
    } catch (err) {
      this.note = (err as Error).message
    }
  }

  async #saveKeywords(e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const text = String(new FormData(e.target as HTMLFormElement).get('keywords') ?? '')
    const keywords = [
      ...new Set(
        text
          .split('\n')
          .map((w) => w.trim())
          .filter(Boolean),
      ),
    ]
    this.kwErr = undefined
    this.kwNote = ''
    this.kwBusy = true
    try {
      const saved = await api<{ keywords: string[] }>('/api/staff/live/keywords', {
        method: 'PUT',
        body: { keywords },
      })
      void this.#keywords.run()
      this.kwNote = lt('staffLiveKeywordsSaved', { count: saved.keywords.length })
    } catch (err) {
      this.kwErr = err
    } finally {
      this.kwBusy = false
    }
  }

  #keywordForm(words: string[]) {
    return html`<form class="keywords" @submit=${this.#saveKeywords}>
      <h2 id="kw-h">${lt('staffLiveKeywords')}</h2>
      <label for="keywords" class="muted">${lt('staffLiveKeywordsHint')}</label>
      <textarea id="keywords" name="keywords" rows="6" .value=${words.join('\n')}></textarea>
      ${fieldError(this.kwErr, '/keywords')}
      <p><button type="submit" ?disabled=${this.kwBusy}>${lt('staffLiveKeywordsSave')}</button></p>
      ${this.kwNote ? html`<p role="status">${this.kwNote}</p>` : nothing}
      ${formError(this.kwErr)}
    </form>`
  }

  async #copy(what: string, text: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text)
      this.copied = what
    } catch {
      // No clipboard (plain http, an old browser): the field is selected for a manual copy.
      this.renderRoot.querySelector<HTMLInputElement>(`#${what}`)?.select()
    }
  }

  #createdBox(c: LiveCreated) {
    const field = (id: string, label: string, value: string) =>
      html`<label for=${id}>${label}</label>
        <div class="copy">
          <input id=${id} readonly .value=${value} @focus=${(e: FocusEvent) => (e.target as HTMLInputElement).select()} />
          <button type="button" class="secondary" @click=${() => void this.#copy(id, value)}>${this.copied === id ? lt('staffLiveCopied') : lt('staffLiveCopy')}</button>
        </div>`
    return html`<div class="created" role="status">
      <p>${lt('staffLiveCreated', { title: this.createdTitle })}</p>
      ${field('rtmp', lt('staffLiveRtmp'), c.rtmpUrl)} ${field('key', lt('staffLiveKey'), c.streamKey)}
      <p><a href=${liveHref(c.liveId)}>${lt('staffLiveOpen')}</a></p>
    </div>`
  }

  #form() {
    const err = this.formErr
    const courses = this.#courses.value?.courses ?? []
    const soon = toShanghaiInput(new Date(Date.now() + 3600_000))
    return html`<form @submit=${this.#create}>
      <h2>${lt('staffLiveNew')}</h2>
      <label for="title">${lt('staffLiveTitle')}</label>
      <input id="title" name="title" required maxlength="500" />
      ${fieldError(err, '/title')}
      <label for="start">${lt('staffLiveStart')}</label>
      <input id="start" name="start" type="datetime-local" required value=${soon} />
      ${fieldError(err, '/start')}
      <label for="speakers">${lt('staffLiveSpeakers')}</label>
      <input id="speakers" name="speakers" />
      <label for="course">${lt('staffLiveCourse')}</label>
      <select id="course" name="course">
        <option value="">${lt('staffLiveNoCourse')}</option>
        ${courses.map((c) => html`<option value=${c.id}>${c.title}</option>`)}
      </select>
      ${fieldError(err, '/course')}
      <label for="access">${lt('staffLiveAccess')}</label>
      <select id="access" name="access">
        ${accessChoices.map(([value, key]) => html`<option value=${value}>${lt(key)}</option>`)}
      </select>
      <label for="description">${lt('staffLiveDescription')}</label>
      <textarea id="description" name="description" rows="3"></textarea>
      <p><button type="submit" ?disabled=${this.busy}>${lt('staffLiveCreate')}</button></p>
      ${formError(err)}
    </form>`
  }

  #list(lectures: LiveView[]) {
    return html`<h2>${lt('staffLiveList')}</h2>
      ${this.note ? html`<p role="status">${this.note}</p>` : nothing}
      ${
        lectures.length
          ? html`<ul class="list">
            ${lectures.map(
              (l) => html`<li>
                <div>
                  <a href=${liveHref(l.id)}><strong>${l.title}</strong></a>
                  <span class="state ${l.status}">${lt(statusWords[l.status])}</span>
                  <p class="muted">${lt('liveStartsAt', { time: shanghaiTime(l.start) })} · ${lt('liveFrom', { name: l.origin.name })}</p>
                </div>
                ${l.status !== 'ended' && session.may('staff') ? html`<button class="secondary danger" @click=${() => void this.#end(l)}>${lt('staffLiveEnd')}</button>` : nothing}
              </li>`,
            )}
          </ul>`
          : html`<p class="muted">${lt('liveNone')}</p>`
      }`
  }

  override render() {
    const staff = session.may('staff')
    return html`${staff && this.created ? this.#createdBox(this.created) : nothing} ${staff ? this.#form() : nothing}
      <section>${taskView(this.#lectures, ({ lectures }) => this.#list(lectures))}</section>
      <section>${taskView(this.#keywords, ({ keywords }) => this.#keywordForm(keywords))}</section>`
  }

  static override styles = [
    base,
    css`
      :host { display: block; max-width: 760px; }
      h2 { font-size: 1.1rem; margin: 20px 0 8px; }
      form.keywords { margin-top: 20px; }
      form { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 4px 16px 12px; }
      .created { background: #f2f8f1; border: 1px solid #9cc49a; border-radius: var(--radius); padding: 12px 16px; margin-bottom: 12px; }
      .created p { margin: 4px 0; }
      .copy { display: flex; gap: 8px; }
      .copy input { flex: 1; min-width: 0; font-family: ui-monospace, monospace; }
      .list { list-style: none; padding: 0; margin: 0; }
      .list li { display: flex; gap: 12px; justify-content: space-between; align-items: center; padding: 10px 0; border-bottom: 1px solid var(--line); flex-wrap: wrap; }
      .list p { margin: 2px 0 0; }
      .state { margin-left: 8px; font-size: 0.85rem; padding: 1px 8px; border-radius: 4px; border: 1px solid var(--line); }
      .state.live { background: var(--accent); color: #fff; border-color: var(--accent); }
      .danger { color: var(--accent); border-color: var(--accent); }
    `,
  ]
}
customElements.define('shulin-staff-live', StaffLive)
