/**
 * @module search/text/fold
 * Folds text to one search form, the same for records and queries, so that what a reader types
 * matches what a cataloguer wrote:
 *
 * - Traditional → Simplified, and variant characters → one form (裡/裏 → 里, 峯 → 峰), from
 *   OpenCC's character tables (character by character: phrase conversion could map the same
 *   character differently in a query and in a record, and then they would not match);
 * - Latin letters lower-cased, accents dropped, full-width forms to ASCII;
 * - everything that is not a letter or a digit (punctuation, spaces, emoji, lone surrogates)
 *   dropped, so that a half-line typed without the comma still matches.
 *
 * The tables are built on first use (about 50 ms) from the `opencc-js` dictionaries.
 */
import TSCharacters from 'opencc-js/dict/TSCharacters'
import TWVariantsRev from 'opencc-js/dict/TWVariantsRev'
import HKVariantsRev from 'opencc-js/dict/HKVariantsRev'
import CompatIdeographs from 'opencc-js/dict/CJK_Compatibility_Ideographs'

/** BMP code unit → folded code point (0 = drop). */
let bmp: Uint32Array | undefined
/** Astral code point → folded code point (0 = drop); absent = keep. */
let astral: Map<number, number> | undefined

const letterOrDigit = /^[\p{L}\p{N}]$/u

function parseDict(dict: string, into: Map<number, number>): void {
  for (const entry of dict.split('|')) {
    const [from, to] = entry.split(' ')
    if (!from || !to) continue
    const f = [...from]
    const t = [...to]
    // Character entries only: phrases are not folded.
    if (f.length === 1 && t.length === 1) into.set(f[0]!.codePointAt(0)!, t[0]!.codePointAt(0)!)
  }
}

function foldLatin(ch: string): number {
  let s = ch.normalize('NFKC')
  if ([...s].length !== 1) s = ch
  s = s.toLowerCase()
  if ([...s].length !== 1) s = ch
  const base = s.normalize('NFD')[0]!
  return /^[a-z]$/.test(base) ? base.codePointAt(0)! : s.codePointAt(0)!
}

function build(): void {
  const steps = [CompatIdeographs, TWVariantsRev, HKVariantsRev, TSCharacters].map((d) => {
    const m = new Map<number, number>()
    parseDict(d, m)
    return m
  })
  const foldCjk = (cp: number): number => {
    // Twice through the chain: a variant's standard form may itself have a simplified form.
    for (let round = 0; round < 2; round++) for (const m of steps) cp = m.get(cp) ?? cp
    return cp
  }
  bmp = new Uint32Array(0x10000)
  for (let u = 0; u < 0x10000; u++) {
    if (u >= 0xd800 && u <= 0xdfff) continue // surrogates: handled in pairs, lone ones dropped
    const ch = String.fromCharCode(u)
    if (!letterOrDigit.test(ch)) continue
    bmp[u] = u < 0x2e80 || (u >= 0xff00 && u <= 0xffef) ? foldLatin(ch) : foldCjk(u)
  }
  astral = new Map()
  for (const m of steps) {
    for (const [from, to] of m) if (from > 0xffff) astral.set(from, foldCjk(to))
  }
}

function tables(): { bmp: Uint32Array; astral: Map<number, number> } {
  if (!bmp || !astral) build()
  return { bmp: bmp!, astral: astral! }
}

/** The folded form of one code point, or 0 when it is not searchable. */
export function foldCodePoint(cp: number): number {
  const t = tables()
  if (cp <= 0xffff) return t.bmp[cp]!
  const mapped = t.astral.get(cp)
  if (mapped !== undefined) return mapped
  return letterOrDigit.test(String.fromCodePoint(cp)) ? cp : 0
}

/** Folds and compacts text: the form that is indexed and searched. */
export function fold(text: string): string {
  const t = tables()
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const u = text.charCodeAt(i)
    if (u < 0xd800 || u > 0xdfff) {
      const f = t.bmp[u]!
      if (f) out += f <= 0xffff ? String.fromCharCode(f) : String.fromCodePoint(f)
      continue
    }
    const next = text.charCodeAt(i + 1)
    if (u <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      const f = foldCodePoint(((u - 0xd800) << 10) + (next - 0xdc00) + 0x10000)
      if (f) out += String.fromCodePoint(f)
      i++
    }
    // A lone surrogate is dropped.
  }
  return out
}

/**
 * Like {@link fold}, but what is not searchable becomes a space instead of vanishing: for an
 * engine that cuts words itself (Meilisearch).
 */
export function foldSpaced(text: string): string {
  let out = ''
  for (const ch of text) {
    const f = ch.length === 1 && ch >= '\uD800' && ch <= '\uDFFF' ? 0 : foldCodePoint(ch.codePointAt(0)!)
    out += f ? String.fromCodePoint(f) : ' '
  }
  return out.replace(/ {2,}/g, ' ').trim()
}

/**
 * Like {@link fold}, also giving, for each UTF-16 unit of the result, where the character it
 * came from starts and ends in `text` (for highlighting the original).
 */
export function foldWithOffsets(text: string): { folded: string; start: number[]; end: number[] } {
  let folded = ''
  const start: number[] = []
  const end: number[] = []
  for (let i = 0; i < text.length; i++) {
    const u = text.charCodeAt(i)
    const next = text.charCodeAt(i + 1)
    const pair = u >= 0xd800 && u <= 0xdbff && next >= 0xdc00 && next <= 0xdfff
    const cp = pair ? ((u - 0xd800) << 10) + (next - 0xdc00) + 0x10000 : u
    const f = cp >= 0xd800 && cp <= 0xdfff ? 0 : foldCodePoint(cp)
    const width = pair ? 2 : 1
    if (f) {
      const s = String.fromCodePoint(f)
      folded += s
      for (let k = 0; k < s.length; k++) {
        start.push(i)
        end.push(i + width)
      }
    }
    i += width - 1
  }
  return { folded, start, end }
}

/**
 * Splits a query into the parts that must each match: runs of searchable characters between
 * spaces or punctuation, folded. At most `maxParts` parts of at most `maxLength` characters.
 */
export function queryParts(query: string, maxParts = 8, maxLength = 64): string[] {
  const parts: string[] = []
  for (const raw of query.split(/[^\p{L}\p{N}\uD800-\uDFFF]+/u)) {
    const p = fold(raw)
    if (!p) continue
    parts.push([...p].slice(0, maxLength).join(''))
    if (parts.length === maxParts) break
  }
  return parts
}
