/**
 * @module stats/metrics
 * The usage figures Shulin counts: COUNTER Release 5 metric types, plus sign-ins and
 * registrations (Shulin's own, never in a COUNTER report), and the small records that carry
 * them. Counts are whole, non-negative numbers, so a schema check is also a sanity check.
 */
import { z } from 'zod'

/** COUNTER R5 metric types Shulin produces. */
export const counterMetrics = [
  'Total_Item_Investigations',
  'Unique_Item_Investigations',
  'Unique_Title_Investigations',
  'Total_Item_Requests',
  'Unique_Item_Requests',
  'Unique_Title_Requests',
  'No_License',
  'Limit_Exceeded',
  'Searches_Regular',
  'Searches_Platform',
] as const
export type CounterMetric = (typeof counterMetrics)[number]
/**
 * Shulin's own activity figures, beside the COUNTER ones. `Lecture_Plays`: a lecture's master
 * playlist or original requested (each also a COUNTER item request); `Seconds_Watched`: the
 * seconds of lectures the players reported as played.
 */
export const nodeMetrics = ['Sign_Ins', 'Registrations', 'Lecture_Plays', 'Seconds_Watched'] as const
export const allMetrics = [...counterMetrics, ...nodeMetrics] as const
export type Metric = (typeof allMetrics)[number]
/** Metrics added after roll-ups were first signed: absent in older days and roll-ups, read as 0. */
const laterMetrics = new Set<Metric>(['Lecture_Plays', 'Seconds_Watched'])

export const Count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)
export const MetricCounts = z.strictObject(
  Object.fromEntries(allMetrics.map((m) => [m, laterMetrics.has(m) ? Count.default(0) : Count])) as Record<
    Metric,
    typeof Count
  >,
)
export type MetricCounts = z.infer<typeof MetricCounts>

export const deviceClasses = ['mobile', 'tablet', 'desktop', 'other'] as const
export const DeviceClass = z.enum(deviceClasses)
export type DeviceClass = z.infer<typeof DeviceClass>
export const accessMethods = ['web', 'opds', 'api'] as const
export const AccessMethod = z.enum(accessMethods)
export type AccessMethod = z.infer<typeof AccessMethod>

export const DeviceSplit = z.strictObject({ mobile: Count, tablet: Count, desktop: Count, other: Count })
export type DeviceSplit = z.infer<typeof DeviceSplit>
export const MethodSplit = z.strictObject({ web: Count, opds: Count, api: Count })
export type MethodSplit = z.infer<typeof MethodSplit>
/** Activity by local hour of the day (0–23); the day gives the weekday. */
export const Hours = z.array(Count).length(24)

export function zeroCounts(): MetricCounts {
  return Object.fromEntries(allMetrics.map((m) => [m, 0])) as MetricCounts
}
export const zeroDevices = (): DeviceSplit => ({ mobile: 0, tablet: 0, desktop: 0, other: 0 })
export const zeroMethods = (): MethodSplit => ({ web: 0, opds: 0, api: 0 })
export const zeroHours = (): number[] => new Array<number>(24).fill(0)

/** `into += sign × from`, key by key (the hub subtracts a replaced roll-up this way). */
export function addInto<T extends Record<string, number>>(into: T, from: Readonly<T>, sign: 1 | -1 = 1): T {
  for (const k of Object.keys(from) as Array<keyof T & string>)
    (into as Record<string, number>)[k] = (into[k] ?? 0) + sign * from[k]!
  return into
}
export function addHours(into: number[], from: readonly number[], sign: 1 | -1 = 1): number[] {
  for (let i = 0; i < 24; i++) into[i] = (into[i] ?? 0) + sign * (from[i] ?? 0)
  return into
}

/**
 * The rules COUNTER's figures must obey whatever produced them: a unique count never exceeds
 * its total, requests are a subset of investigations, a title count never exceeds its items'.
 * Returns the first broken rule, or null.
 */
export function brokenCounterRule(c: MetricCounts): string | null {
  if (c.Unique_Item_Investigations > c.Total_Item_Investigations)
    return 'Unique_Item_Investigations > Total_Item_Investigations'
  if (c.Unique_Item_Requests > c.Total_Item_Requests) return 'Unique_Item_Requests > Total_Item_Requests'
  if (c.Unique_Title_Investigations > c.Unique_Item_Investigations)
    return 'Unique_Title_Investigations > Unique_Item_Investigations'
  if (c.Unique_Title_Requests > c.Unique_Item_Requests) return 'Unique_Title_Requests > Unique_Item_Requests'
  if (c.Total_Item_Requests > c.Total_Item_Investigations) return 'Total_Item_Requests > Total_Item_Investigations'
  if (c.Unique_Item_Requests > c.Unique_Item_Investigations) return 'Unique_Item_Requests > Unique_Item_Investigations'
  if (c.Unique_Title_Requests > c.Unique_Title_Investigations)
    return 'Unique_Title_Requests > Unique_Title_Investigations'
  return null
}
