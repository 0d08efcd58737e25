/**
 * @module stats/counter
 * COUNTER Release 5 processing rules over one day's raw usage events, as a pure function:
 *
 * - the double-click filter: the same action on the same item by the same user within 30 s
 *   counts once (the window slides: each click restarts it, as "the first is removed and the
 *   second retained");
 * - unique counts per user-session: a session key is given with each event (a keyed hash of
 *   the session, or of date + hour + address + user agent when there is none);
 * - requests are a subset of investigations: every content request is an investigation too;
 * - title counts: a chapter (an item with a parent) counts for its title once per session.
 *
 * @example
 * ```ts
 * const day = aggregateDay('2026-12-01', events, { utcOffsetMinutes: 480 })
 * day.totals.Unique_Item_Requests
 * ```
 */
import { z } from 'zod'
import {
  AccessMethod,
  addInto,
  Count,
  DeviceClass,
  DeviceSplit,
  Hours,
  MethodSplit,
  MetricCounts,
  zeroCounts,
  zeroDevices,
  zeroHours,
  zeroMethods,
  type Metric,
} from './metrics.js'

export const doubleClickMs = 30_000

/**
 * What a reader did. `view` = a record page (an investigation); `content` = opening the work (a
 * request); `play` = a lecture's master playlist or original fetched (a request, and a play);
 * `watched` = a player's report of seconds played (`w`), not a click.
 */
export const EventKind = z.enum([
  'view',
  'content',
  'play',
  'watched',
  'search',
  'no_license',
  'limit_exceeded',
  'sign_in',
  'registration',
])
export type EventKind = z.infer<typeof EventKind>

/** One raw usage event, as the node keeps it for a few days (no reader id: `s` is a keyed hash). */
export const UsageEvent = z.strictObject({
  /** When, ms since the epoch. */
  t: z.number().int().nonnegative(),
  k: EventKind,
  /** Session key (opaque). */
  s: z.string().min(1).max(64),
  /** The item (resource id), for view, content, no_license, limit_exceeded. */
  r: z.string().max(64).optional(),
  /** The item's title (its parent, for a chapter); the item itself when absent. */
  ti: z.string().max(64).optional(),
  d: DeviceClass,
  m: AccessMethod,
  /** Normalised query text, for searches. */
  q: z.string().max(200).optional(),
  /** The search found nothing. */
  z: z.boolean().optional(),
  /** Seconds played, for `watched`. */
  w: z.number().int().min(1).max(600).optional(),
})
export type UsageEvent = z.infer<typeof UsageEvent>

export const QueryCount = z.strictObject({ q: z.string().max(200), n: Count })

/** A node's figures for one local day; kept for good on the node. */
export const DayAggregate = z.strictObject({
  day: z.iso.date(),
  totals: MetricCounts,
  /** Per title (resource id of the work), for the title report. */
  titles: z.record(z.string().max(64), MetricCounts),
  hours: Hours,
  devices: DeviceSplit,
  methods: MethodSplit,
  queries: z.array(QueryCount).max(100),
  zeroQueries: z.array(QueryCount).max(100),
  /** Raw events read (before filtering). */
  events: Count,
})
export type DayAggregate = z.infer<typeof DayAggregate>

/** The local calendar day (YYYY-MM-DD) and hour of an instant, at a fixed offset from UTC. */
export function localDay(t: number, utcOffsetMinutes: number): { day: string; hour: number } {
  const d = new Date(t + utcOffsetMinutes * 60_000)
  return { day: d.toISOString().slice(0, 10), hour: d.getUTCHours() }
}

/** The instant a local day starts. */
export function dayStart(day: string, utcOffsetMinutes: number): number {
  return Date.parse(`${day}T00:00:00Z`) - utcOffsetMinutes * 60_000
}

export function nextDay(day: string, n = 1): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)
}

/** The double-click key: the same action on the same item (or query) by the same session. */
const clickKey = (e: UsageEvent) => `${e.k}\u0000${e.s}\u0000${e.r ?? ''}\u0000${e.k === 'search' ? (e.q ?? '') : ''}`
/** Sign-ins, registrations and a player's watched-time reports are not clicks on a link: each one counts. */
const notAClick = (e: UsageEvent) => e.k === 'sign_in' || e.k === 'registration' || e.k === 'watched'

/** Keeps the events that survive the double-click filter (input sorted by time or not). */
export function doubleClickFilter(events: readonly UsageEvent[]): UsageEvent[] {
  const last = new Map<string, number>()
  return [...events]
    .sort((a, b) => a.t - b.t)
    .filter((e) => {
      if (notAClick(e)) return true
      const key = clickKey(e)
      const prev = last.get(key)
      last.set(key, e.t)
      return prev === undefined || e.t - prev > doubleClickMs
    })
}

function topOf(counts: Map<string, number>, n: number) {
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n)
    .map(([q, c]) => ({ q, n: c }))
}

/**
 * One day's aggregation, event by event, so that a day of millions of events can be read from
 * storage in batches instead of all at once. Events must come in time order (a node writes
 * them so); {@link aggregateDay} sorts them first.
 */
export class DayAggregator {
  readonly #totals = zeroCounts()
  readonly #titles = new Map<string, MetricCounts>()
  readonly #hours = zeroHours()
  readonly #devices = zeroDevices()
  readonly #methods = zeroMethods()
  readonly #queries = new Map<string, number>()
  readonly #zero = new Map<string, number>()
  /** Unique keys: metric → "session item" (or "session title"). */
  readonly #seen = { ii: new Set<string>(), ti: new Set<string>(), ir: new Set<string>(), tr: new Set<string>() }
  /** Last click per double-click key; entries older than the window are dropped as time moves. */
  #last = new Map<string, number>()
  #events = 0
  #pruneAt = 0

  constructor(
    readonly day: string,
    private readonly opts: { utcOffsetMinutes: number; topQueries?: number },
  ) {}

  #bump(m: Metric, titleId?: string, n = 1): void {
    this.#totals[m] += n
    if (titleId === undefined) return
    let t = this.#titles.get(titleId)
    if (!t) this.#titles.set(titleId, (t = zeroCounts()))
    t[m] += n
  }

  #first(set: Set<string>, key: string): boolean {
    if (set.has(key)) return false
    set.add(key)
    return true
  }

  add(e: UsageEvent): void {
    this.#events++
    if (!notAClick(e)) {
      const key = clickKey(e)
      const prev = this.#last.get(key)
      this.#last.set(key, e.t)
      if (this.#events >= this.#pruneAt) {
        for (const [k, t] of this.#last) if (e.t - t > doubleClickMs) this.#last.delete(k)
        this.#pruneAt = this.#events + Math.max(10_000, this.#last.size)
      }
      if (prev !== undefined && e.t - prev <= doubleClickMs) return
    }
    if (e.k !== 'no_license' && e.k !== 'limit_exceeded' && e.k !== 'watched') {
      // The local hour by arithmetic: a Date per event is a tenth of the whole cost.
      const local = (((e.t + this.opts.utcOffsetMinutes * 60_000) % 86_400_000) + 86_400_000) % 86_400_000
      this.#hours[Math.floor(local / 3_600_000)]!++
      this.#devices[e.d]++
      this.#methods[e.m]++
    }
    const item = e.r ?? ''
    const ti = e.ti ?? item
    const seen = this.#seen
    switch (e.k) {
      case 'watched':
        this.#bump('Seconds_Watched', ti, e.w ?? 0)
        break
      case 'play':
        this.#bump('Lecture_Plays', ti)
      // A play is a request of the lecture (COUNTER's media item).
      // falls through
      case 'content':
        this.#bump('Total_Item_Requests', ti)
        if (this.#first(seen.ir, `${e.s} ${item}`)) this.#bump('Unique_Item_Requests', ti)
        if (this.#first(seen.tr, `${e.s} ${ti}`)) this.#bump('Unique_Title_Requests', ti)
      // A request is an investigation too.
      // falls through
      case 'view':
        this.#bump('Total_Item_Investigations', ti)
        if (this.#first(seen.ii, `${e.s} ${item}`)) this.#bump('Unique_Item_Investigations', ti)
        if (this.#first(seen.ti, `${e.s} ${ti}`)) this.#bump('Unique_Title_Investigations', ti)
        break
      case 'no_license':
        this.#bump('No_License', ti)
        break
      case 'limit_exceeded':
        this.#bump('Limit_Exceeded', ti)
        break
      case 'search':
        this.#bump('Searches_Regular')
        this.#bump('Searches_Platform')
        if (e.q) {
          this.#queries.set(e.q, (this.#queries.get(e.q) ?? 0) + 1)
          if (e.z) this.#zero.set(e.q, (this.#zero.get(e.q) ?? 0) + 1)
        }
        break
      case 'sign_in':
        this.#bump('Sign_Ins')
        break
      case 'registration':
        this.#bump('Registrations')
        break
    }
  }

  result(): DayAggregate {
    const n = this.opts.topQueries ?? 50
    return {
      day: this.day,
      totals: this.#totals,
      titles: Object.fromEntries(this.#titles),
      hours: this.#hours,
      devices: this.#devices,
      methods: this.#methods,
      queries: topOf(this.#queries, n),
      zeroQueries: topOf(this.#zero, n),
      events: this.#events,
    }
  }
}

/** Applies the COUNTER rules to one day's raw events. */
export function aggregateDay(
  day: string,
  raw: readonly UsageEvent[],
  opts: { utcOffsetMinutes: number; topQueries?: number },
): DayAggregate {
  const a = new DayAggregator(day, opts)
  for (const e of [...raw].sort((x, y) => x.t - y.t)) a.add(e)
  return a.result()
}

/** Sums days (for a month or a year): uniques add up, as COUNTER sums daily session counts. */
export function sumDays(days: readonly DayAggregate[]): { totals: MetricCounts; titles: Map<string, MetricCounts> } {
  const totals = zeroCounts()
  const titles = new Map<string, MetricCounts>()
  for (const d of days) {
    addInto(totals, d.totals)
    for (const [id, c] of Object.entries(d.titles)) titles.set(id, addInto(titles.get(id) ?? zeroCounts(), c))
  }
  return { totals, titles }
}
