/**
 * A COUNTER API (SUSHI) Release 5.1 harvester, written for the tests from the COUNTER Code of
 * Practice 5.1 and its API specification alone — it imports nothing of Shulin's, so what it
 * accepts is what the standard says, not what the node's own types say. It does what a
 * library's ERM or a consortium's usage service does: checks `/status`, reads `/reports`,
 * fetches each report as JSON and as TSV with `customer_id`, `requestor_id` and `api_key`, and
 * turns both into the same (item, metric, month, count) rows.
 */
import { z } from 'zod'

export interface Credentials {
  customer_id: string
  requestor_id: string
  api_key: string
}

/** COUNTER 5.1 Appendix D: an exception (Severity was dropped in 5.1). */
const Exception = z.strictObject({
  Code: z.number().int().nonnegative(),
  Message: z.string().min(2),
  Help_URL: z.string().optional(),
  Data: z.string().optional(),
})

const Status = z
  .array(
    z.object({
      Description: z.string().optional(),
      Service_Active: z.boolean(),
      Registry_URL: z.string().optional(),
      Note: z.string().optional(),
    }),
  )
  .min(1)

const ReportList = z.array(
  z.object({
    Report_Name: z.string(),
    Report_ID: z.string().regex(/^[A-Z]{2}(_[A-Z]\d)?$/),
    Release: z.literal('5.1'),
    Report_Description: z.string(),
    Path: z.string().optional(),
  }),
)

const yyyyMm = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/)
/** `Performance`: metric → month (yyyy-mm) → a positive count (zero months are left out). */
const Performance = z.record(z.string(), z.record(yyyyMm, z.number().int().positive()))

const Header = z.object({
  Release: z.literal('5.1'),
  Report_ID: z.string(),
  Report_Name: z.string(),
  Created: z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/),
  Created_By: z.string(),
  Institution_Name: z.string(),
  Institution_ID: z.record(z.enum(['ISIL', 'ISNI', 'OCLC', 'ROR']).or(z.string()), z.array(z.string())).optional(),
  Customer_ID: z.string().optional(),
  Registry_Record: z.string(),
  Report_Filters: z.object({ Begin_Date: z.iso.date(), End_Date: z.iso.date() }).loose(),
  Report_Attributes: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
  Exceptions: z.array(Exception).optional(),
})

const AttributePerformance = z
  .object({
    Data_Type: z.string().optional(),
    YOP: z
      .string()
      .regex(/^\d{4}$/)
      .optional(),
    Access_Type: z.string().optional(),
    Access_Method: z.enum(['Regular', 'TDM']).optional(),
    Performance,
  })
  .strict()

const PlatformReport = z.strictObject({
  Report_Header: Header.extend({ Report_ID: z.literal('PR') }),
  Report_Items: z.array(z.strictObject({ Platform: z.string(), Attribute_Performance: z.array(AttributePerformance) })),
})

const TitleReport = z.strictObject({
  Report_Header: Header.extend({ Report_ID: z.literal('TR') }),
  Report_Items: z.array(
    z.strictObject({
      Title: z.string(),
      Item_ID: z
        .object({
          DOI: z.string().optional(),
          Proprietary: z
            .string()
            .regex(/^[^:]+:.+$/)
            .optional(),
          ISBN: z.string().optional(),
          Print_ISSN: z.string().optional(),
          Online_ISSN: z.string().optional(),
          URI: z.string().optional(),
        })
        .strict(),
      Platform: z.string(),
      Publisher: z.string(),
      Publisher_ID: z.record(z.string(), z.array(z.string())).optional(),
      Attribute_Performance: z.array(AttributePerformance),
    }),
  ),
})

/** One figure of a report, however it was delivered. */
export interface Figure {
  item: string
  metric: string
  month: string
  count: number
}

export type Harvested =
  | { ok: true; header: z.infer<typeof Header>; figures: Figure[]; raw: unknown }
  | { ok: false; status: number; exception: z.infer<typeof Exception> }

const tsvMonths: Record<string, string> = {
  Jan: '01',
  Feb: '02',
  Mar: '03',
  Apr: '04',
  May: '05',
  Jun: '06',
  Jul: '07',
  Aug: '08',
  Sep: '09',
  Oct: '10',
  Nov: '11',
  Dec: '12',
}

/** The 13 header names of a 5.1 tabular report, in their order (Code of Practice 3.2.1). */
export const tsvHeaderNames = [
  'Report_Name',
  'Report_ID',
  'Release',
  'Institution_Name',
  'Institution_ID',
  'Metric_Types',
  'Report_Filters',
  'Report_Attributes',
  'Exceptions',
  'Reporting_Period',
  'Created',
  'Created_By',
  'Registry_Record',
]

export class Harvester {
  constructor(
    readonly baseUrl: string,
    readonly credentials: Credentials,
  ) {}

  #url(path: string, params: Record<string, string> = {}): string {
    const q = new URLSearchParams({ ...this.credentials, ...params })
    return `${this.baseUrl}${path}?${q}`
  }

  async status(): Promise<z.infer<typeof Status>> {
    // Release 5.1: the status path needs no credentials.
    const res = await fetch(`${this.baseUrl}/status`, { signal: AbortSignal.timeout(10_000) })
    if (!res.ok) throw new Error(`status: HTTP ${res.status}`)
    return Status.parse(await res.json())
  }

  async reports(): Promise<z.infer<typeof ReportList>> {
    const res = await fetch(this.#url('/reports'), { signal: AbortSignal.timeout(10_000) })
    if (!res.ok) throw new Error(`reports: HTTP ${res.status} ${await res.text()}`)
    return ReportList.parse(await res.json())
  }

  /** A report as JSON, checked against the 5.1 layout, flattened to figures. */
  async json(id: 'pr' | 'tr', params: Record<string, string>): Promise<Harvested> {
    const res = await fetch(this.#url(`/reports/${id}`, params), { signal: AbortSignal.timeout(10_000) })
    const body: unknown = await res.json()
    if (res.status !== 200) return { ok: false, status: res.status, exception: Exception.parse(body) }
    const figures: Figure[] = []
    if (id === 'pr') {
      const report = PlatformReport.parse(body)
      for (const item of report.Report_Items) collect(figures, item.Platform, item.Attribute_Performance)
      return { ok: true, header: report.Report_Header, figures, raw: body }
    }
    const report = TitleReport.parse(body)
    for (const item of report.Report_Items) collect(figures, item.Title, item.Attribute_Performance)
    return { ok: true, header: report.Report_Header, figures, raw: body }
  }

  /** The same report as TSV: the 13 header rows, a blank row, then the table. */
  async tsv(
    id: 'pr' | 'tr',
    params: Record<string, string>,
  ): Promise<{ header: Map<string, string>; figures: Figure[] }> {
    const res = await fetch(this.#url(`/reports/${id}`, { ...params, format: 'tsv' }), {
      signal: AbortSignal.timeout(10_000),
    })
    if (!/^text\/tab-separated-values/.test(res.headers.get('content-type') ?? ''))
      throw new Error(`tsv: content-type ${res.headers.get('content-type')}`)
    const lines = (await res.text()).replace(/\r?\n$/, '').split(/\r?\n/)
    const header = new Map<string, string>()
    tsvHeaderNames.forEach((name, i) => {
      const [key, value = ''] = lines[i]!.split('\t')
      if (key !== name) throw new Error(`tsv: row ${i + 1} is ${key}, not ${name}`)
      header.set(key, value)
    })
    if (lines[13] !== '') throw new Error('tsv: row 14 is not blank')
    const columns = lines[14]!.split('\t')
    const metricAt = columns.indexOf('Metric_Type')
    if (metricAt < 1 || columns[metricAt + 1] !== 'Reporting_Period_Total')
      throw new Error('tsv: no Metric_Type column')
    const months = columns.slice(metricAt + 2).map((m) => {
      const [mon, year] = m.split('-')
      if (!mon || !tsvMonths[mon] || !/^\d{4}$/.test(year ?? '')) throw new Error(`tsv: month column ${m}`)
      return `${year}-${tsvMonths[mon]}`
    })
    const figures: Figure[] = []
    for (const line of lines.slice(15)) {
      const cells = line.split('\t')
      const counts = cells.slice(metricAt + 2).map(Number)
      if (counts.reduce((a, b) => a + b, 0) !== Number(cells[metricAt + 1]))
        throw new Error(`tsv: Reporting_Period_Total does not add up in ${line}`)
      counts.forEach((count, i) => {
        if (count > 0) figures.push({ item: cells[0]!, metric: cells[metricAt]!, month: months[i]!, count })
      })
    }
    return { header, figures }
  }
}

function collect(out: Figure[], item: string, performances: Array<z.infer<typeof AttributePerformance>>): void {
  for (const ap of performances)
    for (const [metric, byMonth] of Object.entries(ap.Performance))
      for (const [month, count] of Object.entries(byMonth)) out.push({ item, metric, month, count })
}

/** Figures in one order, to compare two deliveries of the same report. */
export const sorted = (figures: Figure[]) =>
  [...figures].sort((a, b) => `${a.item}\0${a.metric}\0${a.month}`.localeCompare(`${b.item}\0${b.metric}\0${b.month}`))
