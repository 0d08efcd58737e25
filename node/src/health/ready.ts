/**
 * @module health/ready
 * `GET /api/health/ready`: whether this node can take work now, for a load balancer or a
 * supervisor — the database takes a write (a tiny put and delete in its own sublevel, so a
 * disk that filled up or a database closed after a write failure shows), the disk has more
 * free space than `--min-free-disk`, and the search index has caught up. `/api/health` stays
 * the cheap liveness answer; this one does I/O and is meant for a probe every few seconds.
 */
import type { ReadinessCheck } from '@shulin/protocol'
import type { Storage, Sublevel } from '../storage/db.js'
import type { DiskWatch } from '../storage/disk.js'

export interface ReadinessDeps {
  storage: Storage
  disk: DiskWatch
  /** Resolves once the search index has caught up with the records (rejects if it could not). */
  searchReady: () => Promise<void>
}

export type ReadinessChecks = { database: ReadinessCheck; disk: ReadinessCheck; search: ReadinessCheck }

const gib = (n: number) => `${(n / 1024 ** 3).toFixed(2)} GiB`

export class Readiness {
  readonly #probe: Sublevel<number>

  constructor(private readonly deps: ReadinessDeps) {
    this.#probe = deps.storage.sublevel<number>('health-probe')
  }

  async check(): Promise<{ ready: boolean; checks: ReadinessChecks }> {
    const [database, disk, search] = await Promise.all([this.#database(), this.#disk(), this.#search()])
    return { ready: database.ok && disk.ok && search.ok, checks: { database, disk, search } }
  }

  async #database(): Promise<ReadinessCheck> {
    try {
      await this.#probe.put('probe', Date.now())
      await this.#probe.del('probe')
      return { ok: true, detail: 'writable' }
    } catch (err) {
      return { ok: false, detail: `cannot write: ${(err as Error).message}` }
    }
  }

  async #disk(): Promise<ReadinessCheck> {
    try {
      const s = await this.deps.disk.state()
      return {
        ok: !s.low,
        detail: `${gib(s.freeBytes)} free, ${gib(s.minFreeBytes)} needed (--min-free-disk)`,
      }
    } catch (err) {
      return { ok: false, detail: `cannot read free space: ${(err as Error).message}` }
    }
  }

  async #search(): Promise<ReadinessCheck> {
    // Still catching up is "not yet", never a wait: a probe must answer at once.
    const pending = Symbol('pending')
    try {
      const r = await Promise.race([
        this.deps.searchReady().then(() => true as const),
        new Promise<typeof pending>((resolve) => setImmediate(() => resolve(pending))),
      ])
      return r === pending ? { ok: false, detail: 'the index is catching up' } : { ok: true, detail: 'caught up' }
    } catch (err) {
      return { ok: false, detail: `the index failed: ${(err as Error).message}; run shulin reindex` }
    }
  }
}
