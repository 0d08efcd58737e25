/**
 * @module components/resource-card
 * One record in a list: cover (uploaded or generated; a lettered placeholder for another node's), title and creators with the
 * search marks, the snippet that matched, its type. It opens where the record is used: a
 * lecture in its player — at the second of the transcript line that matched, shown before
 * that line as "▶ 1:15" — a course on its page, anything else on its record page.
 */
import { LitElement, css, html, nothing } from 'lit'
import type { SearchHit } from '@shulin/protocol'
import { base } from '../styles.js'
import { t } from '../i18n/index.js'
import { highlighted } from './highlighted-text.js'
import { typeLabel } from '../labels.js'
import { clock, coverHref, hitHref } from '../links.js'

export class ResourceCard extends LitElement {
  static override properties = { hit: { attribute: false }, linked: { type: Boolean }, note: {} }
  hit!: SearchHit
  /** Whether the record can be opened here (a hit from the network's catalogue may not be). */
  linked = true
  note = ''

  override render() {
    const h = this.hit
    const body = html`
        ${
          // A record of this library always has a cover here (uploaded or generated); a hit from the
          // network's catalogue may not be on this node, so it keeps the lettered placeholder.
          h.thumbnail || this.linked
            ? html`<img src=${h.thumbnail ?? coverHref(h.id, 'small')} alt="" loading="lazy" width="72" height="96" />`
            : html`<span class="cover" aria-hidden="true">${[...h.title][0] ?? '书'}</span>`
        }
        <span class="text">
          <span class="title">${highlighted(h.highlight.title, h.title)}</span>
          ${h.creators.length ? html`<span class="creators">${h.highlight.creators.map((c, i) => html`${i ? '、' : ''}${highlighted(c)}`)}</span>` : nothing}
          ${
            h.highlight.snippet || h.t !== undefined
              ? html`<span class="snippet">${h.t !== undefined ? this.#at(h.t) : nothing}${h.highlight.snippet ? highlighted(h.highlight.snippet) : nothing}</span>`
              : nothing
          }
          <span class="type muted">${typeLabel(h.type)}${h.date ? ` · ${h.date}` : ''}</span>
          ${this.note ? html`<span class="note">${this.note}</span>` : nothing}
        </span>`
    return this.linked ? html`<a href=${hitHref(h)}>${body}</a>` : html`<div class="card">${body}</div>`
  }

  /** Where in the lecture the match is (the player opens there). */
  #at(seconds: number) {
    const time = clock(seconds)
    return html`<span class="at"><span aria-hidden="true">▶ ${time}</span><span class="visually-hidden">${t('hitPlaysFrom', { time })}</span></span> `
  }

  static override styles = [
    base,
    css`
      a, .card { display: flex; gap: 12px; padding: 12px; background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); text-decoration: none; color: var(--text); }
      a:hover { border-color: var(--ink); }
      img, .cover { flex: none; width: 72px; height: 96px; border-radius: 6px; object-fit: cover; }
      .cover { display: grid; place-items: center; background: var(--ink); color: #fff; font-size: 2rem; font-family: serif; }
      .text { display: flex; flex-direction: column; gap: 4px; min-width: 0; }
      .title { font-weight: 700; color: var(--ink); font-size: 1.05rem; }
      .creators { color: var(--text); }
      .snippet { color: var(--muted); font-size: 0.92rem; overflow-wrap: anywhere; }
      .at { color: var(--ink); font-weight: 700; font-variant-numeric: tabular-nums; white-space: nowrap; }
      .type { font-size: 0.85rem; }
      .note { font-size: 0.85rem; color: var(--accent); }
    `,
  ]
}
customElements.define('shulin-resource-card', ResourceCard)
