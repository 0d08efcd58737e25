/**
 * @module pages/reader/read-pdf
 * The PDF reader (pdf.js, loaded only here): one page at a time fitted to the screen width,
 * sharp on high-density screens, arrow keys and buttons to turn, the page kept as the
 * reading position, night mode by inverting the page.
 */
import { LitElement, css, html } from 'lit'
import type { Resource } from '@shulin/protocol'
import { base } from '../../styles.js'
import { t } from '../../i18n/index.js'
import { api } from '../../api.js'
import { loadingView } from '../../components/page-state.js'
import { loadPosition, PositionKeeper } from '../../reading/position.js'
import { ReaderKeys, bottomBar, chrome, readerError, topBar } from '../../reading/chrome.js'

type PdfDoc = import('pdfjs-dist').PDFDocumentProxy

export class ReadPdfPage extends LitElement {
  static override properties = {
    resourceId: {},
    record: { state: true },
    page: { state: true },
    pages: { state: true },
    error: { state: true },
    night: { state: true },
  }
  resourceId = ''
  record: Resource | undefined
  page = 1
  pages = 0
  night = false
  error: unknown
  #doc: PdfDoc | undefined
  #keeper: PositionKeeper | undefined
  #rendering: Promise<void> = Promise.resolve()
  constructor() {
    super()
    new ReaderKeys(this, (e) => {
      if (e.key === 'ArrowLeft' || e.key === 'PageUp') this.#go(this.page - 1)
      if (e.key === 'ArrowRight' || e.key === 'PageDown') this.#go(this.page + 1)
    })
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    this.#keeper?.flush()
    void this.#doc?.destroy()
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('resourceId')) void this.#open()
  }

  async #open(): Promise<void> {
    this.error = undefined
    try {
      this.#keeper = new PositionKeeper(this.resourceId)
      this.#keeper.onSaved = (p) => p.kind === 'pdf' && (this.dataset.saved = String(p.page))
      const [record, position, pdfjs] = await Promise.all([
        api<Resource>(`/api/resources/${this.resourceId}`),
        loadPosition(this.resourceId),
        import('pdfjs-dist'),
      ])
      this.record = record
      pdfjs.GlobalWorkerOptions.workerSrc = new URL('pdfjs-dist/build/pdf.worker.min.mjs', import.meta.url).href
      const res = await fetch(`/api/resources/${this.resourceId}/content`, { credentials: 'same-origin' })
      if (!res.ok)
        throw new Error(res.status === 401 ? t('signInToRead') : t('errorGeneric', { message: `HTTP ${res.status}` }))
      this.#doc = await pdfjs.getDocument({ data: new Uint8Array(await res.arrayBuffer()), isEvalSupported: false })
        .promise
      this.pages = this.#doc.numPages
      this.#go(position?.kind === 'pdf' ? position.page : 1)
    } catch (err) {
      this.error = err
    }
  }

  #go(n: number): void {
    if (!this.#doc || n < 1 || n > this.pages) return
    this.page = n
    this.dataset.page = String(n)
    this.#keeper?.update({ kind: 'pdf', page: n }, this.pages > 1 ? (n - 1) / (this.pages - 1) : 1)
    this.#rendering = this.#rendering
      .then(() => this.#render(n))
      .catch((err: unknown) => {
        this.error = err
      })
  }

  async #render(n: number): Promise<void> {
    await this.updateComplete
    const canvas = this.renderRoot.querySelector('canvas')
    const box = this.renderRoot.querySelector('.page')
    if (!canvas || !box || !this.#doc) return
    const page = await this.#doc.getPage(n)
    const unscaled = page.getViewport({ scale: 1 })
    const scale = Math.min(box.clientWidth / unscaled.width, box.clientHeight / unscaled.height)
    const ratio = window.devicePixelRatio || 1
    const viewport = page.getViewport({ scale: scale * ratio })
    canvas.width = Math.floor(viewport.width)
    canvas.height = Math.floor(viewport.height)
    canvas.style.width = `${Math.floor(viewport.width / ratio)}px`
    canvas.style.height = `${Math.floor(viewport.height / ratio)}px`
    await page.render({ canvas, viewport }).promise
    this.dataset.rendered = String(n)
  }

  override render() {
    if (this.error) return readerError(this.error, () => void this.#open(), this.resourceId)
    return html`<div class="reader">
      ${topBar(this.resourceId, this.record?.metadata.title ?? '', html`<button class="secondary" aria-pressed=${this.night} @click=${() => (this.night = !this.night)}>${t('themeNight')}</button>`)}
      <div class="page ${this.night ? 'night' : ''}">${this.pages ? html`<canvas role="img" aria-label=${t('pageOf', { page: this.page, pages: this.pages })}></canvas>` : loadingView()}</div>
      ${bottomBar(
        this.pages ? t('pageOf', { page: this.page, pages: this.pages }) : '',
        () => this.#go(this.page - 1),
        () => this.#go(this.page + 1),
      )}
    </div>`
  }

  static override styles = [
    base,
    chrome,
    css`
      .page { min-height: 0; display: grid; place-items: center; overflow: auto; background: #e8e4da; padding: 8px; }
      canvas { background: #fff; box-shadow: 0 2px 10px rgb(0 0 0 / 0.2); }
      .night canvas { filter: invert(0.9) hue-rotate(180deg); }
    `,
  ]
}
customElements.define('shulin-read-pdf', ReadPdfPage)
