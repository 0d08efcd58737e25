/**
 * @module stats/indicators
 * Per-member indicators for the annual assessment (绩效考核): a member's year in a few
 * figures, each scaled against the best member of the same level (a county library is measured
 * against counties, not against a provincial library), weighted by what the hub's operators
 * configure, and a score out of 100. Exported as CSV for the assessment spreadsheets.
 */
import { indicatorNames, Weights, type IndicatorName, type MemberEntry, type MemberIndicators } from '@shulin/protocol'
import type { YearAgg } from './hub-store.js'

export const defaultWeights: Weights = {
  requests: 35,
  investigations: 20,
  searches: 15,
  signIns: 10,
  registrations: 10,
  daysReported: 10,
}

function valuesOf(y: YearAgg | undefined): Record<IndicatorName, number> {
  const t = y?.totals
  return {
    requests: t?.Total_Item_Requests ?? 0,
    investigations: t?.Total_Item_Investigations ?? 0,
    searches: t?.Searches_Regular ?? 0,
    signIns: t?.Sign_Ins ?? 0,
    registrations: t?.Registrations ?? 0,
    daysReported: y?.days ?? 0,
  }
}

export function indicators(
  members: readonly MemberEntry[],
  years: ReadonlyMap<string, YearAgg>,
  weights: Weights,
): MemberIndicators[] {
  const rows = members.map((m) => ({ m, values: valuesOf(years.get(m.nodeId)), y: years.get(m.nodeId) }))
  const best = new Map<string, Record<IndicatorName, number>>()
  for (const r of rows) {
    const b =
      best.get(r.m.level) ?? (Object.fromEntries(indicatorNames.map((n) => [n, 0])) as Record<IndicatorName, number>)
    for (const n of indicatorNames) b[n] = Math.max(b[n], r.values[n])
    best.set(r.m.level, b)
  }
  return rows
    .map(({ m, values, y }) => {
      const b = best.get(m.level)!
      // A figure nobody of this level has yet (no registrations anywhere) costs nobody points.
      const counted = indicatorNames.filter((n) => b[n] > 0)
      const sum = counted.reduce((a, n) => a + weights[n], 0) || 1
      const score = counted.reduce((a, n) => a + (weights[n] * values[n]) / b[n], 0)
      return {
        nodeId: m.nodeId,
        name: m.name,
        region: m.region,
        level: m.level,
        status: m.status,
        values,
        score: Math.round((1000 * score) / sum) / 10,
        lastDay: y?.lastDay || null,
        lastReceivedAt: y?.lastReceivedAt || null,
      }
    })
    .sort((a, b) => b.score - a.score || a.name.localeCompare(b.name))
}

/** RFC 4180 CSV with a BOM, so spreadsheet programs read the Chinese names as UTF-8. */
export function indicatorsCsv(rows: readonly MemberIndicators[], year: string): string {
  const q = (v: string | number) => {
    const s = String(v)
    // A leading = + - @ would run as a formula in a spreadsheet.
    const safe = /^[=+\-@]/.test(s) && typeof v === 'string' ? `'${s}` : s
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
  }
  const head = [
    'year',
    'nodeId',
    'name',
    'region',
    'level',
    'status',
    ...indicatorNames,
    'score',
    'lastDay',
    'lastReceivedAt',
  ]
  const lines = rows.map((r) =>
    [
      year,
      r.nodeId,
      r.name,
      r.region,
      r.level,
      r.status,
      ...indicatorNames.map((n) => r.values[n]),
      r.score,
      r.lastDay ?? '',
      r.lastReceivedAt ?? '',
    ]
      .map(q)
      .join(','),
  )
  return '\uFEFF' + [head.join(','), ...lines].join('\r\n') + '\r\n'
}
