/**
 * @module stats/hub-store
 * What the hub keeps of the members' roll-ups. Owns three sublevels:
 * - `stats-hub-rollups`: `<node> <day>` → the signed roll-up as received (proof of who said what);
 * - `stats-hub-agg`: `<scope> <day>` → the sum over members, scope = `all`, `p:<2 digits>`
 *   (province), `c:<4 digits>` (city), `l:<level>`; and `y:<year> <node>` → a member's year;
 * - `stats-hub-config`: `weights` → the assessment weights.
 * A roll-up and every sum it changes are one batch, so a restart can never count it twice or
 * half.
 */
import {
  addHours,
  addInto,
  zeroCounts,
  zeroDevices,
  zeroHours,
  zeroMethods,
  type MetricCounts,
  type Rollup,
  type SignedEnvelope,
} from '@shulin/protocol'
import { putOp, type BatchOp, type Storage, type Sublevel } from '../storage/db.js'

export interface StoredRollup {
  env: SignedEnvelope
  revision: number
  receivedAt: string
  region: string
  level: string
}

/** A sum of roll-ups. */
export interface Agg {
  totals: MetricCounts
  hours: number[]
  devices: Rollup['devices']
  methods: Rollup['methods']
  /** Roll-ups in the sum. */
  reports: number
}

/** A member's figures for one year. */
export interface YearAgg {
  totals: MetricCounts
  days: number
  lastDay: string
  lastReceivedAt: string
}

export const emptyAgg = (): Agg => ({
  totals: zeroCounts(),
  hours: zeroHours(),
  devices: zeroDevices(),
  methods: zeroMethods(),
  reports: 0,
})

export function addRollup(into: Agg, r: Rollup, sign: 1 | -1): Agg {
  addInto(into.totals, r.totals, sign)
  addHours(into.hours, r.hours, sign)
  addInto(into.devices, r.devices, sign)
  addInto(into.methods, r.methods, sign)
  into.reports += sign
  return into
}

export const scopesOf = (region: string, level: string) => [
  'all',
  `p:${region.slice(0, 2)}`,
  `c:${region.slice(0, 4)}`,
  `l:${level}`,
]

export class HubStatsStore {
  readonly rollups: Sublevel<StoredRollup>
  readonly agg: Sublevel<Agg | YearAgg>
  readonly config: Sublevel<Record<string, number>>
  /** Sums as last written (the intake is serialised, so the cache is the truth). */
  readonly #cache = new Map<string, Agg | YearAgg>()

  constructor(readonly storage: Storage) {
    this.rollups = storage.sublevel('stats-hub-rollups')
    this.agg = storage.sublevel('stats-hub-agg')
    this.config = storage.sublevel('stats-hub-config')
  }

  async #get<T extends Agg | YearAgg>(key: string, empty: () => T): Promise<T> {
    let v = this.#cache.get(key) as T | undefined
    if (!v) {
      v = ((await this.agg.get(key)) as T | undefined) ?? empty()
      if (this.#cache.size > 50_000) this.#cache.clear()
      this.#cache.set(key, v)
    }
    return v
  }

  /**
   * The batch that stores `next` in place of `prev` (if any): the roll-up and every sum it
   * touches. Changes the cached sums: commit the ops, or call {@link forget} if that fails.
   */
  async replaceOps(
    next: { rollup: Rollup; stored: StoredRollup },
    prev: { rollup: Rollup; stored: StoredRollup } | undefined,
  ): Promise<BatchOp[]> {
    const touched = new Map<string, Agg | YearAgg>()
    const apply = async (r: Rollup, s: StoredRollup, sign: 1 | -1) => {
      for (const scope of scopesOf(s.region, s.level)) {
        const key = `${scope} ${r.day}`
        touched.set(key, addRollup(await this.#get(key, emptyAgg), r, sign))
      }
      const yk = `y:${r.day.slice(0, 4)} ${r.node}`
      const y = await this.#get<YearAgg>(yk, () => ({ totals: zeroCounts(), days: 0, lastDay: '', lastReceivedAt: '' }))
      addInto(y.totals, r.totals, sign)
      y.days += sign
      if (sign > 0) {
        if (r.day > y.lastDay) y.lastDay = r.day
        y.lastReceivedAt = s.receivedAt
      }
      touched.set(yk, y)
    }
    if (prev) await apply(prev.rollup, prev.stored, -1)
    await apply(next.rollup, next.stored, 1)
    return [
      putOp(this.rollups, `${next.rollup.node} ${next.rollup.day}`, next.stored),
      ...[...touched].map(([k, v]) => putOp(this.agg, k, v)),
    ]
  }

  /** Drops cached sums after a failed commit (they are read again from disk). */
  forget(): void {
    this.#cache.clear()
  }

  async scope(scope: string, from: string, to: string): Promise<Array<{ day: string; agg: Agg }>> {
    const out: Array<{ day: string; agg: Agg }> = []
    for await (const [k, v] of this.agg.iterator({ gte: `${scope} ${from}`, lte: `${scope} ${to}` }))
      out.push({ day: k.slice(scope.length + 1), agg: v as Agg })
    return out
  }

  async years(year: string): Promise<Map<string, YearAgg>> {
    const out = new Map<string, YearAgg>()
    const prefix = `y:${year} `
    for await (const [k, v] of this.agg.iterator({ gte: prefix, lt: `y:${year}~` }))
      out.set(k.slice(prefix.length), v as YearAgg)
    return out
  }
}
