/**
 * @module stats/service
 * A node's usage statistics: capture (see {@link StatsCapture}), the daily aggregation by
 * COUNTER rules once a local day is over, expiry of raw events, the roll-ups waiting for the
 * hub, and the figures the staff dashboard and SUSHI read.
 */
import {
  addHours,
  addInto,
  DayAggregator,
  dayStart,
  localDay,
  nextDay,
  zeroCounts,
  zeroDevices,
  zeroHours,
  zeroMethods,
  type DayAggregate,
  type MetricCounts,
  type Rollup,
  type UsageEvent,
} from '@shulin/protocol'
import type { Resource } from '@shulin/protocol'
import type { Storage } from '../storage/db.js'
import type { Logger } from '../logger.js'
import { StatsCapture } from './capture.js'
import { StatsStore } from './store.js'

export interface StatsOptions {
  storage: Storage
  /** Looks records up (titles of chapters, names for the dashboards). */
  resources: { getMany(ids: string[]): Promise<Array<Resource | undefined>> }
  nodeId: string
  now?: () => number
  /** The node's local time, for days and hours (China Standard Time by default). */
  utcOffsetMinutes?: number
  /** Days raw events are kept (aggregates are kept for good). */
  rawDays?: number
  logger?: Logger | undefined
}

export interface TitleFigure {
  id: string
  title: string
  investigations: number
  requests: number
}

export interface StatsSummary {
  from: string
  to: string
  totals: MetricCounts
  days: Array<{ day: string; totals: MetricCounts }>
  /** 7 × 24: Monday first, local hours. */
  heatmap: number[][]
  devices: DayAggregate['devices']
  methods: DayAggregate['methods']
  top: TitleFigure[]
  queries: DayAggregate['queries']
  zeroQueries: DayAggregate['zeroQueries']
}

/** Monday = 0 … Sunday = 6 of a calendar day. */
export const weekday = (day: string) => (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7

export class StatsService {
  readonly store: StatsStore
  readonly capture: StatsCapture
  readonly utcOffsetMinutes: number
  readonly #dirty = new Set<string>()
  #timer: NodeJS.Timeout | undefined
  #running: Promise<string[]> | undefined

  constructor(private readonly opts: StatsOptions) {
    this.store = new StatsStore(opts.storage)
    this.utcOffsetMinutes = opts.utcOffsetMinutes ?? 480
    this.capture = new StatsCapture({
      store: this.store,
      utcOffsetMinutes: this.utcOffsetMinutes,
      now: opts.now,
      onError: (err) => opts.logger?.warn({ err }, 'usage events could not be written'),
      onWritten: (days) => days.forEach((d) => this.noteLate(d)),
    })
  }

  get #now(): number {
    return (this.opts.now ?? Date.now)()
  }

  today(): string {
    return localDay(this.#now, this.utcOffsetMinutes).day
  }

  /** Aggregates now, then every hour and just after each local midnight. */
  start(onAggregated?: (days: string[]) => void): void {
    const tick = () => {
      this.aggregatePending()
        .then((days) => days.length && onAggregated?.(days))
        .catch((err: unknown) => this.opts.logger?.warn({ err }, 'daily usage aggregation failed'))
      const untilMidnight = dayStart(nextDay(this.today()), this.utcOffsetMinutes) - this.#now + 60_000
      this.#timer = setTimeout(tick, Math.min(3_600_000, Math.max(1000, untilMidnight)))
      this.#timer.unref()
    }
    tick()
  }

  async close(): Promise<void> {
    clearTimeout(this.#timer)
    await this.#running
    await this.capture.close()
  }

  /** A reader action recorded outside HTTP (tests, imports of old logs). */
  record(ev: Omit<UsageEvent, 's' | 't'>, who: string): void {
    this.capture.record(ev, who)
  }

  /**
   * Aggregates every finished local day that has raw events and no aggregate yet (or new
   * events since), gives each a new roll-up revision, and drops raw events past their days.
   * Returns the days aggregated.
   */
  aggregatePending(): Promise<string[]> {
    const run = (this.#running ?? Promise.resolve([])).then(async () => {
      await this.capture.flush()
      const today = this.today()
      const done: string[] = []
      for (const day of await this.store.eventDays()) {
        if (day >= today) break
        if (!this.#dirty.has(day) && (await this.store.days.get(day))) continue
        this.#dirty.delete(day)
        await this.aggregate(day)
        done.push(day)
      }
      await this.store.expire(nextDay(today, -(this.opts.rawDays ?? 30)))
      return done
    })
    this.#running = run.catch(() => [])
    return run
  }

  /** (Re)aggregates one day from its raw events; the next roll-up revision replaces the last. */
  async aggregate(day: string): Promise<DayAggregate> {
    const agg = await this.#aggregateStored(day)
    const prev = await this.store.outbox.get(day)
    await this.opts.storage.commit(
      this.store.putDayOps(agg, { revision: (prev?.revision ?? 0) + 1, sent: false, attempts: 0 }),
      { sync: true },
    )
    return agg
  }

  /**
   * Streams a day's raw events through the COUNTER rules batch by batch (as written, so in
   * time order), tagging each item with its title (a chapter's parent): a day of a million
   * events never sits in memory at once.
   */
  async #aggregateStored(day: string): Promise<DayAggregate> {
    const a = new DayAggregator(day, { utcOffsetMinutes: this.utcOffsetMinutes })
    const titleOf = new Map<string, string>()
    for await (const batch of this.store.events.values({ gte: `${day} `, lt: `${day}~` })) {
      const unknown = [...new Set(batch.flatMap((e) => (e.r && !titleOf.has(e.r) ? [e.r] : [])))]
      if (unknown.length) {
        const records = await this.opts.resources.getMany(unknown)
        unknown.forEach((id, i) => titleOf.set(id, records[i]?.parentId ?? id))
      }
      batch.sort((x, y) => x.t - y.t)
      for (const e of batch) {
        if (e.r) e.ti = titleOf.get(e.r)!
        a.add(e)
      }
    }
    return a.result()
  }

  /** Marks days that got events after they were aggregated (late flushes). */
  noteLate(day: string): void {
    if (day < this.today()) this.#dirty.add(day)
  }

  /** The roll-ups sent to the hub, refused by it and waiting, and the last day sent. */
  async outboxCounts(): Promise<{ pending: number; sent: number; refused: number; lastSentDay: string | null }> {
    const out = { pending: 0, sent: 0, refused: 0, lastSentDay: null as string | null }
    for await (const [day, o] of this.store.outbox.iterator()) {
      if (o.sent) (out.sent++, (out.lastSentDay = day))
      else if (o.refused) out.refused++
      else out.pending++
    }
    return out
  }

  /** The signed payload for one aggregated day, as the hub will receive it. */
  async rollup(day: string): Promise<Rollup | undefined> {
    const [agg, out] = await Promise.all([this.store.days.get(day), this.store.outbox.get(day)])
    if (!agg || !out) return undefined
    return {
      v: 1,
      node: this.opts.nodeId,
      day,
      revision: out.revision,
      generatedAt: new Date(this.#now).toISOString(),
      totals: agg.totals,
      hours: agg.hours,
      devices: agg.devices,
      methods: agg.methods,
      top: await this.#top(new Map(Object.entries(agg.titles)), 20),
    }
  }

  async #top(titles: Map<string, MetricCounts>, n: number): Promise<TitleFigure[]> {
    const best = [...titles]
      .sort(
        (a, b) =>
          b[1].Total_Item_Requests - a[1].Total_Item_Requests ||
          b[1].Total_Item_Investigations - a[1].Total_Item_Investigations,
      )
      .slice(0, n)
    const records = await this.opts.resources.getMany(best.map(([id]) => id))
    return best.map(([id, c], i) => ({
      id,
      title: (records[i]?.metadata.title ?? id).slice(0, 200),
      investigations: c.Total_Item_Investigations,
      requests: c.Total_Item_Requests,
    }))
  }

  /** Aggregates from `from` to `to`, today's figures (so far) included when in range. */
  async days(from: string, to: string): Promise<DayAggregate[]> {
    const days = await this.store.aggregates(from, to)
    const today = this.today()
    if (today >= from && today <= to && !days.some((d) => d.day === today)) {
      await this.capture.flush()
      days.push(await this.#aggregateStored(today))
    }
    return days
  }

  /** The staff dashboard's figures. */
  async summary(from: string, to: string): Promise<StatsSummary> {
    const days = await this.days(from, to)
    const totals = zeroCounts()
    const heatmap = Array.from({ length: 7 }, () => zeroHours())
    const devices = zeroDevices()
    const methods = zeroMethods()
    const titles = new Map<string, MetricCounts>()
    const queries = new Map<string, number>()
    const zero = new Map<string, number>()
    for (const d of days) {
      addInto(totals, d.totals)
      addHours(heatmap[weekday(d.day)]!, d.hours)
      addInto(devices, d.devices)
      addInto(methods, d.methods)
      for (const [id, c] of Object.entries(d.titles)) titles.set(id, addInto(titles.get(id) ?? zeroCounts(), c))
      for (const q of d.queries) queries.set(q.q, (queries.get(q.q) ?? 0) + q.n)
      for (const q of d.zeroQueries) zero.set(q.q, (zero.get(q.q) ?? 0) + q.n)
    }
    const top = (m: Map<string, number>) =>
      [...m]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 20)
        .map(([q, n]) => ({ q, n }))
    return {
      from,
      to,
      totals,
      days: days.map((d) => ({ day: d.day, totals: d.totals })),
      heatmap,
      devices,
      methods,
      top: await this.#top(titles, 20),
      queries: top(queries),
      zeroQueries: top(zero),
    }
  }
}
