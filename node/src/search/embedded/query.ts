/**
 * @module search/embedded/query
 * Answers a query from the embedded index. Each part of the query (split at spaces and
 * punctuation) must match, as a substring of some field (found through the gram postings,
 * then checked), as pinyin of a title or name, or, for a Latin word with no match, as a near
 * spelling. Scores weigh the field (title > creators > subjects > other > description) and
 * the kind of match (whole field > field prefix > inside); a lecture's transcript weighs least,
 * and only whole parts are looked for in it. When no record matches the parts
 * whole (`李白静夜思` typed as one string), records holding every character somewhere are
 * the answer, best pieces first; they never pad out a list of whole matches.
 *
 * Every costly step spends from the query's {@link WorkBudget}. A part of one or two
 * characters is matched exactly by its gram list, so when a broad one (`书`, 40k records) has
 * more candidates than units, records whose title holds it are ranked first, and the rest
 * still count (total, facets) unranked. A longer part's candidates must be checked against
 * the text: those left when the units run out are not counted.
 */
import type { EngineHit, EngineResult, FacetName, MatchKind, SearchFilters, SearchQuery } from '../engine.js'
import { queryParts } from '../text/fold.js'
import { mayBePinyin } from '../text/pinyin.js'
import { DocTable, type StoredDoc } from './docs.js'
import type { DocColumns } from './columns.js'
import { PY_CREATOR, PY_CREATOR_INITIAL, PY_TITLE, PY_TITLE_INITIAL } from './docs.js'
import { FIELD_BREAK, queryChars, queryGrams } from './grams.js'
import { listHas, type Postings } from './postings.js'
import type { PinyinScan } from './pinyin-scan.js'
import { WorkBudget } from './budget.js'
import { compileFilter, comparator, countFacets, firstK, type Scored } from './results.js'

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

/** Units one {@link phraseScore} costs: one a field. */
const phraseUnits = 5

/** Characters of transcript one unit pays for: a transcript is long, and a unit is one short field's check. */
const transcriptCharsPerUnit = 400

/** Units {@link phraseScore} costs for `row`: its transcript counted by length. */
const rowUnits = (row: StoredDoc): number =>
  row.transcript ? phraseUnits + Math.ceil(row.transcript.length / transcriptCharsPerUnit) : phraseUnits

/** The score of a match that was counted but not ranked (no units left): below every ranked one. */
const unranked = 1e-9

/** Characters of a part tried as scattered pieces: that fallback is for names and titles typed as one string. */
const scatteredChars = 16

function phraseScore(row: StoredDoc, part: string): number {
  // Unrolled over the fields: this runs for every candidate.
  const scores = [
    fieldScore(row.title, 10, false, part),
    fieldScore(row.creators, 6, true, part),
    fieldScore(row.subjects, 4, true, part),
    fieldScore(row.other, 3, true, part),
    fieldScore(row.description, 2, false, part),
    row.transcript ? fieldScore(row.transcript, 1, false, part) : 0,
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

const kinds: readonly MatchKind[] = ['phrase', 'scattered', 'pinyin', 'typo', 'all']

/**
 * A part's matches: the best score and how it matched, by document number, in typed arrays
 * (a broad part matches 100k records: no object or map entry each), and the documents in the
 * order they were first matched.
 */
class PartMatch {
  readonly score: Float64Array
  readonly kind: Uint8Array
  docnos: number[] = []

  constructor(rows: number) {
    this.score = new Float64Array(rows)
    this.kind = new Uint8Array(rows)
  }

  get size(): number {
    return this.docnos.length
  }

  /** Keeps the better of a document's matches. */
  offer(docno: number, score: number, kind: MatchKind): void {
    const prev = this.score[docno]!
    if (prev === 0) this.docnos.push(docno)
    else if (score <= prev) return
    this.score[docno] = score
    this.kind[docno] = kinds.indexOf(kind)
  }

  /** Keeps the documents `next` matched too, adding its scores; the kind stays this one's unless a phrase (a pinyin or typo match anywhere shows). */
  narrow(next: PartMatch): void {
    const phrase = kinds.indexOf('phrase')
    this.docnos = this.docnos.filter((d) => {
      const s = next.score[d]!
      if (s === 0) {
        this.score[d] = 0
        return false
      }
      this.score[d]! += s
      if (this.kind[d] === phrase) this.kind[d] = next.kind[d]!
      return true
    })
  }
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

/** Whether a part is found exactly by one gram list (one or two characters): no text check needed. */
const isExact = (part: string): boolean => part.length <= 2 || [...part].length <= 2

/**
 * `docnos` in the order the title alone would rank them — the whole title, then titles that
 * begin with `part`, then titles that hold it, then the rest: when a broad part has more
 * candidates than the budget can rank, these are the ones worth ranking (the title weighs most).
 */
function titleOrder(state: IndexState, docnos: number[], part: string): number[] {
  const whole: number[] = []
  const starts: number[] = []
  const inside: number[] = []
  const rest: number[] = []
  for (const d of docnos) {
    const title = state.docs.rows[d]?.title
    const at = title === undefined ? -1 : title.indexOf(part)
    ;(at < 0 ? rest : at > 0 ? inside : title!.length === part.length ? whole : starts).push(d)
  }
  return whole.concat(starts, inside, rest)
}

/** Scores `part` as a phrase in the documents that hold it (only those in `within`, if given). */
function matchPhrase(
  state: IndexState,
  part: string,
  into: PartMatch,
  within: number[] | undefined,
  budget: WorkBudget,
  scale = 1,
  kind: MatchKind = 'phrase',
): void {
  const exact = isExact(part)
  let docnos = within ?? candidates(state, part)
  if (exact && within) {
    // Membership by the part's own gram list: a binary search, not a look at the text.
    const list = state.postings.list(queryGrams(part)[0]!)
    docnos = within.filter((d) => listHas(list, d))
  }
  if (exact && docnos.length * phraseUnits > budget.left) docnos = titleOrder(state, docnos, part)
  for (const docno of docnos) {
    const row = state.docs.rows[docno]
    if (!row) continue
    let s: number
    if (budget.spend(rowUnits(row))) s = phraseScore(row, part) * scale
    else if (exact) s = unranked
    else break // unchecked candidates may not hold the part: they are left out
    if (s > 0) into.offer(docno, s, kind)
  }
}

const pinyinWeight: Record<number, number> = {
  [PY_TITLE]: 10,
  [PY_TITLE_INITIAL]: 8,
  [PY_CREATOR]: 6,
  [PY_CREATOR_INITIAL]: 5,
}

/** Units a pinyin place costs (a string comparison and two searches for its ends). */
const pinyinUnits = 8

function matchPinyin(
  state: IndexState,
  part: string,
  into: PartMatch,
  within: Set<number> | undefined,
  budget: WorkBudget,
): void {
  state.pinyin.scan(part, ({ docno, mark, atStart, coverage }) => {
    if (!budget.spend(pinyinUnits)) return false
    if (within && !within.has(docno)) return true
    // Pinyin counts a little below the characters themselves.
    const s = (pinyinWeight[mark] ?? 0) * ((atStart ? (coverage === 1 ? 4 : 2) : 1) + coverage) * 0.9
    if (s > 0) into.offer(docno, s, 'pinyin')
    return true
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

function matchPart(
  state: IndexState,
  part: string,
  terms: string[],
  within: number[] | undefined,
  budget: WorkBudget,
): PartMatch {
  const m = new PartMatch(state.docs.rows.length)
  matchPhrase(state, part, m, within, budget)
  if (mayBePinyin(part)) matchPinyin(state, part, m, within && new Set(within), budget)
  terms.push(part)
  const typos = /^[a-z]+$/.test(part) ? typosFor(part.length) : 0
  if (m.size === 0 && typos > 0) {
    let tried = 0
    for (const word of state.vocabulary) {
      if (!budget.spend(1)) break
      if (boundedDistance(part, word, typos) > typos) continue
      matchPhrase(state, word, m, within, budget, 0.5, 'typo')
      terms.push(word)
      if (++tried === 5) break
    }
  }
  return m
}

/**
 * How well a record holds a part's characters when not as one phrase: longest pieces first,
 * found by growing each piece while a field holds it. Each field check spends a unit; undefined
 * when the budget runs out.
 */
function scatteredScore(row: StoredDoc, part: string, budget: WorkBudget): number | undefined {
  const chars = [...part]
  const texts = fields(row)
  let total = 0
  let i = 0
  while (i < chars.length) {
    let bestLen = 0
    let bestWeight = 0
    // Fields come weightiest first, so a later field wins only with a longer piece; and one that
    // holds a piece longer than the best so far holds that best too.
    for (const [text, weight] of texts) {
      let len = bestLen
      while (i + len < chars.length) {
        if (!budget.spend(1)) return undefined
        if (!text.includes(chars.slice(i, i + len + 1).join(''))) break
        len++
      }
      if (len > bestLen) {
        bestLen = len
        bestWeight = weight
      }
    }
    if (!bestLen) return 0
    total += bestWeight * bestLen * bestLen
    i += bestLen
  }
  return (total / (chars.length * chars.length)) * 10
}

export function runQuery(state: IndexState, query: SearchQuery, budget: WorkBudget = new WorkBudget()): EngineResult {
  const { docs } = state
  const accept = compileFilter(docs, query.filters)
  // A part typed twice asks nothing more (`书名1 书名1 …`).
  const parts = [...new Set(queryParts(query.q))]
  const terms: string[] = []
  let matched: Scored[] = []
  if (!parts.length) {
    docs.rows.forEach((row, docno) => {
      if (row && accept(docno)) matched.push({ docno, row, score: 0, kind: 'all' })
    })
  } else {
    // The most selective part first; each next part is checked only in the survivors.
    const ordered = parts
      .map((p) => ({ p, n: mayBePinyin(p) ? Infinity : estimate(state, p) }))
      .sort((a, b) => a.n - b.n)
    let survivors: PartMatch | undefined
    for (const { p } of ordered) {
      const m = matchPart(state, p, terms, survivors?.docnos, budget)
      if (survivors) survivors.narrow(m)
      else survivors = m
      if (!survivors.size) break
    }
    if (survivors) {
      for (const docno of survivors.docnos) {
        const row = docs.rows[docno]!
        if (accept(docno))
          matched.push({ docno, row, score: survivors.score[docno]!, kind: kinds[survivors.kind[docno]!]! })
      }
    }
    const pieces = [...new Set(parts.map((p) => [...p].slice(0, scatteredChars).join('')))]
    if (matched.length === 0 && pieces.some((p) => p.length >= 2)) {
      // Documents holding every character: the rarest characters' lists, then the text.
      const chars = [...new Set(pieces.flatMap(queryChars))]
        .map((k) => ({ k, cost: state.postings.cost(k) }))
        .sort((a, b) => a.cost - b.cost)
      if (chars.length && chars[0]!.cost > 0) {
        const first = state.postings.list(chars[0]!.k)
        let pool: number[] = first.delta ? [...first.base, ...first.delta] : Array.from(first.base)
        for (let i = 1; i < chars.length && pool.length > 64; i++) {
          const other = state.postings.list(chars[i]!.k)
          pool = pool.filter((d) => listHas(other, d))
        }
        const needed = chars.map((c) => String.fromCodePoint(c.k))
        pool: for (const docno of pool) {
          const row = docs.rows[docno]
          if (!row || survivors?.score[docno] || !accept(docno)) continue
          if (!budget.spend(needed.length)) break
          const text = DocTable.describedText(row)
          if (!needed.every((ch) => text.includes(ch))) continue
          let score = 0
          for (const p of pieces) {
            const s = scatteredScore(row, p, budget)
            if (s === undefined) break pool
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
  const page = firstK(matched, query.offset + query.limit, comparator(sort, docs.cols)).slice(query.offset)
  const hits: EngineHit[] = page.map((m) => ({ id: m.row.id, score: m.score, match: m.kind }))
  return {
    total: matched.length,
    hits,
    facets: query.facets ? countFacets(docs, matched) : {},
    terms: [...new Set(terms)],
  }
}
