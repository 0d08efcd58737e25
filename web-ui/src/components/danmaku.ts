/**
 * @module components/danmaku
 * `<shulin-danmaku>`: comments (弹幕) flying right to left across the video, in the player's
 * `overlay` slot. Decoration only — hidden from screen readers (the room panel lists the same
 * comments), never catching clicks, and still for readers who ask for reduced motion (then
 * nothing flies; the list is there).
 *
 * Lanes: each comment takes the lane that has been free the longest, so at most one comment a
 * lane starts at a time and a busy room does not pile text into one unreadable line.
 */
import { LitElement, css, html } from 'lit'
import { repeat } from 'lit/directives/repeat.js'

interface Flying {
  key: number
  text: string
  lane: number
}

const lanes = 6
/** Seconds a comment takes to cross. */
const crossSeconds = 8
/** The most comments in the air at once (more are dropped: a flood must not freeze the page). */
const maxFlying = 40

export class ShulinDanmaku extends LitElement {
  static override properties = { flying: { state: true } }
  flying: Flying[] = []
  #key = 0
  #laneFree = new Array<number>(lanes).fill(0)

  /** Sends one comment across. */
  add(text: string): void {
    if (this.flying.length >= maxFlying) return
    let lane = 0
    for (let i = 1; i < lanes; i++) if (this.#laneFree[i]! < this.#laneFree[lane]!) lane = i
    this.#laneFree[lane] = Date.now() + 1500
    this.flying = [...this.flying, { key: ++this.#key, text, lane }]
  }

  #done(key: number): void {
    this.flying = this.flying.filter((f) => f.key !== key)
  }

  override render() {
    return html`<div class="sky" aria-hidden="true">
      ${repeat(
        this.flying,
        (f) => f.key,
        (f) =>
          html`<span class="c" style="top:${f.lane * (100 / lanes)}%" @animationend=${() => this.#done(f.key)}>${f.text}</span>`,
      )}
    </div>`
  }

  static override styles = css`
    :host { display: block; pointer-events: none; }
    .sky { position: absolute; inset: 0; overflow: hidden; }
    .c {
      position: absolute; left: 100%; white-space: nowrap; color: #fff; font-size: clamp(14px, 3.5cqw, 22px);
      font-weight: 600; text-shadow: 0 0 3px #000, 0 0 3px #000; will-change: transform;
      animation: fly ${crossSeconds}s linear forwards;
    }
    @keyframes fly { to { transform: translateX(calc(-100cqw - 100%)); } }
    :host { container-type: inline-size; }
    @media (prefers-reduced-motion: reduce) { .sky { display: none; } }
  `
}
customElements.define('shulin-danmaku', ShulinDanmaku)

declare global {
  interface HTMLElementTagNameMap {
    'shulin-danmaku': ShulinDanmaku
  }
}
