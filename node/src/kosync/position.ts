/**
 * @module kosync/position
 * Where KOReader and the web reader are, in each other's words. KOReader sends a page number
 * for a PDF and a CREngine XPointer for an EPUB (`/body/DocFragment[14]/body/div/p[3]/text().0`,
 * DocFragment n being the n-th spine item); the web reader keeps an EPUB CFI, whose spine
 * step `/6/2n` names the same item. Only the spine item survives the trip: a chapter is as
 * precise as the two can agree on, and the percentage carries the rest.
 */
import type { ReadingPosition } from '@shulin/protocol'

export type DocumentKind = 'epub' | 'pdf'

/** The web reader's position for KOReader's `progress`, or `undefined` when it cannot be read. */
export function fromKoreader(kind: DocumentKind, progress: string): ReadingPosition | undefined {
  if (kind === 'pdf') {
    const page = /^\s*(\d{1,7})\s*$/.exec(progress)
    const n = page ? Number(page[1]) : 0
    return n >= 1 ? { kind: 'pdf', page: n } : undefined
  }
  const fragment = /^\/body\/DocFragment\[(\d{1,6})\]/.exec(progress)
  const n = fragment ? Number(fragment[1]) : 0
  return n >= 1 ? { kind: 'epub', cfi: `epubcfi(/6/${2 * n}!/4)` } : undefined
}

/** KOReader's `progress` for the web reader's position, or `undefined` when it has none. */
export function toKoreader(position: ReadingPosition): string | undefined {
  if (position.kind === 'pdf') return String(position.page)
  if (position.kind !== 'epub') return undefined
  const spine = /^epubcfi\(\/6\/(\d+)/.exec(position.cfi)
  const step = spine ? Number(spine[1]) : 0
  return step >= 2 && step % 2 === 0 ? `/body/DocFragment[${step / 2}]/body` : undefined
}
