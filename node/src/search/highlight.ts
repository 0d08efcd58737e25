/**
 * @module search/highlight
 * Marks what matched in a record's own text (not the folded form): the folded query terms are
 * found in the folded text and mapped back to the original characters. A term found only as
 * scattered characters marks those characters. Long text becomes a snippet around the first
 * mark. Marks are offsets, never HTML: the page renders them safely.
 */
import type { Highlighted } from '@shulin/protocol'
import { foldWithOffsets } from './text/fold.js'

const han = /\p{Script=Han}/u

export function highlight(text: string, terms: string[]): Highlighted {
  if (!terms.length || !text) return { text, marks: [] }
  const { folded, start, end } = foldWithOffsets(text)
  const ranges: Array<[number, number]> = []
  for (const term of terms) {
    if (!term) continue
    let at = folded.indexOf(term)
    let found = false
    while (at >= 0) {
      found = true
      ranges.push([start[at]!, end[at + term.length - 1]!])
      at = folded.indexOf(term, at + term.length)
    }
    // Scattered: a Chinese term's characters one by one.
    if (!found && han.test(term)) {
      for (const ch of new Set(term)) {
        let i = folded.indexOf(ch)
        while (i >= 0) {
          ranges.push([start[i]!, end[i + ch.length - 1]!])
          i = folded.indexOf(ch, i + ch.length)
        }
      }
    }
  }
  ranges.sort((a, b) => a[0] - b[0])
  const marks: Array<[number, number]> = []
  for (const r of ranges) {
    const last = marks[marks.length - 1]
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1])
    else marks.push([r[0], r[1]])
  }
  return { text, marks }
}

/** A window of about `width` characters around the first mark, with ellipses where cut. */
export function snippet(h: Highlighted, width = 90): Highlighted | undefined {
  if (!h.marks.length) return undefined
  if (h.text.length <= width) return h
  const first = h.marks[0]![0]
  let from = Math.max(0, first - Math.floor(width / 3))
  let to = Math.min(h.text.length, from + width)
  from = Math.max(0, to - width)
  // Never cut a surrogate pair.
  if (from > 0 && /[\uDC00-\uDFFF]/.test(h.text[from]!)) from--
  if (to < h.text.length && /[\uDC00-\uDFFF]/.test(h.text[to]!)) to++
  const prefix = from > 0 ? '…' : ''
  const suffix = to < h.text.length ? '…' : ''
  const shift = prefix.length - from
  const marks = h.marks
    .filter(([s, e]) => s >= from && e <= to)
    .map(([s, e]) => [s + shift, e + shift] as [number, number])
  return { text: prefix + h.text.slice(from, to) + suffix, marks }
}
