/**
 * @module components/banner-strip
 * The staff's banners across the top of the home page: one image at a time on a phone, wider
 * screens see the next one peek in. Images are 3:1; a desktop shows their middle at 4:1. It scrolls sideways with snapping — no timer turns it, so
 * nothing moves that a reader did not move (WCAG 2.2.2) — and each banner is a link whose name
 * is its alt text, so a screen reader hears what the image says and Tab walks the strip.
 */
import { LitElement, css, html, nothing } from 'lit'
import type { PortalHome } from '@shulin/protocol'
import { base } from '../styles.js'
import { pt } from '../i18n/portal.js'

export class BannerStrip extends LitElement {
  static override properties = { banners: { attribute: false } }
  banners: PortalHome['banners'] = []

  override render() {
    if (!this.banners.length) return nothing
    return html`<section aria-label=${pt('banners')}>
      <ul class=${this.banners.length > 1 ? 'many' : ''}>
        ${this.banners.map(
          (b, i) => html`<li>
            <a href=${b.href} rel=${b.href.startsWith('/') ? nothing : 'noopener'}>
              <img src=${b.image} alt=${b.alt} width="1200" height="400" loading=${i ? 'lazy' : 'eager'} fetchpriority=${i ? 'auto' : 'high'} />
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
      ul {
        list-style: none; margin: 0 -16px; padding: 0 16px 4px; display: grid; grid-auto-flow: column;
        grid-auto-columns: 100%; gap: 12px; overflow-x: auto; scroll-snap-type: x mandatory;
        scroll-padding-inline: 16px; overscroll-behavior-x: contain; scrollbar-width: none;
      }
      li { scroll-snap-align: start; }
      a { display: block; border-radius: var(--radius); }
      img { display: block; width: 100%; height: auto; aspect-ratio: 3 / 1; object-fit: cover; border-radius: var(--radius); background: var(--line); }
      /* Wider screens: the next banner peeks in (when there is one), and a lower strip keeps the shelves in view. */
      @media (min-width: 768px) {
        ul { margin: 0; padding-inline: 0; scroll-padding-inline: 0; scrollbar-width: thin; }
        ul.many { grid-auto-columns: 88%; }
      }
      @media (min-width: 1024px) { img { aspect-ratio: 4 / 1; } }
    `,
  ]
}
customElements.define('shulin-banner-strip', BannerStrip)
