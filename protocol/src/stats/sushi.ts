/**
 * @module stats/sushi
 * COUNTER Release 5 reports as SUSHI answers them: the JSON shape (`Report_Header`,
 * `Report_Items` with monthly `Performance`) and the tabular TSV form (12 header rows, a
 * blank row, column headings, one row per item and metric). Both are built from the same
 * rows so they cannot disagree.
 */
import { z } from 'zod'
import { counterMetrics, type CounterMetric, type MetricCounts } from './metrics.js'

export const sushiReports = {
  PR: {
    name: 'Platform Master Report',
    metrics: [
      'Searches_Platform',
      'Total_Item_Investigations',
      'Unique_Item_Investigations',
      'Unique_Title_Investigations',
      'Total_Item_Requests',
      'Unique_Item_Requests',
      'Unique_Title_Requests',
      'No_License',
      'Limit_Exceeded',
    ],
  },
  TR: {
    name: 'Title Master Report',
    metrics: [
      'Total_Item_Investigations',
      'Unique_Item_Investigations',
      'Unique_Title_Investigations',
      'Total_Item_Requests',
      'Unique_Item_Requests',
      'Unique_Title_Requests',
      'No_License',
      'Limit_Exceeded',
    ],
  },
} as const satisfies Record<string, { name: string; metrics: readonly CounterMetric[] }>
export type SushiReportId = keyof typeof sushiReports

const Name = z.strictObject({ Name: z.string(), Value: z.string() })
const TypedId = z.strictObject({ Type: z.string(), Value: z.string() })
export const SushiException = z.strictObject({
  Code: z.number().int(),
  Severity: z.string().optional(),
  Message: z.string(),
  Data: z.string().optional(),
})
export type SushiException = z.infer<typeof SushiException>
export const ReportHeader = z.strictObject({
  Created: z.iso.datetime(),
  Created_By: z.string(),
  Customer_ID: z.string(),
  Report_ID: z.string(),
  Release: z.literal('5'),
  Report_Name: z.string(),
  Institution_Name: z.string(),
  Institution_ID: z.array(TypedId),
  Report_Filters: z.array(Name),
  Report_Attributes: z.array(Name),
  Exceptions: z.array(SushiException).optional(),
})
export type ReportHeader = z.infer<typeof ReportHeader>
export const Performance = z.strictObject({
  Period: z.strictObject({ Begin_Date: z.iso.date(), End_Date: z.iso.date() }),
  Instance: z.array(z.strictObject({ Metric_Type: z.enum(counterMetrics), Count: z.number().int().positive() })),
})
export const SushiReport = z.strictObject({
  Report_Header: ReportHeader,
  Report_Items: z.array(z.looseObject({ Performance: z.array(Performance) })),
})
export type SushiReport = z.infer<typeof SushiReport>

/** A calendar month of the reporting period. */
export interface SushiMonth {
  begin: string
  end: string
}

/** One report item: its JSON attributes, its TSV leading cells, its counts per month. */
export interface SushiRow {
  attrs: Record<string, unknown>
  cells: string[]
  perMonth: MetricCounts[]
}

/** The months from `begin` to `end` (YYYY-MM or YYYY-MM-DD), whole months. */
export function monthsBetween(begin: string, end: string): SushiMonth[] {
  const out: SushiMonth[] = []
  let y = Number(begin.slice(0, 4))
  let m = Number(begin.slice(5, 7))
  const endKey = end.slice(0, 7)
  for (let i = 0; i < 600; i++) {
    const key = `${y}-${String(m).padStart(2, '0')}`
    if (key > endKey) break
    const last = new Date(Date.UTC(y, m, 0)).getUTCDate()
    out.push({ begin: `${key}-01`, end: `${key}-${String(last).padStart(2, '0')}` })
    if (++m > 12) ((m = 1), y++)
  }
  return out
}

export function sushiJson(
  header: ReportHeader,
  rows: readonly SushiRow[],
  metrics: readonly CounterMetric[],
  months: readonly SushiMonth[],
): SushiReport {
  return {
    Report_Header: header,
    Report_Items: rows.map((row) => ({
      ...row.attrs,
      Performance: months
        .map((month, i) => ({
          Period: { Begin_Date: month.begin, End_Date: month.end },
          // Zero counts are left out, as COUNTER's JSON does.
          Instance: metrics
            .filter((m) => (row.perMonth[i]?.[m] ?? 0) > 0)
            .map((m) => ({ Metric_Type: m, Count: row.perMonth[i]![m] })),
        }))
        .filter((p) => p.Instance.length > 0),
    })),
  }
}

const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const cell = (v: string) => v.replace(/[\t\r\n]+/g, ' ')
const names = (list: ReadonlyArray<{ Name: string; Value: string }>) =>
  list.map((f) => `${f.Name}=${f.Value}`).join('; ')

/** The COUNTER tabular form, tab-separated. */
export function sushiTsv(
  header: ReportHeader,
  columns: readonly string[],
  rows: readonly SushiRow[],
  metrics: readonly CounterMetric[],
  months: readonly SushiMonth[],
): string {
  const begin = header.Report_Filters.find((f) => f.Name === 'Begin_Date')?.Value ?? ''
  const end = header.Report_Filters.find((f) => f.Name === 'End_Date')?.Value ?? ''
  const lines: string[][] = [
    ['Report_Name', header.Report_Name],
    ['Report_ID', header.Report_ID],
    ['Release', header.Release],
    ['Institution_Name', header.Institution_Name],
    ['Institution_ID', header.Institution_ID.map((i) => `${i.Type}:${i.Value}`).join('; ')],
    ['Metric_Types', metrics.join('; ')],
    [
      'Report_Filters',
      names(
        header.Report_Filters.filter(
          (f) => f.Name !== 'Begin_Date' && f.Name !== 'End_Date' && f.Name !== 'Metric_Type',
        ),
      ),
    ],
    ['Report_Attributes', names(header.Report_Attributes)],
    [
      'Exceptions',
      (header.Exceptions ?? []).map((e) => `${e.Code}: ${e.Message}${e.Data ? ` (${e.Data})` : ''}`).join('; '),
    ],
    ['Reporting_Period', `Begin_Date=${begin}; End_Date=${end}`],
    ['Created', header.Created],
    ['Created_By', header.Created_By],
    [],
    [
      ...columns,
      'Metric_Type',
      'Reporting_Period_Total',
      ...months.map((m) => `${monthNames[Number(m.begin.slice(5, 7)) - 1]}-${m.begin.slice(0, 4)}`),
    ],
  ]
  for (const row of rows) {
    for (const metric of metrics) {
      const per = months.map((_, i) => row.perMonth[i]?.[metric] ?? 0)
      const total = per.reduce((a, b) => a + b, 0)
      if (total === 0) continue
      lines.push([...row.cells, metric, String(total), ...per.map(String)])
    }
  }
  return lines.map((l) => l.map(cell).join('\t')).join('\r\n') + '\r\n'
}

// ---------------------------------------------------------------------------------------------
// Release 5.1 (the current one): the header's filters and attributes are objects, identifiers
// are keyed by namespace, and each item's counts sit in `Attribute_Performance` — one entry per
// combination of the attributes shown, its `Performance` keyed by metric, then by month.
// ---------------------------------------------------------------------------------------------

export const sushiReports51 = {
  // Data_Type is always shown in 5.1; these are the attributes `attributes_to_show` may add.
  PR: { name: 'Platform Report', attributes: ['Access_Method'] },
  TR: { name: 'Title Report', attributes: ['YOP', 'Access_Type', 'Access_Method'] },
} as const satisfies Record<SushiReportId, { name: string; attributes: readonly string[] }>

export const ReportHeader51 = z.strictObject({
  Release: z.literal('5.1'),
  Report_ID: z.string(),
  Report_Name: z.string(),
  Created: z.iso.datetime(),
  Created_By: z.string(),
  Institution_Name: z.string(),
  Institution_ID: z.record(z.string(), z.array(z.string())),
  Customer_ID: z.string().optional(),
  Registry_Record: z.string(),
  Report_Filters: z
    .object({ Begin_Date: z.iso.date(), End_Date: z.iso.date() })
    .catchall(z.union([z.string(), z.array(z.string())])),
  Report_Attributes: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
  Exceptions: z.array(SushiException).optional(),
})
export type ReportHeader51 = z.infer<typeof ReportHeader51>

/** One 5.1 report item's row: its item elements, the shown attributes' values, its TSV cells. */
export interface SushiRow51 {
  item: Record<string, unknown>
  /** The values of the attributes shown (`Attributes_To_Show`), in their order. */
  attrs: Record<string, string>
  cells: string[]
  perMonth: MetricCounts[]
}

export function sushiJson51(
  header: ReportHeader51,
  rows: readonly SushiRow51[],
  metrics: readonly CounterMetric[],
  months: readonly SushiMonth[],
): { Report_Header: ReportHeader51; Report_Items: Array<Record<string, unknown>> } {
  // COUNTER's JSON is "minimal": rows of the same item (another Data_Type, say) share one
  // Report_Item, each with its own Attribute_Performance entry.
  const items = new Map<string, { item: Record<string, unknown>; perf: Array<Record<string, unknown>> }>()
  for (const row of rows) {
    const performance: Record<string, Record<string, number>> = {}
    for (const metric of metrics) {
      const byMonth: Record<string, number> = {}
      months.forEach((month, i) => {
        const n = row.perMonth[i]?.[metric] ?? 0
        // Zero counts are left out, as COUNTER's JSON does.
        if (n > 0) byMonth[month.begin.slice(0, 7)] = n
      })
      if (Object.keys(byMonth).length) performance[metric] = byMonth
    }
    // An item without usage is left out of JSON (as of TSV): the 3030 exception says why it is empty.
    if (!Object.keys(performance).length) continue
    const key = JSON.stringify(row.item)
    const entry = items.get(key) ?? { item: row.item, perf: [] }
    entry.perf.push({ ...row.attrs, Performance: performance })
    items.set(key, entry)
  }
  return {
    Report_Header: header,
    Report_Items: [...items.values()].map((e) => ({ ...e.item, Attribute_Performance: e.perf })),
  }
}

/** The 5.1 tabular form: 13 header rows, a blank row, the column headings, the rows. */
export function sushiTsv51(
  header: ReportHeader51,
  columns: readonly string[],
  rows: readonly SushiRow51[],
  metrics: readonly CounterMetric[],
  months: readonly SushiMonth[],
): string {
  const filters = Object.entries(header.Report_Filters).filter(
    ([name]) => name !== 'Begin_Date' && name !== 'End_Date' && name !== 'Metric_Type',
  )
  const pairs = (list: Array<[string, string | string[]]>) =>
    list.map(([name, v]) => `${name}=${Array.isArray(v) ? v.join('|') : v}`).join('; ')
  const lines: string[][] = [
    ['Report_Name', header.Report_Name],
    ['Report_ID', header.Report_ID],
    ['Release', header.Release],
    ['Institution_Name', header.Institution_Name],
    [
      'Institution_ID',
      Object.entries(header.Institution_ID)
        .map(([ns, v]) => `${ns}:${v.join('|')}`)
        .join('; '),
    ],
    ['Metric_Types', metrics.join('; ')],
    ['Report_Filters', pairs(filters)],
    ['Report_Attributes', pairs(Object.entries(header.Report_Attributes ?? {}))],
    [
      'Exceptions',
      (header.Exceptions ?? []).map((e) => `${e.Code}: ${e.Message}${e.Data ? ` (${e.Data})` : ''}`).join('; '),
    ],
    ['Reporting_Period', `Begin_Date=${header.Report_Filters.Begin_Date}; End_Date=${header.Report_Filters.End_Date}`],
    ['Created', header.Created],
    ['Created_By', header.Created_By],
    ['Registry_Record', header.Registry_Record],
    [],
    [
      ...columns,
      'Metric_Type',
      'Reporting_Period_Total',
      ...months.map((m) => `${monthNames[Number(m.begin.slice(5, 7)) - 1]}-${m.begin.slice(0, 4)}`),
    ],
  ]
  for (const row of rows) {
    for (const metric of metrics) {
      const per = months.map((_, i) => row.perMonth[i]?.[metric] ?? 0)
      const total = per.reduce((a, b) => a + b, 0)
      if (total === 0) continue
      lines.push([...row.cells, metric, String(total), ...per.map(String)])
    }
  }
  return lines.map((l) => l.map(cell).join('\t')).join('\r\n') + '\r\n'
}
