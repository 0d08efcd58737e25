/**
 * @module components/home-picker
 * "Reader of another library?" on the sign-in page: find your own library in the network by
 * name, region code or pinyin (a phone keyboard without an IME types `linan` or `lax` for
 * 临安县图书馆), or give your phone number and be routed to it; then sign in there and come
 * back signed in here. The list is the hub-signed registry, fetched when the section opens.
 */
import { LitElement, css, html, nothing } from 'lit'
import type { HomeLibrary, HomeLibraryList } from '@shulin/protocol'
import { base } from '../styles.js'
import { t, type MessageKey } from '../i18n/index.js'
import { api } from '../api.js'
import { formError } from './form.js'

const levelKey: Record<HomeLibrary['level'], MessageKey> = {
  county: 'levelCounty',
  city: 'levelCity',
  province: 'levelProvince',
}
const maxShown = 30

/** Whether a library answers a query typed in the search box. */
export function libraryMatches(lib: HomeLibrary, query: string): boolean {
  const q = query.trim().toLowerCase().replace(/\s+/g, '')
  if (!q) return true
  return (
    lib.name.toLowerCase().includes(q) ||
    lib.region.startsWith(q) ||
    lib.pinyin.includes(q) ||
    lib.initials.startsWith(q)
  )
}

export class HomePicker extends LitElement {
  static override properties = {
    next: {},
    open: { state: true },
    libraries: { state: true },
    query: { state: true },
    error: { state: true },
    busy: { state: true },
  }
  next = '/'
  open = false
  libraries: HomeLibrary[] | undefined
  query = ''
  error: unknown
  busy = false

  #start(params: Record<string, string>): void {
    // A full navigation: the home library's pages are another site's, and the flow ends back here.
    location.assign(`/api/identity/start?${new URLSearchParams({ ...params, next: this.next })}`)
  }

  async #toggle(): Promise<void> {
    this.open = !this.open
    if (this.open && !this.libraries) {
      try {
        this.libraries = (await api<HomeLibraryList>('/api/identity/libraries')).libraries
      } catch (err) {
        this.error = err
      }
    }
    if (this.open) {
      await this.updateComplete
      this.renderRoot.querySelector<HTMLInputElement>('#home-q')?.focus()
    }
  }

  async #byPhone(e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const phone = String(new FormData(e.target as HTMLFormElement).get('phone') ?? '')
    this.busy = true
    this.error = undefined
    try {
      const found = await api<HomeLibraryList>(`/api/identity/phone?${new URLSearchParams({ phone })}`)
      if (found.libraries.length === 1) this.#start({ home: found.libraries[0]!.nodeId })
      else this.libraries = found.libraries
      this.query = ''
    } catch (err) {
      this.error = err
      // On a phone the message would sit under the bottom bar: bring it up.
      await this.updateComplete
      this.renderRoot.querySelector('[role="alert"]')?.scrollIntoView({ block: 'center' })
    } finally {
      this.busy = false
    }
  }

  override render() {
    const shown = (this.libraries ?? []).filter((l) => libraryMatches(l, this.query))
    return html`
      <button id="elsewhere-toggle" class="secondary" aria-expanded=${this.open ? 'true' : 'false'} aria-controls="elsewhere" @click=${() => void this.#toggle()}>${t('readerElsewhere')}</button>
      ${
        this.open
          ? html`<section id="elsewhere" aria-labelledby="elsewhere-toggle">
            <p class="muted">${t('readerElsewhereHint')}</p>
            <label for="home-q">${t('findYourLibrary')}</label>
            <input id="home-q" type="search" autocomplete="off" .value=${this.query} @input=${(e: InputEvent) => (this.query = (e.target as HTMLInputElement).value)} aria-describedby="home-count" />
            <p id="home-count" class="muted" role="status">${this.libraries ? t('librariesFound', { n: shown.length }) : t('loading')}</p>
            <ul class="libraries">
              ${shown.slice(0, maxShown).map(
                (l) => html`<li>
                  <button class="library" @click=${() => this.#start({ home: l.nodeId })}>
                    <span class="name">${l.name}</span>
                    <span class="muted">${l.region} · ${t(levelKey[l.level])}</span>
                  </button>
                </li>`,
              )}
            </ul>
            <form @submit=${this.#byPhone} novalidate>
              <label for="home-phone">${t('findByPhone')}</label>
              <div class="row">
                <input id="home-phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" required />
                <button type="submit" ?disabled=${this.busy}>${t('findByPhoneGo')}</button>
              </div>
            </form>
            ${formError(this.error)}
          </section>`
          : nothing
      }
    `
  }

  static override styles = [
    base,
    css`
      :host { display: block; margin-top: 24px; }
      section { margin-top: 12px; display: grid; }
      .libraries { list-style: none; padding: 0; margin: 0 0 12px; display: grid; gap: 8px; }
      .library { width: 100%; min-height: 48px; text-align: start; display: flex; flex-direction: column; align-items: flex-start; gap: 2px; background: transparent; color: inherit; border: 1px solid currentColor; padding: 8px 12px; }
      .library .name { font-weight: 600; }
      .row { display: flex; gap: 8px; }
      .row input { flex: 1; }
    `,
  ]
}
customElements.define('shulin-home-picker', HomePicker)
