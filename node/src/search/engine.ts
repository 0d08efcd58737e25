/**
 * @module search/engine
 * The one search interface, with two engines behind it: the embedded index (the default, in
 * process, persisted in the data folder) and a Meilisearch server for large nodes. The node
 * builds {@link SearchDocument}s from its records; engines never see anything else.
 */
import type { AccessPolicy, ResourceStatus, ResourceType } from '@shulin/protocol'

/** What is indexed of one record. */
export interface SearchDocument {
  id: string
  /** The record's revision: a replayed change that is not newer is skipped. */
  revision: number
  title: string
  creators: string[]
  subjects: string[]
  description: string
  /** Publisher, series, identifiers, class number: matched, weighted low. */
  other: string[]
  /** A lecture's transcript (its subtitle cues' text): matched, weighted lowest. */
  transcript?: string
  type: ResourceType
  language: string
  access: AccessPolicy
  status: ResourceStatus
  /** The publishing node. */
  source: string
  /** Publication year, when known. */
  year: number | undefined
  /** Publication (or creation) time, ms since 1970: the recency tie-breaker and `newest` sort. */
  published: number
  /** Likes and opens: the popularity tie-breaker. */
  popularity: number
}

/** `decade`: publication years by decade (`1990` = 1990–1999). */
export const facetNames = ['type', 'subject', 'language', 'access', 'source', 'decade'] as const
export type FacetName = (typeof facetNames)[number]

export interface SearchFilters {
  type?: ResourceType[]
  subject?: string[]
  /** Records with any of these creators, each exactly as catalogued (no folding: a name is an identity). */
  creator?: string[]
  language?: string[]
  access?: AccessPolicy[]
  source?: string[]
  status?: ResourceStatus[]
  yearFrom?: number
  yearTo?: number
  /** Only these records (a column's or topic's items); an empty list matches nothing. */
  ids?: string[]
}

export type SearchSort = 'relevance' | 'newest' | 'oldest' | 'year' | '-year' | 'title'

export interface SearchQuery {
  q: string
  filters: SearchFilters
  sort: SearchSort
  limit: number
  offset: number
  /** Count facet values over every match (off for suggest and paging calls that do not show them). */
  facets: boolean
}

/** How a hit matched: the whole phrase, its characters scattered, by pinyin, or a near spelling. */
export type MatchKind = 'phrase' | 'scattered' | 'pinyin' | 'typo' | 'all'

export interface EngineHit {
  id: string
  score: number
  match: MatchKind
}

export interface EngineResult {
  total: number
  hits: EngineHit[]
  /** Facet → value → count (subjects: the 30 most frequent). */
  facets: Partial<Record<FacetName, Record<string, number>>>
  /** Query parts as matched (folded), for highlighting; near spellings included. */
  terms: string[]
}

export interface Suggestion {
  text: string
  field: 'title' | 'creator'
  id: string
}

export interface EngineStats {
  engine: 'embedded' | 'meilisearch'
  documents: number
  /** Bytes of the index on disk, when the engine knows. */
  diskBytes?: number
}

export interface SearchEngine {
  readonly name: 'embedded' | 'meilisearch'
  /** Opens (or creates) the index; returns the change cursor it covers, if it persisted one. */
  open(): Promise<{ cursor: string | undefined }>
  /** Adds or replaces documents. */
  upsert(docs: SearchDocument[]): Promise<void>
  remove(ids: string[]): Promise<void>
  /** The indexed revision of a record, if indexed. */
  revisionOf(id: string): Promise<number | undefined>
  search(query: SearchQuery): Promise<EngineResult>
  suggest(prefix: string, limit: number): Promise<Suggestion[]>
  /** Drops every document (before a rebuild). */
  clear(): Promise<void>
  /** Makes everything so far durable, noting the change cursor it covers. */
  checkpoint(cursor: string | undefined): Promise<void>
  stats(): Promise<EngineStats>
  close(): Promise<void>
}
