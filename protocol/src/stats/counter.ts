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
import { AccessMethod, addInto, Count, DeviceClass, DeviceSplit, Hours, MethodSplit, MetricCounts, zeroCounts, zeroDevices, zeroHours, zeroMethods, type Metric } from './metrics.js'

export const doubleClickMs = 30_000

/** What a reader did. `view` = a record page (an investigation); `content` = opening the work (a request). */
export const EventKind = z.enum(['view', 'content', 'search', 'no_license', 'limit_exceeded', 'sign_in', 'registration'])
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

/** Keeps the events that survive the double-click filter (input sorted by time or not). */
export function doubleClickFilter(events: readonly UsageEvent[]): UsageEvent[] {
  const sorted = [...events].sort((a, b) => a.t - b.t)
  const last = new Map<string, number>()
  const kept: UsageEvent[] = []
  for (const e of sorted) {
    // Sign-ins and registrations are not clicks on a link: each one counts.
    if (e.k === 'sign_in' || e.k === 'registration') {
      kept.push(e)
      continue
    }
    const key = `${e.k}\u0000${e.s}\u0000${e.r ?? ''}\u0000${e.k === 'search' ? (e.q ?? '') : ''}`
    const prev = last.get(key)
    last.set(key, e.t)
    if (prev !== undefined && e.t - prev <= doubleClickMs) continue
    kept.push(e)
  }
  return kept
}

function topOf(counts: Map<string, number>, n: number) {
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n).map(([q, c]) => ({ q, n: c }))
}

/** Applies the COUNTER rules to one day's raw events. */
export function aggregateDay(day: string, raw: readonly UsageEvent[], opts: { utcOffsetMinutes: number; topQueries?: number }): DayAggregate {
  const totals = zeroCounts()
  const titles = new Map<string, MetricCounts>()
  const title = (id: string) => titles.get(id) ?? (titles.set(id, zeroCounts()), titles.get(id)!)
  const hours = zeroHours()
  const devices = zeroDevices()
  const methods = zeroMethods()
  const queries = new Map<string, number>()
  const zero = new Map<string, number>()
  // Unique keys: metric → set of "session item" (or "session title").
  const seen = new Map<string, Set<string>>()
  const firstTime = (kind: string, key: string) => {
    let s = seen.get(kind)
    if (!s) seen.set(kind, (s = new Set()))
    if (s.has(key)) return false
    s.add(key)
    return true
  }
  const bump = (m: Metric, titleId?: string) => {
    totals[m]++
    if (titleId !== undefined) title(titleId)[m]++
  }
  for (const e of doubleClickFilter(raw)) {
    const activity = e.k !== 'no_license' && e.k !== 'limit_exceeded'
    if (activity) {
      hours[localDay(e.t, opts.utcOffsetMinutes).hour]!++
      devices[e.d]++
      methods[e.m]++
    }
    const item = e.r ?? ''
    const ti = e.ti ?? item
    switch (e.k) {
      case 'content':
        bump('Total_Item_Requests', ti)
        if (firstTime('ir', `${e.s} ${item}`)) bump('Unique_Item_Requests', ti)
        if (firstTime('tr', `${e.s} ${ti}`)) bump('Unique_Title_Requests', ti)
      // A request is an investigation too.
      // falls through
      case 'view':
        bump('Total_Item_Investigations', ti)
        if (firstTime('ii', `${e.s} ${item}`)) bump('Unique_Item_Investigations', ti)
        if (firstTime('ti', `${e.s} ${ti}`)) bump('Unique_Title_Investigations', ti)
        break
      case 'no_license':
        bump('No_License', ti)
        break
      case 'limit_exceeded':
        bump('Limit_Exceeded', ti)
        break
      case 'search':
        bump('Searches_Regular')
        bump('Searches_Platform')
        if (e.q) {
          queries.set(e.q, (queries.get(e.q) ?? 0) + 1)
          if (e.z) zero.set(e.q, (zero.get(e.q) ?? 0) + 1)
        }
        break
      case 'sign_in':
        bump('Sign_Ins')
        break
      case 'registration':
        bump('Registrations')
        break
    }
  }
  const n = opts.topQueries ?? 50
  return { day, totals, titles: Object.fromEntries(titles), hours, devices, methods, queries: topOf(queries, n), zeroQueries: topOf(zero, n), events: raw.length }
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
