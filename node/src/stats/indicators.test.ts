import { describe, expect, it } from 'vitest'
import { Weights, zeroCounts, type MemberEntry } from '@shulin/protocol'
import { defaultWeights, indicators, indicatorsCsv } from './indicators.js'

const member = (nodeId: string, name: string, level: MemberEntry['level']): MemberEntry => ({
  nodeId,
  name,
  region: '330185',
  level,
  http: [],
  p2p: [],
  status: 'active',
  seq: 1,
  issuedAt: '2026-01-01T00:00:00Z',
})
const year = (requests: number, days: number) => ({
  totals: { ...zeroCounts(), Total_Item_Requests: requests, Searches_Regular: requests },
  days,
  lastDay: '2026-11-30',
  lastReceivedAt: '2026-12-01T00:00:00Z',
})

describe('assessment indicators', () => {
  it('scores each member against the best of its own level, by the operators’ weights', () => {
    const members = [
      member('a', '临安县图书馆', 'county'),
      member('b', '=HYPERLINK("x")', 'county'),
      member('c', '浙江图书馆', 'province'),
    ]
    const years = new Map([
      ['a', year(100, 300)],
      ['b', year(50, 300)],
      ['c', year(10, 150)],
    ])
    const rows = indicators(
      members,
      years,
      Weights.parse({
        ...defaultWeights,
        requests: 50,
        searches: 0,
        investigations: 0,
        signIns: 0,
        registrations: 0,
        daysReported: 50,
      }),
    )
    expect(rows.map((r) => [r.nodeId, r.score])).toEqual([
      ['a', 100],
      ['c', 100], // the only province: the best of its level
      ['b', 75],
    ])
    const csv = indicatorsCsv(rows, '2026').split('\r\n')
    expect(csv[0]!.startsWith('\uFEFFyear,nodeId,name')).toBe(true)
    // A name that would run as a spreadsheet formula is quoted as text.
    expect(csv[3]).toContain(`"'=HYPERLINK(""x"")"`)
    expect(() => Weights.parse({ ...defaultWeights, requests: -1 })).toThrow()
    expect(() => Weights.parse(Object.fromEntries(Object.keys(defaultWeights).map((k) => [k, 0])))).toThrow()
  })
})
