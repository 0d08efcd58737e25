/**
 * @module recommend/service
 * Recommendations (猜你喜欢, 读过这本的人也读了), each with the reason it was picked. Learns
 * item-to-item co-reading incrementally from readers' first reads (see `ReadingService.onRead`),
 * keeping only the top neighbours of each record; adds content similarity, staff picks (the
 * visible columns and topics), staff-defined reader groups with their own popular lists, and
 * falls back on what is popular here and in the network. Everything stays on this node: the
 * stored figures are counts between records, never who read what. Owns the sublevels:
 *
 * - `recommend-co`: record → { neighbour: readers of both } (the top {@link RecommendOptions.neighbours})
 * - `recommend-readers`: record → readers who read it
 * - `recommend-groups`: group id → {@link ReaderGroup}
 * - `recommend-group-reads`: `group!record` → readers of the group who read it
 */
import { monotonicFactory } from 'ulid'
import type {
  Locale,
  ReaderGroup,
  Recommendation,
  RecommendationSource,
  Resource,
  SaveReaderGroupRequest,
} from '@shulin/protocol'
import { ProblemError } from '../http/problem.js'
import type { Logger } from '../logger.js'
import { delOp, putOp, type BatchOp, type Storage, type Sublevel } from '../storage/db.js'
import { Mutex } from '../storage/mutex.js'
import { ContentIndex } from './content.js'
import { reasonText } from './reasons.js'

export interface RecommendOptions {
  storage: Storage
  records: {
    getMany(ids: string[]): Promise<Array<Resource | undefined>>
    all(): AsyncGenerator<Resource>
    onChange(listener: () => void): () => void
  }
  /** The reader's history, newest first (the seeds of "因为你读过"). */
  history(accountId: string, limit: number): Promise<string[]>
  /** Record ids in the columns and topics readers see now. */
  staffPicks(): Promise<string[]>
  /** Most used here by the usage statistics (anonymous visits too), best first. */
  localPopular?: () => Promise<string[]>
  /** Popular in the network (the hub's statistics), best first; records not held here are skipped. */
  networkPopular?: () => Promise<string[]>
  /** Neighbours kept per record. */
  neighbours?: number
  /** How many of a reader's latest reads a new read is paired with. */
  pairWindow?: number
  /**
   * How long reads gather before they are learned: one batch rewrites each record's neighbour
   * list once, however many of its reads it holds (50 ms by default).
   */
  batchDelayMs?: number
  now?: () => number
  logger?: Logger | undefined
}

interface Scored {
  score: number
  /** The largest single contribution: its source gives the reason. */
  top?: number
  source: RecommendationSource
  /** The title the reason names (a read of the reader's, a group's name). */
  about?: string | undefined
}

interface GroupCache {
  at: number
  groups: ReaderGroup[]
  /** Group id → its readers' most read records, best first. */
  popular: Map<string, string[]>
}

/**
 * A pair read by one reader alone is never shown: on a record's page anyone could tell what that
 * one reader read next.
 */
const minPairReaders = 2

/** Popular lists are read from the store at most this often. */
const popularTtlMs = 60_000
/** Staff picks rank among the best when nothing personal says otherwise. */
const staffBoost = 1.5

export class RecommendService {
  readonly #co: Sublevel<Record<string, number>>
  readonly #readers: Sublevel<number>
  readonly #groups: Sublevel<ReaderGroup>
  readonly #groupReads: Sublevel<number>
  readonly #mutex = new Mutex()
  readonly #ulid = monotonicFactory()
  readonly #neighbours: number
  readonly #pairWindow: number
  readonly #now: () => number
  #pending: Array<[string, string]> = []
  #draining: Promise<void> | undefined
  #content: ContentIndex | undefined
  #building: Promise<ContentIndex> | undefined
  #popular: { at: number; ids: string[] } | undefined
  #groupCache: GroupCache | undefined

  constructor(private readonly opts: RecommendOptions) {
    this.#co = opts.storage.sublevel('recommend-co')
    this.#readers = opts.storage.sublevel('recommend-readers')
    this.#groups = opts.storage.sublevel('recommend-groups')
    this.#groupReads = opts.storage.sublevel('recommend-group-reads')
    this.#neighbours = opts.neighbours ?? 50
    this.#pairWindow = opts.pairWindow ?? 30
    this.#now = opts.now ?? Date.now
    opts.records.onChange(() => {
      this.#content = undefined
    })
  }

  /**
   * A reader read a record for the first time. Queued and learned in batches, so a reader's
   * request never waits for it; {@link settled} waits for the queue.
   */
  read(accountId: string, resourceId: string): void {
    this.#pending.push([accountId, resourceId])
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined
    })
  }

  /** Resolves once every read reported so far has been learned. */
  async settled(): Promise<void> {
    while (this.#draining) await this.#draining
  }

  async #drain(): Promise<void> {
    // Let a burst of reads gather into one batch.
    await new Promise((r) => setTimeout(r, this.opts.batchDelayMs ?? 50))
    while (this.#pending.length) {
      const batch = this.#pending.splice(0, 2_000)
      try {
        await this.#mutex.run(() => this.#learn(batch))
      } catch (e) {
        this.opts.logger?.warn({ err: e, reads: batch.length }, 'recommend: reads not learned')
      }
    }
  }

  async #learn(batch: Array<[string, string]>): Promise<void> {
    const pairs = new Map<string, Map<string, number>>()
    const readers = new Map<string, number>()
    const groupReads = new Map<string, number>()
    const groupsOf = await this.#groupsByReader()
    const bump = (a: string, b: string) => {
      const m = pairs.get(a) ?? new Map<string, number>()
      m.set(b, (m.get(b) ?? 0) + 1)
      pairs.set(a, m)
    }
    for (const [account, item] of batch) {
      readers.set(item, (readers.get(item) ?? 0) + 1)
      for (const g of groupsOf.get(account) ?? [])
        groupReads.set(`${g}!${item}`, (groupReads.get(`${g}!${item}`) ?? 0) + 1)
      // Paired with what the reader read before it only (history is newest first): each pair is
      // counted once per reader, when its later read is learned, even when both reads are in
      // one batch or the later one was already in the history when the earlier was learned.
      const history = await this.opts.history(account, this.#pairWindow + 1)
      const at = history.indexOf(item)
      for (const other of at >= 0 ? history.slice(at + 1) : history) {
        if (other === item) continue
        bump(item, other)
        bump(other, item)
      }
    }
    const ops: BatchOp[] = []
    const items = [...pairs.keys()]
    const stored = await this.#co.getMany(items)
    items.forEach((item, i) => {
      const merged: Record<string, number> = { ...stored[i] }
      for (const [other, n] of pairs.get(item)!) merged[other] = (merged[other] ?? 0) + n
      ops.push(putOp(this.#co, item, this.#topN(merged)))
    })
    const counted = [...readers.keys()]
    const before = await this.#readers.getMany(counted)
    counted.forEach((item, i) => ops.push(putOp(this.#readers, item, (before[i] ?? 0) + readers.get(item)!)))
    const gKeys = [...groupReads.keys()]
    const gBefore = await this.#groupReads.getMany(gKeys)
    gKeys.forEach((k, i) => ops.push(putOp(this.#groupReads, k, (gBefore[i] ?? 0) + groupReads.get(k)!)))
    await this.opts.storage.commit(ops, { sync: false })
  }

  /** Bounded: a record keeps only its strongest neighbours (a weak pair pruned may come back). */
  #topN(m: Record<string, number>): Record<string, number> {
    const entries = Object.entries(m)
    if (entries.length <= this.#neighbours) return m
    entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    return Object.fromEntries(entries.slice(0, this.#neighbours))
  }

  async #contentIndex(): Promise<ContentIndex> {
    if (this.#content) return this.#content
    this.#building ??= (async () => {
      const published: Resource[] = []
      for await (const r of this.opts.records.all()) if (r.status === 'published') published.push(r)
      return new ContentIndex(published)
    })().finally(() => {
      this.#building = undefined
    })
    const built = await this.#building
    this.#content = built
    return built
  }

  /** Readers of `item` also read: neighbours scored as cosine over readers. */
  async #coRead(items: string[]): Promise<Array<Map<string, number>>> {
    const [maps, counts] = await Promise.all([this.#co.getMany(items), this.#readers.getMany(items)])
    const others = [...new Set(maps.flatMap((m) => Object.keys(m ?? {})))]
    const otherCounts = new Map<string, number>()
    ;(await this.#readers.getMany(others)).forEach((n, i) => otherCounts.set(others[i]!, n ?? 1))
    return maps.map((m, i) => {
      const out = new Map<string, number>()
      const mine = counts[i] ?? 1
      for (const [o, n] of Object.entries(m ?? {}))
        if (n >= minPairReaders) out.set(o, n / Math.sqrt(mine * (otherCounts.get(o) || 1)))
      return out
    })
  }

  /** Records read by most readers here, best first. */
  async popular(n = 100): Promise<string[]> {
    if (this.#popular && this.#now() - this.#popular.at < popularTtlMs) return this.#popular.ids.slice(0, n)
    const all: Array<[string, number]> = []
    for await (const e of this.#readers.iterator()) all.push(e)
    const ids = all
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 100)
      .map(([id]) => id)
    this.#popular = { at: this.#now(), ids }
    return ids.slice(0, n)
  }

  /** Drops cached popular lists (after a bulk load, or in tests). */
  refresh(): void {
    this.#popular = undefined
    this.#groupCache = undefined
  }

  /**
   * 猜你喜欢: for a signed-in reader, what readers of their latest reads also read and what is
   * like them; staff picks, their groups' and the node's popular reads fill in (and are all an
   * anonymous visitor gets). Never something the reader already read.
   */
  async forReader(accountId: string | undefined, opts: { limit: number; locale: Locale }): Promise<Recommendation[]> {
    const scores = new Map<string, Scored>()
    const add = (id: string, s: Scored) => {
      const had = scores.get(id)
      if (!had) scores.set(id, { ...s, top: s.score })
      else {
        had.score += s.score
        if (s.score > (had.top ?? 0)) Object.assign(had, { source: s.source, about: s.about, top: s.score })
      }
    }
    const seen = new Set<string>()
    const titles = new Map<string, string>()
    if (accountId) {
      const history = await this.opts.history(accountId, 200)
      history.forEach((id) => seen.add(id))
      const seeds = history.slice(0, 20)
      const seedRecords = await this.opts.records.getMany(seeds)
      seedRecords.forEach((r, i) => r && titles.set(seeds[i]!, r.metadata.title))
      const co = await this.#coRead(seeds)
      const content = seeds.length ? await this.#contentIndex() : undefined
      seeds.forEach((seed, i) => {
        // Recent reads say more about today's taste than old ones.
        const w = 1 / (1 + i * 0.15)
        for (const [o, s] of co[i]!) add(o, { score: w * s, source: 'co-reading', about: titles.get(seed) })
        if (i < 8)
          for (const s of content!.similar(seed, 20))
            add(s.id, { score: 0.35 * w * s.score, source: 'similar', about: titles.get(seed) })
      })
      await this.#addGroups(accountId, add)
    }
    const picks = new Set(await this.opts.staffPicks())
    for (const [id, s] of scores) if (picks.has(id)) s.score *= staffBoost
    const best = Math.max(0.01, ...[...scores.values()].map((s) => s.score))
    ;[...picks].forEach((id, i) => add(id, { score: best * 0.02 * (1 / (1 + i * 0.1)), source: 'staff-pick' }))
    const stats = (await this.opts.localPopular?.().catch(() => [])) ?? []
    for (const list of [await this.popular(50), stats.slice(0, 50)])
      list.forEach((id, i) => add(id, { score: best * 0.01 * (1 / (1 + i * 0.1)), source: 'popular' }))
    const network = (await this.opts.networkPopular?.().catch(() => [])) ?? []
    network.slice(0, 50).forEach((id, i) => add(id, { score: best * 0.005 * (1 / (1 + i * 0.1)), source: 'network' }))
    return this.#answer(scores, seen, opts)
  }

  /** 读过这本的人也读了: co-reading first, then records like it. */
  async forRecord(
    recordId: string,
    opts: { limit: number; locale: Locale; exclude?: Set<string> },
  ): Promise<Recommendation[]> {
    const scores = new Map<string, Scored>()
    const [co] = await this.#coRead([recordId])
    for (const [o, s] of co!) scores.set(o, { score: 1 + s, source: 'co-reading' })
    for (const s of (await this.#contentIndex()).similar(recordId, opts.limit * 2))
      if (!scores.has(s.id)) scores.set(s.id, { score: s.score, source: 'similar' })
    return this.#answer(scores, new Set([recordId, ...(opts.exclude ?? [])]), { ...opts, forRecord: true })
  }

  async #addGroups(accountId: string, add: (id: string, s: Scored) => void): Promise<void> {
    const cache = await this.#groupLists()
    for (const g of cache.groups) {
      if (!g.members.includes(accountId)) continue
      ;(cache.popular.get(g.id) ?? []).forEach((id, i) =>
        add(id, { score: 0.05 / (1 + i * 0.1), source: 'group', about: g.name }),
      )
    }
  }

  async #groupLists(): Promise<GroupCache> {
    if (this.#groupCache && this.#now() - this.#groupCache.at < popularTtlMs) return this.#groupCache
    const groups = await this.groups()
    const popular = new Map<string, string[]>()
    for (const g of groups) {
      const counts: Array<[string, number]> = []
      for await (const [k, n] of this.#groupReads.iterator({ gt: `${g.id}!`, lt: `${g.id}!\uffff` }))
        counts.push([k.slice(g.id.length + 1), n])
      popular.set(
        g.id,
        counts
          .sort((a, b) => b[1] - a[1])
          .slice(0, 30)
          .map(([id]) => id),
      )
    }
    this.#groupCache = { at: this.#now(), groups, popular }
    return this.#groupCache
  }

  async #groupsByReader(): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>()
    for (const g of (await this.#groupLists()).groups)
      for (const m of g.members) out.set(m, [...(out.get(m) ?? []), g.id])
    return out
  }

  async #answer(
    scores: Map<string, Scored>,
    exclude: Set<string>,
    opts: { limit: number; locale: Locale; forRecord?: boolean },
  ): Promise<Recommendation[]> {
    const ranked = [...scores]
      .filter(([id]) => !exclude.has(id))
      .sort((a, b) => b[1].score - a[1].score || (a[0] < b[0] ? -1 : 1))
    const out: Recommendation[] = []
    // Records withdrawn, still drafts or gone since they were read are skipped.
    for (let i = 0; i < ranked.length && out.length < opts.limit; i += opts.limit * 2) {
      const slice = ranked.slice(i, i + opts.limit * 2)
      const records = await this.opts.records.getMany(slice.map(([id]) => id))
      slice.forEach(([id, s], j) => {
        const r = records[j]
        if (!r || r.status !== 'published' || out.length >= opts.limit) return
        out.push({
          id,
          title: r.metadata.title,
          source: s.source,
          reason: reasonText(s.source, opts.locale, s.about, opts.forRecord),
        })
      })
    }
    return out
  }

  // ---- reader groups (staff) ----

  async groups(): Promise<ReaderGroup[]> {
    const out: ReaderGroup[] = []
    for await (const [, g] of this.#groups.iterator()) out.push(g)
    return out.sort((a, b) => a.name.localeCompare(b.name, 'zh'))
  }

  async saveGroup(id: string | undefined, req: SaveReaderGroupRequest): Promise<ReaderGroup> {
    return this.#mutex.run(async () => {
      if (id && !(await this.#groups.get(id))) throw new ProblemError('not_found')
      const g: ReaderGroup = {
        id: id ?? this.#ulid(),
        name: req.name,
        members: [...new Set(req.members)],
        updatedAt: new Date(this.#now()).toISOString(),
      }
      await this.opts.storage.commit([putOp(this.#groups, g.id, g)], { sync: true })
      this.#groupCache = undefined
      return g
    })
  }

  async deleteGroup(id: string): Promise<void> {
    await this.#mutex.run(async () => {
      if (!(await this.#groups.get(id))) throw new ProblemError('not_found')
      const ops: BatchOp[] = [delOp(this.#groups, id)]
      for await (const k of this.#groupReads.keys({ gt: `${id}!`, lt: `${id}!\uffff` }))
        ops.push(delOp(this.#groupReads, k))
      await this.opts.storage.commit(ops, { sync: true })
      this.#groupCache = undefined
    })
  }
}
