import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { ImportRecord } from '@shulin/protocol'
import { Client, signedInAdmin, startTempNode, tempDir, type TempNode } from '../testing/temp-node.js'
import { openStorage } from '../storage/db.js'
import { ResourceService } from '../resources/service.js'
import { ReadingService } from '../reading/service.js'
import { ContentIndex, features } from './content.js'
import { RecommendService } from './service.js'

interface Item {
  id: string
  title: string
  reason: string
  source: string
}

describe('recommendations (猜你喜欢, 读过这本的人也读了)', () => {
  let t: TempNode
  let staff: Client
  const id: Record<string, string> = {}
  let draft: string
  let n = 0
  const reader = async () => {
    const c = new Client(t.node.url)
    const phone = `1360013${String(6000 + n++).padStart(4, '0')}`
    await c.post('/api/auth/register', { mode: 'quick', phone, password: 'reading2026' })
    await c.post('/api/auth/login', { identifier: phone, password: 'reading2026' })
    return c
  }
  const read = (c: Client, title: string) =>
    c.put(`/api/me/reading/${id[title]}/progress`, {
      position: { kind: 'pdf', page: 1 },
      percentage: 0.1,
      device: '手机',
      at: new Date(t.clock.now).toISOString(),
    })
  const recs = async (c: Client, query = '', headers: Record<string, string> = {}) => {
    const r = await c.get(`/api/recommendations${query}`, headers)
    expect(r.status).toBe(200)
    return (r.body as { items: Item[] }).items
  }

  beforeAll(async () => {
    t = await startTempNode()
    staff = await signedInAdmin(t)
    const books: Array<[string, Record<string, unknown>]> = [
      ['红楼梦', { creators: ['曹雪芹'], clc: 'I242.4', subjects: ['章回小说'] }],
      ['水浒传', { creators: ['施耐庵'], clc: 'I242.4', subjects: ['章回小说'] }],
      ['西游记', { creators: ['吴承恩'], clc: 'I242.4', subjects: ['章回小说'] }],
      ['史记', { creators: ['司马迁'], clc: 'K204.2' }],
      ['时间简史', { creators: ['霍金'], clc: 'P159' }],
      ['乡土中国', { creators: ['费孝通'], clc: 'C912.82' }],
    ]
    for (const [title, more] of books) {
      id[title] = (await staff.post('/api/staff/resources', { type: 'book', metadata: { title, ...more } })).body.id
      await staff.post(`/api/staff/resources/${id[title]}/publish`)
    }
    draft = (await staff.post('/api/staff/resources', { type: 'book', metadata: { title: '未发布' } })).body.id
    await staff.post('/api/staff/collections', { kind: 'column', title: '馆员书单', items: [id['时间简史']] })
    t.clock.now = Date.now()
  })
  afterAll(() => t.close())

  it('answers a visitor who is not signed in with staff picks first, each with its reason', async () => {
    const items = await recs(new Client(t.node.url))
    expect(items[0]).toMatchObject({ id: id['时间简史'], title: '时间简史', reason: '馆员推荐' })
    expect(items.every((i) => typeof i.id === 'string' && i.title && i.reason)).toBe(true)
  })

  it('learns co-reading from readers’ reads: 因为你读过《…》, never what the reader already read', async () => {
    for (let i = 0; i < 3; i++) {
      const c = await reader()
      await read(c, '红楼梦')
      await read(c, '史记')
    }
    const me = await reader()
    await read(me, '红楼梦')
    await vi.waitFor(
      async () => expect((await recs(me)).find((i) => i.id === id['史记'])?.reason).toBe('因为你读过《红楼梦》'),
      { timeout: 10_000, interval: 100 },
    )
    const mine = await recs(me)
    expect(mine[0]!.id).toBe(id['史记'])
    expect(mine.map((i) => i.id)).not.toContain(id['红楼梦'])
    const en = await recs(me, '', { 'accept-language': 'en' })
    expect(en[0]!.reason).toBe('Because you read “红楼梦”')
    // The staff pick still shows, below what the reader's own reading suggests.
    expect(mine.findIndex((i) => i.id === id['时间简史'])).toBeGreaterThan(0)
  })

  it('on a record’s page: readers of it also read, then records like it (same class, same subject)', async () => {
    const items = await recs(new Client(t.node.url), `?for=${id['红楼梦']}`)
    expect(items[0]).toMatchObject({ id: id['史记'], reason: '常被一起阅读' })
    const similar = items.filter((i) => i.reason === '主题相近').map((i) => i.title)
    expect(similar.slice(0, 2).sort()).toEqual(['水浒传', '西游记'].sort())
    expect(items.map((i) => i.id)).not.toContain(id['红楼梦'])
  })

  it('refuses what a visitor may not ask for: a draft, an unknown record, a bad limit', async () => {
    const anon = new Client(t.node.url)
    expect((await anon.get(`/api/recommendations?for=${draft}`)).status).toBe(404)
    expect((await anon.get('/api/recommendations?for=nope')).status).toBe(404)
    expect((await anon.get('/api/recommendations?limit=0')).status).toBe(400)
    expect((await anon.get('/api/recommendations?limit=x')).status).toBe(400)
    expect((await anon.post('/api/staff/recommend/groups', { name: '少儿', members: [] })).status).toBe(401)
    const drafts = await recs(anon, '?limit=50')
    expect(drafts.map((i) => i.id)).not.toContain(draft)
  })

  it('gives a staff-defined reader group its own popular reads', async () => {
    const kids = [await reader(), await reader()]
    const ids = await Promise.all(kids.map(async (c) => (await c.get('/api/me')).body.account.id as string))
    const newcomer = await reader()
    ids.push((await newcomer.get('/api/me')).body.account.id)
    const g = await staff.post('/api/staff/recommend/groups', { name: '少儿', members: ids })
    expect(g.status).toBe(201)
    for (const c of kids) await read(c, '乡土中国')
    await vi.waitFor(
      async () => {
        t.clock.now += 120_000 // past the cached group lists
        expect((await recs(newcomer)).find((i) => i.id === id['乡土中国'])?.reason).toBe('少儿读者常读')
      },
      { timeout: 10_000, interval: 100 },
    )
    expect((await staff.get('/api/staff/recommend/groups')).body.items).toHaveLength(1)
    expect((await staff.call('DELETE', `/api/staff/recommend/groups/${g.body.id}`)).status).toBe(200)
    expect((await staff.call('DELETE', `/api/staff/recommend/groups/${g.body.id}`)).status).toBe(404)
  })
})

describe('content similarity', () => {
  it('segments Chinese titles into words and keeps the classes above a CLC number', () => {
    const f = features({ metadata: { title: '中国古代文学史', creators: [], subjects: [], clc: 'I209.2' } as never })
    expect(f).toEqual(expect.arrayContaining(['k:I', 'k:I2', 'k:I209.2']))
    expect(f.filter((x) => x.startsWith('w:')).length).toBeGreaterThan(1)
    expect(f).not.toContain('w:的')
    const anonymous = features({ metadata: { title: '诗', creators: ['佚名'], subjects: [] } as never })
    expect(anonymous).toEqual([])
  })

  it('ranks the record sharing rarer features first', () => {
    const rec = (id: string, title: string, clc: string, creators: string[] = []) => ({
      id,
      metadata: { title, clc, creators, subjects: [] } as never,
    })
    const index = new ContentIndex([
      rec('a', '唐诗选注', 'I222.742', ['李白']),
      rec('b', '李白诗选', 'I222.742', ['李白']),
      rec('c', '宋词选', 'I222.844'),
      rec('d', '物理学导论', 'O4'),
    ])
    expect(index.similar('a', 3).map((s) => s.id)).toEqual(['b', 'c'])
  })
})

describe('co-reading store', () => {
  it('counts a pair once per reader, also when both reads are learned in one batch', async () => {
    const dir = await tempDir()
    const storage = await openStorage(join(dir, 'db'), { create: true, dataDir: dir })
    try {
      const resources = new ResourceService({ storage, nodeId: 'node-a' })
      const ids = (await resources.importBatch(['山海经', '水经注'].map((title) => ImportRecord.parse({ title })))).map(
        (o) => (o as { id: string }).id,
      )
      const reading = new ReadingService(storage)
      const recommend = new RecommendService({
        storage,
        records: resources.records,
        history: async (a, limit) => (await reading.history(a, { limit })).map((h) => h.resourceId),
        staffPicks: async () => [],
        // Long enough for both reads to wait in one batch.
        batchDelayMs: 200,
      })
      reading.onRead((a, r) => recommend.read(a, r))
      await reading.opened('only-reader', ids[0]!)
      await reading.opened('only-reader', ids[1]!)
      await recommend.settled()
      // One reader alone made the pair: counted twice, it would pass for two readers and be shown.
      const also = await recommend.forRecord(ids[0]!, { limit: 10, locale: 'zh-CN' })
      expect(also.filter((i) => i.source === 'co-reading')).toEqual([])
    } finally {
      await storage.close()
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('keeps only the strongest neighbours of a record, and learns from likes as from reads', async () => {
    const dir = await tempDir()
    const storage = await openStorage(join(dir, 'db'), { create: true, dataDir: dir })
    try {
      const resources = new ResourceService({ storage, nodeId: 'node-a' })
      const titles = ['红楼梦', '春秋左传', '资治通鉴', '天工开物', '本草纲目', '徐霞客游记', '梦溪笔谈']
      const ids = (await resources.importBatch(titles.map((title) => ImportRecord.parse({ title })))).map(
        (o) => (o as { id: string }).id,
      )
      const reading = new ReadingService(storage)
      const recommend = new RecommendService({
        storage,
        records: resources.records,
        history: async (a, limit) => (await reading.history(a, { limit })).map((h) => h.resourceId),
        staffPicks: async () => [],
        neighbours: 3,
        batchDelayMs: 0,
      })
      reading.onRead((a, r) => recommend.read(a, r))
      // Book k (1..6) is read with 红楼梦 by 7 - k readers.
      for (let k = 1; k < ids.length; k++)
        for (let r = 0; r < ids.length - k; r++) {
          await reading.opened(`reader-${k}-${r}`, ids[0]!)
          await reading.opened(`reader-${k}-${r}`, ids[k]!)
        }
      await recommend.settled()
      const also = await recommend.forRecord(ids[0]!, { limit: 10, locale: 'zh-CN' })
      expect(also.map((i) => i.title)).toEqual(['春秋左传', '资治通鉴', '天工开物'])
      expect(also.every((i) => i.source === 'co-reading')).toBe(true)

      // A pair one reader alone made is not shown (anyone could tell what they read).
      await reading.opened('liker-1', ids[6]!)
      await reading.opened('liker-1', ids[4]!)
      // A like counts as a read: 梦溪笔谈 read, then 徐霞客游记 liked without opening it.
      for (const liker of ['liker-1', 'liker-2']) {
        await reading.opened(liker, ids[6]!)
        await reading.like(liker, ids[5]!, true)
      }
      await recommend.settled()
      const liked = await recommend.forRecord(ids[6]!, { limit: 10, locale: 'zh-CN' })
      expect(liked.map((i) => i.title)).toContain('徐霞客游记')
      expect(liked.map((i) => i.title)).not.toContain('本草纲目')
    } finally {
      await storage.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
