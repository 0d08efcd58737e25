/**
 * @module stats/responses
 * What the dashboards' HTTP routes answer (`/api/staff/stats/*`, `/api/hub/stats/*`): one
 * declaration for the node's handlers (checked against it) and the web UI's charts (which import
 * the types only). Counts are MetricCounts; days are local calendar days.
 */
import { z } from 'zod'
import { Count, DeviceSplit, MethodSplit, MetricCounts } from './metrics.js'
import { QueryCount } from './counter.js'

const Day = z.iso.date()

/** 7 × 24: Monday first, local hours. */
const Heatmap = z.array(z.array(Count))

/** A library's own figures: `GET /api/staff/stats/summary`. */
export const StatsSummaryResponse = z.object({
  from: Day,
  to: Day,
  totals: MetricCounts,
  days: z.array(z.object({ day: Day, totals: MetricCounts })),
  heatmap: Heatmap,
  devices: DeviceSplit,
  methods: MethodSplit,
  top: z.array(z.object({ id: z.string(), title: z.string(), investigations: Count, requests: Count })),
  queries: z.array(QueryCount),
  zeroQueries: z.array(QueryCount),
  /** The roll-ups waiting for the hub, sent, or refused by it. */
  outbox: z.object({ pending: Count, sent: Count, refused: Count, lastSentDay: Day.nullable() }),
  /** This library belongs to a network (its days go to the hub). */
  member: z.boolean(),
  lastPush: z
    .object({
      at: z.string(),
      report: z.object({ sent: Count, refused: Count, pending: Count, error: z.string().optional() }),
    })
    .nullable(),
})
export type StatsSummaryResponse = z.infer<typeof StatsSummaryResponse>

/** The members' roll-ups summed for a scope: `GET /api/hub/stats/summary`. */
export const HubSummaryResponse = z.object({
  scope: z.string(),
  from: Day,
  to: Day,
  totals: MetricCounts,
  /** Roll-ups in the sum. */
  reports: Count,
  days: z.array(z.object({ day: Day, totals: MetricCounts, reports: Count })),
  heatmap: Heatmap,
  devices: DeviceSplit,
  methods: MethodSplit,
})
export type HubSummaryResponse = z.infer<typeof HubSummaryResponse>

/** Each province's totals: `GET /api/hub/stats/regions`. */
export const HubRegionsResponse = z.object({
  from: Day,
  to: Day,
  regions: z.array(z.object({ province: z.string(), members: Count, totals: MetricCounts, reports: Count })),
})
export type HubRegionsResponse = z.infer<typeof HubRegionsResponse>

/** The most used titles of a scope: `GET /api/hub/stats/top`. */
export const HubTopResponse = z.object({
  from: Day,
  to: Day,
  titles: z.array(
    z.object({
      node: z.string(),
      library: z.string(),
      id: z.string(),
      title: z.string(),
      investigations: Count,
      requests: Count,
    }),
  ),
})
export type HubTopResponse = z.infer<typeof HubTopResponse>

export const indicatorNames = [
  'requests',
  'investigations',
  'searches',
  'signIns',
  'registrations',
  'daysReported',
] as const
export type IndicatorName = (typeof indicatorNames)[number]

/** How much each indicator counts in the score (`GET`/`PUT /api/hub/stats/weights`): 0–100 each, one above zero. */
export const Weights = z
  .strictObject(
    Object.fromEntries(indicatorNames.map((n) => [n, z.number().min(0).max(100)])) as Record<
      IndicatorName,
      z.ZodNumber
    >,
  )
  .refine((w) => Object.values(w).some((v) => v > 0), 'at least one weight above zero')
export type Weights = z.infer<typeof Weights>

/** A member's indicators for the annual assessment, its score and last report. */
export const MemberIndicators = z.object({
  nodeId: z.string(),
  name: z.string(),
  region: z.string(),
  level: z.string(),
  status: z.string(),
  values: z.record(z.enum(indicatorNames), z.number()),
  score: z.number(),
  lastDay: z.string().nullable(),
  lastReceivedAt: z.string().nullable(),
})
export type MemberIndicators = z.infer<typeof MemberIndicators>

/** Every member's indicators for a year: `GET /api/hub/stats/members`. */
export const HubMembersResponse = z.object({
  year: z.string(),
  weights: Weights,
  members: z.array(MemberIndicators),
})
export type HubMembersResponse = z.infer<typeof HubMembersResponse>
