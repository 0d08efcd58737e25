/**
 * @module search/embedded/grams
 * The keys of the embedded index: every character (unigram) and every pair of neighbouring
 * characters (bigram) of a record's folded fields. A query of any length is found by the
 * bigrams it contains (a single character by its unigram) and then checked as a substring,
 * so recall never depends on how a word segmenter would have cut the text.
 */
const SHIFT = 2 ** 21 // above the largest code point

export const unigramKey = (cp: number): number => cp
export const bigramKey = (a: number, b: number): number => (a + 1) * SHIFT + b

/** Field texts are joined with this before gramming; no gram spans it. */
export const FIELD_BREAK = '\u0000'

/**
 * The distinct gram keys of `text` (folded fields joined by {@link FIELD_BREAK}), written into
 * `out` (grown as needed); returns the buffer and the count.
 */
export function distinctGrams(text: string, out: Float64Array): { keys: Float64Array; count: number } {
  let n = 0
  let prev = -1
  const need = text.length * 2 + 2
  if (out.length < need) out = new Float64Array(Math.max(need, out.length * 2))
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i)
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
      cp = ((cp - 0xd800) << 10) + (text.charCodeAt(i + 1) - 0xdc00) + 0x10000
      i++
    }
    if (cp === 0) {
      prev = -1
      continue
    }
    out[n++] = unigramKey(cp)
    if (prev >= 0) out[n++] = bigramKey(prev, cp)
    prev = cp
  }
  const view = out.subarray(0, n).sort()
  let w = 0
  for (let r = 0; r < n; r++) if (r === 0 || view[r] !== view[r - 1]) view[w++] = view[r]!
  return { keys: out, count: w }
}

/** The keys a query part needs: its bigrams, or its one unigram. Duplicates removed. */
export function queryGrams(part: string): number[] {
  const cps = [...part].map((c) => c.codePointAt(0)!)
  if (cps.length === 1) return [unigramKey(cps[0]!)]
  const keys = new Set<number>()
  for (let i = 1; i < cps.length; i++) keys.add(bigramKey(cps[i - 1]!, cps[i]!))
  return [...keys]
}

/** The distinct characters of a query part (scattered matching). */
export function queryChars(part: string): number[] {
  return [...new Set([...part].map((c) => unigramKey(c.codePointAt(0)!)))]
}
