/**
 * Subscriptions and the inbox over HTTP on a real node: a reader subscribes to a course and
 * another to its series; a lecture published while it transcodes is announced when it becomes
 * ready, once, to each (also after a restart replays the change); readers see, count and mark
 * only their own notices; bad targets are 4xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rm } from 'node:fs/promises'
import { Client, signedInAdmin, startTempNode, tempDir, type TempNode } from '../testing/temp-node.js'

async function reader(t: TempNode, phone: string): Promise<Client> {
  const c = new Client(t.node.url, { 'accept-language': 'en' })
  const r = await c.post('/api/auth/register', { mode: 'quick', phone, password: 'reading2026' })
  expect(r.status).toBe(201)
  return c
}

describe('subscriptions put new lectures in the inbox', () => {
  let dir: string
  let t: TempNode
  let staff: Client
  let a: Client
  let b: Client
  let courseId: string

  beforeAll(async () => {
    dir = await tempDir()
    t = await startTempNode({ dataDir: dir })
    staff = await signedInAdmin(t)
    const course = await staff.post('/api/courses', { title: '宋词十讲', series: '中华诗词' })
    courseId = course.body.id
    await staff.post(`/api/courses/${courseId}/publish`)
    a = await reader(t, '13600136001')
    b = await reader(t, '13600136002')
  }, 60_000)
  afterAll(async () => {
    await t?.close()
    await rm(dir, { recursive: true, force: true })
  })

  const ready = async (lectureId: string) => {
    await t.node.services.courses.service.amendLecture(lectureId, () => ({ lecture: { status: 'ready' } }))
    await t.node.services.subscriptions.idle()
  }

  it('announces a lecture once it is both published and ready, once per reader', async () => {
    expect((await a.post('/api/me/subscriptions', { course: courseId })).status).toBe(201)
    expect((await b.post('/api/me/subscriptions', { series: '中华诗词' })).status).toBe(201)
    // Subscribing to both a course and its series still brings one notice.
    expect((await b.post('/api/me/subscriptions', { course: courseId })).status).toBe(201)
    expect((await a.get(`/api/me/subscriptions/state?course=${courseId}`)).body).toEqual({ subscribed: true })
    expect((await a.get('/api/me/subscriptions')).body.subscriptions).toEqual([
      { course: courseId, title: '宋词十讲', createdAt: expect.any(String) },
    ])

    const lecture = await staff.post(`/api/courses/${courseId}/lectures`, { title: '第一讲 柳永' })
    const id = lecture.body.id as string
    await staff.post(`/api/lectures/${id}/publish`)
    await t.node.services.subscriptions.idle()
    // Published but still transcoding: nothing to play yet.
    expect((await a.get('/api/me/inbox/unread')).body).toEqual({ unread: 0 })

    await ready(id)
    const inbox = await a.get('/api/me/inbox')
    expect(inbox.body).toMatchObject({ unread: 1, nextBefore: null })
    expect(inbox.body.items).toEqual([
      {
        id: expect.any(String),
        kind: 'new-lecture',
        title: '第一讲 柳永',
        body: '宋词十讲',
        link: `/lectures/${id}`,
        createdAt: expect.any(String),
        readAt: null,
      },
    ])
    expect((await b.get('/api/me/inbox')).body.items).toHaveLength(1)

    // Later changes to the same lecture (an edit, a re-publish) announce nothing again.
    await staff.call('PATCH', `/api/lectures/${id}`, { title: '第一讲 柳永（修订）' })
    await t.node.services.subscriptions.idle()
    expect((await a.get('/api/me/inbox')).body.items).toHaveLength(1)
  })

  it('marks only the reader’s own notices read', async () => {
    const mine = (await a.get('/api/me/inbox')).body.items[0].id as string
    const theirs = (await b.get('/api/me/inbox')).body.items[0].id as string
    // b cannot mark a's notice: it is not under b's account.
    expect((await b.post('/api/me/inbox/read', { ids: [mine] })).body).toEqual({ unread: 1 })
    expect((await a.get('/api/me/inbox/unread')).body).toEqual({ unread: 1 })
    expect((await a.post('/api/me/inbox/read', { ids: [mine, theirs] })).body).toEqual({ unread: 0 })
    expect((await b.get('/api/me/inbox/unread')).body).toEqual({ unread: 1 })
    expect((await a.get('/api/me/inbox')).body.items[0].readAt).toEqual(expect.any(String))
    expect((await b.post('/api/me/inbox/read', { all: true })).body).toEqual({ unread: 0 })
  })

  it('an unsubscribed reader gets nothing more; a restart replays without posting twice', async () => {
    expect((await a.call('DELETE', `/api/me/subscriptions?course=${courseId}`)).status).toBe(204)
    expect((await a.get('/api/me/subscriptions')).body.subscriptions).toEqual([])
    const lecture = await staff.post(`/api/courses/${courseId}/lectures`, { title: '第二讲 苏轼' })
    await staff.post(`/api/lectures/${lecture.body.id}/publish`)
    await ready(lecture.body.id)
    expect((await a.get('/api/me/inbox')).body.items).toHaveLength(1)
    expect((await b.get('/api/me/inbox')).body.items).toHaveLength(2)

    await t.close()
    t = await startTempNode({ dataDir: dir })
    await t.node.services.subscriptions.idle()
    b = new Client(t.node.url, { 'accept-language': 'en' })
    expect((await b.post('/api/auth/login', { identifier: '13600136002', password: 'reading2026' })).status).toBe(200)
    expect((await b.get('/api/me/inbox')).body.items.map((n: { title: string }) => n.title)).toEqual([
      '第二讲 苏轼',
      '第一讲 柳永',
    ])
  }, 60_000)

  it('refuses bad targets and strangers', async () => {
    const anon = new Client(t.node.url, { 'accept-language': 'en' })
    expect((await anon.get('/api/me/inbox')).status).toBe(401)
    expect((await anon.post('/api/me/subscriptions', { course: courseId })).status).toBe(401)
    expect((await b.post('/api/me/subscriptions', { course: 'nope' })).status).toBe(404)
    expect((await b.post('/api/me/subscriptions', {})).status).toBe(400)
    expect((await b.post('/api/me/subscriptions', { course: courseId, series: 'x' })).status).toBe(400)
    expect((await b.call('DELETE', '/api/me/subscriptions')).status).toBe(400)
    expect((await b.post('/api/me/inbox/read', { ids: [] })).status).toBe(400)
    expect((await b.get('/api/me/inbox?limit=1000')).status).toBe(400)
  })
})
