/**
 * @module components/shelf
 * One shelf of the home page: a heading with a "more" link, and covers in a row that scrolls
 * sideways — snapping to a cover, by touch, trackpad or keyboard (each cover is a link, so Tab
 * walks along the shelf and the browser scrolls the focused one into view). Mobile first: three
 * covers and the edge of a fourth show on a phone, so the cut one says "there is more this way".
 */
import { LitElement, css, html, nothing } from 'lit'
import { base } from '../styles.js'
import { pt } from '../i18n/portal.js'

export interface ShelfItem {
  href: string
  title: string
  /** Creators, a time, a count: one short line under the title. */
  note?: string
  /** The cover URL; without one, a tile with the title (courses and lectures without a poster). */
  cover?: string | null
  /** Wide (16:9) for courses and lectures, tall (3:4) for books. */
  wide?: boolean
  badge?: string
}

let shelves = 0

export class Shelf extends LitElement {
  static override properties = {
    heading: {},
    more: {},
    items: { attribute: false },
    label: {},
  }
  heading = ''
  /** Where "more" leads (the collection's own page, the courses list…). */
  more = ''
  /** A short word above the heading ("专题"). */
  label = ''
  items: ShelfItem[] = []
  readonly #id = `shelf-${++shelves}`

  override render() {
    if (!this.items.length) return nothing
    return html`<section aria-labelledby=${this.#id}>
      <div class="head">
        <h2 id=${this.#id}>${this.label ? html`<span class="label">${this.label}</span>` : nothing}${this.heading}</h2>
        ${this.more ? html`<a class="more" href=${this.more} aria-label="${pt('shelfMore')}：${this.heading}">${pt('shelfMore')} ›</a>` : nothing}
      </div>
      <ul class="row" aria-label=${pt('shelfItems', { title: this.heading })}>
        ${this.items.map(
          (i) => html`<li class=${i.wide ? 'wide' : ''}>
            <a href=${i.href}>
              ${
                i.cover
                  ? html`<img src=${i.cover} alt="" loading="lazy" decoding="async" width=${i.wide ? 222 : 104} height=${i.wide ? 125 : 139} />`
                  : html`<span class="tile" aria-hidden="true">${i.title}</span>`
              }
              ${i.badge ? html`<span class="badge">${i.badge}</span>` : nothing}
              <span class="title">${i.title}</span>
              ${i.note ? html`<span class="note">${i.note}</span>` : nothing}
            </a>
          </li>`,
        )}
      </ul>
    </section>`
  }

  static override styles = [
    base,
    css`
      :host { display: block; }
      .head { display: flex; align-items: flex-end; justify-content: space-between; gap: 12px; }
      h2 { margin: 0 0 8px; font-size: 1.15rem; }
      .label { display: block; font-size: 0.8rem; font-weight: 400; color: var(--muted); }
      .more { flex: none; display: inline-flex; align-items: center; min-height: 44px; padding: 0 4px; }
      .row {
        list-style: none; margin: 0 -16px; padding: 8px 16px 12px; display: grid; grid-auto-flow: column;
        grid-auto-columns: 104px; gap: 14px; overflow-x: auto; overscroll-behavior-x: contain;
        scroll-snap-type: x mandatory; scroll-padding-inline: 16px; scrollbar-width: thin;
      }
      li { scroll-snap-align: start; min-width: 0; }
      li.wide { grid-column: span 2; }
      a { display: flex; flex-direction: column; gap: 4px; text-decoration: none; color: var(--text); position: relative; border-radius: 8px; }
      img, .tile {
        width: 100%; aspect-ratio: 3 / 4; height: auto; border-radius: 6px; object-fit: cover; background: var(--line);
        box-shadow: 0 1px 2px rgb(0 0 0 / 0.12), 0 4px 10px rgb(0 0 0 / 0.08);
      }
      .wide img, .wide .tile { aspect-ratio: 16 / 9; }
      .tile {
        display: flex; align-items: flex-end; padding: 10px; box-sizing: border-box; background: var(--ink); color: #fff;
        font-family: serif; font-size: 1rem; line-height: 1.35; overflow: hidden; overflow-wrap: anywhere;
      }
      .badge { position: absolute; top: 6px; left: 6px; background: var(--accent); color: #fff; font-size: 0.75rem; padding: 2px 6px; border-radius: 4px; }
      .title {
        font-size: 0.92rem; line-height: 1.35; color: var(--ink); font-weight: 600;
        display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden;
      }
      .note { font-size: 0.8rem; color: var(--muted); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
      @media (min-width: 768px) { .row { grid-auto-columns: 132px; margin: 0; padding-inline: 0; scroll-padding-inline: 0; } }
    `,
  ]
}
customElements.define('shulin-shelf', Shelf)
