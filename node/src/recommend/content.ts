/**
 * @module recommend/content
 * Content similarity between records: subjects, creators, the 中图法 (CLC) class and its
 * prefixes, and title words (Chinese titles segmented with `Intl.Segmenter('zh')`), weighted by
 * how rare each feature is (idf) and compared as cosine over those weights. Built in memory from
 * the published records on first use and rebuilt lazily after records change.
 */
import type { Resource } from '@shulin/protocol'

/** A feature held by more records than this says little, and costs a long scan: skipped. */
const maxPostings = 2_000
const segmenter = new Intl.Segmenter('zh', { granularity: 'word' })
/** Creator "names" that say nobody is known: no likeness between two records. */
const unknownCreators = new Set(['佚名', '不详', '未知', 'anonymous', 'unknown'])

/** The features of a record, each prefixed by its kind so a subject never matches a creator. */
export function features(r: Pick<Resource, 'metadata'>): string[] {
  const m = r.metadata
  const out = new Set<string>()
  for (const s of m.subjects) out.add(`s:${s.trim().toLowerCase()}`)
  for (const c of m.creators) {
    const name = c.trim().toLowerCase()
    if (!unknownCreators.has(name)) out.add(`c:${name}`)
  }
  if (m.series) out.add(`r:${m.series.trim().toLowerCase()}`)
  if (m.clc) {
    // I247.5 → I, I2, I24, I247, I247.5: records in one class share its broader classes too.
    const clc = m.clc.toUpperCase()
    for (let n = 1; n <= Math.min(clc.length, 6); n++) out.add(`k:${clc.slice(0, n)}`)
  }
  for (const seg of segmenter.segment(m.title)) {
    const w = seg.segment.toLowerCase()
    // One Chinese character alone (的, 之) matches far too much.
    if (seg.isWordLike && [...w].length >= 2) out.add(`w:${w}`)
  }
  return [...out]
}

export interface Similar {
  id: string
  score: number
}

export class ContentIndex {
  readonly #postings = new Map<string, string[]>()
  readonly #features = new Map<string, string[]>()
  readonly #norm = new Map<string, number>()

  constructor(records: Iterable<Pick<Resource, 'id' | 'metadata'>>) {
    for (const r of records) {
      const f = features(r)
      this.#features.set(r.id, f)
      for (const k of f) {
        const list = this.#postings.get(k)
        if (list) list.push(r.id)
        else this.#postings.set(k, [r.id])
      }
    }
    for (const [id, f] of this.#features) {
      let sq = 0
      for (const k of f) sq += this.#idf(k) ** 2
      this.#norm.set(id, Math.sqrt(sq) || 1)
    }
  }

  get size(): number {
    return this.#features.size
  }

  #idf(k: string): number {
    return Math.log(1 + this.#features.size / (this.#postings.get(k)?.length ?? 1))
  }

  /** The `n` records most like `id` (itself left out). */
  similar(id: string, n: number): Similar[] {
    const f = this.#features.get(id)
    if (!f) return []
    const dot = new Map<string, number>()
    for (const k of f) {
      const list = this.#postings.get(k)!
      if (list.length > maxPostings) continue
      const w = this.#idf(k) ** 2
      for (const other of list) if (other !== id) dot.set(other, (dot.get(other) ?? 0) + w)
    }
    const mine = this.#norm.get(id)!
    return [...dot]
      .map(([other, d]) => ({ id: other, score: d / (mine * this.#norm.get(other)!) }))
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
      .slice(0, n)
  }
}
