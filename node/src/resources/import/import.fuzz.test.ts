/**
 * Fuzzing the import readers (JSON Lines, CSV, MARC in ISO 2709 and MARCXML) and the import run
 * behind them, on a real LevelDB. Valid files made wrong — bytes flipped, cut, inserted, leader
 * and directory numbers blown up — arrive in chunks split anywhere. Whatever the file: each
 * unit is a record or a refusal with a reason a librarian can read, record numbers count up,
 * the counts add up, and a run that took nothing stored nothing.
 */
import { Readable } from 'node:stream'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStorage, type Storage } from '../../storage/db.js'
import { tempDir } from '../../testing/temp-node.js'
import { ResourceService } from '../service.js'
import { readImport, ImportOptions } from './formats.js'
import { runImport } from './runner.js'
import type { ImportItem } from './source.js'
import { dumpLevel, fc, fuzzParams, mutatedBytes } from '../../../../test/fuzz/fuzz.js'

type Field = [string, string] | [string, string, Array<[string, string]>]

/** A record in ISO 2709 (UTF-8), the way an ILS exports one. */
function iso2709(fields: Field[]): Buffer {
  const bodies = fields.map((f) =>
    Buffer.from(f.length === 2 ? f[1] + '\x1e' : f[1] + f[2].map(([c, v]) => `\x1f${c}${v}`).join('') + '\x1e'),
  )
  let offset = 0
  const dir = fields.map((f, i) => {
    const e = f[0] + String(bodies[i]!.length).padStart(4, '0') + String(offset).padStart(5, '0')
    offset += bodies[i]!.length
    return e
  })
  const directory = Buffer.from(dir.join('') + '\x1e')
  const base = 24 + directory.length
  const leader = Buffer.from(
    String(base + offset + 1).padStart(5, '0') + 'nam  22' + String(base).padStart(5, '0') + '   4500',
  )
  return Buffer.concat([leader, directory, ...bodies, Buffer.from('\x1d')])
}

const files: Record<'jsonl' | 'csv' | 'marc' | 'marcxml', Uint8Array[]> = {
  jsonl: [
    Buffer.from(
      '{"title":"红楼梦","creators":["曹雪芹"],"identifiers":["ISBN 9787020002207"]}\n\n{"title":"论语","type":"book"}\r\n{"title":"x","extent":{"pages":3}}\n',
    ),
  ],
  csv: [
    Buffer.from(
      '题名,责任者,ISBN,页数\n红楼梦,曹雪芹;高鹗,9787020002207,1606\n"论语, 注疏",孔子,,\n新樂府\t賣炭翁,白居易,,12\n',
    ),
  ],
  marc: [
    Buffer.concat([
      iso2709([
        ['001', 'CN0001'],
        ['010', '  ', [['a', '978-7-02-000220-7']]],
        [
          '200',
          '1 ',
          [
            ['a', '红楼梦'],
            ['f', '曹雪芹著'],
          ],
        ],
        ['215', '  ', [['a', '1606页']]],
      ]),
      iso2709([
        ['008', '960101s1996    cc            000 1 eng d'],
        ['020', '  ', [['a', '9780140449129 (pbk.)']]],
        [
          '245',
          '10',
          [
            ['a', 'The analects /'],
            ['c', 'translated by D.C. Lau.'],
          ],
        ],
      ]),
    ]),
  ],
  marcxml: [
    Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>
<marc:collection xmlns:marc="http://www.loc.gov/MARC21/slim">
 <marc:record><marc:leader>00000nam a2200000 a 4500</marc:leader>
  <marc:datafield tag="245" ind1="1" ind2="0"><marc:subfield code="a">Tao te ching /</marc:subfield></marc:datafield>
  <marc:controlfield tag="001">US01</marc:controlfield>
 </marc:record>
 <record><leader>00000nam a2200000 a 4500</leader>
  <datafield tag="200" ind1="1" ind2=" "><subfield code="a">道德经</subfield></datafield>
 </record>
</marc:collection>`),
  ],
}
const options: Record<keyof typeof files, ImportOptions> = {
  jsonl: ImportOptions.parse({ format: 'jsonl' }),
  csv: ImportOptions.parse({ format: 'csv', map: 'title=题名,creators=责任者,identifiers=ISBN,pages=页数' }),
  marc: ImportOptions.parse({ format: 'marc' }),
  marcxml: ImportOptions.parse({ format: 'marcxml' }),
}

/** The file in chunks cut at the given fractions (a multi-byte character or a record may straddle two). */
const chunked = (bytes: Uint8Array, cuts: number[]) => {
  const at = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))].sort((a, b) => a - b)
  const out: Buffer[] = []
  let from = 0
  for (const c of [...at, bytes.length]) {
    if (c > from) out.push(Buffer.from(bytes.subarray(from, c)))
    from = c
  }
  return out
}

/** What a person can act on: no engine messages about undefined properties. */
const readable = (reason: string) =>
  reason.length > 0 && !/Cannot read prop|is not a function|is not iterable|\[object /.test(reason)

async function readAll(format: keyof typeof files, chunks: Buffer[]): Promise<ImportItem[]> {
  const items: ImportItem[] = []
  for await (const item of readImport(Readable.from(chunks), options[format])) items.push(item)
  return items
}

describe('import readers fuzz', () => {
  let dir: string
  let storage: Storage
  let resources: ResourceService

  beforeAll(async () => {
    dir = await tempDir('shulin-import-fuzz-')
    storage = await openStorage(join(dir, 'db'), { create: true, dataDir: dir })
    resources = new ResourceService({ storage, nodeId: '12D3KooWHub1111111111111111111111111111111111111111' })
  })
  afterAll(async () => {
    await storage.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('the valid files read as records (the base the fuzzing mutates)', async () => {
    for (const format of Object.keys(files) as Array<keyof typeof files>) {
      const items = await readAll(format, [Buffer.from(files[format][0]!)])
      expect(items.filter((i) => 'value' in i).length, format).toBeGreaterThanOrEqual(2)
    }
  })

  it('MARCXML: a record whose </leader> is lost is refused, and the records after it still read', async () => {
    // The parser used before started over from the first byte for ever here, until out of memory.
    const xml = files.marcxml[0]!.toString().replace('4500</marc:leader>', '4500>')
    const items = await readAll('marcxml', [Buffer.from(xml)])
    expect(items[0]).toMatchObject({ n: 1, error: expect.stringMatching(/^MARCXML record 1: not well-formed XML/) })
    expect(items[1]).toMatchObject({ n: 2, value: { title: '道德经' } })
  })

  it('CSV: a small UTF-8 file whose last row ends in a Chinese character and an empty cell is read as UTF-8', async () => {
    // Its last 4 bytes were cut off before the encoding check, splitting 子: it was read as GB18030.
    const items = await readAll('csv', [Buffer.from('题名,责任者,ISBN,页数\n道德经,老子,,\n')])
    expect(items).toEqual([{ n: 2, value: { title: '道德经', creators: ['老子'] } }])
  })

  it('CSV: refusals come in file order, even when csv-parse reports a bad row before the rows above it', async () => {
    const rows = '红楼梦,曹雪芹,,\n论语,"孔子"x,,\n道德经,老子,,\n'
    const items = await readAll('csv', [Buffer.from('题名,责任者,ISBN,页数\n' + rows)])
    expect(items.map((i) => i.n)).toEqual([2, 3, 4])
    expect(items[1]).toMatchObject({ n: 3, error: expect.stringMatching(/^CSV: Invalid Closing Quote/) })
    // The case fuzzing found: a header without the mapped columns ends the file at line 1.
    expect((await readAll('csv', [Buffer.from('书名,作者,ISBN,页数\n' + rows)])).map((i) => i.n)).toEqual([1])
  })

  for (const format of Object.keys(files) as Array<keyof typeof files>) {
    it(`${format}: any file, in chunks cut anywhere: records or readable refusals, numbered in order, counts that add up, nothing stored when nothing is taken`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            { arbitrary: mutatedBytes(files[format]), weight: 4 },
            { arbitrary: fc.uint8Array({ maxLength: 300 }), weight: 1 },
          ),
          fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }),
          async (bytes, cuts) => {
            let items: ImportItem[]
            try {
              items = await readAll(format, chunked(bytes, cuts))
            } catch (err) {
              // A whole file refused: with a reason, never an engine error.
              expect(err).not.toBeInstanceOf(TypeError)
              expect(err).not.toBeInstanceOf(RangeError)
              expect(readable((err as Error).message)).toBe(true)
              return
            }
            let last = 0
            for (const item of items) {
              expect(Number.isInteger(item.n) && item.n >= last, JSON.stringify(items).slice(0, 2000)).toBe(true)
              last = item.n
              if ('error' in item) expect(readable(item.error), item.error).toBe(true)
            }
            const before = await dumpLevel(storage.db)
            const report = await runImport(resources, items, { format: options[format].format })
            expect(report.created + report.updated + report.unchanged + report.rejected).toBe(report.total)
            for (const r of report.rejects) expect(readable(r.reason), r.reason).toBe(true)
            if (!report.created && !report.updated) expect(await dumpLevel(storage.db)).toEqual(before)
          },
        ),
        fuzzParams(150),
      )
    })
  }
})
