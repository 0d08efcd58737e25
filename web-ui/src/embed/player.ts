/**
 * @module embed/player
 * `<shulin-player node lecture start lang>` on another site: the player element itself is the
 * portal's (components/course-player); this fills each one that names a `lecture` from the
 * node, whenever it appears in the page (now or later) or its `lecture` changes. A player given
 * its streams directly (`src`, `original`…) is left as it is.
 */
import type { ShulinPlayer } from '../components/course-player.js'
import { clientFor, fillPlayer } from './shared.js'

const filled = new WeakMap<Element, string>()

async function fill(el: ShulinPlayer): Promise<void> {
  const id = el.getAttribute('lecture')
  if (!id || filled.get(el) === id) return
  filled.set(el, id)
  const client = clientFor(el.getAttribute('node'))
  try {
    fillPlayer(el, await client.lecture(id), client)
    el.dataset.state = 'ready'
  } catch (err) {
    el.dataset.state = 'failed'
    filled.delete(el)
    console.warn(`<shulin-player lecture="${id}">: ${(err as Error).message}`)
  }
}

function scan(root: ParentNode): void {
  for (const el of root.querySelectorAll<ShulinPlayer>('shulin-player[lecture]')) void fill(el)
}

/** Fills the page's players now and as they come. */
export function watchPlayers(): void {
  scan(document)
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'attributes' && r.target instanceof Element && r.target.localName === 'shulin-player')
        void fill(r.target as ShulinPlayer)
      for (const n of r.addedNodes) {
        if (!(n instanceof Element)) continue
        if (n.localName === 'shulin-player') void fill(n as ShulinPlayer)
        scan(n)
      }
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['lecture'] })
}
