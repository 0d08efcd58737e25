/**
 * Fuzzing the reader import (`POST /api/staff/readers/import`) on a running node: an ILS export
 * made wrong — bytes flipped, cut or inserted, quotes unbalanced, columns missing, not UTF-8 —
 * gets a report whose counts match the readers the node then has, or a 4xx problem saying why
 * (never a 500), and nothing is created by a refused file. The node keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ReaderImportReport } from '@shulin/protocol'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../testing/temp-node.js'
import { fc, fuzzParams, mutatedBytes } from '../../../test/fuzz/fuzz.js'

const files = [
  Buffer.from('读者证号,姓名,手机号\nA0001,张三,13800138000\nA0002,李四,\n"A0003","王 五",139-0013-9000\n'),
  Buffer.from('\ufeffcardNo,name,phone\r\nB0001,Zhang San,13800138001\r\nB0002,"Li, Si",\r\n'),
]

describe('reader import fuzz', () => {
  let t: TempNode
  let staff: Client

  beforeAll(async () => {
    t = await startTempNode()
    staff = await signedInAdmin(t)
  })
  afterAll(() => t?.close())

  async function readers(): Promise<number> {
    let n = 0
    let cursor: string | null = null
    do {
      const r: { status: number; body: { readers: unknown[]; nextCursor: string | null } } = await staff.get(
        `/api/staff/readers?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      )
      expect(r.status).toBe(200)
      n += r.body.readers.length
      cursor = r.body.nextCursor
    } while (cursor)
    return n
  }

  it(
    'any CSV: a report that matches what was stored, or a 4xx problem and nothing stored',
    { timeout: 60_000 },
    async () => {
      const seen = { reports: 0, refusals: 0 }
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            { arbitrary: mutatedBytes(files), weight: 4 },
            { arbitrary: fc.uint8Array({ maxLength: 200 }), weight: 1 },
          ),
          async (bytes) => {
            const before = await readers()
            const res = await staff.post('/api/staff/readers/import', bytes, { 'content-type': 'text/csv' })
            expect(res.status, JSON.stringify(res.body)).toBeLessThan(500)
            if (res.status === 200) {
              seen.reports++
              const report = ReaderImportReport.parse(res.body)
              expect(await readers()).toBe(before + report.created)
              for (const r of report.rejected) expect(r.reason.length).toBeGreaterThan(0)
            } else {
              seen.refusals++
              expect(res.status).toBeGreaterThanOrEqual(400)
              expect((res.body as { detail?: string; title?: string }).title).toBeTruthy()
              expect(await readers()).toBe(before)
            }
          },
        ),
        fuzzParams(80),
      )
      expect(seen.reports).toBeGreaterThan(10)
      expect(seen.refusals).toBeGreaterThan(5)
      expect(await readers()).toBeGreaterThan(0)
      expect((await fetch(`${t.node.url}/api/health`)).status).toBe(200)
    },
  )
})
