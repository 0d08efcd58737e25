/**
 * @module pages/staff/records
 * Records for staff: search every record (drafts and withdrawn ones too), filter by status,
 * publish or withdraw, and edit the metadata (checked by the node; a change someone else made
 * meanwhile is refused, not overwritten).
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import type { Resource, SearchResponse } from '@shulin/protocol'
import { base } from '../../styles.js'
import { t } from '../../i18n/index.js'
import { api, ifMatch } from '../../api.js'
import { typeLabel } from '../../labels.js'
import { taskView } from '../../components/page-state.js'
import { fieldError, formError } from '../../components/form.js'

const list = (s: string) =>
  s
    .split(/[,，、;；]/)
    .map((x) => x.trim())
    .filter(Boolean)
const statuses = ['', 'draft', 'published', 'withdrawn'] as const

export class StaffRecords extends LitElement {
  static override properties = {
    q: { state: true },
    status: { state: true },
    editing: { state: true },
    editError: { state: true },
    note: { state: true },
  }
  q = ''
  status = ''
  editing: Resource | undefined
  editError: unknown
  note = ''

  /** The records matching the box and status as they were when searched (typing alone does not search). */
  #data = new Task(this, {
    task: () => {
      const p = new URLSearchParams({ q: this.q, limit: '50', sort: this.q ? 'relevance' : 'newest', facets: 'false' })
      if (this.status) p.set('status', this.status)
      return api<SearchResponse>(`/api/staff/search?${p}`)
    },
    args: () => [],
  })

  #load(): Promise<void> {
    return this.#data.run()
  }

  async #act(id: string, action: 'publish' | 'withdraw'): Promise<void> {
    try {
      await api(`/api/staff/resources/${id}/${action}`, { method: 'POST' })
      this.note = t(action === 'publish' ? 'published' : 'withdrawn')
      await this.#load()
    } catch (err) {
      this.note = (err as Error).message
    }
  }

  async #edit(id: string): Promise<void> {
    this.editError = undefined
    try {
      this.editing = await api<Resource>(`/api/staff/resources/${id}`)
    } catch (err) {
      this.note = (err as Error).message
    }
  }

  async #save(e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const r = this.editing
    if (!r) return
    const f = new FormData(e.target as HTMLFormElement)
    const v = (k: string) => String(f.get(k) ?? '').trim()
    const metadata = {
      ...r.metadata,
      title: v('title'),
      creators: list(v('creators')),
      subjects: list(v('subjects')),
      description: v('description') || undefined,
      publisher: v('publisher') || undefined,
      date: v('date') || undefined,
    }
    try {
      await api(`/api/staff/resources/${r.id}`, {
        method: 'PATCH',
        body: { metadata, access: v('access') },
        headers: ifMatch(r.revision),
      })
      this.editing = undefined
      this.note = t('saved')
      await this.#load()
    } catch (err) {
      this.editError = err
    }
  }

  #editor(r: Resource) {
    const m = r.metadata
    const access = ['public', 'node-readers', 'member-readers', 'staff'] as const
    const accessLabel = {
      public: 'accessPublic',
      'node-readers': 'accessNodeReaders',
      'member-readers': 'accessMemberReaders',
      staff: 'accessStaff',
    } as const
    return html`<form class="editor" @submit=${this.#save} aria-label=${t('edit')}>
      <h2>${t('edit')}: ${m.title}</h2>
      <label for="e-title">${t('title')}</label><input id="e-title" name="title" required maxlength="500" .value=${m.title} />
      ${fieldError(this.editError, '/metadata/title')}
      <label for="e-creators">${t('creators')}</label><input id="e-creators" name="creators" .value=${m.creators.join('，')} />
      <label for="e-subjects">${t('subjects')}</label><input id="e-subjects" name="subjects" .value=${m.subjects.join('，')} />
      <label for="e-publisher">${t('publisher')}</label><input id="e-publisher" name="publisher" .value=${m.publisher ?? ''} />
      <label for="e-date">${t('date')}</label><input id="e-date" name="date" placeholder="2026 / 2026-11 / 2026-11-24" .value=${m.date ?? ''} />
      ${fieldError(this.editError, '/metadata/date')}
      <label for="e-desc">${t('description')}</label><textarea id="e-desc" name="description" rows="4">${m.description ?? ''}</textarea>
      <label for="e-access">${t('access')}</label>
      <select id="e-access" name="access">${access.map((a) => html`<option value=${a} ?selected=${r.access === a}>${t(accessLabel[a])}</option>`)}</select>
      ${formError(this.editError)}
      <div class="buttons"><button type="submit">${t('save')}</button><button type="button" class="secondary" @click=${() => (this.editing = undefined)}>${t('cancel')}</button></div>
    </form>`
  }

  override render() {
    return html`
      <form class="find" role="search" @submit=${(e: Event) => (e.preventDefault(), void this.#load())}>
        <label class="visually-hidden" for="sq">${t('searchLabel')}</label>
        <input id="sq" type="search" .value=${this.q} @input=${(e: Event) => (this.q = (e.target as HTMLInputElement).value)} placeholder=${t('searchPlaceholder')} />
        <label class="visually-hidden" for="ss">${t('status')}</label>
        <select id="ss" @change=${(e: Event) => ((this.status = (e.target as HTMLSelectElement).value), void this.#load())}>
          ${statuses.map((s) => html`<option value=${s} ?selected=${this.status === s}>${t(s ? (`status_${s}` as const) : 'statusAll')}</option>`)}
        </select>
        <button type="submit">${t('searchButton')}</button>
      </form>
      <p role="status" class="muted">${this.note}</p>
      ${this.editing ? this.#editor(this.editing) : nothing}
      ${taskView(
        this.#data,
        (result) => html`<table>
              <caption class="visually-hidden">${t('staffRecords')}</caption>
              <thead><tr><th scope="col">${t('title')}</th><th scope="col">${t('type')}</th><th scope="col">${t('status')}</th><th scope="col"><span class="visually-hidden">${t('actions')}</span></th></tr></thead>
              <tbody>
                ${result.hits.map(
                  (h) => html`<tr>
                    <td><a href="/r/${h.id}">${h.title}</a><div class="muted">${h.creators.join('、')}</div></td>
                    <td>${typeLabel(h.type)}</td>
                    <td>${t(`status_${h.status}`)}</td>
                    <td class="acts">
                      ${
                        h.status === 'published'
                          ? html`<button class="secondary" @click=${() => void this.#act(h.id, 'withdraw')}>${t('withdraw')}</button>`
                          : html`<button @click=${() => void this.#act(h.id, 'publish')}>${t('publish')}</button>`
                      }
                      <button class="secondary" @click=${() => void this.#edit(h.id)}>${t('edit')}</button>
                    </td>
                  </tr>`,
                )}
              </tbody>
            </table>`,
      )}
    `
  }

  static override styles = [
    base,
    css`
      .find { display: flex; gap: 8px; flex-wrap: wrap; }
      .find input { flex: 1 1 200px; }
      .find select { width: auto; }
      table { width: 100%; border-collapse: collapse; background: #fff; }
      th, td { text-align: left; padding: 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
      .acts { display: flex; gap: 6px; flex-wrap: wrap; justify-content: flex-end; }
      .editor { display: grid; background: #fff; padding: 16px; border: 1px solid var(--line); border-radius: var(--radius); margin-bottom: 16px; }
      .buttons { display: flex; gap: 8px; margin-top: 16px; }
    `,
  ]
}
customElements.define('shulin-staff-records', StaffRecords)
