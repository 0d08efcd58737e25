import { describe, expect, it } from 'vitest'
import { aggregateDay, doubleClickFilter, localDay, type UsageEvent } from './counter.js'
import { brokenCounterRule } from './metrics.js'
import { deviceClass, isRobot } from './device.js'
import { Rollup } from './rollup.js'
import { monthsBetween, sushiJson, sushiTsv, type ReportHeader } from './sushi.js'

const t0 = Date.parse('2026-12-01T02:00:00Z') // 10:00 in Beijing
const ev = (over: Partial<UsageEvent>): UsageEvent => ({
  t: t0,
  k: 'view',
  s: 'S1',
  r: 'book',
  d: 'mobile',
  m: 'web',
  ...over,
})
const day = (events: UsageEvent[]) => aggregateDay('2026-12-01', events, { utcOffsetMinutes: 480 })

describe('COUNTER rules', () => {
  it('counts the same link clicked twice within 30 s once, and again after 30 s', () => {
    const d = day([ev({}), ev({ t: t0 + 10_000 }), ev({ t: t0 + 45_000 })])
    // 10 s then 35 s apart: the window slides from the second click, so the third is a new one.
    expect(d.totals.Total_Item_Investigations).toBe(2)
    expect(doubleClickFilter([ev({}), ev({ t: t0 + 29_000 }), ev({ t: t0 + 58_000 })])).toHaveLength(1)
  })

  it('filters double clicks per user and per item, not across them', () => {
    const d = day([ev({}), ev({ s: 'S2' }), ev({ r: 'other' })])
    expect(d.totals.Total_Item_Investigations).toBe(3)
  })

  it('counts uniques once per session, however often it comes back', () => {
    const d = day([
      ev({}),
      ev({ t: t0 + 3_600_000 }),
      ev({ k: 'content', t: t0 + 7_200_000 }),
      ev({ k: 'content', t: t0 + 9_000_000 }),
      ev({ s: 'S2', k: 'content' }),
    ])
    expect(d.totals).toMatchObject({
      Total_Item_Investigations: 5,
      Unique_Item_Investigations: 2,
      Total_Item_Requests: 3,
      Unique_Item_Requests: 2,
    })
  })

  it('makes every request an investigation, so requests are a subset of investigations', () => {
    const d = day([ev({ k: 'content' }), ev({ k: 'content', s: 'S2' })])
    expect(d.totals).toMatchObject({
      Total_Item_Investigations: 2,
      Total_Item_Requests: 2,
      Unique_Title_Investigations: 2,
      Unique_Title_Requests: 2,
    })
    expect(brokenCounterRule(d.totals)).toBeNull()
  })

  it('counts twelve chapters of one book as twelve unique items and one unique title', () => {
    const chapters = Array.from({ length: 12 }, (_, i) =>
      ev({ k: 'content', r: `ch${i}`, ti: 'book', t: t0 + i * 1000 }),
    )
    const d = day(chapters)
    expect(d.totals).toMatchObject({ Unique_Item_Requests: 12, Unique_Title_Requests: 1, Total_Item_Requests: 12 })
    expect(d.titles.book).toMatchObject({ Unique_Item_Requests: 12, Unique_Title_Requests: 1 })
  })

  it('counts searches, refusals, sign-ins and registrations, each sign-in however close', () => {
    const d = day([
      ev({ k: 'search', q: '李白', r: undefined }),
      ev({ k: 'search', q: '李白', r: undefined, t: t0 + 5000 }),
      ev({ k: 'search', q: '杜甫', r: undefined, z: true, t: t0 + 6000 }),
      ev({ k: 'no_license' }),
      ev({ k: 'sign_in', r: undefined }),
      ev({ k: 'sign_in', r: undefined, t: t0 + 1 }),
      ev({ k: 'registration', r: undefined }),
    ])
    expect(d.totals).toMatchObject({
      Searches_Regular: 2,
      Searches_Platform: 2,
      No_License: 1,
      Sign_Ins: 2,
      Registrations: 1,
      Total_Item_Investigations: 0,
    })
    expect(d.queries).toEqual([
      { q: '李白', n: 1 },
      { q: '杜甫', n: 1 },
    ])
    expect(d.zeroQueries).toEqual([{ q: '杜甫', n: 1 }])
  })

  it('puts activity in the local hour and splits it by device and access method', () => {
    const d = day([ev({}), ev({ s: 'S2', d: 'desktop', m: 'opds' })])
    expect(localDay(t0, 480)).toEqual({ day: '2026-12-01', hour: 10 })
    expect(d.hours[10]).toBe(2)
    expect(d.devices).toMatchObject({ mobile: 1, desktop: 1 })
    expect(d.methods).toMatchObject({ web: 1, opds: 1 })
  })
})

describe('devices', () => {
  it('tells phones, tablets, computers and robots apart', () => {
    expect(deviceClass('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 MicroMessenger/8.0')).toBe(
      'mobile',
    )
    expect(deviceClass('Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile Safari/537.36')).toBe('mobile')
    expect(deviceClass('Mozilla/5.0 (Linux; Android 13; SM-X710) Safari/537.36')).toBe('tablet')
    expect(deviceClass('Mozilla/5.0 (iPad; CPU OS 16_0 like Mac OS X)')).toBe('tablet')
    expect(deviceClass('Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120')).toBe('desktop')
    expect(deviceClass('KOReader/2024.04')).toBe('other')
    expect(isRobot('Mozilla/5.0 (compatible; Googlebot/2.1)')).toBe(true)
    expect(isRobot('Mozilla/5.0 (iPhone) Mobile')).toBe(false)
  })
})

describe('roll-ups', () => {
  const base = {
    v: 1,
    node: '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo',
    day: '2026-12-01',
    revision: 1,
    generatedAt: '2026-12-02T00:00:00.000Z',
    totals: day([ev({ k: 'content' })]).totals,
    hours: new Array(24).fill(0),
    devices: { mobile: 1, tablet: 0, desktop: 0, other: 0 },
    methods: { web: 1, opds: 0, api: 0 },
    top: [],
  }
  it('refuses negative counts, impossible days and broken COUNTER rules', () => {
    expect(Rollup.safeParse(base).success).toBe(true)
    expect(Rollup.safeParse({ ...base, totals: { ...base.totals, Sign_Ins: -1 } }).success).toBe(false)
    expect(Rollup.safeParse({ ...base, day: '2026-02-30' }).success).toBe(false)
    expect(Rollup.safeParse({ ...base, totals: { ...base.totals, Total_Item_Requests: 5 } }).success).toBe(false)
    expect(Rollup.safeParse({ ...base, extra: 1 }).success).toBe(false)
  })
})

describe('SUSHI shapes', () => {
  const header: ReportHeader = {
    Created: '2026-12-01T00:00:00Z',
    Created_By: 'Shulin',
    Customer_ID: 'x',
    Report_ID: 'PR',
    Release: '5',
    Report_Name: 'Platform Master Report',
    Institution_Name: '临安县图书馆',
    Institution_ID: [{ Type: 'Proprietary', Value: 'shulin:x' }],
    Report_Filters: [
      { Name: 'Begin_Date', Value: '2026-10-01' },
      { Name: 'End_Date', Value: '2026-11-30' },
    ],
    Report_Attributes: [],
  }
  const counts = day([ev({ k: 'content' })]).totals
  const zero = day([]).totals
  it('reports whole months, leaves out zero counts, and writes the same figures as TSV', () => {
    const months = monthsBetween('2026-10', '2026-11-30')
    expect(months).toEqual([
      { begin: '2026-10-01', end: '2026-10-31' },
      { begin: '2026-11-01', end: '2026-11-30' },
    ])
    const rows = [{ attrs: { Platform: 'shulin' }, cells: ['shulin'], perMonth: [zero, counts] }]
    const json = sushiJson(header, rows, ['Total_Item_Requests', 'Searches_Platform'], months)
    expect(json.Report_Items[0]!.Performance).toEqual([
      {
        Period: { Begin_Date: '2026-11-01', End_Date: '2026-11-30' },
        Instance: [{ Metric_Type: 'Total_Item_Requests', Count: 1 }],
      },
    ])
    const tsv = sushiTsv(header, ['Platform'], rows, ['Total_Item_Requests', 'Searches_Platform'], months).split('\r\n')
    expect(tsv[0]).toBe('Report_Name\tPlatform Master Report')
    expect(tsv[9]).toBe('Reporting_Period\tBegin_Date=2026-10-01; End_Date=2026-11-30')
    expect(tsv[12]).toBe('')
    expect(tsv[13]).toBe('Platform\tMetric_Type\tReporting_Period_Total\tOct-2026\tNov-2026')
    expect(tsv[14]).toBe('shulin\tTotal_Item_Requests\t1\t0\t1')
    expect(tsv).toHaveLength(16)
  })
})
