/**
 * @module reading/foliate-teardown
 * Closing a foliate reader the page has left. foliate-js goes on after each await of its own
 * (a section's frame loading, then its overlayer made from that frame's document; each section
 * styled, and its view read again in the next animation frame). Torn down or taken out of the
 * document in between, those steps met null: "Cannot read properties of null (reading
 * 'docBackground' | 'addEventListener' | 'defaultView')". So a reader left while foliate works is
 * parked out of sight in the document, where its frames keep their documents, until its opening
 * has settled, and closed one animation frame later (frames run their callbacks in the order
 * queued, so after any foliate queued before).
 */

/** What foliate's view offers for closing (its `close` destroys the renderer). */
export interface ClosableView extends HTMLElement {
  close(): void
}

/** Longest a left reader waits for its opening to settle before it is closed anyway. */
const settleLimitMs = 10_000

let park: HTMLElement | undefined

/** An out-of-sight, inert place in the document, the size of a phone screen (foliate lays pages out to its size). */
function parking(): HTMLElement {
  if (park?.isConnected) return park
  park = document.createElement('div')
  park.setAttribute('aria-hidden', 'true')
  park.inert = true
  Object.assign(park.style, {
    position: 'fixed',
    left: '-10000px',
    top: '0',
    width: '360px',
    height: '640px',
    overflow: 'hidden',
    visibility: 'hidden',
    pointerEvents: 'none',
  })
  document.body.append(park)
  return park
}

/** Closes `view` once `settled` (its opening) has settled, out of sight until then. */
export function closeWhenSettled(view: ClosableView, settled: Promise<unknown>): void {
  parking().append(view)
  let limit: ReturnType<typeof setTimeout> | undefined
  const waited = new Promise<void>((resolve) => (limit = setTimeout(resolve, settleLimitMs)))
  void Promise.race([settled.catch(() => undefined), waited]).then(() => {
    clearTimeout(limit)
    requestAnimationFrame(() => {
      try {
        view.close()
      } catch {
        // A book still opening has no section to destroy yet; there is nothing else to stop.
      }
      view.remove()
    })
  })
}
