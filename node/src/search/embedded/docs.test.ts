import { describe, expect, it } from 'vitest'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { loadPinyin } from '../text/pinyin.js'
import { pinyinLine } from './docs.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const heapUsed = () => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

const chars = '春江花月夜山水风云明清秋雨长河落日孤烟西北高楼东南远望故人归去来兮'
const surnames = '李杜王白孟韩柳苏陆辛'

describe('document table rows', () => {
  it('keeps a pinyin line as one flat string, not a rope of its characters (~1 KB a record more)', async () => {
    await loadPinyin()
    let seed = 7
    const pick = (s: string) => s[(seed = (seed * 1103515245 + 12345) >>> 0) % s.length]!
    const records = Array.from({ length: 20_000 }, () => ({
      title: Array.from({ length: 5 + (seed % 3) }, () => pick(chars)).join(''),
      creator: pick(surnames) + pick(chars) + pick(chars),
    }))
    pinyinLine(records[0]!.title, [records[0]!.creator]) // the dictionary's own memory, before measuring
    const before = heapUsed()
    const lines = records.map((r) => pinyinLine(r.title, [r.creator]).text)
    const perLine = (heapUsed() - before) / lines.length
    const chars_ = lines.reduce((n, l) => n + l.length, 0) / lines.length
    expect(chars_).toBeGreaterThan(40)
    // A flat one-byte string of ~50 letters is under 100 bytes; the rope the old `+=` built was ~1,000.
    expect(perLine).toBeLessThan(400)
    expect(lines[0]).toMatch(/^\|[a-z]+\|[a-z]+\|[a-z]+\|[a-z]+$/)
  }, 60_000)
})
