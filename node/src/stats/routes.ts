/**
 * @module stats/routes
 * The dashboards' figures. A node's staff: `GET /api/staff/stats/summary` (trends, the
 * weekday × hour heatmap, devices, access methods, top titles and queries, the roll-up queue).
 * The hub's operators: `GET /api/hub/stats/summary` (nation, a province `p:33`, a city
 * `c:3301` or a level `l:county`), `/regions` (provinces side by side), `/members` (every
 * member's indicators and last report), `/indicators.csv`, and the assessment weights
 * (`GET`, `PUT` by admins).
 */
import { z } from 'zod'
import {
  HubMembersResponse,
  HubRegionsResponse,
  HubSummaryResponse,
  HubTopResponse,
  localDay,
  nextDay,
  StatsSummaryResponse,
  Weights,
  type MemberEntry,
} from '@shulin/protocol'
import type { Api } from '../http/api.js'
import { ProblemError } from '../http/problem.js'
import type { StatsService } from './service.js'
import type { HubStats } from './hub.js'
import type { RollupPusher } from './pusher.js'
import { indicators, indicatorsCsv } from './indicators.js'

const Day = z.iso.date()
const Range = z.strictObject({ from: Day.optional(), to: Day.optional() })
const HubRange = Range.extend({
  scope: z
    .string()
    .regex(/^(all|p:\d{2}|c:\d{4}|l:(province|city|county))$/)
    .default('all'),
})
const Year = z.strictObject({
  year: z
    .string()
    .regex(/^\d{4}$/)
    .optional(),
})

/** The last 30 days by default; at most ~3 years at once. */
function range(q: { from?: string | undefined; to?: string | undefined }, today: string) {
  const to = q.to ?? today
  const from = q.from ?? nextDay(to, -29)
  if (from > to || Date.parse(to) - Date.parse(from) > 1100 * 86_400_000)
    throw new ProblemError('validation_failed', { errors: [{ pointer: '/from', detail: 'invalid_range' }] })
  return { from, to }
}

export function nodeStatsRoutes(
  api: Api,
  deps: { stats: StatsService; pusher: () => RollupPusher | undefined; member: () => Promise<boolean> },
): void {
  api.route(
    {
      method: 'get',
      path: '/api/staff/stats/summary',
      summary: 'This node’s usage: trend, weekday × hour, devices, top titles and queries (no reader data)',
      tags: ['stats'],
      access: 'staff',
      query: Range,
      response: StatsSummaryResponse,
    },
    async (_c, { query }) => {
      const { from, to } = range(query, deps.stats.today())
      return {
        ...(await deps.stats.summary(from, to)),
        outbox: await deps.stats.outboxCounts(),
        member: await deps.member(),
        lastPush: deps.pusher()?.last ?? null,
      }
    },
  )
}

export function hubStatsRoutes(
  api: Api,
  deps: { hub: HubStats; members: () => Promise<MemberEntry[]>; now: () => number },
): void {
  const tags = ['stats']
  const today = () => localDay(deps.now(), 480).day
  api.route(
    {
      method: 'get',
      path: '/api/hub/stats/summary',
      summary: 'Hub: the nation’s (or a region’s, or a level’s) usage from the members’ roll-ups',
      tags,
      access: 'staff',
      query: HubRange,
      response: HubSummaryResponse,
    },
    async (_c, { query }) => {
      const { from, to } = range(query, today())
      return deps.hub.summary(query.scope, from, to)
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/hub/stats/regions',
      summary: 'Hub: each province’s totals',
      tags,
      access: 'staff',
      query: Range,
      response: HubRegionsResponse,
    },
    async (_c, { query }) => {
      const { from, to } = range(query, today())
      const members = await deps.members()
      const provinces = [...new Set(members.map((m) => m.region.slice(0, 2)))].sort()
      const rows = await Promise.all(
        provinces.map(async (p) => ({
          province: p,
          members: members.filter((m) => m.region.startsWith(p)).length,
          ...(await deps.hub.summary(`p:${p}`, from, to)),
        })),
      )
      return {
        from,
        to,
        regions: rows.map(({ province, members: n, totals, reports }) => ({ province, members: n, totals, reports })),
      }
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/hub/stats/top',
      summary:
        'Hub: the most used titles of the nation, a province, a city or a level (from the members’ daily top lists)',
      tags,
      access: 'staff',
      query: HubRange,
      response: HubTopResponse,
    },
    async (_c, { query }) => {
      const { from, to } = range(query, today())
      const [kind, code] = query.scope.split(':')
      const members = (await deps.members()).filter(
        (m) => kind === 'all' || (kind === 'l' ? m.level === code : m.region.startsWith(code ?? '')),
      )
      return { from, to, titles: await deps.hub.topTitles(members, from, to) }
    },
  )
  const weights = () => deps.hub.weights()
  const rows = async (year: string | undefined) => {
    const y = year ?? today().slice(0, 4)
    return {
      year: y,
      weights: await weights(),
      members: indicators(await deps.members(), await deps.hub.years(y), await weights()),
    }
  }
  api.route(
    {
      method: 'get',
      path: '/api/hub/stats/members',
      summary: 'Hub: every member’s indicators for the annual assessment and its last report',
      tags,
      access: 'staff',
      query: Year,
      response: HubMembersResponse,
    },
    async (_c, { query }) => rows(query.year),
  )
  api.route(
    {
      method: 'get',
      path: '/api/hub/stats/indicators.csv',
      summary: 'Hub: the indicators as CSV (UTF-8 with BOM)',
      tags,
      access: 'staff',
      query: Year,
    },
    async (c, { query }) => {
      const r = await rows(query.year)
      return c.body(indicatorsCsv(r.members, r.year), 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="shulin-indicators-${r.year}.csv"`,
      })
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/hub/stats/weights',
      summary: 'Hub: the assessment weights',
      tags,
      access: 'staff',
      response: Weights,
    },
    () => weights(),
  )
  api.route(
    {
      method: 'put',
      path: '/api/hub/stats/weights',
      summary: 'Hub: set the assessment weights (admins)',
      tags,
      access: 'admin',
      body: Weights,
      response: Weights,
    },
    async (_c, { body }) => {
      await deps.hub.setWeights(body)
      return body
    },
  )
}
