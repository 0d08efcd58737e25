/**
 * @module search/meili/engine
 * The search interface over a Meilisearch server (the official `meilisearch` client), for the
 * hub and large nodes. Records are sent with folded copies of their text (Traditional →
 * Simplified, variants, case) and the pinyin of titles and names, and queries are folded the
 * same way, so Simplified and Traditional match both ways and pinyin works as in the embedded
 * engine. Meilisearch segments Chinese into words itself: a query cut differently from the
 * text can miss (its known weakness); the embedded engine has no such gap.
 *
 * The change cursor lives in a second index (`<uid>-meta`), so a server that lost its data
 * also lost the cursor, and the node rebuilds.
 */
import { Meilisearch, MeilisearchApiError, type Index } from 'meilisearch'
import type {
  EngineResult,
  EngineStats,
  FacetName,
  SearchDocument,
  SearchEngine,
  SearchFilters,
  SearchQuery,
  Suggestion,
} from '../engine.js'
import { fold, foldSpaced, queryParts } from '../text/fold.js'
import { loadPinyin, pinyinOf } from '../text/pinyin.js'

export interface MeiliOptions {
  url: string
  apiKey?: string
  /** Index uid; `<index>-meta` holds the cursor. */
  index: string
  /** Longest wait for one indexing task. */
  taskTimeoutMs?: number
}

interface MeiliDoc {
  id: string
  revision: number
  title: string
  title_fold: string
  creators: string[]
  creators_fold: string[]
  pinyin: string[]
  subjects: string[]
  description: string
  other: string[]
  transcript: string
  type: string
  language: string
  access: string
  status: string
  source: string
  year: number | null
  decade: number | null
  published: number
  popularity: number
  title_sort: string
}

const facetAttributes: Record<FacetName, string> = {
  type: 'type',
  subject: 'subjects',
  language: 'language',
  access: 'access',
  source: 'source',
  decade: 'decade',
}

/** A filter value, quoted for Meilisearch's filter syntax. */
const quote = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`

export function meiliFilter(f: SearchFilters): string[] {
  const out: string[] = []
  const list = (attr: string, values: string[] | undefined) => {
    if (values?.length) out.push(`${attr} IN [${values.map(quote).join(', ')}]`)
  }
  list('type', f.type)
  list('subjects', f.subject)
  list('creators', f.creator)
  list('language', f.language)
  list('access', f.access)
  list('source', f.source)
  list('status', f.status)
  // `IN []` is not valid Meilisearch syntax: an empty collection asks for an id no record has.
  if (f.ids) out.push(`id IN [${(f.ids.length ? f.ids : ['']).map(quote).join(', ')}]`)
  if (f.yearFrom !== undefined) out.push(`year >= ${f.yearFrom}`)
  if (f.yearTo !== undefined) out.push(`year <= ${f.yearTo}`)
  return out
}

const sorts: Record<SearchQuery['sort'], string[] | undefined> = {
  relevance: undefined,
  newest: ['published:desc'],
  oldest: ['published:asc'],
  year: ['year:asc'],
  '-year': ['year:desc'],
  title: ['title_sort:asc'],
}

function toMeili(d: SearchDocument): MeiliDoc {
  const py = [pinyinOf(fold(d.title)), ...d.creators.map((c) => pinyinOf(fold(c), { name: true }))].flatMap((p) =>
    p ? [p.full, p.initials] : [],
  )
  return {
    id: d.id,
    revision: d.revision,
    title: d.title,
    title_fold: foldSpaced(d.title),
    creators: d.creators,
    creators_fold: d.creators.map(foldSpaced),
    pinyin: py,
    subjects: d.subjects,
    description: foldSpaced(d.description.slice(0, 20_000)),
    other: d.other.map(foldSpaced),
    transcript: d.transcript ? foldSpaced(d.transcript) : '',
    type: d.type,
    language: d.language,
    access: d.access,
    status: d.status,
    source: d.source,
    year: d.year ?? null,
    decade: d.year !== undefined ? Math.floor(d.year / 10) * 10 : null,
    published: d.published,
    popularity: d.popularity,
    title_sort: py[0] ?? fold(d.title),
  }
}

export class MeiliEngine implements SearchEngine {
  readonly name = 'meilisearch' as const
  readonly #client: Meilisearch
  readonly #index: Index<MeiliDoc>
  readonly #meta: Index<{ id: string; cursor: string }>
  readonly #wait: { timeout: number; interval: number }

  constructor(private readonly opts: MeiliOptions) {
    this.#client = new Meilisearch({ host: opts.url, ...(opts.apiKey ? { apiKey: opts.apiKey } : {}) })
    this.#index = this.#client.index<MeiliDoc>(opts.index)
    this.#meta = this.#client.index(`${opts.index}-meta`)
    this.#wait = { timeout: opts.taskTimeoutMs ?? 120_000, interval: 50 }
  }

  async open(): Promise<{ cursor: string | undefined }> {
    for (const uid of [this.opts.index, `${this.opts.index}-meta`]) {
      const task = await this.#client.createIndex(uid, { primaryKey: 'id' }).waitTask(this.#wait)
      if (task.status === 'failed' && task.error?.code !== 'index_already_exists')
        throw new Error(`Meilisearch: ${task.error?.message ?? 'cannot create index'}`)
    }
    await this.#index
      .updateSettings({
        searchableAttributes: [
          'title',
          'title_fold',
          'creators',
          'creators_fold',
          'pinyin',
          'subjects',
          'other',
          'description',
          // Last: the attribute rule ranks a title or description match above a transcript one.
          'transcript',
        ],
        filterableAttributes: [
          'id',
          'type',
          'subjects',
          'creators',
          'language',
          'access',
          'status',
          'source',
          'year',
          'decade',
        ],
        sortableAttributes: ['published', 'year', 'title_sort', 'popularity'],
        rankingRules: [
          'words',
          'typo',
          'proximity',
          'attribute',
          'sort',
          'exactness',
          'popularity:desc',
          'published:desc',
        ],
        faceting: { maxValuesPerFacet: 100 },
        pagination: { maxTotalHits: 20_000 },
      })
      .waitTask(this.#wait)
    try {
      const doc = await this.#meta.getDocument('cursor')
      return { cursor: doc.cursor }
    } catch (err) {
      if (err instanceof MeilisearchApiError && err.cause?.code === 'document_not_found') return { cursor: undefined }
      throw err
    }
  }

  async #run(task: ReturnType<Index['addDocuments']>): Promise<void> {
    const done = await task.waitTask(this.#wait)
    if (done.status === 'failed')
      throw new Error(`Meilisearch task ${done.uid} failed: ${done.error?.message ?? 'unknown error'}`)
  }

  async upsert(docs: SearchDocument[]): Promise<void> {
    if (docs.length) await loadPinyin()
    if (docs.length) await this.#run(this.#index.addDocuments(docs.map(toMeili)))
  }

  async remove(ids: string[]): Promise<void> {
    if (ids.length) await this.#run(this.#index.deleteDocuments(ids))
  }

  async revisionOf(id: string): Promise<number | undefined> {
    try {
      return (await this.#index.getDocument(id, { fields: ['revision'] })).revision
    } catch (err) {
      if (err instanceof MeilisearchApiError && err.cause?.code === 'document_not_found') return undefined
      throw err
    }
  }

  async search(query: SearchQuery): Promise<EngineResult> {
    const parts = queryParts(query.q)
    const sort = sorts[query.sort === 'relevance' && !parts.length ? 'newest' : query.sort]
    const res = await this.#index.search(parts.join(' '), {
      offset: query.offset,
      limit: query.limit,
      filter: meiliFilter(query.filters),
      ...(sort ? { sort } : {}),
      ...(query.facets ? { facets: Object.values(facetAttributes) } : {}),
      attributesToRetrieve: ['id'],
      showRankingScore: true,
    })
    const facets: EngineResult['facets'] = {}
    if (query.facets && res.facetDistribution) {
      for (const [name, attr] of Object.entries(facetAttributes) as Array<[FacetName, string]>)
        facets[name] = res.facetDistribution[attr] ?? {}
    }
    return {
      total: res.estimatedTotalHits ?? res.hits.length,
      hits: res.hits.map((h) => ({ id: h.id, score: h._rankingScore ?? 0, match: parts.length ? 'phrase' : 'all' })),
      facets,
      terms: parts,
    }
  }

  async suggest(prefix: string, limit: number): Promise<Suggestion[]> {
    const q = foldSpaced(prefix)
    if (!q) return []
    const res = await this.#index.search(q, {
      limit,
      filter: ['status = "published"'],
      attributesToSearchOn: ['title', 'title_fold', 'creators', 'creators_fold', 'pinyin'],
      attributesToRetrieve: ['id', 'title', 'creators', 'creators_fold'],
    })
    const folded = fold(prefix)
    return res.hits.map((h) => {
      const i = h.creators_fold.findIndex((c) => fold(c).startsWith(folded))
      return i >= 0
        ? { text: h.creators[i]!, field: 'creator' as const, id: h.id }
        : { text: h.title, field: 'title' as const, id: h.id }
    })
  }

  async clear(): Promise<void> {
    await this.#run(this.#index.deleteAllDocuments())
    await this.#run(this.#meta.deleteAllDocuments())
  }

  async checkpoint(cursor: string | undefined): Promise<void> {
    if (cursor) await this.#run(this.#meta.addDocuments([{ id: 'cursor', cursor }]))
  }

  async stats(): Promise<EngineStats> {
    return { engine: 'meilisearch', documents: (await this.#index.getStats()).numberOfDocuments }
  }

  async close(): Promise<void> {}
}
