/**
 * @module reading/service
 * Per-reader reading state: progress, bookmarks and notes (merged across devices), the
 * bookshelf, history and likes. Owns the sublevels:
 *
 * - `reading`: `account!resource` → progress + annotations by id
 * - `reading-history`: `account!<time>!resource` → '' (newest last), with
 *   `reading-history-at`: `account!resource` → time, so a reopened book moves to the top
 * - `shelf`: `account!resource` → added time
 * - `likes`: `resource!account` → time, and `like-counts`: resource → count
 */
import {
  ReaderSettings,
  type Annotation,
  type ProgressUpdate,
  type ReadingState,
  type SyncRequest,
  type Progress,
} from '@shulin/protocol'
import { delOp, putOp, type BatchOp, type Storage, type Sublevel } from '../storage/db.js'
import { Mutex } from '../storage/mutex.js'

interface StoredReading {
  progress: Progress | null
  annotations: Record<string, Annotation>
}

/** A device clock ahead of the node's by more than this is treated as "now". */
const maxClockAheadMs = 60_000
const key = (a: string, b: string) => `${a}!${b}`

export class ReadingService {
  readonly #reading: Sublevel<StoredReading>
  readonly #history: Sublevel<string>
  readonly #historyAt: Sublevel<string>
  readonly #shelf: Sublevel<string>
  readonly #likes: Sublevel<string>
  readonly #likeCounts: Sublevel<number>
  readonly #settings: Sublevel<ReaderSettings>
  readonly #mutex = new Mutex()
  readonly #likeListeners = new Set<(resourceId: string, count: number) => void>()
  readonly #readListeners = new Set<(accountId: string, resourceId: string) => void>()

  constructor(
    private readonly storage: Storage,
    private readonly now: () => number = Date.now,
  ) {
    this.#reading = storage.sublevel('reading')
    this.#history = storage.sublevel('reading-history')
    this.#historyAt = storage.sublevel('reading-history-at')
    this.#shelf = storage.sublevel('shelf')
    this.#likes = storage.sublevel('likes')
    this.#likeCounts = storage.sublevel('like-counts')
    this.#settings = storage.sublevel('reader-settings')
  }

  #iso(): string {
    return new Date(this.now()).toISOString()
  }

  /** The device's time, unless it claims the future. */
  #clamp(at: string): string {
    return Date.parse(at) > this.now() + maxClockAheadMs ? this.#iso() : at
  }

  async state(accountId: string, resourceId: string): Promise<ReadingState> {
    const stored = await this.#reading.get(key(accountId, resourceId))
    return { resourceId, progress: stored?.progress ?? null, annotations: Object.values(stored?.annotations ?? {}) }
  }

  /**
   * Merges what one device sends with what the node has: the newer progress wins (ties go to
   * what is stored, so a retried request changes nothing), each annotation id keeps its newest
   * version. Also moves the resource to the top of the reader's history.
   * @returns the merged state, to bring the device up to date.
   */
  async sync(
    accountId: string,
    resourceId: string,
    req: SyncRequest,
  ): Promise<ReadingState & { progressApplied: boolean }> {
    return this.#mutex.run(async () => {
      const k = key(accountId, resourceId)
      const stored: StoredReading = (await this.#reading.get(k)) ?? { progress: null, annotations: {} }
      let progressApplied = false
      if (req.progress) {
        const incoming: Progress = { ...req.progress, at: this.#clamp(req.progress.at), receivedAt: this.#iso() }
        if (!stored.progress || incoming.at > stored.progress.at) {
          stored.progress = incoming
          progressApplied = true
        }
      }
      for (const a of req.annotations) {
        const mine = stored.annotations[a.id]
        const incoming = { ...a, updatedAt: this.#clamp(a.updatedAt) }
        if (!mine || incoming.updatedAt > mine.updatedAt) stored.annotations[a.id] = incoming
      }
      const history = await this.#historyOps(accountId, resourceId)
      await this.storage.commit([putOp(this.#reading, k, stored), ...history.ops], { sync: true })
      if (history.first) this.#emitRead(accountId, resourceId)
      return { resourceId, progress: stored.progress, annotations: Object.values(stored.annotations), progressApplied }
    })
  }

  setProgress(accountId: string, resourceId: string, progress: ProgressUpdate) {
    return this.sync(accountId, resourceId, { progress, annotations: [] })
  }

  /** `first`: the resource was not in the reader's history (a new read, not a reopening). */
  async #historyOps(accountId: string, resourceId: string): Promise<{ ops: BatchOp[]; first: boolean }> {
    const at = this.#iso()
    const previous = await this.#historyAt.get(key(accountId, resourceId))
    return {
      first: !previous,
      ops: [
        ...(previous ? [delOp(this.#history, `${accountId}!${previous}!${resourceId}`)] : []),
        putOp(this.#history, `${accountId}!${at}!${resourceId}`, ''),
        putOp(this.#historyAt, key(accountId, resourceId), at),
      ],
    }
  }

  /** Notes that the reader opened a resource (content served, or progress saved). */
  async opened(accountId: string, resourceId: string): Promise<void> {
    await this.#mutex.run(async () => {
      const history = await this.#historyOps(accountId, resourceId)
      await this.storage.commit(history.ops, { sync: false })
      if (history.first) this.#emitRead(accountId, resourceId)
    })
  }

  /**
   * Called once per reader and resource, when the resource first enters the reader's history
   * (recommendations learn co-reading from it). Listeners must not throw or wait.
   */
  onRead(listener: (accountId: string, resourceId: string) => void): () => void {
    this.#readListeners.add(listener)
    return () => this.#readListeners.delete(listener)
  }

  #emitRead(accountId: string, resourceId: string): void {
    for (const l of this.#readListeners) l(accountId, resourceId)
  }

  /** Newest first. `before` is the `at` of the last entry of the previous page. */
  async history(
    accountId: string,
    opts: { limit: number; before?: string | undefined },
  ): Promise<Array<{ resourceId: string; at: string }>> {
    const out: Array<{ resourceId: string; at: string }> = []
    const range = {
      gt: `${accountId}!`,
      lt: opts.before ? `${accountId}!${opts.before}` : `${accountId}!\uffff`,
      reverse: true,
      limit: opts.limit,
    }
    for await (const k of this.#history.keys(range)) {
      const [, at, resourceId] = k.split('!') as [string, string, string]
      out.push({ resourceId, at })
    }
    return out
  }

  async clearHistory(accountId: string): Promise<number> {
    return this.#mutex.run(async () => {
      const ops: BatchOp[] = []
      for await (const k of this.#history.keys({ gt: `${accountId}!`, lt: `${accountId}!\uffff` }))
        ops.push(delOp(this.#history, k))
      for await (const k of this.#historyAt.keys({ gt: `${accountId}!`, lt: `${accountId}!\uffff` }))
        ops.push(delOp(this.#historyAt, k))
      await this.storage.commit(ops, { sync: true })
      return ops.length / 2
    })
  }

  async shelf(accountId: string): Promise<Array<{ resourceId: string; addedAt: string }>> {
    const out: Array<{ resourceId: string; addedAt: string }> = []
    for await (const [k, addedAt] of this.#shelf.iterator({ gt: `${accountId}!`, lt: `${accountId}!\uffff` }))
      out.push({ resourceId: k.slice(accountId.length + 1), addedAt })
    return out.sort((a, b) => (a.addedAt < b.addedAt ? 1 : -1))
  }

  async shelve(accountId: string, resourceId: string, on: boolean): Promise<void> {
    const k = key(accountId, resourceId)
    await this.#mutex.run(async () => {
      if (on && (await this.#shelf.get(k))) return
      await this.storage.commit([on ? putOp(this.#shelf, k, this.#iso()) : delOp(this.#shelf, k)], { sync: true })
    })
  }

  async likes(resourceId: string, accountId?: string): Promise<{ liked: boolean; count: number }> {
    const [count, mine] = await Promise.all([
      this.#likeCounts.get(resourceId),
      accountId ? this.#likes.get(key(resourceId, accountId)) : undefined,
    ])
    return { liked: !!mine, count: count ?? 0 }
  }

  /** The reader's reading settings (defaults until they choose). */
  async settings(accountId: string): Promise<ReaderSettings> {
    return (await this.#settings.get(accountId)) ?? ReaderSettings.parse({})
  }

  async saveSettings(accountId: string, settings: ReaderSettings): Promise<ReaderSettings> {
    await this.storage.commit([putOp(this.#settings, accountId, settings)], { sync: false })
    return settings
  }

  /** Called after a record's like count changed (search ranks by it). */
  onLikeCount(listener: (resourceId: string, count: number) => void): () => void {
    this.#likeListeners.add(listener)
    return () => this.#likeListeners.delete(listener)
  }

  /** Like counts of many records, in order (the search index's popularity). */
  async likeCounts(resourceIds: string[]): Promise<number[]> {
    if (!resourceIds.length) return []
    return (await this.#likeCounts.getMany(resourceIds)).map((n) => n ?? 0)
  }

  /** Idempotent: liking twice counts once. */
  async like(accountId: string, resourceId: string, on: boolean): Promise<{ liked: boolean; count: number }> {
    return this.#mutex.run(async () => {
      const k = key(resourceId, accountId)
      const had = !!(await this.#likes.get(k))
      const count = (await this.#likeCounts.get(resourceId)) ?? 0
      if (had === on) return { liked: on, count }
      const next = Math.max(0, count + (on ? 1 : -1))
      await this.storage.commit(
        [on ? putOp(this.#likes, k, this.#iso()) : delOp(this.#likes, k), putOp(this.#likeCounts, resourceId, next)],
        { sync: true },
      )
      for (const l of this.#likeListeners) l(resourceId, next)
      return { liked: on, count: next }
    })
  }
}
