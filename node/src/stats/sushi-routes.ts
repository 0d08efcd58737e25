/**
 * @module stats/sushi-routes
 * The COUNTER API (SUSHI) on a node and on the hub: `GET /sushi/r5/status` (public), `/reports`
 * (the list), `/reports/pr` and `/reports/tr`, and `/members` at the hub — the same under
 * `/sushi/r51/`, the base path COUNTER gives Release 5.1. Harvesters send `customer_id`,
 * `requestor_id` and `api_key` (see ./sushi-credentials.ts); staff may use their session.
 * Release 5.1 is the default; `release=5` asks for the Release 5 layout (which harvesters
 * written for R5 read). Reports are JSON, or the COUNTER tabular form with `format=tsv` or
 * `Accept: text/tab-separated-values`. Dates are whole months (`2026-01` or full dates).
 * Refusals are COUNTER exceptions with their codes and HTTP statuses (Appendix D).
 */
import type { Context, Hono } from 'hono'
import { z } from 'zod'
import {
  addInto,
  counterMetrics,
  zeroCounts,
  monthsBetween,
  sushiJson,
  sushiJson51,
  sushiReports,
  sushiReports51,
  sushiTsv,
  sushiTsv51,
  type CounterMetric,
  type MetricCounts,
  type ReportHeader,
  type ReportHeader51,
  type SushiException,
  type SushiReportId,
  type SushiRow,
  type SushiRow51,
} from '@shulin/protocol'
import type { AppEnv } from '../http/env.js'
import type { AccessCheck } from '../http/api.js'
import { ProblemError } from '../http/problem.js'
import type { SushiCredentials } from './sushi-credentials.js'

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
  attributes_to_show: z.string().max(1000).optional(),
  customer_id: z.string().max(100).optional(),
  format: z.enum(['json', 'tsv']).optional(),
})

/** The parameters a report request may carry; any other is named in a 3050 exception. */
const knownParams = new Set([
  'begin_date',
  'end_date',
  'metric_type',
  'attributes_to_show',
  'customer_id',
  'requestor_id',
  'api_key',
  'platform',
  'format',
  'release',
])

/** Appendix D's messages, which must be sent exactly as written there. */
const messages = {
  1030: 'Insufficient Information to Process Request',
  2000: 'Requestor Not Authorized to Access Service',
  2010: 'Requestor is Not Authorized to Access Usage for Institution',
  2020: 'APIKey Invalid',
  3020: 'Invalid Date Arguments',
  3030: 'No Usage Available for Requested Dates',
  3031: 'Usage Not Ready for Requested Dates',
  3050: 'Parameter Not Recognized in this Context',
  3060: 'Invalid ReportFilter Value',
  3062: 'Invalid ReportAttribute Value',
} as const
type Code = keyof typeof messages
const statusOf: Partial<Record<Code, 400 | 401 | 403>> = { 1030: 400, 2000: 401, 2010: 403, 2020: 401, 3020: 400 }

type Release = '5' | '5.1'

/** An exception; Release 5 also carried a Severity, which 5.1 dropped. */
const exception = (release: Release, code: Code, Data?: string): SushiException => ({
  Code: code,
  ...(release === '5' ? { Severity: code >= 3000 ? 'Warning' : 'Error' } : {}),
  Message: messages[code],
  ...(Data ? { Data } : {}),
})

export function sushiRoutes(
  app: Hono<AppEnv>,
  deps: {
    source: SushiSource
    check: AccessCheck
    credentials: SushiCredentials
    now: () => number
    version: string
  },
): void {
  const { source } = deps
  const releaseOf = (c: Context<AppEnv>, base: string): Release =>
    base === '/sushi/r5' && /^5(\.0)?$/.test(c.req.query('release') ?? '') ? '5' : '5.1'
  const refuse = (c: Context<AppEnv>, release: Release, code: Code, data?: string) =>
    c.json(exception(release, code, data), statusOf[code] ?? 400)

  /**
   * Who is asking: a harvester by `requestor_id` + `api_key` for `customer_id`, or staff signed
   * in. Answers the refusal to send, or the institution the request may see.
   */
  async function authorize(
    c: Context<AppEnv>,
    release: Release,
  ): Promise<{ refused: Response } | { institution: { name: string; id: string }; customerId: string | undefined }> {
    const requestor = c.req.query('requestor_id')
    const key = c.req.query('api_key')
    const customerId = c.req.query('customer_id') || undefined
    if (requestor === undefined && key === undefined) {
      try {
        await deps.check(c, 'staff')
      } catch (err) {
        if (!(err instanceof ProblemError)) throw err
        return {
          refused: refuse(
            c,
            release,
            2000,
            'send requestor_id and api_key (made by staff in the console), or sign in as staff',
          ),
        }
      }
    } else {
      if (!requestor) return { refused: refuse(c, release, 1030, 'requestor_id is missing') }
      const verified = await deps.credentials.verify(requestor, key)
      if (!verified.ok)
        return {
          refused:
            verified.why === 'unknown-requestor'
              ? refuse(c, release, 2000, 'requestor_id is not known here (or was revoked)')
              : refuse(c, release, 2020, key ? 'api_key does not match requestor_id' : 'api_key is missing'),
        }
      if (!customerId) return { refused: refuse(c, release, 1030, 'customer_id is missing') }
    }
    const institution = await source.institution(customerId)
    if (!institution) return { refused: refuse(c, release, 2010, `customer_id ${customerId} is not known here`) }
    return { institution, customerId }
  }

  for (const base of ['/sushi/r5', '/sushi/r51']) {
    app.get(`${base}/status`, (c) => {
      const release = releaseOf(c, base)
      return c.json([
        {
          Description: `Shulin ${deps.version} COUNTER API (SUSHI), Release ${release}`,
          Service_Active: true,
          Registry_URL: '',
          Note: 'Reports: PR, TR; JSON or TSV (format=tsv); Release 5.1 by default, release=5 for Release 5',
          ...(release === '5' ? { Alerts: [] } : {}),
        },
      ])
    })
    app.get(`${base}/reports`, async (c) => {
      const release = releaseOf(c, base)
      const who = await authorize(c, release)
      if ('refused' in who) return who.refused
      return c.json(
        (Object.keys(sushiReports) as SushiReportId[]).map((id) => {
          const name = release === '5' ? sushiReports[id].name : sushiReports51[id].name
          return {
            Report_Name: name,
            Report_ID: id,
            Release: release,
            Report_Description: name,
            Path: `${base}/reports/${id.toLowerCase()}`,
          }
        }),
      )
    })
    if (source.members) {
      const members = source.members.bind(source)
      app.get(`${base}/members`, async (c) => {
        const release = releaseOf(c, base)
        const who = await authorize(c, release)
        if ('refused' in who) return who.refused
        const list = await members()
        if (release === '5') return c.json(list)
        return c.json(
          list.map((m) => ({
            Customer_ID: m.Customer_ID,
            Name: m.Name,
            Notes: m.Notes,
            Institution_ID: Object.fromEntries(m.Institution_ID.map((i) => [i.Type, [i.Value]])),
          })),
        )
      })
    }
    for (const id of Object.keys(sushiReports) as SushiReportId[]) {
      app.get(`${base}/reports/${id.toLowerCase()}`, async (c) => {
        const release = releaseOf(c, base)
        const who = await authorize(c, release)
        if ('refused' in who) return who.refused
        return report(c, id, release, who.institution, who.customerId)
      })
    }
  }

  // Any other path under the bases (a report not offered, `/members` on a library) is a 404, as
  // COUNTER asks for a wrong path — not the web UI's page.
  app.all('/sushi/*', () => {
    throw new ProblemError('not_found')
  })

  async function report(
    c: Context<AppEnv>,
    id: SushiReportId,
    release: Release,
    institution: { name: string; id: string },
    customerId: string | undefined,
  ): Promise<Response> {
    const parsed = ReportQuery.safeParse(c.req.query())
    const today = new Date(deps.now()).toISOString().slice(0, 10)
    if (!parsed.success) return refuse(c, release, 3020, parsed.error.issues[0]?.path.join('.'))
    const q = parsed.data
    // 5.1 makes both dates required (Appendix D: a missing one is 1030); Release 5 read this
    // year so far.
    if (release === '5.1' && (!q.begin_date || !q.end_date))
      return refuse(c, release, 1030, `${!q.begin_date ? 'begin_date' : 'end_date'} is missing`)
    const begin = (q.begin_date ?? `${today.slice(0, 4)}-01`).slice(0, 7)
    const end = (q.end_date ?? today).slice(0, 7)
    if (begin > end) return refuse(c, release, 3020, 'begin_date is after end_date')
    const months = monthsBetween(begin, end)
    const exceptions: SushiException[] = []
    const unknownParams = Object.keys(c.req.query()).filter((k) => !knownParams.has(k))
    if (unknownParams.length) exceptions.push(exception(release, 3050, unknownParams.join(', ')))
    const asked = q.metric_type?.split('|').filter(Boolean) ?? []
    const unknown = asked.filter((m) => !(sushiReports[id].metrics as readonly string[]).includes(m))
    if (unknown.length) exceptions.push(exception(release, 3060, `metric_type: ${unknown.join('|')}`))
    const metrics: CounterMetric[] = asked.length
      ? sushiReports[id].metrics.filter((m) => asked.includes(m))
      : [...sushiReports[id].metrics]
    const offered: readonly string[] = sushiReports51[id].attributes
    const shownAsked = q.attributes_to_show?.split('|').filter(Boolean) ?? []
    // Data_Type is always shown in 5.1: asking for it is no mistake.
    const badAttrs = shownAsked.filter((a) => !offered.includes(a) && a !== 'Data_Type')
    if (badAttrs.length) exceptions.push(exception(release, 3062, `attributes_to_show: ${badAttrs.join('|')}`))
    const shown = offered.filter((a) => shownAsked.includes(a))
    const from = months[0]!.begin
    const to = months.at(-1)!.end
    if (end >= today.slice(0, 7))
      exceptions.push(
        exception(
          release,
          3031,
          `usage is available up to ${today}; later days of ${today.slice(0, 7)} are not ready yet`,
        ),
      )
    const tsv = q.format === 'tsv' || (!q.format && /text\/tab-separated-values/.test(c.req.header('accept') ?? ''))
    const platformRows = async () => {
      const byMonth = await source.months(from, to, customerId)
      return [{ platform: source.platform, perMonth: months.map((m) => byMonth.get(m.begin.slice(0, 7)) ?? zero) }]
    }
    const titleRows = async () =>
      (await source.titles(from, to, customerId)).map((t) => ({
        title: t,
        attrs: {
          Data_Type: t.dataType,
          YOP: t.yop || '0001', // COUNTER's "unknown" year
          Access_Type: 'Controlled',
          Access_Method: 'Regular',
        } as Record<string, string>,
        perMonth: months.map((m) => t.perMonth.get(m.begin.slice(0, 7)) ?? zero),
      }))
    const idColumns = ['DOI', 'Proprietary_ID', 'ISBN', 'Print_ISSN', 'Online_ISSN', 'URI'] as const
    const idOf = (t: SushiTitle, type: string) =>
      t.identifiers.find((i) => i.Type === (type === 'Proprietary_ID' ? 'Proprietary' : type))?.Value ?? ''

    if (release === '5.1') {
      let columns: string[]
      let rows: SushiRow51[]
      if (id === 'PR') {
        columns = ['Platform', 'Data_Type', ...shown]
        // 5.1 breaks the platform down by Data_Type: searches are the platform's own ("Platform"),
        // item metrics come from the titles' figures by their types, and whatever the titles do
        // not account for (at the hub, titles outside the daily top lists) stays "Other" — so
        // the totals are exactly the platform's.
        const [platform] = await platformRows()
        const byType = new Map<string, MetricCounts[]>()
        const add = (type: string, i: number, counts: Partial<MetricCounts>) => {
          const per = byType.get(type) ?? months.map(() => zeroCounts())
          addInto(per[i]!, { ...zeroCounts(), ...counts })
          byType.set(type, per)
        }
        for (const t of await source.titles(from, to, customerId))
          months.forEach((m, i) => {
            const c = t.perMonth.get(m.begin.slice(0, 7))
            if (c) add(t.dataType, i, itemOnly(c))
          })
        platform!.perMonth.forEach((total, i) => {
          add('Platform', i, { Searches_Platform: total.Searches_Platform })
          const rest = itemOnly(total)
          for (const per of byType.values()) addInto(rest, itemOnly(per[i]!), -1)
          for (const k of Object.keys(rest) as CounterMetric[]) rest[k] = Math.max(0, rest[k] ?? 0)
          add('Other', i, rest)
        })
        rows = [...byType]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([type, perMonth]) => {
            const attrs: Record<string, string> = { Data_Type: type, Access_Method: 'Regular' }
            return {
              item: { Platform: platform!.platform },
              attrs: { Data_Type: type, ...Object.fromEntries(shown.map((a) => [a, attrs[a]!])) },
              cells: [platform!.platform, type, ...shown.map((a) => attrs[a]!)],
              perMonth,
            }
          })
      } else {
        columns = ['Title', 'Publisher', 'Publisher_ID', 'Platform', ...idColumns, 'Data_Type', ...shown]
        rows = (await titleRows()).map(({ title: t, attrs, perMonth }) => ({
          item: {
            Title: t.title,
            Item_ID: Object.fromEntries(t.identifiers.map((i) => [i.Type, i.Value])),
            Platform: source.platform,
            Publisher: t.publisher,
          },
          attrs: { Data_Type: t.dataType, ...Object.fromEntries(shown.map((a) => [a, attrs[a]!])) },
          cells: [
            t.title,
            t.publisher,
            '',
            source.platform,
            ...idColumns.map((k) => idOf(t, k)),
            t.dataType,
            ...shown.map((a) => attrs[a]!),
          ],
          perMonth,
        }))
      }
      const used = rows.some((r) => r.perMonth.some((pm) => metrics.some((m) => pm[m] > 0)))
      if (!used) exceptions.push(exception(release, 3030, `no usage from ${from} to ${to}`))
      const header: ReportHeader51 = {
        Release: '5.1',
        Report_ID: id,
        Report_Name: sushiReports51[id].name,
        Created: new Date(deps.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        Created_By: `Shulin ${deps.version}`,
        Institution_Name: institution.name,
        Institution_ID: { Proprietary: [`shulin:${institution.id}`] },
        Customer_ID: customerId ?? institution.id,
        // This platform has no record in the COUNTER Registry: the element is required, and empty.
        Registry_Record: '',
        Report_Filters: { Begin_Date: from, End_Date: to, ...(asked.length ? { Metric_Type: metrics } : {}) },
        ...(shown.length ? { Report_Attributes: { Attributes_To_Show: shown } } : {}),
        ...(exceptions.length ? { Exceptions: exceptions } : {}),
      }
      if (tsv) return tsvResponse(c, id, from, to, sushiTsv51(header, columns, rows, metrics, months))
      return c.json(sushiJson51(header, rows, metrics, months))
    }

    let columns: string[]
    let rows: SushiRow[]
    if (id === 'PR') {
      columns = ['Platform']
      rows = (await platformRows()).map((r) => ({
        attrs: { Platform: r.platform },
        cells: [r.platform],
        perMonth: r.perMonth,
      }))
    } else {
      columns = ['Title', 'Publisher', 'Publisher_ID', 'Platform', ...idColumns, 'Data_Type', 'YOP']
      rows = (await titleRows()).map(({ title: t, perMonth }) => ({
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
        cells: [t.title, t.publisher, '', source.platform, ...idColumns.map((k) => idOf(t, k)), t.dataType, t.yop],
        perMonth,
      }))
    }
    const used = rows.some((r) => r.perMonth.some((pm) => metrics.some((m) => pm[m] > 0)))
    if (!used) exceptions.push(exception(release, 3030))
    const header: ReportHeader = {
      Created: new Date(deps.now()).toISOString(),
      Created_By: `Shulin ${deps.version}`,
      Customer_ID: customerId ?? institution.id,
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
    if (tsv) return tsvResponse(c, id, from, to, sushiTsv(header, columns, rows, metrics, months))
    return c.json(sushiJson(header, rows, metrics, months))
  }
}

function tsvResponse(c: Context<AppEnv>, id: string, from: string, to: string, body: string): Response {
  return c.body(body, 200, {
    'content-type': 'text/tab-separated-values; charset=utf-8',
    'content-disposition': `attachment; filename="${id}_${from}_${to}.tsv"`,
  })
}

/** The counts of a platform's items (everything but searches, which belong to the platform). */
function itemOnly(c: Partial<MetricCounts>): MetricCounts {
  const out = zeroCounts()
  for (const m of counterMetrics) if (!m.startsWith('Searches_')) out[m] = c[m] ?? 0
  return out
}

const zero: MetricCounts = Object.fromEntries(
  [...counterMetrics, 'Sign_Ins', 'Registrations'].map((m) => [m, 0]),
) as MetricCounts
