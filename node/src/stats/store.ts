/**
 * @module stats/store
 * The node's usage data. Owns four sublevels:
 * - `stats-events`: raw events, `<local day> <time> <seq>` → the events of one written batch;
 *   expire after a few days;
 * - `stats-days`: local day → its aggregate, kept for good;
 * - `stats-salts`: local day → the random salt that makes that day's session keys (dropped with
 *   the day's raw events, so nothing left can link a key to a session);
 * - `stats-outbox`: local day → the roll-up revision to push and whether the hub has it.
 */
import { randomBytes } from 'node:crypto'
import { DayAggregate, type UsageEvent } from '@shulin/protocol'
import { delOp, putOp, type BatchOp, type Storage, type Sublevel } from '../storage/db.js'

export interface OutboxEntry {
  revision: number
  /** The hub holds this revision. */
  sent: boolean
  /** The hub refused it (the reason); not retried until the day changes again. */
  refused?: string
  attempts: number
}

export class StatsStore {
  readonly events: Sublevel<UsageEvent[]>
  readonly days: Sublevel<DayAggregate>
  readonly salts: Sublevel<string>
  readonly outbox: Sublevel<OutboxEntry>
  readonly #salts = new Map<string, Buffer>()

  constructor(readonly storage: Storage) {
    this.events = storage.sublevel('stats-events')
    this.days = storage.sublevel('stats-days')
    this.salts = storage.sublevel('stats-salts')
    this.outbox = storage.sublevel('stats-outbox')
  }

  /** The salt of a local day, made on first use (concurrent callers get the same one). */
  async salt(day: string): Promise<Buffer> {
    const cached = this.#salts.get(day)
    if (cached) return cached
    const stored = await this.salts.get(day)
    const salt = stored ? Buffer.from(stored, 'base64') : randomBytes(32)
    if (this.#salts.has(day)) return this.#salts.get(day)!
    this.#salts.set(day, salt)
    if (!stored) await this.salts.put(day, salt.toString('base64'))
    if (this.#salts.size > 4) this.#salts.delete(this.#salts.keys().next().value!)
    return salt
  }

  async eventsOf(day: string): Promise<UsageEvent[]> {
    const out: UsageEvent[] = []
    for await (const batch of this.events.values({ gte: `${day} `, lt: `${day}~` })) for (const e of batch) out.push(e)
    return out
  }

  /** The days that have raw events, oldest first. */
  async eventDays(): Promise<string[]> {
    const days: string[] = []
    let from = ''
    for (;;) {
      const [key] = await this.events.keys({ gt: from, limit: 1 }).all()
      if (!key) return days
      const day = key.slice(0, 10)
      days.push(day)
      from = `${day}~`
    }
  }

  async aggregates(from: string, to: string): Promise<DayAggregate[]> {
    return this.days.values({ gte: from, lte: to }).all()
  }

  /** Drops raw events and salts of days before `before` (a range delete per day, in batches). */
  async expire(before: string): Promise<number> {
    let removed = 0
    for (;;) {
      const keys = await this.events.keys({ lt: before, limit: 5000 }).all()
      if (!keys.length) break
      await this.storage.commit(
        keys.map((k) => delOp(this.events, k)),
        { sync: false },
      )
      removed += keys.length
    }
    const saltDays = await this.salts.keys({ lt: before }).all()
    if (saltDays.length)
      await this.storage.commit(
        saltDays.map((d) => delOp(this.salts, d)),
        { sync: false },
      )
    for (const d of saltDays) this.#salts.delete(d)
    return removed
  }

  putDayOps(agg: DayAggregate, outbox: OutboxEntry): BatchOp[] {
    return [putOp(this.days, agg.day, agg), putOp(this.outbox, agg.day, outbox)]
  }
}
