import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, signedInAdmin, startTempNode, tempDir, type TempNode } from '../testing/temp-node.js'
import { pdf } from '../testing/fixtures.js'

const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString()

describe('reading: progress, notes, shelf, history, likes', () => {
  let dir: string
  let t: TempNode
  let staff: Client
  let phone: Client
  let tablet: Client
  let book: string
  let draft: string
  beforeAll(async () => {
    dir = await tempDir()
    t = await startTempNode({ dataDir: dir })
    staff = await signedInAdmin(t)
    book = (await staff.post('/api/staff/resources', { type: 'book', metadata: { title: '史记' } })).body.id
    await staff.put(`/api/staff/resources/${book}/files/content`, pdf(20), { 'content-type': 'application/pdf' })
    await staff.post(`/api/staff/resources/${book}/publish`)
    draft = (await staff.post('/api/staff/resources', { type: 'book', metadata: { title: '未发布' } })).body.id
    phone = new Client(t.node.url)
    await phone.post('/api/auth/register', { mode: 'quick', phone: '13600136000', password: 'reading2026' })
    await phone.post('/api/auth/login', { identifier: '13600136000', password: 'reading2026', remember: true })
    tablet = new Client(t.node.url)
    tablet.bearer = (
      await tablet.post('/api/auth/login', { identifier: '13600136000', password: 'reading2026', bearer: true })
    ).body.token
    // The node's test clock stood still through the setup (slow on a loaded machine); the
    // timestamps below are read from the wall clock, so the two start level.
    t.clock.now = Date.now()
  })
  afterAll(() => t.close())

  it('keeps the newest position whatever order devices send it in', async () => {
    const newer = { position: { kind: 'pdf', page: 12 }, percentage: 0.6, device: '平板', at: at(-1000) }
    const older = { position: { kind: 'pdf', page: 3 }, percentage: 0.15, device: '手机', at: at(-60_000) }
    const a = await tablet.put(`/api/me/reading/${book}/progress`, newer)
    expect(a.status).toBe(200)
    expect(a.body.progressApplied).toBe(true)
    const b = await phone.put(`/api/me/reading/${book}/progress`, older)
    expect(b.body.progressApplied).toBe(false)
    expect(b.body.progress.position).toEqual({ kind: 'pdf', page: 12 })
    // A device whose clock runs a day ahead cannot pin its position forever.
    const future = await phone.put(`/api/me/reading/${book}/progress`, { ...older, at: at(86_400_000) })
    expect(Date.parse(future.body.progress.at)).toBeLessThanOrEqual(Date.now() + 1000)
  })

  it('loses nothing when two devices write bookmarks and notes at once', async () => {
    const note = (id: string, text: string, ms: number, extra: object = {}) => ({
      id,
      kind: 'note',
      position: { kind: 'pdf', page: 2 },
      text,
      updatedAt: at(ms),
      ...extra,
    })
    const [p, q] = await Promise.all([
      phone.post(`/api/me/reading/${book}/sync`, {
        annotations: [note('phone-note-0001', '手机上的笔记', -5000), note('shared-note-001', '旧版本', -9000)],
      }),
      tablet.post(`/api/me/reading/${book}/sync`, {
        annotations: [
          { id: 'tablet-mark-001', kind: 'bookmark', position: { kind: 'pdf', page: 7 }, updatedAt: at(-4000) },
          note('shared-note-001', '新版本', -2000),
        ],
      }),
    ])
    expect(p.status).toBe(200)
    expect(q.status).toBe(200)
    const state = (await phone.get(`/api/me/reading/${book}`)).body
    const byId = Object.fromEntries(state.annotations.map((a: { id: string }) => [a.id, a]))
    expect(Object.keys(byId).sort()).toEqual(['phone-note-0001', 'shared-note-001', 'tablet-mark-001'])
    expect(byId['shared-note-001'].text).toBe('新版本')
    // Deleting on one device wins over an older edit arriving later from another.
    await tablet.post(`/api/me/reading/${book}/sync`, {
      annotations: [note('phone-note-0001', '手机上的笔记', -1000, { deleted: true })],
    })
    await phone.post(`/api/me/reading/${book}/sync`, { annotations: [note('phone-note-0001', '迟到的旧编辑', -3000)] })
    const after = (await phone.get(`/api/me/reading/${book}`)).body.annotations.find(
      (a: { id: string }) => a.id === 'phone-note-0001',
    )
    expect(after.deleted).toBe(true)
  })

  it('refuses bad positions and unknown or draft records, and needs a signed-in reader', async () => {
    expect(
      (
        await phone.put(`/api/me/reading/${book}/progress`, {
          position: { kind: 'pdf', page: 0 },
          percentage: 2,
          device: '',
          at: 'yesterday',
        })
      ).status,
    ).toBe(400)
    expect(
      (
        await phone.put(`/api/me/reading/${book}/progress`, {
          position: { kind: 'epub', cfi: '/6/4' },
          percentage: 0.1,
          device: 'x',
          at: at(0),
        })
      ).status,
    ).toBe(400)
    expect(
      (
        await phone.put(`/api/me/reading/${draft}/progress`, {
          position: { kind: 'pdf', page: 1 },
          percentage: 0.1,
          device: 'x',
          at: at(0),
        })
      ).status,
    ).toBe(404)
    expect((await new Client(t.node.url).get(`/api/me/reading/${book}`)).status).toBe(401)
  })

  it('keeps a shelf, a history (newest first) and likes counted once', async () => {
    expect((await phone.put(`/api/me/shelf/${book}`)).status).toBe(200)
    expect((await phone.put(`/api/me/shelf/${book}`)).status).toBe(200)
    expect((await phone.get('/api/me/shelf')).body.items.map((i: { resourceId: string }) => i.resourceId)).toEqual([
      book,
    ])
    expect((await phone.put(`/api/me/shelf/${draft}`)).status).toBe(404)
    const other = (await staff.post('/api/staff/resources', { type: 'book', metadata: { title: '汉书' } })).body.id
    await staff.put(`/api/staff/resources/${other}/files/content`, pdf(2), { 'content-type': 'application/pdf' })
    await staff.post(`/api/staff/resources/${other}/publish`)
    t.clock.now += 1000
    expect((await phone.get(`/api/resources/${other}/content`, { range: 'bytes=0-99' })).status).toBe(206)
    const history = (await phone.get('/api/me/history')).body.items.map(
      (i: { resource: { metadata: { title: string } } }) => i.resource.metadata.title,
    )
    expect(history).toEqual(['汉书', '史记'])
    expect((await phone.put(`/api/me/likes/${book}`)).body).toEqual({ liked: true, count: 1 })
    expect((await tablet.put(`/api/me/likes/${book}`)).body).toEqual({ liked: true, count: 1 })
    expect((await new Client(t.node.url).get(`/api/resources/${book}/likes`)).body).toEqual({ liked: false, count: 1 })
    expect((await phone.call('DELETE', `/api/me/likes/${book}`)).body).toEqual({ liked: false, count: 0 })
    expect((await phone.call('DELETE', '/api/me/history')).status).toBe(200)
    expect((await phone.get('/api/me/history')).body.items).toEqual([])
  })

  it('progress survives a restart of the node', async () => {
    const before = (await phone.get(`/api/me/reading/${book}`)).body
    expect(before.progress.position).toEqual({ kind: 'pdf', page: 3 })
    await t.close()
    t = await startTempNode({ dataDir: dir })
    const again = new Client(t.node.url)
    await again.post('/api/auth/login', { identifier: '13600136000', password: 'reading2026' })
    const state = (await again.get(`/api/me/reading/${book}`)).body
    expect(state).toEqual(before)
    expect(state.annotations).toHaveLength(3)
  })
})
