/**
 * @module pages/reader/catalog
 * The whole catalogue, newest first, as one long list that stays smooth at 10,000 records:
 * rows are fixed-height and `content-visibility: auto`, so the browser lays out and paints
 * only those near the screen and scrolling stays on the compositor; pages of 100 are fetched
 * as the reader nears the end. (A JavaScript virtualiser, `@lit-labs/virtualizer`, was
 * measured first: with the CPU slowed 4× it recycled rows in 60–240 ms tasks while
 * scrolling; this list had none — `npm run bench:ui`.)
 */
import { LitElement, css, html } from 'lit'
import { repeat } from 'lit/directives/repeat.js'
import type { SearchHit, SearchResponse } from '@shulin/protocol'
import { base } from '../../styles.js'
import { t } from '../../i18n/index.js'
import { api } from '../../api.js'
import { typeLabel } from '../../labels.js'
import { hitHref } from '../../links.js'
import { errorView } from '../../components/page-state.js'

const pageSize = 100

/** One fetched page of rows: once rendered it never updates again, whatever the list does. */
export class CatalogChunk extends LitElement {
  static override properties = { hits: { attribute: false } }
  hits: SearchHit[] = []

  override render() {
    return html`${this.hits.map((h) => html`<a role="listitem" class="row" href=${hitHref(h)}><span class="title">${h.title}</span><span class="muted">${h.creators.join('、')} · ${typeLabel(h.type)}</span></a>`)}`
  }

  static override styles = [
    base,
    css`
      :host { display: block; }
      /* Fixed-height rows the browser skips rendering while they are far from the screen. */
      .row { display: flex; flex-direction: column; justify-content: center; gap: 2px; width: 100%; padding: 0 12px; height: 64px; content-visibility: auto; contain-intrinsic-size: auto 64px; border-bottom: 1px solid var(--line); text-decoration: none; color: var(--text); background: #fff; }
      .title, .row .muted { overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
      .title { color: var(--ink); font-weight: 600; }
    `,
  ]
}
customElements.define('shulin-catalog-chunk', CatalogChunk)

export class CatalogPage extends LitElement {
  static override properties = { chunks: { state: true }, total: { state: true }, error: { state: true } }
  chunks: SearchHit[][] = []
  total: number | undefined
  error: unknown
  #loading = false

  /** Every row fetched so far. */
  get items(): SearchHit[] {
    return this.chunks.flat()
  }

  override connectedCallback(): void {
    super.connectedCallback()
    void this.#more()
  }

  async #more(): Promise<void> {
    if (this.#loading || (this.total !== undefined && this.items.length >= this.total)) return
    this.#loading = true
    try {
      const r = await api<SearchResponse>(
        `/api/search?sort=newest&facets=false&limit=${pageSize}&offset=${this.items.length}`,
      )
      this.total = Math.min(r.total, 10_000 + pageSize)
      if (r.hits.length) this.chunks = [...this.chunks, r.hits]
      else this.total = this.items.length
    } catch (err) {
      this.error = err
    } finally {
      this.#loading = false
    }
  }

  override render() {
    if (this.error) return errorView(this.error, () => void this.#more())
    return html`
      <h1>${t('catalog')}</h1>
      <p class="muted" role="status">${this.total === undefined ? t('loading') : t('results', { total: this.total })}</p>
      <div class="list" role="list">${repeat(
        this.chunks,
        (_c, i) => i,
        (c) => html`<shulin-catalog-chunk .hits=${c}></shulin-catalog-chunk>`,
      )}</div>
      <div class="end" aria-hidden="true"></div>
    `
  }

  #observer: IntersectionObserver | undefined

  override firstUpdated(): void {
    // Fetch the next page while the reader is still two screens away from the end.
    this.#observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && void this.#more(), {
      rootMargin: '0px 0px 200% 0px',
    })
    this.#observer.observe(this.renderRoot.querySelector('.end')!)
  }

  override updated(changed: Map<string, unknown>): void {
    // Observing afresh reports the end marker's position once more: if it is still near the
    // screen after a page arrived, the next page is fetched (no layout is forced here).
    const end = this.renderRoot.querySelector('.end')
    if (changed.has('chunks') && end && this.#observer) {
      this.#observer.unobserve(end)
      this.#observer.observe(end)
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    this.#observer?.disconnect()
  }

  static override styles = [base]
}
customElements.define('shulin-catalog', CatalogPage)
