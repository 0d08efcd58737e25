/**
 * @module search/embedded/pinyin-scan
 * Finds pinyin in titles and creators. Every place a syllable (or an initial) starts in a
 * document's pinyin line is filed under its first four letters (27⁴ buckets: a–z and "ends
 * here") and, for queries of six letters or more, under a hash of the first six; a query
 * looks in its buckets and checks each place with `startsWith`. About 16 places a record:
 * 100k records cost ~20 MB.
 * Rows added since the last build are scanned directly until the next one (a merge of the
 * engine's index files them again, outside any search).
 */
import type { DocTable } from './docs.js'
import type { Slices } from './slices.js'

export interface PinyinHit {
  docno: number
  mark: number
  /** The match starts a title's or a name's pinyin. */
  atStart: boolean
  /** The share of that title's or name's pinyin the match covers (0..1]. */
  coverage: number
}

const A = 97
const letter = (s: string, i: number): number => {
  const c = s.charCodeAt(i) - A
  return c >= 0 && c < 26 ? c : 26
}
/** Places are filed under their first four letters (27 symbols: a–z and "ends here")… */
const bucketOf = (s: string, i: number): number =>
  ((letter(s, i) * 27 + letter(s, i + 1)) * 27 + letter(s, i + 2)) * 27 + letter(s, i + 3)
const BUCKETS = 27 ** 4
/** …and, when six letters or more follow, under a hash of the first six (long queries). */
const LONG = 6
const LONG_BUCKETS = 1 << 18
function longBucketOf(s: string, i: number): number {
  let h = 0
  for (let k = 0; k < LONG; k++) h = Math.imul(h ^ letter(s, i + k), 0x9e3779b1)
  return (h >>> 0) % LONG_BUCKETS
}
const hasLong = (s: string, i: number): boolean => {
  for (let k = 0; k < LONG; k++) if (letter(s, i + k) === 26) return false
  return true
}

/** Places (document, position) grouped by bucket, in two typed arrays. */
interface Places {
  offsets: Uint32Array
  docnos: Uint32Array
  positions: Uint16Array
}

const noPlaces = (buckets: number): Places => ({
  offsets: new Uint32Array(buckets + 1),
  docnos: new Uint32Array(0),
  positions: new Uint16Array(0),
})

async function fileAll(
  rows: DocTable['rows'],
  buckets: number,
  bucket: (pinyin: string, i: number) => number | undefined,
  slices: Slices | undefined,
): Promise<Places> {
  const counts = new Uint32Array(buckets + 1)
  const each = async (fn: (docno: number, pos: number, bucket: number) => void) => {
    for (let d = 0; d < rows.length; d++) {
      if ((d & 255) === 0 && slices?.due()) await slices.pause()
      const row = rows[d]
      if (!row) continue
      const marks = row.pinyinMarks
      // Positions past 65535 are not filed (a pinyin line that long is not a title).
      for (let i = 0; i < marks.length && i < 0xffff; i++) {
        if (marks.charCodeAt(i) === 48) continue
        const b = bucket(row.pinyin, i)
        if (b !== undefined) fn(d, i, b)
      }
    }
  }
  await each((_d, _p, b) => counts[b + 1]!++)
  for (let b = 0; b < buckets; b++) counts[b + 1]! += counts[b]!
  const cursor = counts.slice(0, buckets)
  const docnos = new Uint32Array(counts[buckets]!)
  const positions = new Uint16Array(counts[buckets]!)
  await each((d, p, b) => {
    const at = cursor[b]!++
    docnos[at] = d
    positions[at] = p
  })
  return { offsets: counts, docnos, positions }
}

export class PinyinScan {
  #short: Places = noPlaces(BUCKETS)
  #long: Places = noPlaces(LONG_BUCKETS)
  /** Rows below this are filed. */
  #built = 0

  constructor(private readonly docs: DocTable) {}

  /**
   * Files every row's syllable starts (after a load or a merge), in slices when given. Rows
   * appended meanwhile are scanned directly until the next build.
   */
  async build(slices?: Slices): Promise<void> {
    const rows = this.docs.rows
    const n = rows.length
    const upTo = rows.slice(0, n)
    const short = await fileAll(upTo, BUCKETS, bucketOf, slices)
    const long = await fileAll(upTo, LONG_BUCKETS, (p, i) => (hasLong(p, i) ? longBucketOf(p, i) : undefined), slices)
    this.#short = short
    this.#long = long
    this.#built = n
  }

  reset(): void {
    this.#short = noPlaces(BUCKETS)
    this.#long = noPlaces(LONG_BUCKETS)
    this.#built = 0
  }

  /** False when `onHit` asked to stop. */
  #hit(docno: number, pos: number, part: string, onHit: (hit: PinyinHit) => boolean): boolean {
    const row = this.docs.rows[docno]
    if (!row || !row.pinyin.startsWith(part, pos)) return true
    const mark = row.pinyinMarks.charCodeAt(pos) - 48
    if (mark <= 0) return true
    const start = row.pinyin.lastIndexOf('|', pos) + 1
    let end = row.pinyin.indexOf('|', pos + part.length)
    if (end < 0) end = row.pinyin.length
    return onHit({ docno, mark, atStart: start === pos, coverage: part.length / (end - start) })
  }

  /**
   * Every place `part` starts a syllable or an initials run, until `onHit` returns false (a
   * two-letter part such as `sh` starts tens of thousands: the caller's work budget decides).
   */
  scan(part: string, onHit: (hit: PinyinHit) => boolean): void {
    if (part.length < 2) return
    const rows = this.docs.rows
    let places = this.#long
    let buckets = [longBucketOf(part, 0)]
    if (part.length < LONG) {
      // Fewer than four letters: every bucket that begins with them.
      places = this.#short
      const known = Math.min(4, part.length)
      buckets = [0]
      for (let i = 0; i < 4; i++)
        buckets =
          i < known
            ? buckets.map((b) => b * 27 + letter(part, i))
            : buckets.flatMap((b) => Array.from({ length: 27 }, (_, k) => b * 27 + k))
    }
    for (const b of buckets) {
      for (let i = places.offsets[b]!; i < places.offsets[b + 1]!; i++)
        if (!this.#hit(places.docnos[i]!, places.positions[i]!, part, onHit)) return
    }
    for (let d = this.#built; d < rows.length; d++) {
      const row = rows[d]
      if (!row) continue
      for (let pos = row.pinyin.indexOf(part); pos >= 0; pos = row.pinyin.indexOf(part, pos + 1))
        if (!this.#hit(d, pos, part, onHit)) return
    }
  }
}
