/**
 * @module stats/sushi-routes
 * COUNTER-SUSHI R5 on a node and on the hub: `GET /sushi/r5/status` (public), `/reports` (the
 * list), `/reports/pr` and `/reports/tr` (staff, a session or a bearer token), and
 * `/members` at the hub. Reports are JSON by default and the COUNTER tabular form with
 * `?format=tsv` or `Accept: text/tab-separated-values`. Dates are whole months
 * (`begin_date=2026-01`, `end_date=2026-06` or full dates), as SUSHI asks.
 */
import type { Context, Hono } from 'hono'
import { z } from 'zod'
import {
  counterMetrics,
  monthsBetween,
  sushiJson,
  sushiReports,
  sushiTsv,
  type CounterMetric,
  type MetricCounts,
  type ReportHeader,
  type SushiException,
  type SushiReportId,
  type SushiRow,
} from '@shulin/protocol'
import type { AppEnv } from '../http/env.js'
import type { AccessCheck } from '../http/api.js'

export interface SushiTitle {
  id: string
  title: string
  identifiers: Array<{ Type: string; Value: string }>
  publisher: string
  dataType: string
  yop: string
  perMonth: Map<string, MetricCounts>
}

/** Where the figures come from: a node's own days, or the hub's roll-ups. */
export interface SushiSource {
  platform: string
  institution(customerId: string | undefined): Promise<{ name: string; id: string } | undefined>
  /** Totals by month (`YYYY-MM`). */
  months(from: string, to: string, customerId: string | undefined): Promise<Map<string, MetricCounts>>
  titles(from: string, to: string, customerId: string | undefined): Promise<SushiTitle[]>
  members?(): Promise<
    Array<{ Customer_ID: string; Name: string; Notes: string; Institution_ID: Array<{ Type: string; Value: string }> }>
  >
}

const MonthOrDate = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$/)
const ReportQuery = z.object({
  begin_date: MonthOrDate.optional(),
  end_date: MonthOrDate.optional(),
  metric_type: z.string().max(1000).optional(),
  customer_id: z.string().max(100).optional(),
  format: z.enum(['json', 'tsv']).optional(),
})

const exception = (Code: number, Message: string, Data?: string): SushiException => ({
  Code,
  Severity: Code >= 3000 && Code < 3040 ? 'Warning' : 'Error',
  Message,
  ...(Data ? { Data } : {}),
})

export function sushiRoutes(
  app: Hono<AppEnv>,
  deps: { source: SushiSource; check: AccessCheck; now: () => number; version: string },
): void {
  const { source } = deps
  app.get('/sushi/r5/status', (c) =>
    c.json([
      {
        Description: `Shulin ${deps.version} COUNTER-SUSHI R5`,
        Service_Active: true,
        Registry_URL: '',
        Note: 'Reports: PR, TR; JSON or TSV (format=tsv)',
        Alerts: [],
      },
    ]),
  )
  app.get('/sushi/r5/reports', async (c) => {
    await deps.check(c, 'staff')
    return c.json(
      (Object.keys(sushiReports) as SushiReportId[]).map((id) => ({
        Report_Name: sushiReports[id].name,
        Report_ID: id,
        Release: '5',
        Report_Description: sushiReports[id].name,
        Path: `/sushi/r5/reports/${id.toLowerCase()}`,
      })),
    )
  })
  if (source.members) {
    const members = source.members.bind(source)
    app.get('/sushi/r5/members', async (c) => {
      await deps.check(c, 'staff')
      return c.json(await members())
    })
  }
  for (const id of Object.keys(sushiReports) as SushiReportId[]) {
    app.get(`/sushi/r5/reports/${id.toLowerCase()}`, async (c) => {
      await deps.check(c, 'staff')
      return report(c, id)
    })
  }

  async function report(c: Context<AppEnv>, id: SushiReportId): Promise<Response> {
    const parsed = ReportQuery.safeParse(c.req.query())
    const today = new Date(deps.now()).toISOString().slice(0, 10)
    if (!parsed.success)
      return c.json({ ...exception(3020, 'Invalid Date Arguments', parsed.error.issues[0]?.path.join('.')) }, 400)
    const q = parsed.data
    const begin = (q.begin_date ?? `${today.slice(0, 4)}-01`).slice(0, 7)
    const end = (q.end_date ?? today).slice(0, 7)
    if (begin > end) return c.json(exception(3020, 'Invalid Date Arguments', 'begin_date is after end_date'), 400)
    const institution = await source.institution(q.customer_id)
    if (!institution)
      return c.json(exception(1030, 'Insufficient Information to Process Request', 'unknown customer_id'), 400)
    const months = monthsBetween(begin, end)
    const exceptions: SushiException[] = []
    const asked = q.metric_type?.split('|').filter(Boolean) ?? []
    const unknown = asked.filter((m) => !(sushiReports[id].metrics as readonly string[]).includes(m))
    if (unknown.length) exceptions.push(exception(3060, 'Invalid ReportFilter Value', unknown.join('|')))
    const metrics: CounterMetric[] = asked.length
      ? sushiReports[id].metrics.filter((m) => asked.includes(m))
      : [...sushiReports[id].metrics]
    const from = months[0]!.begin
    const to = months.at(-1)!.end
    if (end > today.slice(0, 7))
      exceptions.push(exception(3031, 'Usage Not Ready for Requested Dates', `usage is available up to ${today}`))
    let columns: string[]
    let rows: SushiRow[]
    if (id === 'PR') {
      const byMonth = await source.months(from, to, q.customer_id)
      columns = ['Platform']
      rows = [
        {
          attrs: { Platform: source.platform },
          cells: [source.platform],
          perMonth: months.map((m) => byMonth.get(m.begin.slice(0, 7)) ?? zero),
        },
      ]
    } else {
      const titles = await source.titles(from, to, q.customer_id)
      columns = [
        'Title',
        'Publisher',
        'Publisher_ID',
        'Platform',
        'DOI',
        'Proprietary_ID',
        'ISBN',
        'Print_ISSN',
        'Online_ISSN',
        'URI',
        'YOP',
        'Data_Type',
      ]
      rows = titles.map((t) => {
        const idOf = (type: string) => t.identifiers.find((i) => i.Type === type)?.Value ?? ''
        return {
          attrs: {
            Title: t.title,
            Item_ID: t.identifiers,
            Platform: source.platform,
            Publisher: t.publisher,
            Publisher_ID: [],
            Data_Type: t.dataType,
            YOP: t.yop,
            Access_Type: 'Controlled',
            Access_Method: 'Regular',
          },
          cells: [
            t.title,
            t.publisher,
            '',
            source.platform,
            idOf('DOI'),
            idOf('Proprietary'),
            idOf('ISBN'),
            idOf('Print_ISSN'),
            idOf('Online_ISSN'),
            '',
            t.yop,
            t.dataType,
          ],
          perMonth: months.map((m) => t.perMonth.get(m.begin.slice(0, 7)) ?? zero),
        }
      })
    }
    const used = rows.some((r) => r.perMonth.some((pm) => metrics.some((m) => pm[m] > 0)))
    if (!used) exceptions.push(exception(3030, 'No Usage Available for Requested Dates'))
    const header: ReportHeader = {
      Created: new Date(deps.now()).toISOString(),
      Created_By: `Shulin ${deps.version}`,
      Customer_ID: q.customer_id ?? institution.id,
      Report_ID: id,
      Release: '5',
      Report_Name: sushiReports[id].name,
      Institution_Name: institution.name,
      Institution_ID: [{ Type: 'Proprietary', Value: `shulin:${institution.id}` }],
      Report_Filters: [
        { Name: 'Begin_Date', Value: from },
        { Name: 'End_Date', Value: to },
        { Name: 'Metric_Type', Value: metrics.join('|') },
      ],
      Report_Attributes: [{ Name: 'Granularity', Value: 'Month' }],
      ...(exceptions.length ? { Exceptions: exceptions } : {}),
    }
    const tsv = q.format === 'tsv' || (!q.format && /text\/tab-separated-values/.test(c.req.header('accept') ?? ''))
    if (tsv) {
      return c.body(sushiTsv(header, columns, rows, metrics, months), 200, {
        'content-type': 'text/tab-separated-values; charset=utf-8',
        'content-disposition': `attachment; filename="${id}_${from}_${to}.tsv"`,
      })
    }
    return c.json(sushiJson(header, rows, metrics, months))
  }
}

const zero: MetricCounts = Object.fromEntries(
  [...counterMetrics, 'Sign_Ins', 'Registrations'].map((m) => [m, 0]),
) as MetricCounts
