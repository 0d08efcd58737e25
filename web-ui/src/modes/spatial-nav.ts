/**
 * @module modes/spatial-nav
 * TV mode's arrow keys: Up, Down, Left and Right move the focus to the nearest focusable thing
 * that way on screen, Enter opens it (links and buttons do that themselves; a video plays or
 * pauses, a list box opens), the remote's back key goes back. Written here rather than taken from npm because the libraries for it
 * (@bbc/tv-lrud-spatial, @bam.tech/lrud, the WICG polyfill) look for focusables with
 * `document.querySelectorAll`, which never sees inside the portal's shadow roots.
 */

const focusable =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), video[controls], summary, [tabindex]:not([tabindex="-1"])'

type Direction = 'up' | 'down' | 'left' | 'right'
const directions: Record<string, Direction> = {
  ArrowUp: 'up',
  ArrowDown: 'down',
  ArrowLeft: 'left',
  ArrowRight: 'right',
}

/** The focused element, looking through shadow roots. */
export function deepActive(): Element | null {
  let a = document.activeElement
  while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement
  return a === document.body ? null : a
}

/** Every focusable element on screen, shadow roots included. */
function candidates(root: Document | ShadowRoot = document, out: HTMLElement[] = []): HTMLElement[] {
  for (const el of root.querySelectorAll<HTMLElement>('*')) {
    if (el.matches(focusable) && !el.closest('[inert]') && el.checkVisibility()) {
      const r = el.getBoundingClientRect()
      // The skip link waits off screen until Tab: arrows never land on it.
      if (r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > -window.innerHeight * 4) out.push(el)
    }
    if (el.shadowRoot) candidates(el.shadowRoot, out)
  }
  return out
}

/**
 * How far `to` is from `from` going `dir`, or Infinity when it is not that way. The gap along
 * the direction counts once and the sideways offset twice, so the next card in a row wins
 * over a nearer one a row further on.
 */
function distance(from: DOMRect, to: DOMRect, dir: Direction): number {
  const along =
    dir === 'down'
      ? to.top - from.bottom
      : dir === 'up'
        ? from.top - to.bottom
        : dir === 'right'
          ? to.left - from.right
          : from.left - to.right
  // Overlapping boxes (a card beside a taller one) still count when their centres are that way.
  const centre =
    dir === 'down'
      ? to.top + to.height / 2 - (from.top + from.height / 2)
      : dir === 'up'
        ? from.top + from.height / 2 - (to.top + to.height / 2)
        : dir === 'right'
          ? to.left + to.width / 2 - (from.left + from.width / 2)
          : from.left + from.width / 2 - (to.left + to.width / 2)
  const extent = dir === 'up' || dir === 'down' ? Math.min(from.height, to.height) : Math.min(from.width, to.width)
  if (centre <= 1 || along < -extent / 2) return Infinity
  // Left and right stay in the row: the end of a row is its end, not a jump to the next one.
  if ((dir === 'left' || dir === 'right') && (to.top >= from.bottom || to.bottom <= from.top)) return Infinity
  const sideways =
    dir === 'up' || dir === 'down'
      ? Math.max(0, to.left - from.right, from.left - to.right)
      : Math.max(0, to.top - from.bottom, from.top - to.bottom)
  return Math.max(0, along) + 2 * sideways
}

function focusOn(el: HTMLElement): void {
  el.focus({ preventScroll: true })
  // Centred up and down: never under the mode's sticky header, and the rows around it in view.
  el.scrollIntoView({ block: 'center', inline: 'nearest' })
}

/** The first thing to focus on a page: the top-most, then left-most, below the mode's header. */
export function focusFirst(within: (el: HTMLElement) => boolean = () => true): boolean {
  const all = candidates().filter(within)
  all.sort((a, b) => {
    const ra = a.getBoundingClientRect()
    const rb = b.getBoundingClientRect()
    return Math.round(ra.top - rb.top) || ra.left - rb.left
  })
  const first = all[0]
  if (first) focusOn(first)
  return !!first
}

/** Moves the focus `dir` from the focused element; false when nothing is that way. */
export function move(dir: Direction): boolean {
  const from = deepActive()
  if (!(from instanceof HTMLElement)) return focusFirst()
  const r = from.getBoundingClientRect()
  let best: HTMLElement | undefined
  let bestD = Infinity
  for (const c of candidates()) {
    if (c === from || c.contains(from)) continue
    const d = distance(r, c.getBoundingClientRect(), dir)
    if (d < bestD) [best, bestD] = [c, d]
  }
  if (best) focusOn(best)
  return !!best
}

/**
 * OK on what the browser does nothing with on Enter: a video plays or pauses, a list box opens
 * (↑ ↓ move away from it rather than change it), a checkbox or radio is chosen. False for the
 * rest, which Enter opens by itself (links, buttons).
 */
function ok(el: Element | null): boolean {
  if (el instanceof HTMLVideoElement) {
    if (el.paused) void el.play().catch(() => {})
    else el.pause()
    return true
  }
  if (el instanceof HTMLSelectElement) {
    try {
      el.showPicker()
    } catch {
      // No picker without a user's gesture on this browser: the arrow keys of a focused list box still work.
    }
    return true
  }
  if (el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio')) {
    el.click()
    return true
  }
  return false
}

function onKey(e: KeyboardEvent): void {
  // A control that used the key itself (the player seeking with ← →) keeps it.
  if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return
  // The book readers turn pages with ← → themselves.
  if (location.pathname.startsWith('/read/')) return
  const active = deepActive()
  const typing =
    active instanceof HTMLTextAreaElement ||
    (active instanceof HTMLInputElement && !['checkbox', 'radio'].includes(active.type))
  if (e.key === 'Enter' && ok(active)) return e.preventDefault()
  // A remote's back key (browsers name it BrowserBack or GoBack; some send Backspace).
  if (e.key === 'BrowserBack' || e.key === 'GoBack' || (e.key === 'Backspace' && !typing)) {
    history.back()
    return e.preventDefault()
  }
  const dir = directions[e.key]
  if (!dir) return
  // Text fields and sliders keep ← → for the caret and the value.
  if (typing && (dir === 'left' || dir === 'right')) return
  if (move(dir)) e.preventDefault()
}

let started = false

/** Listens for the arrow keys (once). */
export function startSpatialNav(): void {
  if (started) return
  started = true
  window.addEventListener('keydown', onKey)
}
