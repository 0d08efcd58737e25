/**
 * The search engine contract, run against every engine: the embedded one always, Meilisearch
 * when `MEILI_URL` (and `MEILI_KEY` if it needs one) points at a server. No Meilisearch server
 * can run on the build machines, so there that suite is skipped and says why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rm } from 'node:fs/promises'
import { tempDir } from '../testing/temp-node.js'
import type { SearchDocument, SearchEngine, SearchQuery } from './engine.js'
import { EmbeddedEngine } from './embedded/engine.js'

const doc = (id: string, title: string, extra: Partial<SearchDocument> = {}): SearchDocument => ({
  id,
  revision: 1,
  title,
  creators: [],
  subjects: [],
  description: '',
  other: [],
  type: 'book',
  language: 'zh',
  access: 'public',
  status: 'published',
  source: 'node-a',
  year: undefined,
  published: 0,
  popularity: 0,
  ...extra,
})

const docs = [
  doc('a', '靜夜思', { creators: ['李白'], description: '床前明月光，疑是地上霜。', year: 726, subjects: ['唐詩'] }),
  doc('b', '長恨歌', {
    creators: ['白居易'],
    description: '漢皇重色思傾國，御宇多年求不得。',
    year: 806,
    subjects: ['唐詩'],
    popularity: 5,
  }),
  doc('c', '水调歌头', {
    creators: ['苏轼'],
    description: '明月几时有，把酒问青天。',
    year: 1076,
    subjects: ['宋词'],
    type: 'audiobook',
    source: 'node-b',
  }),
  doc('d', '峯巒疊嶂', { creators: ['佚名'], description: '羣山之裏', year: 1900, access: 'node-readers' }),
  doc('e', '草稿', { status: 'draft' }),
]

const query = (q: string, more: Partial<SearchQuery> = {}): SearchQuery => ({
  q,
  filters: {},
  sort: 'relevance',
  limit: 10,
  offset: 0,
  facets: false,
  ...more,
})

function contract(name: string, make: () => Promise<SearchEngine>, opts: { substrings: boolean }) {
  describe(`search engine contract: ${name}`, () => {
    let engine: SearchEngine
    const ids = async (q: string, more?: Partial<SearchQuery>) =>
      (await engine.search(query(q, more))).hits.map((h) => h.id)
    beforeAll(async () => {
      engine = await make()
      await engine.open()
      await engine.clear()
      await engine.upsert(docs)
    })
    afterAll(() => engine?.close())

    it('matches Simplified and Traditional both ways, and variant characters', async () => {
      expect(await ids('静夜思')).toContain('a')
      expect(await ids('長恨歌')).toContain('b')
      expect(await ids('长恨歌')).toContain('b')
      expect(await ids('水調歌頭')).toContain('c')
      expect(await ids('峰峦叠嶂')).toContain('d') // 峯 is a variant of 峰
      expect(await ids('群山之里')).toContain('d') // 羣, 裏
    })

    it('finds titles and names by toneless pinyin, full and initials', async () => {
      expect((await ids('jingyesi'))[0]).toBe('a')
      expect((await ids('changhenge'))[0]).toBe('b')
      expect(await ids('chg')).toContain('b')
      expect(await ids('sushi')).toContain('c')
    })

    it.skipIf(!opts.substrings)('finds any substring, however a segmenter would cut it', async () => {
      expect(await ids('前明')).toEqual(['a'])
      expect(await ids('时有把')).toEqual(['c'])
      expect(await ids('多年求')).toEqual(['b'])
    })

    it('filters and counts facets', async () => {
      const r = await engine.search(query('', { filters: { status: ['published'] }, facets: true }))
      expect(r.total).toBe(4)
      expect(r.facets.type).toEqual({ book: 3, audiobook: 1 })
      expect(r.facets.subject).toMatchObject({ 唐詩: 2, 宋词: 1 })
      expect(r.facets.source).toEqual({ 'node-a': 3, 'node-b': 1 })
      expect(await ids('', { filters: { type: ['audiobook'] } })).toEqual(['c'])
      expect(await ids('', { filters: { yearFrom: 800, yearTo: 1100 }, sort: 'year' })).toEqual(['b', 'c'])
      expect(await ids('', { filters: { access: ['node-readers'] } })).toEqual(['d'])
      expect(await ids('', { filters: { type: ['video'] } })).toEqual([])
      expect(await ids('', { filters: { status: ['draft'] } })).toEqual(['e'])
      // A column's or topic's items: only those, with a query too; an unknown id or none matches nothing.
      expect(await ids('', { filters: { ids: ['c', 'a', 'zz'] }, sort: 'year' })).toEqual(['a', 'c'])
      expect(await ids('明月', { filters: { ids: ['c'] } })).toEqual(['c'])
      expect(await ids('', { filters: { ids: [] } })).toEqual([])
    })

    it('filters by creator, exactly as catalogued, any of several', async () => {
      expect(await ids('', { filters: { creator: ['李白'] } })).toEqual(['a'])
      expect(await ids('', { filters: { creator: ['李白', '苏轼'] }, sort: 'year' })).toEqual(['a', 'c'])
      // A name is an identity: not a substring (白 is in 白居易 and 李白), not a variant form.
      expect(await ids('', { filters: { creator: ['白'] } })).toEqual([])
      expect(await ids('', { filters: { creator: ['蘇軾'] } })).toEqual([])
      expect(await ids('明月', { filters: { creator: ['苏轼'] } })).toEqual(['c'])
      const r = await engine.search(query('', { filters: { creator: ['白居易'], status: ['published'] } }))
      expect(r.total).toBe(1)
    })

    it('pages, including past the end', async () => {
      const first = await engine.search(query('', { limit: 2, sort: 'year', filters: { status: ['published'] } }))
      const second = await engine.search(
        query('', { limit: 2, offset: 2, sort: 'year', filters: { status: ['published'] } }),
      )
      expect([...first.hits, ...second.hits].map((h) => h.id)).toEqual(['a', 'b', 'c', 'd'])
      const past = await engine.search(query('', { offset: 5000 }))
      expect(past.hits).toEqual([])
    })

    it('replaces, removes and reports revisions', async () => {
      await engine.upsert([{ ...docs[0]!, revision: 2, title: '夜思' }])
      expect(await engine.revisionOf('a')).toBe(2)
      expect(await ids('静夜思')).not.toContain('a')
      await engine.remove(['a'])
      expect(await engine.revisionOf('a')).toBeUndefined()
      expect(await ids('夜思')).not.toContain('a')
      await engine.upsert([docs[0]!])
    })

    it('finds a lecture by a transcript sentence, below a title match, with course and lecture facets', async () => {
      const course = doc('k', '宋词十讲', { type: 'course', description: '从苏轼到辛弃疾' })
      const lecture = doc('l', '第一讲 词的格律', {
        type: 'lecture',
        transcript: '大家好，今天我们讲一讲词牌与格律。\n苏轼的词豪放旷达，开一代词风。',
      })
      const titled = doc('m', '词牌与格律入门')
      await engine.upsert([course, lecture, titled])
      try {
        expect(await ids('苏轼的词豪放旷达')).toEqual(['l'])
        expect(await ids('词牌与格律')).toEqual(['m', 'l'])
        expect(await ids('', { filters: { type: ['lecture'] } })).toEqual(['l'])
        const r = await engine.search(query('宋词', { facets: true, filters: { type: ['course', 'lecture'] } }))
        expect(r.hits.map((h) => h.id)).toEqual(['k'])
        const all = await engine.search(query('', { facets: true }))
        expect(all.facets.type).toMatchObject({ course: 1, lecture: 1 })
        // New subtitles are a new revision: the old sentence no longer finds it.
        await engine.upsert([{ ...lecture, revision: 2, transcript: '换了字幕以后的句子。' }])
        expect(await ids('苏轼的词豪放旷达')).toEqual([])
        expect(await ids('换了字幕以后')).toEqual(['l'])
      } finally {
        await engine.remove(['k', 'l', 'm'])
      }
    })

    it('suggests published titles and names', async () => {
      expect((await engine.suggest('长恨', 5)).map((s) => s.text)).toContain('長恨歌')
      expect((await engine.suggest('草稿', 5)).map((s) => s.text)).not.toContain('草稿')
    })

    it('takes hostile queries calmly', async () => {
      for (const q of [
        '',
        ' ',
        '*',
        '"',
        'AND OR NOT',
        '.*+?^${}()|[]\\',
        '😀',
        '\uD800',
        'a'.repeat(20_000),
        '的'.repeat(5_000),
      ]) {
        const r = await engine.search(query(q))
        expect(Array.isArray(r.hits)).toBe(true)
      }
    })
  })
}

let dir: string
contract(
  'embedded',
  async () => {
    dir = await tempDir('shulin-search-')
    return new EmbeddedEngine({ dir })
  },
  { substrings: true },
)
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

const meiliUrl = process.env.MEILI_URL
describe.skipIf(!meiliUrl)(
  'Meilisearch (set MEILI_URL to a server to run these; none can run on the build machines)',
  () => {
    it('is covered by the contract below', () => {})
  },
)
if (meiliUrl) {
  const { MeiliEngine } = await import('./meili/engine.js')
  contract(
    'meilisearch',
    async () =>
      new MeiliEngine({
        url: meiliUrl,
        ...(process.env.MEILI_KEY ? { apiKey: process.env.MEILI_KEY } : {}),
        index: `shulin-contract-${process.pid}`,
      }),
    {
      // Meilisearch finds words its segmenter made, not arbitrary substrings (the embedded engine does).
      substrings: false,
    },
  )
}

describe('embedded index file', () => {
  it('reopens to the same answers without re-indexing, and a damaged file means a rebuild', async () => {
    const d = await tempDir('shulin-search-')
    try {
      const a = new EmbeddedEngine({ dir: d })
      await a.open()
      await a.upsert(docs)
      await a.checkpoint('2026-01-01T00:00:00.000Z!x')
      const b = new EmbeddedEngine({ dir: d })
      expect(await b.open()).toEqual({ cursor: '2026-01-01T00:00:00.000Z!x' })
      expect((await b.search(query('前明'))).hits.map((h) => h.id)).toEqual(['a'])
      expect((await b.search(query('jingyesi'))).hits[0]?.id).toBe('a')
      const { truncate } = await import('node:fs/promises')
      await truncate(`${d}/index.v1.bin`, 100)
      const c = new EmbeddedEngine({ dir: d })
      expect(await c.open()).toEqual({ cursor: undefined })
      expect((await c.stats()).documents).toBe(0)
    } finally {
      await rm(d, { recursive: true, force: true })
    }
  })
})
