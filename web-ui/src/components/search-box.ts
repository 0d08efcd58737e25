/**
 * @module components/search-box
 * The search box: suggestions (titles and names, by characters or pinyin) as the reader
 * types, as an ARIA combobox — arrow keys move through them, Enter opens one or searches,
 * Escape closes the list.
 */
import { LitElement, css, html, nothing } from 'lit'
import type { SuggestResponse, Suggestion } from '@shulin/protocol'
import { base } from '../styles.js'
import { t } from '../i18n/index.js'
import { api } from '../api.js'
import { navigate } from '../router.js'

export class SearchBox extends LitElement {
  static override properties = { value: {}, suggestions: { state: true }, active: { state: true } }
  value = ''
  suggestions: Suggestion[] = []
  active = -1
  #timer: number | undefined
  #abort: AbortController | undefined

  #input(e: Event): void {
    this.value = (e.target as HTMLInputElement).value
    clearTimeout(this.#timer)
    this.#timer = window.setTimeout(() => void this.#suggest(), 120)
  }

  async #suggest(): Promise<void> {
    this.#abort?.abort()
    const q = this.value.trim()
    if (!q) {
      this.suggestions = []
      return
    }
    this.#abort = new AbortController()
    try {
      const r = await api<SuggestResponse>(`/api/search/suggest?q=${encodeURIComponent(q)}&limit=6`, {
        signal: this.#abort.signal,
      })
      this.suggestions = r.suggestions
      this.active = -1
    } catch {
      this.suggestions = []
    }
  }

  #submit(e?: Event): void {
    e?.preventDefault()
    const chosen = this.suggestions[this.active]
    this.suggestions = []
    if (chosen) navigate(chosen.field === 'title' ? `/r/${chosen.id}` : `/search?q=${encodeURIComponent(chosen.text)}`)
    else navigate(`/search?q=${encodeURIComponent(this.value.trim())}`)
  }

  #key(e: KeyboardEvent): void {
    if (!this.suggestions.length) return
    if (e.key === 'ArrowDown') this.active = (this.active + 1) % this.suggestions.length
    else if (e.key === 'ArrowUp') this.active = (this.active - 1 + this.suggestions.length) % this.suggestions.length
    else if (e.key === 'Escape') this.suggestions = []
    else return
    e.preventDefault()
  }

  // maxlength is the API's maxQueryLength (protocol search schemas): a longer query is refused.
  override render() {
    const open = this.suggestions.length > 0
    return html`
      <form role="search" @submit=${this.#submit}>
        <label class="visually-hidden" for="q">${t('searchLabel')}</label>
        <input
          id="q"
          type="search"
          enterkeyhint="search"
          autocomplete="off"
          role="combobox"
          aria-expanded=${open ? 'true' : 'false'}
          aria-controls="suggestions"
          aria-autocomplete="list"
          aria-activedescendant=${this.active >= 0 ? `s${this.active}` : nothing}
          placeholder=${t('searchPlaceholder')}
          maxlength="256"
          .value=${this.value}
          @input=${this.#input}
          @keydown=${this.#key}
          @blur=${() => setTimeout(() => (this.suggestions = []), 150)}
        />
        <button type="submit">${t('searchButton')}</button>
        ${
          open
            ? html`<ul id="suggestions" role="listbox" aria-label=${t('suggestions')}>
              ${this.suggestions.map(
                (
                  s,
                  i,
                ) => html`<li id="s${i}" role="option" aria-selected=${i === this.active ? 'true' : 'false'} @mousedown=${() => ((this.active = i), this.#submit())}>
                  ${s.text} <span class="muted">${s.field === 'creator' ? '·' : ''}</span>
                </li>`,
              )}
            </ul>`
            : nothing
        }
      </form>
    `
  }

  static override styles = [
    base,
    css`
      form { position: relative; display: flex; gap: 8px; }
      input { flex: 1; }
      button { flex: none; background: var(--accent); border-color: var(--accent); }
      ul {
        position: absolute; top: 100%; left: 0; right: 0; margin: 4px 0 0; padding: 4px 0; list-style: none;
        background: #fff; color: var(--text); border: 1px solid var(--line); border-radius: var(--radius); z-index: 20;
        box-shadow: 0 6px 20px rgb(0 0 0 / 0.12);
      }
      li { padding: 10px 14px; cursor: pointer; min-height: 44px; }
      li[aria-selected='true'], li:hover { background: #eef2f7; }
    `,
  ]
}
customElements.define('shulin-search-box', SearchBox)
