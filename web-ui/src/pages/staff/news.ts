/**
 * @module pages/staff/news
 * The staff console's news tab: the node's posts (drafts too; the hub's, on a member, shown but
 * not editable) and an editor — title, the text as HTML with a small toolbar that wraps the
 * selection (heading, bold, italic, link, list, quote) and inserts uploaded images, pinned, the
 * publish window and the status. The preview renders the draft in a sandboxed frame without
 * scripts; what readers get is what the server sanitises on save (shown again after saving).
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import type { NewsItem, NewsList, NewsStatus } from '@shulin/protocol'
import { base } from '../../styles.js'
import { api } from '../../api.js'
import { taskView } from '../../components/page-state.js'
import { nt } from '../../i18n/news.js'

interface Draft {
  id: string | null
  title: string
  html: string
  pinned: boolean
  from: string
  to: string
  status: NewsStatus
}

const empty = (): Draft => ({ id: null, title: '', html: '', pinned: false, from: '', to: '', status: 'draft' })
/** An instant as a `datetime-local` value in the browser's zone, and back. */
const toLocal = (iso: string | null) => {
  if (!iso) return ''
  const d = new Date(iso)
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16)
}
const fromLocal = (v: string) => (v ? new Date(v).toISOString() : null)

export class StaffNews extends LitElement {
  static override properties = { draft: { state: true }, preview: { state: true }, message: { state: true } }
  draft: Draft | null = null
  preview = false
  message = ''
  #list = new Task(this, { task: () => api<NewsList>('/api/staff/news?limit=50'), args: () => [] })

  #edit(n: NewsItem | null): void {
    this.message = ''
    this.preview = false
    this.draft = n
      ? {
          id: n.id,
          title: n.title,
          html: n.html,
          pinned: n.pinned,
          from: toLocal(n.from),
          to: toLocal(n.to),
          status: n.status,
        }
      : empty()
  }

  #set(patch: Partial<Draft>): void {
    if (this.draft) this.draft = { ...this.draft, ...patch }
  }

  /** Wraps the textarea's selection in `before`…`after`. */
  #wrap(before: string, after: string): void {
    const ta = this.renderRoot.querySelector('textarea')
    if (!ta || !this.draft) return
    const { selectionStart: s, selectionEnd: e, value } = ta
    const html = value.slice(0, s) + before + value.slice(s, e) + after + value.slice(e)
    this.#set({ html })
    // The caret goes after what was wrapped: typing goes on after the heading, not inside it.
    const caret = e + before.length + after.length
    void this.updateComplete.then(() => {
      ta.focus()
      ta.setSelectionRange(caret, caret)
    })
  }

  #link(): void {
    const href = prompt(nt('linkPrompt'), 'https://')
    if (href) this.#wrap(`<a href="${href.replace(/"/g, '&quot;')}">`, '</a>')
  }

  async #image(e: Event): Promise<void> {
    const input = e.target as HTMLInputElement
    const file = input.files?.[0]
    input.value = ''
    if (!file) return
    try {
      const up = await api<{ url: string }>('/api/staff/news/images', {
        method: 'POST',
        raw: { data: file, type: file.type },
      })
      // At the caret, never around a selection.
      const ta = this.renderRoot.querySelector('textarea')
      ta?.setSelectionRange(ta.selectionEnd, ta.selectionEnd)
      this.#wrap(`\n<figure><img src="${up.url}" alt=""><figcaption>`, '</figcaption></figure>\n')
    } catch (err) {
      this.message = err instanceof Error ? err.message : String(err)
    }
  }

  async #save(e: Event): Promise<void> {
    e.preventDefault()
    const d = this.draft
    if (!d) return
    const body = {
      title: d.title,
      html: d.html,
      pinned: d.pinned,
      from: fromLocal(d.from),
      to: fromLocal(d.to),
      status: d.status,
    }
    try {
      const saved = d.id
        ? await api<NewsItem>(`/api/staff/news/${d.id}`, { method: 'PUT', body })
        : await api<NewsItem>(`/api/staff/news/${(await api<{ id: string }>('/api/staff/news', { body })).id}`)
      // The stored (sanitised) text replaces what was typed: staff see what readers will.
      this.#edit(saved)
      this.message = nt('editorSaved')
      await this.#list.run()
    } catch (err) {
      this.message = err instanceof Error ? err.message : String(err)
    }
  }

  #status = (s: NewsStatus) =>
    nt(s === 'draft' ? 'statusDraft' : s === 'published' ? 'statusPublished' : 'statusWithdrawn')

  #editor(d: Draft) {
    return html`<form @submit=${(e: Event) => void this.#save(e)}>
      <label>${nt('editorTitle')}<input name="title" required maxlength="200" .value=${d.title} @input=${(e: Event) => this.#set({ title: (e.target as HTMLInputElement).value })} /></label>
      <div class="toolbar" role="toolbar" aria-label=${nt('toolbar')}>
        <button type="button" class="secondary" @click=${() => this.#wrap('<h3>', '</h3>')}>${nt('toolH')}</button>
        <button type="button" class="secondary" @click=${() => this.#wrap('<strong>', '</strong>')}><strong>${nt('toolB')}</strong></button>
        <button type="button" class="secondary" @click=${() => this.#wrap('<em>', '</em>')}><em>${nt('toolI')}</em></button>
        <button type="button" class="secondary" @click=${() => this.#link()}>${nt('toolLink')}</button>
        <button type="button" class="secondary" @click=${() => this.#wrap('<ul>\n<li>', '</li>\n</ul>')}>${nt('toolList')}</button>
        <button type="button" class="secondary" @click=${() => this.#wrap('<blockquote>', '</blockquote>')}>${nt('toolQuote')}</button>
        <label class="upload secondary">${nt('editorImage')}<input type="file" accept="image/jpeg,image/png,image/webp" @change=${(e: Event) => void this.#image(e)} /></label>
        <button type="button" class="secondary" aria-pressed=${this.preview ? 'true' : 'false'} @click=${() => (this.preview = !this.preview)}>${nt('editorPreview')}</button>
      </div>
      ${
        this.preview
          ? html`<iframe title=${nt('editorPreview')} sandbox="" srcdoc=${`<meta charset="utf-8"><style>body{font:16px/1.8 sans-serif;margin:8px}img{max-width:100%}</style>${d.html}`}></iframe>`
          : html`<label>${nt('editorBody')}<textarea name="html" rows="12" .value=${d.html} @input=${(e: Event) => this.#set({ html: (e.target as HTMLTextAreaElement).value })}></textarea></label>`
      }
      <p class="hint">${nt('editorBodyHint')}</p>
      <div class="row">
        <label>${nt('editorFrom')}<input type="datetime-local" .value=${d.from} @input=${(e: Event) => this.#set({ from: (e.target as HTMLInputElement).value })} /></label>
        <label>${nt('editorTo')}<input type="datetime-local" .value=${d.to} @input=${(e: Event) => this.#set({ to: (e.target as HTMLInputElement).value })} /></label>
      </div>
      <div class="row">
        <label>${nt('editorStatus')}<select @change=${(e: Event) => this.#set({ status: (e.target as HTMLSelectElement).value as NewsStatus })}>
          ${(['draft', 'published', 'withdrawn'] as const).map((s) => html`<option value=${s} ?selected=${d.status === s}>${this.#status(s)}</option>`)}
        </select></label>
        <label class="check"><input type="checkbox" .checked=${d.pinned} @change=${(e: Event) => this.#set({ pinned: (e.target as HTMLInputElement).checked })} /> ${nt('editorPinned')}</label>
      </div>
      <p class="actions"><button type="submit">${nt('editorSave')}</button>
        <span role="status">${this.message}</span></p>
    </form>`
  }

  override render() {
    return html`<p><button class="new" @click=${() => this.#edit(null)}>${nt('editorNew')}</button></p>
      ${this.draft ? this.#editor(this.draft) : nothing}
      ${taskView(
        this.#list,
        (list) => html`<ul class="posts">
          ${list.items.map(
            (n) => html`<li>
              <span class="title">${n.pinned ? html`<span class="tag">${nt('newsPinned')}</span>` : nothing}${n.title}</span>
              <span class="meta">${this.#status(n.status)} · ${(n.publishedAt ?? n.createdAt).slice(0, 10)}${n.source.hub ? html` · ${nt('editorHubPost')}` : nothing}</span>
              ${n.source.hub ? nothing : html`<button class="secondary" @click=${() => this.#edit(n)}>${nt('editorEdit')}</button>`}
            </li>`,
          )}
        </ul>`,
      )}`
  }

  static override styles = [
    base,
    css`
      :host { display: block; max-width: 860px; }
      form { display: grid; gap: 12px; padding: 12px; border: 1px solid var(--line); border-radius: var(--radius); background: var(--card); margin-bottom: 16px; }
      label { display: grid; gap: 4px; }
      textarea { font-family: ui-monospace, monospace; font-size: 0.95rem; }
      iframe { width: 100%; min-height: 280px; border: 1px solid var(--line); border-radius: var(--radius); background: #fff; }
      .toolbar { display: flex; flex-wrap: wrap; gap: 6px; }
      .toolbar button, .upload { min-height: 44px; padding: 0 12px; }
      .upload { display: inline-flex; align-items: center; font-weight: 400; border: 1px solid var(--ink); border-radius: var(--radius); color: var(--ink); cursor: pointer; }
      .upload input { position: absolute; width: 1px; height: 1px; opacity: 0; }
      .row { display: grid; gap: 12px; grid-template-columns: 1fr; }
      @media (min-width: 600px) { .row { grid-template-columns: 1fr 1fr; } }
      .check { display: flex; align-items: center; gap: 8px; }
      .check input { width: auto; min-height: 0; }
      .hint { color: var(--muted); font-size: 0.85rem; margin: 0; }
      .actions { display: flex; gap: 12px; align-items: center; margin: 0; }
      ul.posts { list-style: none; padding: 0; margin: 0; }
      .posts li { display: grid; grid-template-columns: 1fr auto; gap: 2px 12px; padding: 10px 0; border-bottom: 1px solid var(--line); align-items: center; }
      .posts .title { color: var(--ink); font-weight: 700; }
      .posts .meta { grid-column: 1; font-size: 0.85rem; color: var(--muted); }
      .posts button { grid-row: 1 / span 2; grid-column: 2; }
      .tag { color: #fff; background: var(--accent); border-radius: 4px; padding: 0 6px; margin-right: 6px; font-weight: 400; font-size: 0.8rem; }
    `,
  ]
}
customElements.define('shulin-staff-news', StaffNews)
