/**
 * @module embed/search
 * `<shulin-search node type lang>`: a search box over the node's catalogue on another site,
 * courses and lectures by default (`type="course,lecture"`; `type=""` for everything). A
 * lecture found by a sentence of its transcript links to the node's player at that second;
 * other hits link to their page on the node. Highlights are drawn from the hit's mark offsets
 * as text, never as HTML.
 */
import { LitElement, css, html, nothing } from 'lit'
import type { ResourceType, SearchHit, SearchResponse } from '@shulin/client'
import { base } from '../styles.js'
import { clock } from '../components/course-player.js'
import { clientFor, wordsFor } from './shared.js'

type Highlighted = SearchHit['highlight']['title']

/** Text with its marked ranges in `<mark>` (Lit escapes the text). */
function marked(h: Highlighted) {
  const out: unknown[] = []
  let at = 0
  for (const [from, to] of h.marks) {
    out.push(h.text.slice(at, from), html`<mark>${h.text.slice(from, to)}</mark>`)
    at = to
  }
  out.push(h.text.slice(at))
  return out
}

export class ShulinSearch extends LitElement {
  static override properties = {
    node: {},
    type: {},
    result: { state: true },
    busy: { state: true },
    error: { state: true },
  }
  node = ''
  type = 'course,lecture'
  result: SearchResponse | undefined
  busy = false
  error = ''

  static override styles = [
    base,
    css`
      :host { display: block; line-height: 1.5; }
      form { display: flex; gap: 8px; }
      form button { flex: none; white-space: nowrap; }
      ul { list-style: none; margin: 12px 0 0; padding: 0; }
      li { padding: 10px 0; border-bottom: 1px solid var(--line); }
      .kind { font-size: 0.8rem; color: var(--muted); margin-right: 6px; }
      .snippet, .muted { color: var(--muted); font-size: 0.9rem; }
      mark { background: var(--mark); color: inherit; }
      .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
    `,
  ]

  async #search(e: Event): Promise<void> {
    e.preventDefault()
    const q = (this.renderRoot.querySelector('input') as HTMLInputElement).value.trim()
    if (!q) return
    this.busy = true
    this.error = ''
    try {
      const types = this.type
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean) as ResourceType[]
      this.result = await clientFor(this.node).search(q, { type: types, limit: 20, facets: false })
    } catch (err) {
      this.error = (err as Error).message
    } finally {
      this.busy = false
    }
  }

  #link(hit: SearchHit): string {
    const client = clientFor(this.node)
    if (hit.type === 'lecture') return client.lectureUrl(hit.id, hit.t)
    if (hit.type === 'course') return `${client.node}/courses/${encodeURIComponent(hit.id)}`
    return `${client.node}/r/${encodeURIComponent(hit.id)}`
  }

  override render() {
    const w = wordsFor(this)
    const r = this.result
    return html`
      <form role="search" @submit=${(e: Event) => void this.#search(e)}>
        <label class="visually-hidden" for="q">${w('search')}</label>
        <input id="q" type="search" placeholder=${w('search')} maxlength="256" />
        <button ?disabled=${this.busy}>${w('searchButton')}</button>
      </form>
      ${this.error ? html`<p role="alert">${w('failed')}: ${this.error}</p>` : nothing}
      ${r && !r.hits.length ? html`<p class="muted" role="status">${w('noHits')}</p>` : nothing}
      ${
        r?.hits.length
          ? html`<ul>
            ${r.hits.map(
              (h) => html`<li>
                <span class="kind">${h.type === 'course' ? w('course') : h.type === 'lecture' ? w('lecture') : ''}</span>
                <a href=${this.#link(h)} target="_blank" rel="noopener">${marked(h.highlight.title)}</a>
                ${h.t !== undefined ? html`<span class="muted">${w('at', { time: clock(h.t) })}</span>` : nothing}
                ${h.highlight.snippet ? html`<div class="snippet">${marked(h.highlight.snippet)}</div>` : nothing}
              </li>`,
            )}
          </ul>`
          : nothing
      }
    `
  }
}
