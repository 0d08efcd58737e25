/**
 * @module search/service
 * Keeps the search engine in step with the records and answers searches.
 *
 * The engine follows every committed change (the record store's `onChange`), applied one batch
 * at a time in order. It notes the change cursor it has covered; a restart replays the change
 * log from a little before that cursor (changes carry the record revision, so replaying twice
 * does nothing), and an index with no cursor is rebuilt from the records. `reindex` rebuilds
 * on demand (`shulin reindex`).
 */
import {
  maxQueryLength,
  type Highlighted,
  type Resource,
  type SearchResponse,
  type SearchHit,
  type StaffSearchRequest,
} from '@shulin/protocol'
import type { ResourceService } from '../resources/service.js'
import type { ResourceChange } from '../resources/store.js'
import { changeCursor } from '../resources/store.js'
import type { ReadingService } from '../reading/service.js'
import type { Storage } from '../storage/db.js'
import type { Logger } from '../logger.js'
import type { SearchEngine, Suggestion } from './engine.js'
import { toSearchDocument } from './documents.js'
import { highlight, snippet } from './highlight.js'
import { ZeroResultLog } from './misses.js'
import { bestCue, transcriptText, type Cue, type Transcripts } from './transcript.js'

/** Replays start this long before the covered cursor (clocks step back; replays are idempotent). */
const replayMarginMs = 5 * 60_000
/** A quiet spell after changes before the index is made durable. */
const checkpointQuietMs = 2_000
/** …but no longer than this under a steady stream of changes. */
const checkpointMaxMs = 60_000
const batchSize = 1000

/**
 * A matched transcript line as a hit's snippet. A sentence the reader typed across two cues
 * marks only its part in this one, or nothing: the line is shown all the same (cut like a
 * description), since it is where the player opens.
 */
function cueSnippet(text: string, terms: string[]): Highlighted {
  const marked = snippet(highlight(text, terms))
  if (marked) return marked
  const chars = [...text]
  return { text: chars.length > 90 ? `${chars.slice(0, 90).join('')}…` : text, marks: [] }
}

export interface SearchServiceOptions {
  storage: Storage
  resources: ResourceService
  reading: ReadingService
  engine: SearchEngine
  /** Lectures' transcripts (their first subtitle track); without it, transcripts are not indexed. */
  transcripts?: Transcripts | undefined
  logger?: Logger | undefined
  now?: () => number
}

export class SearchService {
  readonly engine: SearchEngine
  readonly misses: ZeroResultLog
  #cursor: string | undefined
  /** Every index update runs in this chain, in order. */
  #chain: Promise<unknown> = Promise.resolve()
  /** The last update in the chain that changes what a search finds (checkpoints do not). */
  #lastChange: Promise<unknown> = Promise.resolve()
  #ready: Promise<void> | undefined
  #unsubscribe: (() => void) | undefined
  #timer: NodeJS.Timeout | undefined
  #firstPending: number | undefined
  #closed = false

  constructor(private readonly opts: SearchServiceOptions) {
    this.engine = opts.engine
    this.misses = new ZeroResultLog(opts.storage, opts.now)
  }

  /** Opens the index and starts following changes; catching up runs in the background. */
  start(): Promise<void> {
    const offChange = this.opts.resources.records.onChange((changes) => {
      this.#enqueue(() => this.#apply(changes))
    })
    // Popularity is a tie-breaker: a like re-files the record with its new count.
    const offLike = this.opts.reading.onLikeCount((id) => {
      this.#enqueue(async () => {
        const r = await this.opts.resources.records.get(id)
        if (r && (await this.engine.revisionOf(id)) !== undefined) await this.#upsert([r])
        this.#scheduleCheckpoint()
      })
    })
    this.#unsubscribe = () => {
      offChange()
      offLike()
    }
    this.#ready = this.#enqueue(() => this.#catchUp())
    return this.#ready
  }

  /**
   * Resolves when the index holds every change committed so far (a search right after a
   * publish finds it): the catch-up at start and the updates queued since.
   */
  async ready(): Promise<void> {
    await this.#ready
    // Not the checkpoint that may be writing the index file (seconds on 100k records, in
    // slices): a search reads the index as it is meanwhile.
    await this.#lastChange
  }

  #enqueue<T>(fn: () => Promise<T>, { checkpoint = false } = {}): Promise<T> {
    const run = this.#chain.then(fn)
    this.#chain = run.catch((err: unknown) => this.opts.logger?.error({ err }, 'search index update failed'))
    if (!checkpoint) this.#lastChange = this.#chain
    return run
  }

  async #catchUp(): Promise<void> {
    const t0 = performance.now()
    const { cursor } = await this.engine.open()
    if (!cursor) {
      const latest = await this.opts.resources.records.latestChange()
      if (latest) await this.#rebuild()
      return
    }
    this.#cursor = cursor
    const iso = cursor.split('!')[0]!
    const after = new Date(Math.max(0, Date.parse(iso) - replayMarginMs)).toISOString()
    let applied = 0
    let batch: Resource[] = []
    const flush = async () => {
      const fresh: Resource[] = []
      for (const r of batch) if ((await this.engine.revisionOf(r.id)) !== r.revision) fresh.push(r)
      await this.#upsert(fresh)
      applied += fresh.length
      batch = []
    }
    for await (const item of this.opts.resources.records.changesSince({ after })) {
      if ('metadata' in item) {
        batch.push(item)
        if (batch.length === batchSize) await flush()
        this.#advance(changeCursor(item))
      } else {
        await flush()
        if ((await this.engine.revisionOf(item.id)) !== undefined) {
          await this.engine.remove([item.id])
          applied++
        }
        this.#advance(`${item.deletedAt}!${item.id}`)
      }
    }
    await flush()
    if (applied) {
      await this.engine.checkpoint(this.#cursor)
      this.opts.logger?.info({ applied, ms: Math.round(performance.now() - t0) }, 'search index caught up')
    }
  }

  #advance(cursor: string): void {
    if (!this.#cursor || cursor > this.#cursor) this.#cursor = cursor
  }

  async #upsert(records: Resource[]): Promise<void> {
    if (!records.length) return
    const likes = await this.opts.reading.likeCounts(records.map((r) => r.id))
    const docs = []
    for (const [i, r] of records.entries()) {
      // A lecture's new subtitles are a new revision of its record, so they come through here.
      const cues = this.opts.transcripts ? await this.opts.transcripts.cues(r) : []
      docs.push(toSearchDocument(r, likes[i]!, cues.length ? transcriptText(cues) : undefined))
    }
    await this.engine.upsert(docs)
  }

  async #apply(changes: ResourceChange[]): Promise<void> {
    const puts = changes.filter((c) => c.kind === 'put').map((c) => c.resource)
    const deletes = changes.filter((c) => c.kind === 'delete').map((c) => c.resource.id)
    await this.#upsert(puts)
    if (deletes.length) await this.engine.remove(deletes)
    for (const r of puts) this.#advance(changeCursor(r))
    this.#scheduleCheckpoint()
  }

  #scheduleCheckpoint(): void {
    if (this.#closed) return
    const now = Date.now()
    this.#firstPending ??= now
    clearTimeout(this.#timer)
    const wait = Math.max(0, Math.min(checkpointQuietMs, this.#firstPending + checkpointMaxMs - now))
    this.#timer = setTimeout(() => {
      this.#firstPending = undefined
      this.#enqueue(() => this.engine.checkpoint(this.#cursor), { checkpoint: true }).catch(() => {})
    }, wait)
    this.#timer.unref()
  }

  async #rebuild(): Promise<number> {
    const t0 = performance.now()
    const store = this.opts.resources.records
    const latest = await store.latestChange()
    await this.engine.clear()
    let batch: Resource[] = []
    let n = 0
    for await (const r of store.all()) {
      batch.push(r)
      if (batch.length === batchSize) {
        await this.#upsert(batch)
        n += batch.length
        batch = []
      }
    }
    await this.#upsert(batch)
    n += batch.length
    if (latest) this.#advance(latest)
    await this.engine.checkpoint(this.#cursor)
    this.opts.logger?.info({ documents: n, ms: Math.round(performance.now() - t0) }, 'search index rebuilt')
    return n
  }

  /** Rebuilds the index from the records. */
  async reindex(): Promise<{ documents: number; ms: number }> {
    const t0 = performance.now()
    const documents = await this.#enqueue(() => this.#rebuild())
    return { documents, ms: Math.round(performance.now() - t0) }
  }

  async search(
    req: StaffSearchRequest,
    opts: { staff: boolean; thumbnailUrl?: (id: string) => string; ids?: string[] },
  ): Promise<SearchResponse> {
    await this.ready()
    const t0 = performance.now()
    const filters = {
      ...(req.type && { type: req.type }),
      ...(req.subject && { subject: req.subject }),
      ...(req.creator && { creator: req.creator }),
      ...(req.language && { language: req.language }),
      ...(req.access && { access: req.access }),
      ...(req.source && { source: req.source }),
      ...(req.yearFrom !== undefined && { yearFrom: req.yearFrom }),
      ...(req.yearTo !== undefined && { yearTo: req.yearTo }),
      ...(opts.ids && { ids: opts.ids }),
      status: opts.staff ? req.status : (['published'] as const),
    }
    if (!filters.status) delete filters.status
    // The HTTP API refuses longer queries; other callers (network search, OPDS) have their own
    // caps, and whatever comes, an engine never reads more than this.
    const q = req.q.slice(0, maxQueryLength)
    const result = await this.engine.search({
      q,
      filters: filters as Parameters<SearchEngine['search']>[0]['filters'],
      sort: req.sort,
      limit: req.limit,
      offset: req.offset,
      facets: req.facets,
    })
    const records = await this.opts.resources.records.getMany(result.hits.map((h) => h.id))
    const hits: SearchHit[] = []
    const matchedCues = await this.#matchedCues(records, result.terms)
    result.hits.forEach((h, i) => {
      const r = records[i]
      if (!r || (!opts.staff && r.status !== 'published')) return
      const cue = matchedCues[i]
      const t = cue?.start
      const m = r.metadata
      // A lecture found in its transcript shows the line that matched (the reader sees why, and
      // where the player will open); other hits, the matched part of their description.
      const described = cue
        ? cueSnippet(cue.text, result.terms)
        : m.description
          ? snippet(highlight(m.description, result.terms))
          : undefined
      hits.push({
        id: r.id,
        title: m.title,
        creators: m.creators,
        type: r.type,
        identifiers: m.identifiers,
        ...(m.date && { date: m.date }),
        ...(m.publisher && { publisher: m.publisher }),
        access: r.access,
        source: r.nodeId,
        status: r.status,
        ...(opts.thumbnailUrl && r.files.some((f) => f.role === 'thumbnail') && { thumbnail: opts.thumbnailUrl(r.id) }),
        match: h.match,
        score: Math.round(h.score * 1000) / 1000,
        highlight: {
          title: highlight(m.title, result.terms),
          creators: m.creators.map((c) => highlight(c, result.terms)),
          ...(described && { snippet: described }),
        },
        ...(t !== undefined && { t }),
      })
    })
    if (result.total === 0 && req.q.trim() && req.offset === 0) {
      this.misses
        .record(req.q)
        .catch((err: unknown) => this.opts.logger?.warn({ err }, 'could not log a zero-result query'))
    }
    return {
      query: req.q,
      total: result.total,
      offset: req.offset,
      limit: req.limit,
      hits,
      facets: result.facets as SearchResponse['facets'],
      engine: this.engine.name,
      tookMs: Math.round((performance.now() - t0) * 100) / 100,
    }
  }

  /** For lecture hits whose transcript holds a query part: the cue it is in (the player opens at its start). */
  async #matchedCues(records: Array<Resource | undefined>, terms: string[]): Promise<Array<Cue | undefined>> {
    const out: Array<Cue | undefined> = []
    for (const r of records) {
      const cues =
        r?.type === 'lecture' && terms.length && this.opts.transcripts
          ? await this.opts.transcripts.folded(r)
          : undefined
      out.push(cues && bestCue(cues, terms))
    }
    return out
  }

  async suggest(q: string, limit: number): Promise<Suggestion[]> {
    await this.ready()
    return this.engine.suggest(q, limit)
  }

  async close(): Promise<void> {
    this.#closed = true
    clearTimeout(this.#timer)
    this.#unsubscribe?.()
    await this.#enqueue(async () => {
      await this.engine.checkpoint(this.#cursor)
      await this.engine.close()
    }).catch(() => {})
  }
}
