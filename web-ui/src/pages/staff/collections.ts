/**
 * @module pages/staff/collections
 * Columns (栏目) and topics (专题): create one, add records to it by search, and put its items
 * in order — drag a row, or use its up and down buttons (the keyboard way, announced to
 * screen readers). Saved with the collection's revision, so two librarians editing at once
 * cannot silently undo each other.
 */
import { LitElement, css, html, nothing } from 'lit'
import type { Collection, CollectionList, Resource, SearchResponse } from '@shulin/protocol'
import { base } from '../../styles.js'
import { t } from '../../i18n/index.js'
import { api, ifMatch } from '../../api.js'
import { errorView, loadingView } from '../../components/page-state.js'

type Full = Collection & { titles: Map<string, string> }

export class StaffCollections extends LitElement {
  static override properties = {
    list: { state: true },
    open: { state: true },
    error: { state: true },
    note: { state: true },
    found: { state: true },
    dragging: { state: true },
  }
  list: Collection[] | undefined
  open: Full | undefined
  error: unknown
  note = ''
  found: SearchResponse | undefined
  dragging: number | undefined

  override connectedCallback(): void {
    super.connectedCallback()
    void this.#load()
  }

  async #load(): Promise<void> {
    try {
      this.list = (await api<CollectionList>('/api/staff/collections')).collections
    } catch (err) {
      this.error = err
    }
  }

  async #create(e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const form = e.target as HTMLFormElement
    const f = new FormData(form)
    try {
      const c = await api<Collection>('/api/staff/collections', {
        body: { kind: String(f.get('kind')), title: String(f.get('title') ?? '').trim() },
      })
      form.reset()
      await this.#load()
      await this.#openOne(c.id)
    } catch (err) {
      this.error = err
    }
  }

  async #openOne(id: string): Promise<void> {
    const c = await api<Collection>(`/api/staff/collections/${id}`)
    const records = await Promise.all(
      c.items.map((i) => api<Resource>(`/api/staff/resources/${i}`).catch(() => undefined)),
    )
    this.open = {
      ...c,
      titles: new Map(records.flatMap((r) => (r ? [[r.id, r.metadata.title] as [string, string]] : []))),
    }
    this.found = undefined
  }

  async #saveItems(items: string[], message: string): Promise<void> {
    const c = this.open
    if (!c) return
    try {
      const saved = await api<Collection>(`/api/staff/collections/${c.id}`, {
        method: 'PATCH',
        body: { items },
        headers: ifMatch(c.revision),
      })
      this.open = { ...saved, titles: c.titles }
      this.list = this.list?.map((x) => (x.id === saved.id ? saved : x))
      this.note = message
    } catch (err) {
      this.note = (err as Error).message
      await this.#openOne(c.id)
    }
  }

  #move(from: number, to: number): void {
    const items = [...(this.open?.items ?? [])]
    if (to < 0 || to >= items.length || from === to) return
    const [it] = items.splice(from, 1)
    items.splice(to, 0, it!)
    const title = this.open?.titles.get(it!) ?? ''
    void this.#saveItems(items, t('movedTo', { title, position: to + 1 }))
  }

  async #find(e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const q = String(new FormData(e.target as HTMLFormElement).get('q') ?? '')
    this.found = await api<SearchResponse>(
      `/api/staff/search?q=${encodeURIComponent(q)}&limit=10&facets=false&status=published`,
    )
  }

  #add(id: string, title: string): void {
    if (!this.open || this.open.items.includes(id)) return
    this.open.titles.set(id, title)
    void this.#saveItems([...this.open.items, id], t('added', { title }))
  }

  #editor(c: Full) {
    return html`<section class="editor" aria-labelledby="col-title">
      <h2 id="col-title">${c.title} <span class="muted">(${t(c.kind === 'column' ? 'column' : 'topic')})</span></h2>
      <ol class="items">
        ${c.items.map(
          (id, i) => html`<li
            draggable="true"
            class=${this.dragging === i ? 'dragging' : ''}
            @dragstart=${(e: DragEvent) => ((this.dragging = i), e.dataTransfer?.setData('text/plain', String(i)))}
            @dragend=${() => (this.dragging = undefined)}
            @dragover=${(e: DragEvent) => e.preventDefault()}
            @drop=${(e: DragEvent) => (e.preventDefault(), this.dragging !== undefined && this.#move(this.dragging, i), (this.dragging = undefined))}
          >
            <span class="grip" aria-hidden="true">⋮⋮</span>
            <span class="name">${c.titles.get(id) ?? id}</span>
            <button class="secondary" aria-label=${t('moveUp', { title: c.titles.get(id) ?? '' })} ?disabled=${i === 0} @click=${() => this.#move(i, i - 1)}>↑</button>
            <button class="secondary" aria-label=${t('moveDown', { title: c.titles.get(id) ?? '' })} ?disabled=${i === c.items.length - 1} @click=${() => this.#move(i, i + 1)}>↓</button>
            <button class="secondary" aria-label=${t('removeItem', { title: c.titles.get(id) ?? '' })} @click=${() =>
              void this.#saveItems(
                c.items.filter((x) => x !== id),
                t('removed'),
              )}>✕</button>
          </li>`,
        )}
      </ol>
      <form class="row" role="search" @submit=${this.#find}>
        <label class="visually-hidden" for="add-q">${t('addRecords')}</label>
        <input id="add-q" name="q" placeholder=${t('addRecords')} />
        <button type="submit">${t('searchButton')}</button>
      </form>
      ${
        this.found
          ? html`<ul class="found">
            ${this.found.hits.map((h) => html`<li><span>${h.title}</span> <button class="secondary" ?disabled=${c.items.includes(h.id)} @click=${() => this.#add(h.id, h.title)}>${t('add')}</button></li>`)}
          </ul>`
          : nothing
      }
    </section>`
  }

  override render() {
    if (this.error) return errorView(this.error, () => ((this.error = undefined), void this.#load()))
    if (!this.list) return loadingView()
    return html`
      <form class="row" @submit=${this.#create}>
        <label class="visually-hidden" for="c-kind">${t('type')}</label>
        <select id="c-kind" name="kind"><option value="column">${t('column')}</option><option value="topic">${t('topic')}</option></select>
        <label class="visually-hidden" for="c-title">${t('title')}</label>
        <input id="c-title" name="title" required maxlength="200" placeholder=${t('newCollection')} />
        <button type="submit">${t('create')}</button>
      </form>
      <p role="status" class="muted">${this.note}</p>
      <ul class="cols">
        ${this.list.map((c) => html`<li><button class="secondary" aria-pressed=${this.open?.id === c.id} @click=${() => void this.#openOne(c.id)}>${c.title} · ${c.items.length}</button></li>`)}
      </ul>
      ${this.open ? this.#editor(this.open) : nothing}
    `
  }

  static override styles = [
    base,
    css`
      .row { display: flex; gap: 8px; flex-wrap: wrap; margin: 8px 0; }
      .row input { flex: 1 1 200px; }
      .row select { width: auto; }
      ul, ol { list-style: none; padding: 0; }
      .cols { display: flex; flex-wrap: wrap; gap: 8px; }
      .editor { background: #fff; border: 1px solid var(--line); border-radius: var(--radius); padding: 16px; }
      .items li { display: flex; align-items: center; gap: 6px; padding: 6px; border-bottom: 1px solid var(--line); background: #fff; }
      .items li.dragging { opacity: 0.5; }
      .grip { cursor: grab; color: var(--muted); padding: 0 4px; }
      .name { flex: 1; min-width: 0; }
      .items button { min-width: 44px; padding: 0 8px; }
      .found li { display: flex; justify-content: space-between; align-items: center; gap: 8px; padding: 4px 0; }
    `,
  ]
}
customElements.define('shulin-staff-collections', StaffCollections)
