/**
 * Topic (专题) subscriptions on a real node with its clock moved: a reader subscribes to a
 * topic; staff add three items in three edits and the reader gets ONE notice saying three, once
 * the additions have settled (not before, not again); an addition noted just before a restart
 * is told after it; a reader who did not subscribe hears nothing; a column or an unknown topic
 * cannot be subscribed to.
 */
import { rm } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, signedInAdmin, startTempNode, tempDir, type TempNode } from '../testing/temp-node.js'
import { topicQuietMs } from './service.js'

const password = 'reading2026'

async function reader(t: TempNode, phone: string): Promise<Client> {
  const c = new Client(t.node.url, { 'accept-language': 'en' })
  expect((await c.post('/api/auth/register', { mode: 'quick', phone, password })).status).toBe(201)
  return c
}

describe('topic subscriptions', () => {
  let dir: string
  let t: TempNode
  let staff: Client
  let a: Client
  let b: Client
  let topic: string
  let revision = 1
  const books: string[] = []

  const signIn = async (c: Client, identifier: string, pw: string) =>
    expect((await c.post('/api/auth/login', { identifier, password: pw })).status).toBe(200)
  const setItems = async (items: string[]) => {
    const r = await staff.call('PATCH', `/api/staff/collections/${topic}`, { items }, { 'if-match': `"r${revision}"` })
    expect(r.status).toBe(200)
    revision++
  }
  const topicNotices = async (c: Client) =>
    ((await c.get('/api/me/inbox')).body.items as Array<{ kind: string; title: string; link: string }>).filter(
      (n) => n.kind === 'topic-items',
    )

  beforeAll(async () => {
    dir = await tempDir()
    t = await startTempNode({ dataDir: dir })
    staff = await signedInAdmin(t)
    for (const title of ['诗经', '楚辞', '乐府', '唐诗三百首', '宋词选']) {
      const id = (await staff.post('/api/staff/resources', { type: 'book', metadata: { title } })).body.id as string
      await staff.post(`/api/staff/resources/${id}/publish`)
      books.push(id)
    }
    topic = (await staff.post('/api/staff/collections', { kind: 'topic', title: '古典诗歌', items: [books[0]] })).body
      .id as string
    a = await reader(t, '13600138001')
    b = await reader(t, '13600138002')
  }, 60_000)
  afterAll(async () => {
    await t?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('refuses a column or an unknown topic', async () => {
    const column = (await staff.post('/api/staff/collections', { kind: 'column', title: '新书' })).body.id as string
    expect((await a.post('/api/me/subscriptions', { topic: column })).status).toBe(404)
    expect((await a.post('/api/me/subscriptions', { topic: 'no-such-topic' })).status).toBe(404)
  })

  it('tells a subscriber once per batch of new items, after they settle', async () => {
    const sub = await a.post('/api/me/subscriptions', { topic })
    expect(sub.status).toBe(201)
    expect(sub.body).toMatchObject({ topic, title: '古典诗歌' })
    expect((await a.get(`/api/me/subscriptions/state?topic=${topic}`)).body).toEqual({ subscribed: true })
    expect((await a.get('/api/me/subscriptions')).body.subscriptions).toEqual([expect.objectContaining({ topic })])

    // Three edits, one item each, a minute apart.
    for (const i of [1, 2, 3]) {
      await setItems(books.slice(0, i + 1))
      t.clock.now += 60_000
    }
    expect(await t.node.services.subscriptions.tellTopics()).toBe(0)
    expect(await topicNotices(a)).toEqual([])

    t.clock.now += topicQuietMs
    expect(await t.node.services.subscriptions.tellTopics()).toBe(1)
    await signIn(a, '13600138001', password)
    const got = await topicNotices(a)
    expect(got).toHaveLength(1)
    expect(got[0]!.title).toContain('新增 3 项')
    expect(got[0]!.link).toBe(`/collections/${topic}`)
    expect(await t.node.services.subscriptions.tellTopics()).toBe(0)
    await signIn(b, '13600138002', password)
    expect(await topicNotices(b)).toEqual([])
  })

  it('tells an addition noted just before a restart after it', async () => {
    await signIn(staff, 'libadmin', 'county-library-2026')
    await setItems(books)
    const now = t.clock.now
    await t.close()
    t = await startTempNode({ dataDir: dir })
    t.clock.now = now + topicQuietMs + 60_000
    a = new Client(t.node.url, { 'accept-language': 'en' })
    await signIn(a, '13600138001', password)
    expect(await t.node.services.subscriptions.tellTopics()).toBe(1)
    const got = await topicNotices(a)
    expect(got.map((n) => n.title)).toEqual([
      expect.stringContaining('新增 1 项'),
      expect.stringContaining('新增 3 项'),
    ])
  })
})
