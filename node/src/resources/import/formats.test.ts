import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ImportRecord } from '@shulin/protocol'
import { readMarc } from './marc.js'
import { readCsv } from './csv.js'
import { parseMapping } from './csv-mapping.js'
import type { ImportItem } from './source.js'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../../testing/temp-node.js'

type Field = [string, string] | [string, string, Array<[string, string]>]

/** Encodes a record in ISO 2709 (UTF-8), the way an ILS exports one. */
function iso2709(fields: Field[], leaderTail = 'nam  22', leaderEnd = '   4500'): Buffer {
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
  const total = base + offset + 1
  const leader = Buffer.from(String(total).padStart(5, '0') + leaderTail + String(base).padStart(5, '0') + leaderEnd)
  return Buffer.concat([leader, directory, ...bodies, Buffer.from('\x1d')])
}

const collect = async (g: AsyncGenerator<ImportItem>) => {
  const out: ImportItem[] = []
  for await (const x of g) out.push(x)
  return out
}
const values = (items: ImportItem[]) => items.map((i) => ('value' in i ? ImportRecord.parse(i.value) : i))

const cnmarc = iso2709([
  ['001', 'CN0001'],
  [
    '010',
    '  ',
    [
      ['a', '978-7-02-000220-7'],
      ['d', 'CNY59.70'],
    ],
  ],
  ['101', '0 ', [['a', 'chi']]],
  [
    '200',
    '1 ',
    [
      ['a', '红楼梦'],
      ['f', '曹雪芹著'],
      ['e', '校注本'],
    ],
  ],
  [
    '210',
    '  ',
    [
      ['a', '北京'],
      ['c', '人民文学出版社'],
      ['d', '1996'],
    ],
  ],
  ['215', '  ', [['a', '1606页']]],
  ['606', '0 ', [['a', '章回小说']]],
  [
    '690',
    '  ',
    [
      ['a', 'I242.4'],
      ['v', '5'],
    ],
  ],
  ['701', ' 0', [['a', '高鹗']]],
])
const marc21 = iso2709([
  ['001', 'US0001'],
  ['008', '960101s1996    cc            000 1 eng d'],
  ['020', '  ', [['a', '9780140449129 (pbk.)']]],
  ['100', '1 ', [['a', 'Confucius.']]],
  [
    '245',
    '10',
    [
      ['a', 'The analects /'],
      ['c', 'translated by D.C. Lau.'],
    ],
  ],
  [
    '264',
    ' 1',
    [
      ['a', 'London :'],
      ['b', 'Penguin,'],
      ['c', '1979.'],
    ],
  ],
  ['300', '  ', [['a', '249 p. ;']]],
  ['650', ' 0', [['a', 'Philosophy, Chinese.']]],
  ['093', '  ', [['a', 'B222.2']]],
])

describe('MARC import reader', () => {
  it('maps CNMARC and MARC 21 records, telling them apart by their fields', async () => {
    const items = values(
      await collect(readMarc(Readable.from([Buffer.concat([cnmarc, marc21])]), { format: 'iso2709', flavour: 'auto' })),
    )
    expect(items[0]).toMatchObject({
      title: '红楼梦 : 校注本',
      creators: ['曹雪芹著', '高鹗'],
      subjects: ['章回小说'],
      identifiers: ['urn:isbn:9787020002207'],
      publisher: '人民文学出版社',
      date: '1996',
      language: 'zh',
      clc: 'I242.4',
      extent: { pages: 1606 },
    })
    expect(items[1]).toMatchObject({
      title: 'The analects',
      creators: ['Confucius'],
      identifiers: ['urn:isbn:9780140449129'],
      publisher: 'Penguin',
      date: '1979',
      language: 'en',
      clc: 'B222.2',
      extent: { pages: 249 },
    })
  })

  it('reports a broken leader and a truncated last record, and keeps the good ones', async () => {
    const broken = Buffer.from(cnmarc)
    broken.write('12a45', 0, 'latin1')
    // Split across chunks at awkward places, as a network stream would.
    const all = Buffer.concat([cnmarc, broken, marc21, cnmarc.subarray(0, 80)])
    const chunks = [all.subarray(0, 7), all.subarray(7, 300), all.subarray(300)]
    const items = await collect(readMarc(Readable.from(chunks), { format: 'iso2709' }))
    expect(items.map((i) => i.n)).toEqual([1, 2, 3, 4])
    expect('value' in items[0]!).toBe(true)
    expect((items[1] as { error: string }).error).toMatch(/digits/)
    expect('value' in items[2]!).toBe(true)
    expect((items[3] as { error: string }).error).toMatch(/ends in the middle/)
  })

  it('reads GB18030-encoded records (older Chinese catalogues)', async () => {
    // 红楼梦 in GB18030 is BA EC C2 A5 C3 CE: six bytes, as many as the placeholder.
    const rec = iso2709([['200', '1 ', [['a', 'XXXXXX']]]])
    const at = rec.indexOf('XXXXXX')
    const gb = Buffer.concat([
      rec.subarray(0, at),
      Buffer.from([0xba, 0xec, 0xc2, 0xa5, 0xc3, 0xce]),
      rec.subarray(at + 6),
    ])
    const items = values(await collect(readMarc(Readable.from([gb]), { format: 'iso2709', flavour: 'cnmarc' })))
    expect(items[0]).toMatchObject({ title: '红楼梦' })
  })

  it('reads MARCXML, with or without a namespace prefix', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<marc:collection xmlns:marc="http://www.loc.gov/MARC21/slim">
 <marc:record><marc:leader>00000nam a2200000 a 4500</marc:leader>
  <marc:datafield tag="245" ind1="1" ind2="0"><marc:subfield code="a">Tao te ching /</marc:subfield></marc:datafield>
  <marc:datafield tag="100" ind1="0" ind2=" "><marc:subfield code="a">Laozi.</marc:subfield></marc:datafield>
 </marc:record>
 <marc:record><marc:leader>00000nam a2200000 a 4500</marc:leader>
  <marc:datafield tag="200" ind1="1" ind2=" "><marc:subfield code="a">道德经</marc:subfield></marc:datafield>
  <marc:datafield tag="690" ind1=" " ind2=" "><marc:subfield code="a">B223.1</marc:subfield></marc:datafield>
 </marc:record>
 <marc:record><marc:leader>broken
</marc:collection>`
    const items = await collect(readMarc(Readable.from([Buffer.from(xml)]), { format: 'marcxml' }))
    expect(values(items.slice(0, 2))).toMatchObject([
      { title: 'Tao te ching', creators: ['Laozi'] },
      { title: '道德经', clc: 'B223.1' },
    ])
    expect((items[2] as { error: string }).error).toMatch(/middle of a record/)
  })
})

describe('CSV import reader', () => {
  const mapping = parseMapping('title=题名,creators=责任者,identifiers=ISBN,subjects=主题词,pages=页数')

  it('maps columns, splits lists, drops a BOM, reads GB18030', async () => {
    const text =
      '\ufeff题名,责任者,ISBN,主题词,页数\n水浒传,施耐庵；罗贯中,9787020008728,古典小说;英雄传奇,1200\n"三国,演义",罗贯中,,,\n'
    const items = values(await collect(readCsv(Readable.from([Buffer.from(text)]), { mapping })))
    expect(items[0]).toMatchObject({
      title: '水浒传',
      creators: ['施耐庵', '罗贯中'],
      subjects: ['古典小说', '英雄传奇'],
      identifiers: ['urn:isbn:9787020008728'],
      extent: { pages: 1200 },
    })
    expect(items[1]).toMatchObject({ title: '三国,演义', creators: ['罗贯中'] })
    // 题名 / 红楼梦 in GB18030, as Excel on Chinese Windows writes CSV.
    const gbk = Buffer.from([0xcc, 0xe2, 0xc3, 0xfb, 0x0a, 0xba, 0xec, 0xc2, 0xa5, 0xc3, 0xce, 0x0a])
    const gbItems = values(await collect(readCsv(Readable.from([gbk]), { mapping: { title: '题名' } })))
    expect(gbItems).toMatchObject([{ title: '红楼梦' }])
  })

  it('names a missing column, and refuses a bad mapping', async () => {
    const items = await collect(readCsv(Readable.from([Buffer.from('书名,作者\n红楼梦,曹雪芹\n')]), { mapping }))
    expect(items).toHaveLength(1)
    expect((items[0] as { error: string }).error).toMatch(/"题名" \(for title\)/)
    expect(() => parseMapping('titel=题名')).toThrow(/unknown field "titel"/)
    expect(() => parseMapping('creators=作者')).toThrow(/title/)
  })
})

describe('import API with every format', () => {
  let t: TempNode
  let staff: Client
  beforeAll(async () => {
    t = await startTempNode()
    staff = await signedInAdmin(t)
  })
  afterAll(() => t.close())

  it('imports CSV with a mapping, MARC and MARCXML; re-importing updates instead of duplicating', async () => {
    const csv = await staff.post(
      `/api/staff/resources/import?format=csv&map=${encodeURIComponent('title=题名,creators=责任者,identifiers=ISBN')}`,
      Buffer.from('题名,责任者,ISBN\n红楼梦,曹雪芹,9787020002207\n'),
      { 'content-type': 'text/csv' },
    )
    expect(csv.status).toBe(200)
    expect(csv.body).toMatchObject({ format: 'csv', created: 1, rejected: 0 })
    // The CNMARC record has the same ISBN: it updates the CSV one.
    const marc = await staff.post('/api/staff/resources/import?format=marc', Buffer.concat([cnmarc, marc21]), {
      'content-type': 'application/marc',
    })
    expect(marc.body).toMatchObject({ format: 'marc', total: 2, created: 1, updated: 1, rejected: 0 })
    const count = await staff.get('/api/staff/resources/count')
    expect(count.body.total).toBe(2)
    const noMap = await staff.post('/api/staff/resources/import?format=csv', Buffer.from('a\n'), {
      'content-type': 'text/csv',
    })
    expect(noMap.status).toBe(400)
    expect(noMap.body.detail).toMatch(/mapping/)
    const badFormat = await staff.post('/api/staff/resources/import?format=xls', Buffer.from('a'), {
      'content-type': 'text/csv',
    })
    expect(badFormat.status).toBe(400)
  })

  it('reads a Dublin Core type (DCMI term or common free text) as the node type, and still refuses an unknown one', async () => {
    const lines = [
      { title: '地方志', type: 'text' },
      { title: '评书', type: 'Sound' },
      { title: '纪录片', type: 'http://purl.org/dc/dcmitype/MovingImage' },
      { title: '老照片', type: '图片' },
      { title: '数据', type: 'Dataset' },
    ]
    const r = await staff.post(
      '/api/staff/resources/import?format=jsonl',
      Buffer.from(lines.map((l) => JSON.stringify(l)).join('\n')),
      { 'content-type': 'application/x-ndjson' },
    )
    expect(r.body).toMatchObject({ created: 4, rejected: 1, rejects: [{ n: 5 }] })
    expect(r.body.rejects[0].reason).toMatch(/^type:/)
    const counts = await staff.get('/api/staff/resources/count')
    expect(counts.body.byType).toMatchObject({ audiobook: 1, video: 1, 'image-set': 1 })
  })
})
