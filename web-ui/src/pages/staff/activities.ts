/**
 * @module pages/staff/activities
 * Creating a reading activity: a recitation (texts picked from a catalogue search, the longest
 * recording, entries per reader, the weights of judges' scores against likes, what to do with
 * likes from brand-new accounts) or an event (讲座, 展览, 读书会: place and seats), each with its
 * phases typed in Beijing time whatever the desk computer's clock zone, then publishing it and
 * uploading each text's model reading (范读; the node checks and normalises it like an entry).
 */
import { LitElement, css, html, nothing } from 'lit'
import type { ActivityKind, CreateActivityRequest, PhaseName, SearchResponse } from '@shulin/protocol'
import { base } from '../../styles.js'
import { at } from '../../i18n/activities.js'
import { api, postForm } from '../../api.js'
import { activityHref, activityPaths, phaseLabel, phaseOrder } from '../../activities.js'
import { fieldError, formError } from '../../components/form.js'

/** The phases each kind uses. */
const kindPhases: Record<ActivityKind, PhaseName[]> = {
  recitation: ['submission', 'voting', 'judging', 'results'],
  event: ['signup'],
}

/** `2026-12-03T20:00` typed in a datetime-local box, read as Beijing time. */
export const beijing = (local: string): string => new Date(`${local}:00+08:00`).toISOString()

type Draft = Partial<Record<PhaseName, { from: string; to: string }>>

export class StaffActivities extends LitElement {
  #relabel = () => this.requestUpdate()
  static override properties = {
    kind: { state: true },
    phases: { state: true },
    texts: { state: true },
    hits: { state: true },
    judges: { state: true },
    error: { state: true },
    created: { state: true },
    published: { state: true },
    models: { state: true },
  }
  kind: ActivityKind = 'recitation'
  phases: Draft = {}
  texts: Array<{ resource: string; title: string }> = []
  hits: SearchResponse['hits'] = []
  /** Judges' weight in percent; likes get the rest. */
  judges = 70
  error: unknown
  created: { id: string; title: string; texts: Array<{ resource: string; title: string }> } | undefined
  published = false
  /** Each text's model reading: uploading (a fraction), uploaded, or the refusal. */
  models: Record<string, number | 'done' | { error: unknown }> = {}
  #searchTimer: number | undefined

  override connectedCallback(): void {
    super.connectedCallback()
    window.addEventListener('locale-changed', this.#relabel)
  }
  override disconnectedCallback(): void {
    super.disconnectedCallback()
    window.removeEventListener('locale-changed', this.#relabel)
  }

  #search(q: string): void {
    clearTimeout(this.#searchTimer)
    if (!q.trim()) {
      this.hits = []
      return
    }
    this.#searchTimer = window.setTimeout(async () => {
      try {
        this.hits = (await api<SearchResponse>(`/api/search?q=${encodeURIComponent(q)}&limit=8`)).hits
      } catch (err) {
        this.error = err
      }
    }, 250)
  }

  #phase(p: PhaseName, end: 'from' | 'to', value: string): void {
    const w = { from: '', to: '', ...this.phases[p], [end]: value }
    this.phases = { ...this.phases, [p]: w }
  }

  async #create(e: Event): Promise<void> {
    e.preventDefault()
    const f = new FormData(e.target as HTMLFormElement)
    const text = (name: string) => String(f.get(name) ?? '').trim()
    const phases: Record<string, { from: string; to: string }> = {}
    for (const p of kindPhases[this.kind]) {
      const w = this.phases[p]
      if (w?.from && w.to) phases[p] = { from: beijing(w.from), to: beijing(w.to) }
    }
    if (!Object.keys(phases).length) {
      this.error = new Error(at('staffNeedPhase'))
      return
    }
    const body: Partial<CreateActivityRequest> & Record<string, unknown> = {
      kind: this.kind,
      title: text('title'),
      phases,
      audience: text('audience') === 'member-readers' ? 'member-readers' : 'node-readers',
      ...(text('description') ? { description: text('description') } : {}),
      ...(text('rules') ? { rules: text('rules') } : {}),
    }
    if (this.kind === 'recitation') {
      body.texts = this.texts
      body.maxSeconds = Number(text('maxSeconds'))
      body.maxEntries = Number(text('maxEntries'))
      body.weights = { judges: this.judges / 100, likes: (100 - this.judges) / 100 }
      body.newAccountLikes = text('newAccountLikes') as CreateActivityRequest['newAccountLikes']
    } else {
      body.eventKind = text('eventKind') as CreateActivityRequest['eventKind']
      if (text('location')) body.location = text('location')
      if (text('capacity')) body.capacity = Number(text('capacity'))
    }
    this.error = undefined
    try {
      const { id } = await api<{ id: string }>(activityPaths.staffCreate, { body })
      this.created = { id, title: body.title ?? '', texts: this.kind === 'recitation' ? [...this.texts] : [] }
      this.published = false
      this.models = {}
    } catch (err) {
      this.error = err
    }
  }

  async #publish(): Promise<void> {
    if (!this.created) return
    try {
      await api(activityPaths.staffPublish(this.created.id), { method: 'POST' })
      this.published = true
    } catch (err) {
      this.error = err
    }
  }

  async #uploadModel(e: Event, resource: string): Promise<void> {
    e.preventDefault()
    const file = new FormData(e.target as HTMLFormElement).get('audio')
    if (!this.created || !(file instanceof File) || !file.size) return
    const form = new FormData()
    form.set('audio', file, file.name)
    this.models = { ...this.models, [resource]: 0 }
    try {
      await postForm(activityPaths.staffModel(this.created.id, resource), form, (f) => {
        this.models = { ...this.models, [resource]: f }
      })
      this.models = { ...this.models, [resource]: 'done' }
    } catch (err) {
      this.models = { ...this.models, [resource]: { error: err } }
    }
  }

  #modelUploads() {
    const c = this.created
    if (!c?.texts.length) return nothing
    return html`<section class="models" aria-labelledby="models-h">
      <h3 id="models-h">${at('staffModels')}</h3>
      <ul>
        ${c.texts.map((x) => {
          const state = this.models[x.resource]
          return html`<li>
            <form @submit=${(e: Event) => void this.#uploadModel(e, x.resource)}>
              <label for="model-${x.resource}">${at('staffModelFor', { title: x.title })}</label>
              <span class="row"><input id="model-${x.resource}" name="audio" type="file" accept="audio/*" required />
              <button class="secondary" ?disabled=${typeof state === 'number'}>${at('staffModelUpload')}</button></span>
              ${
                state === 'done'
                  ? html`<p role="status">${at('staffModelDone')}
                      <audio controls preload="none" src=${activityPaths.model(c.id, x.resource)} aria-label="${at('modelReading')}：${x.title}"></audio></p>`
                  : typeof state === 'number'
                    ? html`<progress max="1" .value=${state}></progress>`
                    : state
                      ? formError(state.error)
                      : nothing
              }
            </form>
          </li>`
        })}
      </ul>
    </section>`
  }

  #recitationFields() {
    return html`<fieldset>
        <legend>${at('staffTexts')}</legend>
        ${
          this.texts.length
            ? html`<ul class="chosen">
              ${this.texts.map(
                (x) => html`<li>${x.title}
                  <button type="button" class="secondary" aria-label=${at('staffTextRemove', { title: x.title })} @click=${() => (this.texts = this.texts.filter((y) => y !== x))}>×</button></li>`,
              )}
            </ul>`
            : html`<p class="muted">${at('staffTextNone')}</p>`
        }
        <label for="text-search">${at('staffTextSearch')}</label>
        <input id="text-search" type="search" autocomplete="off" @input=${(e: Event) => this.#search((e.target as HTMLInputElement).value)} />
        <ul class="hits">
          ${this.hits
            .filter((h) => !this.texts.some((x) => x.resource === h.id))
            .map(
              (h) =>
                html`<li><button type="button" class="secondary" aria-label=${at('staffTextAdd', { title: h.title })} @click=${() => (this.texts = [...this.texts, { resource: h.id, title: h.title }])}>+ ${h.title}<span class="muted">${h.creators.join('、')}</span></button></li>`,
            )}
        </ul>
      </fieldset>
      <div class="row">
        <span><label for="maxSeconds">${at('staffMaxSeconds')}</label><input id="maxSeconds" name="maxSeconds" type="number" min="10" max="1800" value="300" required /></span>
        <span><label for="maxEntries">${at('staffMaxEntries')}</label><input id="maxEntries" name="maxEntries" type="number" min="1" max="20" value="3" required /></span>
      </div>
      <label for="judges">${at('staffWeightJudges')}</label>
      <input id="judges" type="number" min="0" max="100" .value=${String(this.judges)} aria-describedby="likes-weight" @input=${(e: Event) => (this.judges = Math.min(100, Math.max(0, Number((e.target as HTMLInputElement).value) || 0)))} />
      <p class="muted" id="likes-weight">${at('staffWeightLikes', { percent: 100 - this.judges })}</p>
      <label for="newAccountLikes">${at('staffNewAccountLikes')}</label>
      <select id="newAccountLikes" name="newAccountLikes">
        <option value="hold" selected>${at('staffNewHold')}</option>
        <option value="half">${at('staffNewHalf')}</option>
        <option value="count">${at('staffNewCount')}</option>
      </select>`
  }

  #eventFields() {
    return html`<label for="eventKind">${at('staffEventKind')}</label>
      <select id="eventKind" name="eventKind">
        <option value="lecture">${at('eventLecture')}</option>
        <option value="exhibition">${at('eventExhibition')}</option>
        <option value="reading-club">${at('eventReadingClub')}</option>
        <option value="other">${at('eventOther')}</option>
      </select>
      <label for="location">${at('staffLocation')}</label>
      <input id="location" name="location" maxlength="500" />
      <label for="capacity">${at('staffCapacity')}</label>
      <input id="capacity" name="capacity" type="number" min="1" max="100000" />`
  }

  override render() {
    return html`<h2>${at('staffNew')}</h2>
      <form @submit=${(e: Event) => void this.#create(e)}>
        <fieldset class="kind">
          <legend>${at('staffKind')}</legend>
          ${(['recitation', 'event'] as const).map(
            (k) =>
              html`<label class="radio"><input type="radio" name="kind" value=${k} .checked=${this.kind === k} @change=${() => (this.kind = k)} />${at(k === 'recitation' ? 'kindRecitation' : 'kindEvent')}</label>`,
          )}
        </fieldset>
        <label for="title">${at('staffTitle')}</label>
        <input id="title" name="title" required maxlength="500" aria-describedby="err-title" />
        ${fieldError(this.error, '/title')}
        <label for="description">${at('staffDescription')}</label>
        <textarea id="description" name="description" rows="3"></textarea>
        <label for="rules">${at('staffRules')}</label>
        <textarea id="rules" name="rules" rows="3"></textarea>
        <label for="audience">${at('staffAudience')}</label>
        <select id="audience" name="audience">
          <option value="node-readers">${at('staffAudienceNode')}</option>
          <option value="member-readers">${at('staffAudienceMembers')}</option>
        </select>
        <fieldset>
          <legend>${at('staffPhases')}</legend>
          ${phaseOrder
            .filter((p) => kindPhases[this.kind].includes(p))
            .map(
              (p) => html`<div class="row">
                <span><label for="${p}-from">${at('staffFrom', { phase: phaseLabel(p) })}</label><input id="${p}-from" type="datetime-local" .value=${this.phases[p]?.from ?? ''} @change=${(e: Event) => this.#phase(p, 'from', (e.target as HTMLInputElement).value)} /></span>
                <span><label for="${p}-to">${at('staffTo', { phase: phaseLabel(p) })}</label><input id="${p}-to" type="datetime-local" .value=${this.phases[p]?.to ?? ''} @change=${(e: Event) => this.#phase(p, 'to', (e.target as HTMLInputElement).value)} /></span>
              </div>`,
            )}
          ${fieldError(this.error, '/phases')}
        </fieldset>
        ${this.kind === 'recitation' ? this.#recitationFields() : this.#eventFields()}
        ${formError(this.error)}
        <button>${at('staffCreate')}</button>
      </form>
      ${
        this.created
          ? html`<p role="status" class="created">${at('staffCreated', { title: this.created.title })}
            <a href=${activityHref(this.created.id)}>${this.created.title}</a>
            ${this.published ? html`<strong>${at('staffPublished')}</strong>` : html`<button class="secondary" @click=${() => void this.#publish()}>${at('staffPublish')}</button>`}</p>
            ${this.#modelUploads()}`
          : nothing
      }`
  }

  static override styles = [
    base,
    css`
      h2 { font-size: 1.2rem; }
      form { display: grid; gap: 2px; max-width: 720px; }
      fieldset { border: 1px solid var(--line); border-radius: var(--radius); margin: 12px 0 0; padding: 8px 12px 12px; }
      legend { font-weight: 700; color: var(--ink); }
      .kind { display: flex; gap: 16px; }
      .radio { display: inline-flex; align-items: center; gap: 6px; font-weight: 400; margin: 0; min-height: 44px; }
      .radio input { width: auto; min-height: 0; }
      .row { display: grid; gap: 0 12px; }
      @media (min-width: 600px) { .row { grid-template-columns: 1fr 1fr; } }
      .chosen, .hits { list-style: none; padding: 0; margin: 4px 0; display: grid; gap: 4px; }
      .chosen li { display: flex; justify-content: space-between; align-items: center; gap: 8px; }
      .hits button { width: 100%; text-align: left; display: flex; gap: 8px; justify-content: space-between; }
      form > button { margin-top: 16px; justify-self: start; }
      .created { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-top: 16px; }
    `,
  ]
}
customElements.define('shulin-staff-activities', StaffActivities)
