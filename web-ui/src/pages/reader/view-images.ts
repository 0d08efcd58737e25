/**
 * @module pages/reader/view-images
 * The image viewer for image sets (old photographs, rubbings, maps): one image fitted to the
 * screen, arrows and swipes to move, a double tap or the zoom button to see it at full size,
 * and the image number kept as the position.
 */
import { LitElement, css, html } from 'lit'
import type { Resource } from '@shulin/protocol'
import { base } from '../../styles.js'
import { t } from '../../i18n/index.js'
import { api } from '../../api.js'
import { loadingView } from '../../components/page-state.js'
import { loadPosition, PositionKeeper } from '../../reading/position.js'
import { ReaderKeys, bottomBar, chrome, readerError, topBar } from '../../reading/chrome.js'

export class ViewImagesPage extends LitElement {
  static override properties = {
    resourceId: {},
    record: { state: true },
    n: { state: true },
    zoom: { state: true },
    error: { state: true },
  }
  resourceId = ''
  record: Resource | undefined
  n = 1
  zoom = false
  error: unknown
  #keeper: PositionKeeper | undefined
  #touchX: number | undefined

  constructor() {
    super()
    new ReaderKeys(this, (e) => {
      if (e.key === 'ArrowLeft') this.#go(this.n - 1)
      if (e.key === 'ArrowRight') this.#go(this.n + 1)
    })
  }

  get #count(): number {
    return this.record?.files.filter((f) => f.role === 'page-image').length ?? 0
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    this.#keeper?.flush()
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('resourceId')) void this.#open()
  }

  async #open(): Promise<void> {
    try {
      this.#keeper = new PositionKeeper(this.resourceId)
      const [record, position] = await Promise.all([
        api<Resource>(`/api/resources/${this.resourceId}`),
        loadPosition(this.resourceId),
      ])
      this.record = record
      // Image sets keep their place as a "page" number.
      this.#go(position?.kind === 'pdf' ? position.page : 1)
    } catch (err) {
      this.error = err
    }
  }

  #go(n: number): void {
    if (n < 1 || n > this.#count) return
    this.n = n
    this.zoom = false
    this.#keeper?.update({ kind: 'pdf', page: n }, this.#count > 1 ? (n - 1) / (this.#count - 1) : 1)
  }

  override render() {
    if (this.error) return readerError(this.error, () => void this.#open())
    const r = this.record
    if (!r) return loadingView()
    const status = t('pageOf', { page: this.n, pages: this.#count })
    return html`<div class="reader">
      ${topBar(r.id, r.metadata.title, html`<button class="secondary" aria-pressed=${this.zoom} @click=${() => (this.zoom = !this.zoom)}>${t('zoom')}</button>`)}
      <div
        class="stage ${this.zoom ? 'zoom' : ''}"
        @dblclick=${() => (this.zoom = !this.zoom)}
        @touchstart=${(e: TouchEvent) => (this.#touchX = e.touches[0]?.clientX)}
        @touchend=${(e: TouchEvent) => {
          const dx = (e.changedTouches[0]?.clientX ?? 0) - (this.#touchX ?? 0)
          if (!this.zoom && Math.abs(dx) > 50) this.#go(this.n + (dx < 0 ? 1 : -1))
        }}
      >
        ${this.#count ? html`<img src="/api/resources/${r.id}/images/${this.n}" alt="${r.metadata.title} · ${status}" />` : html`<p>${t('nothingYet')}</p>`}
      </div>
      ${bottomBar(
        status,
        () => this.#go(this.n - 1),
        () => this.#go(this.n + 1),
      )}
    </div>`
  }

  static override styles = [
    base,
    chrome,
    css`
      .stage { min-height: 0; display: grid; place-items: center; overflow: auto; background: #1c1c1c; }
      .stage img { max-width: 100%; max-height: 100%; object-fit: contain; }
      .stage.zoom { place-items: start; }
      .stage.zoom img { max-width: none; max-height: none; }
    `,
  ]
}
customElements.define('shulin-view-images', ViewImagesPage)
