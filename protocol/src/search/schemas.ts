/**
 * @module search/schemas
 * The search API's query and answer: `GET /api/search` and `GET /api/search/suggest`.
 */
import { z } from 'zod'
import { AccessPolicy, ResourceStatus, ResourceType } from '../resources/schemas.js'

/**
 * Longest accepted query, in UTF-16 units. A search box holds a title, names, a line of a text:
 * 256 is ten times the longest line of a poem and more than the engine reads (8 parts of 64
 * characters). A longer query is refused with a 400, not cut: results for the first half of a
 * pasted paragraph would look like an answer to all of it. The web UI's box stops at this length.
 */
export const maxQueryLength = 256
/** Deepest page: past it, narrow the search instead. */
export const maxSearchOffset = 10_000

/** `a,b,c` (or one value) → a list of up to 20 values. */
const list = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .max(2000)
    .transform((s) =>
      s
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item).max(20))

export const SearchSort = z.enum(['relevance', 'newest', 'oldest', 'year', '-year', 'title'])
export type SearchSort = z.infer<typeof SearchSort>

const year = z.coerce.number().int().min(-3000).max(9999)
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')

export const SearchRequest = z.strictObject({
  q: z.string().max(maxQueryLength).default(''),
  limit: z.coerce.number().int().min(1).max(100).default(10),
  offset: z.coerce.number().int().min(0).max(maxSearchOffset).default(0),
  sort: SearchSort.default('relevance'),
  type: list(ResourceType).optional(),
  subject: list(z.string().max(100)).optional(),
  /** Creators exactly as catalogued (`creator=李白`; a comma-separated list matches any of them). */
  creator: list(z.string().max(200)).optional(),
  language: list(z.string().max(35)).optional(),
  access: list(AccessPolicy).optional(),
  source: list(z.string().max(100)).optional(),
  yearFrom: year.optional(),
  yearTo: year.optional(),
  /** Only the items of this column or topic (the home page links a topic's "more" here). */
  collection: z.string().min(1).max(64).optional(),
  facets: flag.default(true),
})
export type SearchRequest = z.infer<typeof SearchRequest>

/** Staff may also search drafts and withdrawn records. */
export const StaffSearchRequest = SearchRequest.extend({ status: list(ResourceStatus).optional() })
export type StaffSearchRequest = z.infer<typeof StaffSearchRequest>

/** Highlighted text: `marks` are [start, end) UTF-16 offsets into `text` (render them, never HTML). */
export const Highlighted = z.object({ text: z.string(), marks: z.array(z.tuple([z.number().int(), z.number().int()])) })
export type Highlighted = z.infer<typeof Highlighted>

export const SearchHit = z.object({
  id: z.string(),
  title: z.string(),
  creators: z.array(z.string()),
  type: ResourceType,
  identifiers: z.array(z.string()),
  date: z.string().optional(),
  publisher: z.string().optional(),
  access: AccessPolicy,
  source: z.string(),
  status: ResourceStatus,
  /** Thumbnail URL, when the record has a cover. */
  thumbnail: z.string().optional(),
  /** How it matched: the whole phrase, scattered characters, pinyin, a near spelling, or no query. */
  match: z.enum(['phrase', 'scattered', 'pinyin', 'typo', 'all']),
  score: z.number(),
  highlight: z.object({ title: Highlighted, creators: z.array(Highlighted), snippet: Highlighted.optional() }),
  /** Lectures matched by a transcript sentence: the second that sentence starts (open the player there). */
  t: z.number().optional(),
})
export type SearchHit = z.infer<typeof SearchHit>

export const SearchResponse = z.object({
  query: z.string(),
  total: z.number().int(),
  offset: z.number().int(),
  limit: z.number().int(),
  hits: z.array(SearchHit),
  /** Facet → value → count, over every match. */
  facets: z.record(z.string(), z.record(z.string(), z.number().int())),
  engine: z.enum(['embedded', 'meilisearch']),
  tookMs: z.number(),
})
export type SearchResponse = z.infer<typeof SearchResponse>

export const SuggestRequest = z.strictObject({
  q: z.string().max(256).default(''),
  limit: z.coerce.number().int().min(1).max(20).default(8),
})
export const Suggestion = z.object({ text: z.string(), field: z.enum(['title', 'creator']), id: z.string() })
export type Suggestion = z.infer<typeof Suggestion>
export const SuggestResponse = z.object({ suggestions: z.array(Suggestion) })
export type SuggestResponse = z.infer<typeof SuggestResponse>

export const ZeroResultQuery = z.object({ query: z.string(), count: z.number().int(), lastAt: z.string() })
export type ZeroResultQuery = z.infer<typeof ZeroResultQuery>
export const ZeroResultList = z.object({ queries: z.array(ZeroResultQuery) })
export type ZeroResultList = z.infer<typeof ZeroResultList>

export const ReindexResult = z.object({ documents: z.number().int(), ms: z.number() })
export type ReindexResult = z.infer<typeof ReindexResult>
