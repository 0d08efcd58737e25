/**
 * @module search/embedded/results
 * What a query's matches become once found: the filters as a test of a document number, the
 * sort orders, the first page without sorting every match, and the facet counts — all read
 * from the document table's columns, since a broad query matches every record.
 */
import type { EngineResult, FacetName, MatchKind, SearchFilters, SearchQuery } from '../engine.js'
import type { DocTable, StoredDoc } from './docs.js'
import type { DocColumns } from './columns.js'

/** The filter as a test of a document number, on the table's columns (it runs for every match). */
export function compileFilter(docs: DocTable, f: SearchFilters): (docno: number) => boolean {
  // Value id → allowed, as a byte table.
  const ids = (list: string[] | undefined, values: DocTable['types']) => {
    if (!list || !list.length) return undefined
    const allowed = new Uint8Array(values.values.length)
    for (const v of list) {
      const id = values.find(v)
      if (id !== undefined) allowed[id] = 1
    }
    return allowed
  }
  const type = ids(f.type, docs.types)
  const language = ids(f.language, docs.languages)
  const access = ids(f.access, docs.access)
  const status = ids(f.status, docs.statuses)
  const source = ids(f.source, docs.sources)
  const subject = ids(f.subject, docs.subjects)
  // Creators are not a facet, so they have no value list: the row keeps the names as catalogued.
  const creator = f.creator?.length ? new Set(f.creator) : undefined
  const hasCreator = (d: number) => docs.rows[d]?.creatorNames.some((n) => creator!.has(n)) ?? false
  const { yearFrom, yearTo } = f
  // A collection's items as document numbers; ids not (or no longer) indexed simply match nothing.
  const only = f.ids && new Set(f.ids.flatMap((id) => docs.byId.get(id) ?? []))
  const c = docs.cols
  const hasSubject = (d: number) => {
    for (let i = c.subjectStart[d]!; i < c.subjectStart[d + 1]!; i++) if (subject![c.subjects[i]!] === 1) return true
    return false
  }
  return (d) =>
    (!only || only.has(d)) &&
    (!type || type[c.type[d]!] === 1) &&
    (!language || language[c.language[d]!] === 1) &&
    (!access || access[c.access[d]!] === 1) &&
    (!status || status[c.status[d]!] === 1) &&
    (!source || source[c.source[d]!] === 1) &&
    (!subject || hasSubject(d)) &&
    (!creator || hasCreator(d)) &&
    (yearFrom === undefined || (c.year[d] !== 0 && c.year[d]! >= yearFrom)) &&
    (yearTo === undefined || (c.year[d] !== 0 && c.year[d]! <= yearTo))
}

export interface Scored {
  docno: number
  row: StoredDoc
  score: number
  kind: MatchKind
}

export function comparator(sort: SearchQuery['sort'], c: DocColumns): (a: Scored, b: Scored) => number {
  const { popularity, published, year } = c
  const ties = (a: Scored, b: Scored) =>
    popularity[b.docno]! - popularity[a.docno]! || published[b.docno]! - published[a.docno]! || a.docno - b.docno
  switch (sort) {
    case 'newest':
      return (a, b) => published[b.docno]! - published[a.docno]! || a.docno - b.docno
    case 'oldest':
      return (a, b) => published[a.docno]! - published[b.docno]! || a.docno - b.docno
    case 'year':
      return (a, b) => (year[a.docno] || 99999) - (year[b.docno] || 99999) || ties(a, b)
    case '-year':
      return (a, b) => year[b.docno]! - year[a.docno]! || ties(a, b)
    case 'title':
      return (a, b) =>
        (a.row.pinyin < b.row.pinyin ? -1 : a.row.pinyin > b.row.pinyin ? 1 : 0) ||
        (a.row.titleText < b.row.titleText ? -1 : a.row.titleText > b.row.titleText ? 1 : 0) ||
        a.docno - b.docno
    default:
      return (a, b) => b.score - a.score || ties(a, b)
  }
}

/** The first `k` in order, without sorting everything when `k` is small. */
export function firstK(items: Scored[], k: number, cmp: (a: Scored, b: Scored) => number): Scored[] {
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

/** Facet counts over every match, in one pass over the columns (a broad query has 100k matches). */
export function countFacets(docs: DocTable, matched: Scored[]): EngineResult['facets'] {
  const c = docs.cols
  const types = new Uint32Array(docs.types.values.length)
  const languages = new Uint32Array(docs.languages.values.length)
  const access = new Uint32Array(docs.access.values.length)
  const sources = new Uint32Array(docs.sources.values.length)
  const subjects = new Uint32Array(docs.subjects.values.length)
  const decades = new Map<number, number>()
  for (const { docno: d } of matched) {
    types[c.type[d]!]!++
    languages[c.language[d]!]!++
    access[c.access[d]!]!++
    sources[c.source[d]!]!++
    for (let i = c.subjectStart[d]!; i < c.subjectStart[d + 1]!; i++) subjects[c.subjects[i]!]!++
    const year = c.year[d]!
    if (year) {
      const decade = Math.floor(year / 10) * 10
      decades.set(decade, (decades.get(decade) ?? 0) + 1)
    }
  }
  const named = (values: string[], n: Uint32Array) => {
    const out: Record<string, number> = {}
    values.forEach((v, i) => {
      if (n[i]) out[v] = n[i]!
    })
    return out
  }
  const topSubjects: number[] = []
  subjects.forEach((n, i) => {
    if (n) topSubjects.push(i)
  })
  topSubjects.sort((a, b) => subjects[b]! - subjects[a]!)
  const facets: Record<FacetName, Record<string, number>> = {
    type: named(docs.types.values, types),
    language: named(docs.languages.values, languages),
    access: named(docs.access.values, access),
    source: named(docs.sources.values, sources),
    subject: Object.fromEntries(topSubjects.slice(0, 30).map((i) => [docs.subjects.values[i]!, subjects[i]!])),
    decade: Object.fromEntries([...decades].sort((a, b) => a[0] - b[0]).map(([d, n]) => [String(d), n])),
  }
  return facets
}
