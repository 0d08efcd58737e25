/**
 * @module search/misses
 * Queries that found nothing, for staff to see what readers look for and the library lacks
 * (or catalogues under another name). Owns the `search-misses` sublevel: folded query → the
 * query as typed, how often, when last. Nothing about who asked. At most 10,000 distinct
 * queries are kept; past that only known ones are counted.
 */
import { putOp, type Storage, type Sublevel } from '../storage/db.js'
import { fold } from './text/fold.js'
import { Mutex } from '../storage/mutex.js'

interface Miss {
  query: string
  count: number
  lastAt: string
}

const maxEntries = 10_000
const maxQueryChars = 200

export class ZeroResultLog {
  readonly #misses: Sublevel<Miss>
  #size: number | undefined
  /** Read-count-write in order: two readers missing at once both count. */
  readonly #mutex = new Mutex()

  constructor(
    private readonly storage: Storage,
    private readonly now: () => number = Date.now,
  ) {
    this.#misses = storage.sublevel<Miss>('search-misses')
  }

  record(query: string): Promise<void> {
    return this.#mutex.run(() => this.#record(query))
  }

  async #record(query: string): Promise<void> {
    const text = [...query.trim()].slice(0, maxQueryChars).join('')
    const key = fold(text)
    if (!key) return
    this.#size ??= await this.#count()
    const prev = await this.#misses.get(key)
    if (!prev && this.#size >= maxEntries) return
    if (!prev) this.#size++
    await this.storage.commit(
      [
        putOp(this.#misses, key, {
          query: prev?.query ?? text,
          count: (prev?.count ?? 0) + 1,
          lastAt: new Date(this.now()).toISOString(),
        }),
      ],
      { sync: false },
    )
  }

  /** The most frequent, most recent first. */
  async top(limit: number): Promise<Miss[]> {
    const all: Miss[] = []
    for await (const [, v] of this.#misses.iterator()) all.push(v)
    return all.sort((a, b) => b.count - a.count || b.lastAt.localeCompare(a.lastAt)).slice(0, limit)
  }

  async #count(): Promise<number> {
    let n = 0
    for await (const _ of this.#misses.keys()) n++
    return n
  }
}
