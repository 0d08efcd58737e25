/**
 * @module pages/reader/read-epub
 * The EPUB reader (foliate-js): pages, table of contents, reading settings (text size, line
 * spacing, font, day / night / sepia) kept per reader on the server, and the reading
 * position saved as an EPUB CFI — on the server for other devices, and on this device so a
 * book opened once can be reopened offline. Read-aloud (reading/read-aloud) speaks the book
 * sentence by sentence and keeps the spoken sentence as the position.
 */
import { LitElement, css, html, nothing } from 'lit'
import type { Annotation, ReaderSettings, ReadingState, Resource } from '@shulin/protocol'
import { base } from '../../styles.js'
import { t } from '../../i18n/index.js'
import { api, session } from '../../api.js'
import { loadingView } from '../../components/page-state.js'
import { loadPosition, PositionKeeper } from '../../reading/position.js'
import { bottomBar, chrome, ReaderKeys, readerError, topBar } from '../../reading/chrome.js'
import { highlightCss, ReadAloud, type SpeakingView } from '../../reading/read-aloud.js'
import { readAloudBar, readAloudStyles } from '../../reading/read-aloud-bar.js'
import { closeWhenSettled } from '../../reading/foliate-teardown.js'

const defaults: ReaderSettings = { fontSize: 18, lineHeight: 1.7, font: 'serif', theme: 'day' }
const themes = { day: ['#1c1c1c', '#ffffff'], night: ['#d8d8d8', '#121212'], sepia: ['#3b2f20', '#f4ecd8'] } as const
const fonts = {
  serif: '"Noto Serif CJK SC", "Songti SC", "SimSun", serif',
  sans: '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif',
  kai: '"Kaiti SC", "STKaiti", "KaiTi", "Noto Serif CJK SC", serif',
}
const settingsKey = 'shulin.reader-settings'

function bookCss(s: ReaderSettings): string {
  const [fg, bg] = themes[s.theme]
  return `
    html, body { color: ${fg} !important; background: ${bg} !important; }
    body, p, li, div, span { font-size: ${s.fontSize}px !important; line-height: ${s.lineHeight} !important; font-family: ${fonts[s.font]} !important; }
    a:link { color: ${s.theme === 'night' ? '#9cc2ff' : '#1f3a5f'}; }
    ${highlightCss}
  `
}

/** The book's declared language (a string or a list in foliate's metadata), for read-aloud's voice. */
function bookLang(metadata: { language?: unknown } | undefined): string | undefined {
  const l = Array.isArray(metadata?.language) ? (metadata.language as unknown[])[0] : metadata?.language
  return typeof l === 'string' && l ? l : undefined
}

export class ReadEpubPage extends LitElement {
  static override properties = {
    resourceId: {},
    record: { state: true },
    settings: { state: true },
    panel: { state: true },
    error: { state: true },
    fraction: { state: true },
    toc: { state: true },
    bookmarks: { state: true },
    note: { state: true },
    listening: { state: true },
  }
  resourceId = ''
  record: Resource | undefined
  settings: ReaderSettings = {
    ...defaults,
    ...(JSON.parse(localStorage.getItem(settingsKey) ?? '{}') as Partial<ReaderSettings>),
  }
  panel: 'toc' | 'settings' | 'bookmarks' | undefined
  bookmarks: Annotation[] = []
  note = ''
  #where = ''
  error: unknown
  fraction = 0
  toc: FoliateTocItem[] = []
  #view: FoliateView | undefined
  #keeper: PositionKeeper | undefined
  /** The read-aloud bar is open. */
  listening = false
  #aloud: ReadAloud | undefined
  /** Where reading aloud starts: the kept position, then each sentence as it is spoken. */
  #spokenCfi: string | undefined
  constructor() {
    super()
    new ReaderKeys(this, (e) => {
      if (e.key === 'ArrowLeft') void this.#view?.goLeft()
      if (e.key === 'ArrowRight') void this.#view?.goRight()
      if (e.key === 'Escape') this.panel = undefined
    })
  }

  override connectedCallback(): void {
    super.connectedCallback()
    // Put back after being taken out (its reader was torn down then): open the book again.
    if (this.hasUpdated && !this.#view && this.resourceId) void this.#open()
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    this.#aloud?.dispose()
    this.#keeper?.flush()
    this.#close()
  }

  /**
   * Leaving the reader tears foliate down. Left running in a removed page, its resize
   * observers and pending section loads went on drawing into iframes whose documents were
   * gone ("Cannot read properties of null (reading 'defaultView')" when moving between pages);
   * torn down while it still opened the book, its own next steps met null (closeWhenSettled).
   */
  #close(): void {
    this.#opening++
    const view = this.#view
    this.#view = undefined
    if (view) closeWhenSettled(view, this.#settled)
  }

  /** Settles when the latest opening has ended, however it ended. */
  #settled: Promise<void> = Promise.resolve()

  /** Counts openings, so one overtaken (the reader left, or opened another book) stops. */
  #opening = 0

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('resourceId')) void this.#open()
  }

  async #open(): Promise<void> {
    this.error = undefined
    if (this.#view) this.#close()
    const opening = ++this.#opening
    // Still the book shown, in a page still shown: else building a reader now draws into nothing.
    const current = () => opening === this.#opening && this.isConnected
    let ended!: () => void
    this.#settled = new Promise<void>((resolve) => (ended = resolve))
    try {
      const signedIn = !!session.current
      this.#keeper = new PositionKeeper(this.resourceId)
      this.#keeper.onSaved = (p) => {
        if (p.kind === 'epub') this.dataset.saved = p.cfi
      }
      const [record, position, settings] = await Promise.all([
        api<Resource>(`/api/resources/${this.resourceId}`),
        loadPosition(this.resourceId),
        signedIn ? api<ReaderSettings>('/api/me/settings/reading').catch(() => undefined) : undefined,
      ])
      this.record = record
      if (settings) this.#keepSettings(settings, false)
      const res = await fetch(`/api/resources/${this.resourceId}/content`, { credentials: 'same-origin' })
      if (!res.ok)
        throw new Error(res.status === 401 ? t('signInToRead') : t('errorGeneric', { message: `HTTP ${res.status}` }))
      const blob = await res.blob()
      await import('foliate-js/view.js')
      await this.updateComplete
      if (!current()) return
      const view = document.createElement('foliate-view') as FoliateView
      this.renderRoot.querySelector('.page')!.replaceChildren(view)
      this.#view = view
      await view.open(new File([blob], 'book.epub', { type: 'application/epub+zip' }))
      if (!current()) return
      view.renderer.setAttribute('max-column-count', window.innerWidth > 1000 ? '2' : '1')
      view.renderer.setAttribute('margin', '32px')
      view.renderer.setStyles?.(bookCss(this.settings))
      view.addEventListener('relocate', (e) => this.#relocated((e as CustomEvent<FoliateRelocateDetail>).detail))
      this.toc = view.book.toc ?? []
      this.#spokenCfi = position?.kind === 'epub' ? position.cfi : undefined
      this.#aloud?.dispose()
      this.#aloud = new ReadAloud(view as unknown as SpeakingView, {
        onChange: () => this.requestUpdate(),
        onSentence: (cfi) => this.#sentenceReached(cfi),
        fallbackLang: bookLang(view.book.metadata as { language?: unknown } | undefined),
      })
      await view.init({ lastLocation: position?.kind === 'epub' ? position.cfi : null, showTextStart: true })
    } catch (err) {
      if (current()) this.error = err
    } finally {
      ended()
    }
  }

  #relocated(d: FoliateRelocateDetail): void {
    this.fraction = d.fraction ?? 0
    if (!d.cfi) return
    this.#where = d.tocItem?.label ?? ''
    this.dataset.cfi = d.cfi
    // While reading aloud the position is the sentence being spoken, not the top of the page.
    if (this.#aloud && this.#aloud.state !== 'stopped') return
    this.#keeper?.update({ kind: 'epub', cfi: d.cfi }, this.fraction)
  }

  #sentenceReached(cfi: string): void {
    this.#spokenCfi = cfi
    this.dataset.spoken = cfi
    this.#keeper?.update({ kind: 'epub', cfi }, this.fraction)
  }

  #toggleListening(): void {
    this.listening = !this.listening
    if (this.listening) void this.#aloud?.start(this.#spokenCfi)
    else this.#aloud?.stop()
  }

  async #openBookmarks(): Promise<void> {
    this.panel = this.panel === 'bookmarks' ? undefined : 'bookmarks'
    if (!this.panel || !session.current) return
    const state = await api<ReadingState>(`/api/me/reading/${this.resourceId}`).catch(() => undefined)
    this.bookmarks = (state?.annotations ?? []).filter((a) => a.kind === 'bookmark' && !a.deleted)
  }

  /** Adds (or, with `remove`, deletes) a bookmark; bookmarks merge across devices by id. */
  async #bookmark(remove?: Annotation): Promise<void> {
    const cfi = this.dataset.cfi
    if (!session.current || (!remove && !cfi)) {
      this.note = t('signInToRead')
      return
    }
    const a: Annotation = remove
      ? { ...remove, deleted: true, updatedAt: new Date().toISOString() }
      : {
          id: crypto.randomUUID(),
          kind: 'bookmark',
          position: { kind: 'epub', cfi: cfi! },
          quote: `${this.#where} · ${Math.round(this.fraction * 100)}%`,
          updatedAt: new Date().toISOString(),
          deleted: false,
        }
    try {
      const state = await api<ReadingState>(`/api/me/reading/${this.resourceId}/sync`, { body: { annotations: [a] } })
      this.bookmarks = state.annotations.filter((x) => x.kind === 'bookmark' && !x.deleted)
      this.note = remove ? t('bookmarkRemoved') : t('bookmarkAdded')
    } catch (err) {
      this.note = (err as Error).message
    }
  }

  #keepSettings(next: ReaderSettings, save = true): void {
    this.settings = next
    localStorage.setItem(settingsKey, JSON.stringify(next))
    this.#view?.renderer.setStyles?.(bookCss(next))
    if (save && session.current) void api('/api/me/settings/reading', { method: 'PUT', body: next }).catch(() => {})
  }

  #change<K extends keyof ReaderSettings>(key: K, value: ReaderSettings[K]): void {
    this.#keepSettings({ ...this.settings, [key]: value })
  }

  #tocList(items: FoliateTocItem[]): unknown {
    return html`<ul>
      ${items.map(
        (i) => html`<li>
          <button class="link" @click=${() => ((this.panel = undefined), void this.#view?.goTo(i.href))}>${i.label}</button>
          ${i.subitems?.length ? this.#tocList(i.subitems) : nothing}
        </li>`,
      )}
    </ul>`
  }

  override render() {
    if (this.error) return readerError(this.error, () => void this.#open(), this.resourceId)
    const s = this.settings
    const [fg, bg] = themes[s.theme]
    return html`
      <div class="reader ${this.listening ? 'listening' : ''}" style="--fg:${fg};--bg:${bg}">
        ${topBar(
          this.resourceId,
          this.record?.metadata.title ?? '',
          html`<button class="secondary" aria-expanded=${this.panel === 'toc'} @click=${() => (this.panel = this.panel === 'toc' ? undefined : 'toc')}>${t('contents')}</button>
            <button class="secondary" aria-expanded=${this.panel === 'bookmarks'} @click=${() => void this.#openBookmarks()}>${t('bookmarks')}</button>
            <button class="secondary" aria-expanded=${this.listening} @click=${() => this.#toggleListening()}>${t('readAloud')}</button>
            <button class="secondary" aria-expanded=${this.panel === 'settings'} @click=${() => (this.panel = this.panel === 'settings' ? undefined : 'settings')}>${t('settings')}</button>`,
        )}
        ${
          this.listening && this.#aloud
            ? readAloudBar(this.#aloud, {
                start: () => void this.#aloud?.start(this.#spokenCfi),
                close: () => this.#toggleListening(),
              })
            : nothing
        }
        ${this.record ? nothing : loadingView()}
        <div class="page" role="region" aria-label=${this.record?.metadata.title ?? ''}></div>
        ${bottomBar(
          t('progress', { percent: Math.round(this.fraction * 100) }),
          () => void this.#view?.prev(),
          () => void this.#view?.next(),
        )}
        ${
          this.panel === 'bookmarks'
            ? html`<aside aria-label=${t('bookmarks')}>
              <h2>${t('bookmarks')}</h2>
              <button @click=${() => void this.#bookmark()}>${t('addBookmark')}</button>
              <p role="status" class="muted">${this.note}</p>
              <ul>
                ${this.bookmarks.map(
                  (b) => html`<li class="bm">
                    <button class="link" @click=${() => ((this.panel = undefined), b.position.kind === 'epub' && void this.#view?.goTo(b.position.cfi))}>${b.quote ?? b.updatedAt}</button>
                    <button class="secondary" aria-label=${t('removeBookmark')} @click=${() => void this.#bookmark(b)}>✕</button>
                  </li>`,
                )}
              </ul>
            </aside>`
            : nothing
        }
        ${this.panel === 'toc' ? html`<aside aria-label=${t('contents')}><h2>${t('contents')}</h2>${this.#tocList(this.toc)}</aside>` : nothing}
        ${
          this.panel === 'settings'
            ? html`<aside aria-label=${t('settings')}>
              <h2>${t('settings')}</h2>
              <div class="row">
                <span id="fs">${t('fontSize')}</span>
                <button class="secondary" aria-label=${t('smaller')} ?disabled=${s.fontSize <= 12} @click=${() => this.#change('fontSize', Math.max(12, s.fontSize - 2))}>A-</button>
                <output aria-labelledby="fs" data-testid="font-size">${s.fontSize}</output>
                <button class="secondary" aria-label=${t('larger')} ?disabled=${s.fontSize >= 40} @click=${() => this.#change('fontSize', Math.min(40, s.fontSize + 2))}>A+</button>
              </div>
              <label for="lh">${t('lineHeight')}</label>
              <select id="lh" @change=${(e: Event) => this.#change('lineHeight', Number((e.target as HTMLSelectElement).value))}>
                ${[1.4, 1.7, 2.0, 2.4].map((v) => html`<option value=${v} ?selected=${s.lineHeight === v}>${v}</option>`)}
              </select>
              <label for="font">${t('font')}</label>
              <select id="font" @change=${(e: Event) => this.#change('font', (e.target as HTMLSelectElement).value as ReaderSettings['font'])}>
                <option value="serif" ?selected=${s.font === 'serif'}>${t('fontSerif')}</option>
                <option value="sans" ?selected=${s.font === 'sans'}>${t('fontSans')}</option>
                <option value="kai" ?selected=${s.font === 'kai'}>${t('fontKai')}</option>
              </select>
              <fieldset>
                <legend>${t('theme')}</legend>
                ${(['day', 'night', 'sepia'] as const).map(
                  (v) =>
                    html`<label class="radio"><input type="radio" name="theme" .checked=${s.theme === v} @change=${() => this.#change('theme', v)} /> ${t(v === 'day' ? 'themeDay' : v === 'night' ? 'themeNight' : 'themeSepia')}</label>`,
                )}
              </fieldset>
              <button @click=${() => (this.panel = undefined)}>${t('close')}</button>
            </aside>`
            : nothing
        }
      </div>
    `
  }

  static override styles = [
    base,
    chrome,
    readAloudStyles,
    css`
      .page { min-height: 0; }
      .page > * { height: 100%; display: block; }
      .row { display: flex; align-items: center; gap: 8px; }
      .row span { flex: 1; font-weight: 600; }
      output { min-width: 2.5em; text-align: center; }
      fieldset { border: 0; padding: 0; margin: 12px 0; }
      legend { font-weight: 600; }
      .radio { display: flex; gap: 8px; align-items: center; font-weight: 400; margin: 4px 0; }
      .radio input { width: 22px; min-height: 22px; }
      .bm { display: flex; justify-content: space-between; align-items: center; gap: 8px; }
    `,
  ]
}
customElements.define('shulin-read-epub', ReadEpubPage)
