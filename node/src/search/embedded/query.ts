/**
 * @module search/embedded/query
 * Answers a query from the embedded index. Each part of the query (split at spaces and
 * punctuation) must match, as a substring of some field (found through the gram postings,
 * then checked), as pinyin of a title or name, or, for a Latin word with no match, as a near
 * spelling. Scores weigh the field (title > creators > subjects > other > description) and
 * the kind of match (whole field > field prefix > inside). When no record matches the parts
 * whole (`李白静夜思` typed as one string), records holding every character somewhere are
 * the answer, best pieces first; they never pad out a list of whole matches.
 */
import type { EngineHit, EngineResult, FacetName, MatchKind, SearchFilters, SearchQuery } from '../engine.js'
import { queryParts } from '../text/fold.js'
import { mayBePinyin } from '../text/pinyin.js'
import { DocTable, type StoredDoc } from './docs.js'
import { PY_CREATOR, PY_CREATOR_INITIAL, PY_TITLE, PY_TITLE_INITIAL } from './docs.js'
import { FIELD_BREAK, queryChars, queryGrams } from './grams.js'
import { intersect, listHas, type Postings } from './postings.js'
import type { PinyinScan } from './pinyin-scan.js'

export interface IndexState {
  docs: DocTable
  postings: Postings
  pinyin: PinyinScan
  /** Latin words seen in records (near-spelling candidates). */
  vocabulary: Set<string>
}

/** Scattered matches score below every whole-part match. */
const scatteredScale = 1 / 1000

type Field = [text: string, weight: number, joined: boolean]
const fields = (r: StoredDoc): Field[] => [
  [r.title, 10, false],
  [r.creators, 6, true],
  [r.subjects, 4, true],
  [r.other, 3, true],
  [r.description, 2, false],
]

/** Score of `part` in one field: 0 when absent. */
function fieldScore(text: string, weight: number, joined: boolean, part: string): number {
  let at = text.indexOf(part)
  let best = 0
  while (at >= 0) {
    let start = 0
    let end = text.length
    if (joined) {
      start = text.lastIndexOf(FIELD_BREAK, at) + 1
      const e = text.indexOf(FIELD_BREAK, at)
      end = e < 0 ? text.length : e
    }
    const length = end - start
    const quality = at === start ? (part.length === length ? 4 : 2) : 1
    best = Math.max(best, weight * (quality + part.length / length))
    if (!joined || quality === 4) break
    at = text.indexOf(part, at + 1)
  }
  return best
}

function phraseScore(row: StoredDoc, part: string): number {
  // Unrolled over the fields: this runs for every candidate.
  const scores = [
    fieldScore(row.title, 10, false, part),
    fieldScore(row.creators, 6, true, part),
    fieldScore(row.subjects, 4, true, part),
    fieldScore(row.other, 3, true, part),
    fieldScore(row.description, 2, false, part),
  ]
  let best = 0
  let matched = 0
  for (const s of scores) {
    if (s > 0) {
      matched++
      if (s > best) best = s
    }
  }
  return matched ? best + 0.1 * (matched - 1) : 0
}

interface PartMatch {
  scores: Map<number, number>
  kinds: Map<number, MatchKind>
}

/** Below this many documents, candidates are checked against the text directly. */
const verifyDirectly = 4096

/**
 * The documents that may hold `part`: those of its rarest gram, narrowed by the next rarest
 * while still many. Every candidate is checked against the text afterwards, so the lists of
 * common grams are never decoded for a selective query.
 */
function candidates(state: IndexState, part: string): number[] {
  const keys = queryGrams(part)
    .map((k) => ({ k, cost: state.postings.cost(k) }))
    .sort((a, b) => a.cost - b.cost)
  if (!keys.length || keys[0]!.cost === 0) return []
  const first = state.postings.list(keys[0]!.k)
  let out: number[] = first.delta ? [...first.base, ...first.delta] : Array.from(first.base)
  for (let i = 1; i < keys.length && out.length > verifyDirectly; i++) {
    const other = state.postings.list(keys[i]!.k)
    out = out.filter((d) => listHas(other, d))
  }
  return out
}

/** Scores `part` as a phrase in the documents that hold it (only those in `within`, if given). */
function matchPhrase(state: IndexState, part: string, into: PartMatch, within: number[] | undefined, scale = 1, kind: MatchKind = 'phrase'): void {
  for (const docno of within ?? candidates(state, part)) {
    const row = state.docs.rows[docno]
    if (!row) continue
    const s = phraseScore(row, part) * scale
    if (s > (into.scores.get(docno) ?? 0)) {
      into.scores.set(docno, s)
      into.kinds.set(docno, kind)
    }
  }
}

const pinyinWeight: Record<number, number> = { [PY_TITLE]: 10, [PY_TITLE_INITIAL]: 8, [PY_CREATOR]: 6, [PY_CREATOR_INITIAL]: 5 }

function matchPinyin(state: IndexState, part: string, into: PartMatch, within: Set<number> | undefined): void {
  state.pinyin.scan(part, ({ docno, mark, atStart, coverage }) => {
    if (within && !within.has(docno)) return
    // Pinyin counts a little below the characters themselves.
    const s = (pinyinWeight[mark] ?? 0) * ((atStart ? (coverage === 1 ? 4 : 2) : 1) + coverage) * 0.9
    if (s > (into.scores.get(docno) ?? 0)) {
      into.scores.set(docno, s)
      into.kinds.set(docno, 'pinyin')
    }
  })
}

/** Levenshtein distance, or `max + 1` as soon as it must exceed `max`. */
export function boundedDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    let rowMin = i
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
      cur.push(v)
      rowMin = Math.min(rowMin, v)
    }
    if (rowMin > max) return max + 1
    prev = cur
  }
  return prev[b.length]!
}

/** Typos allowed for a word of this length (as Meilisearch: one from 5 letters, two from 9). */
export const typosFor = (length: number): number => (length >= 9 ? 2 : length >= 5 ? 1 : 0)

/** The fewest documents a part's text match could have (its rarest gram). */
function estimate(state: IndexState, part: string): number {
  return Math.min(...queryGrams(part).map((k) => state.postings.cost(k)))
}

function matchPart(state: IndexState, part: string, terms: string[], within: number[] | undefined): PartMatch {
  const m: PartMatch = { scores: new Map(), kinds: new Map() }
  matchPhrase(state, part, m, within)
  if (mayBePinyin(part)) matchPinyin(state, part, m, within && new Set(within))
  terms.push(part)
  const typos = /^[a-z]+$/.test(part) ? typosFor(part.length) : 0
  if (m.scores.size === 0 && typos > 0) {
    let tried = 0
    for (const word of state.vocabulary) {
      if (boundedDistance(part, word, typos) > typos) continue
      matchPhrase(state, word, m, within, 0.5, 'typo')
      terms.push(word)
      if (++tried === 5) break
    }
  }
  return m
}

/** How well a record holds a part's characters when not as one phrase: longest pieces first. */
function scatteredScore(row: StoredDoc, part: string): number {
  const chars = [...part]
  let total = 0
  let i = 0
  while (i < chars.length) {
    let bestLen = 0
    let bestWeight = 0
    for (let j = chars.length; j > i; j--) {
      const piece = chars.slice(i, j).join('')
      for (const [text, weight] of fields(row)) {
        if (weight > bestWeight && text.includes(piece)) {
          bestLen = j - i
          bestWeight = weight
        }
      }
      if (bestLen) break
    }
    if (!bestLen) return 0
    total += bestWeight * bestLen * bestLen
    i += bestLen
  }
  return (total / (chars.length * chars.length)) * 10
}

function compileFilter(docs: DocTable, f: SearchFilters): (row: StoredDoc) => boolean {
  const ids = (list: string[] | undefined, values: DocTable['types']) => (list && list.length ? new Set(list.map((v) => values.find(v) ?? -1)) : undefined)
  const type = ids(f.type, docs.types)
  const language = ids(f.language, docs.languages)
  const access = ids(f.access, docs.access)
  const status = ids(f.status, docs.statuses)
  const source = ids(f.source, docs.sources)
  const subject = ids(f.subject, docs.subjects)
  const { yearFrom, yearTo } = f
  return (r) =>
    (!type || type.has(r.type)) &&
    (!language || language.has(r.language)) &&
    (!access || access.has(r.access)) &&
    (!status || status.has(r.status)) &&
    (!source || source.has(r.source)) &&
    (!subject || r.subjectIds.some((s) => subject.has(s))) &&
    (yearFrom === undefined || (r.year !== 0 && r.year >= yearFrom)) &&
    (yearTo === undefined || (r.year !== 0 && r.year <= yearTo))
}

interface Scored {
  docno: number
  row: StoredDoc
  score: number
  kind: MatchKind
}

function comparator(sort: SearchQuery['sort']): (a: Scored, b: Scored) => number {
  const ties = (a: Scored, b: Scored) => b.row.popularity - a.row.popularity || b.row.published - a.row.published || a.docno - b.docno
  switch (sort) {
    case 'newest':
      return (a, b) => b.row.published - a.row.published || a.docno - b.docno
    case 'oldest':
      return (a, b) => a.row.published - b.row.published || a.docno - b.docno
    case 'year':
      return (a, b) => (a.row.year || 99999) - (b.row.year || 99999) || ties(a, b)
    case '-year':
      return (a, b) => b.row.year - a.row.year || ties(a, b)
    case 'title':
      return (a, b) => (a.row.pinyin < b.row.pinyin ? -1 : a.row.pinyin > b.row.pinyin ? 1 : 0) || (a.row.titleText < b.row.titleText ? -1 : a.row.titleText > b.row.titleText ? 1 : 0) || a.docno - b.docno
    default:
      return (a, b) => b.score - a.score || ties(a, b)
  }
}

/** The first `k` in order, without sorting everything when `k` is small. */
function firstK(items: Scored[], k: number, cmp: (a: Scored, b: Scored) => number): Scored[] {
  if (k <= 0) return []
  if (k > 256 || items.length <= k) return items.sort(cmp).slice(0, k)
  const top: Scored[] = []
  for (const it of items) {
    if (top.length === k && cmp(it, top[k - 1]!) >= 0) continue
    let i = top.length === k ? k - 1 : top.length
    if (top.length === k) top.pop()
    while (i > 0 && cmp(it, top[i - 1]!) < 0) i--
    top.splice(i, 0, it)
  }
  return top
}

function countFacets(docs: DocTable, matched: Scored[]): EngineResult['facets'] {
  const count = (values: string[], pick: (r: StoredDoc) => number) => {
    const n = new Uint32Array(values.length)
    for (const m of matched) n[pick(m.row)]!++
    const out: Record<string, number> = {}
    values.forEach((v, i) => {
      if (n[i]) out[v] = n[i]!
    })
    return out
  }
  const subjectCounts = new Uint32Array(docs.subjects.values.length)
  for (const m of matched) for (const s of m.row.subjectIds) subjectCounts[s]!++
  const topSubjects = [...subjectCounts.keys()]
    .filter((i) => subjectCounts[i]! > 0)
    .sort((a, b) => subjectCounts[b]! - subjectCounts[a]!)
    .slice(0, 30)
  const decades = new Map<number, number>()
  for (const m of matched) {
    if (m.row.year) {
      const d = Math.floor(m.row.year / 10) * 10
      decades.set(d, (decades.get(d) ?? 0) + 1)
    }
  }
  const facets: Record<FacetName, Record<string, number>> = {
    type: count(docs.types.values, (r) => r.type),
    language: count(docs.languages.values, (r) => r.language),
    access: count(docs.access.values, (r) => r.access),
    source: count(docs.sources.values, (r) => r.source),
    subject: Object.fromEntries(topSubjects.map((i) => [docs.subjects.values[i]!, subjectCounts[i]!])),
    decade: Object.fromEntries([...decades].sort((a, b) => a[0] - b[0]).map(([d, n]) => [String(d), n])),
  }
  return facets
}

export function runQuery(state: IndexState, query: SearchQuery): EngineResult {
  const { docs } = state
  const accept = compileFilter(docs, query.filters)
  const parts = queryParts(query.q)
  const terms: string[] = []
  let matched: Scored[] = []
  if (!parts.length) {
    for (const [, docno] of docs.byId) {
      const row = docs.rows[docno]!
      if (accept(row)) matched.push({ docno, row, score: 0, kind: 'all' })
    }
  } else {
    // The most selective part first; each next part is checked only in the survivors.
    const ordered = parts.map((p) => ({ p, n: mayBePinyin(p) ? Infinity : estimate(state, p) })).sort((a, b) => a.n - b.n)
    let survivors: Map<number, { score: number; kind: MatchKind }> | undefined
    for (const { p } of ordered) {
      const m = matchPart(state, p, terms, survivors && [...survivors.keys()])
      const next = new Map<number, { score: number; kind: MatchKind }>()
      for (const [docno, s] of m.scores) {
        const prev = survivors?.get(docno)
        if (survivors && !prev) continue
        const kind = m.kinds.get(docno)!
        next.set(docno, { score: (prev?.score ?? 0) + s, kind: prev && prev.kind !== 'phrase' ? prev.kind : kind })
      }
      survivors = next
      if (!survivors.size) break
    }
    const seen = new Set<number>()
    for (const [docno, { score, kind }] of survivors ?? []) {
      seen.add(docno)
      const row = docs.rows[docno]!
      if (accept(row)) matched.push({ docno, row, score, kind })
    }
    if (matched.length === 0 && parts.some((p) => p.length >= 2)) {
      // Documents holding every character: the rarest characters' lists, then the text.
      const chars = [...new Set(parts.flatMap(queryChars))].map((k) => ({ k, cost: state.postings.cost(k) })).sort((a, b) => a.cost - b.cost)
      if (chars.length && chars[0]!.cost > 0) {
        const first = state.postings.list(chars[0]!.k)
        let pool: number[] = first.delta ? [...first.base, ...first.delta] : Array.from(first.base)
        for (let i = 1; i < chars.length && pool.length > 64; i++) {
          const other = state.postings.list(chars[i]!.k)
          pool = pool.filter((d) => listHas(other, d))
        }
        const needed = chars.map((c) => String.fromCodePoint(c.k))
        for (const docno of pool) {
          const row = docs.rows[docno]
          if (!row || seen.has(docno) || !accept(row)) continue
          const text = DocTable.gramText(row)
          if (!needed.every((ch) => text.includes(ch))) continue
          let score = 0
          for (const p of parts) {
            const s = scatteredScore(row, p)
            if (!s) {
              score = 0
              break
            }
            score += s
          }
          if (score > 0) matched.push({ docno, row, score: score * scatteredScale, kind: 'scattered' })
        }
      }
    }
  }
  const sort = query.sort === 'relevance' && !parts.length ? 'newest' : query.sort
  const page = firstK(matched, query.offset + query.limit, comparator(sort)).slice(query.offset)
  const hits: EngineHit[] = page.map((m) => ({ id: m.row.id, score: m.score, match: m.kind }))
  return { total: matched.length, hits, facets: query.facets ? countFacets(docs, matched) : {}, terms: [...new Set(terms)] }
}
