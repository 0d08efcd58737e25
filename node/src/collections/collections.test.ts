import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../testing/temp-node.js'
import { png } from '../testing/fixtures.js'

describe('columns (栏目) and topics (专题)', () => {
  let t: TempNode
  let staff: Client
  const ids: string[] = []
  beforeAll(async () => {
    t = await startTempNode()
    staff = await signedInAdmin(t)
    for (const [i, title] of ['诗经', '楚辞', '乐府'].entries()) {
      const id = (await staff.post('/api/staff/resources', { type: 'book', metadata: { title } })).body.id
      if (i < 2) await staff.post(`/api/staff/resources/${id}/publish`)
      ids.push(id)
    }
  })
  afterAll(() => t.close())

  it('keeps the staff’s order, shows readers only published items, and only inside the window', async () => {
    const anon = new Client(t.node.url)
    const col = await staff.post('/api/staff/collections', {
      kind: 'column',
      title: '古典诗歌',
      items: [ids[1], ids[2], ids[0]],
      position: 2,
    })
    expect(col.status).toBe(201)
    const topic = await staff.post('/api/staff/collections', {
      kind: 'topic',
      title: '春节专题',
      items: [ids[0]],
      visibleFrom: new Date(t.clock.now + 86_400_000).toISOString(),
      visibleUntil: new Date(t.clock.now + 10 * 86_400_000).toISOString(),
    })
    expect(topic.status).toBe(201)
    const shown = await anon.get(`/api/collections/${col.body.id}`)
    expect(shown.body.resources.map((r: { metadata: { title: string } }) => r.metadata.title)).toEqual(['楚辞', '诗经'])
    expect((await anon.get('/api/collections')).body.collections.map((c: { title: string }) => c.title)).toEqual([
      '古典诗歌',
    ])
    expect((await anon.get(`/api/collections/${topic.body.id}`)).status).toBe(404)
    expect((await staff.get('/api/staff/collections')).body.collections).toHaveLength(2)
    t.clock.now += 2 * 86_400_000
    expect(
      (await anon.get('/api/collections?kind=topic')).body.collections.map((c: { title: string }) => c.title),
    ).toEqual(['春节专题'])
    t.clock.now += 20 * 86_400_000
    expect((await anon.get('/api/collections?kind=topic')).body.collections).toEqual([])
  })

  it('edits with If-Match, refuses unknown items and reversed windows, takes a cover', async () => {
    // The clock moved three weeks in the test above: the staff session has ended.
    expect(
      (await staff.post('/api/auth/login', { identifier: 'libadmin', password: 'county-library-2026' })).status,
    ).toBe(200)
    const c = (await staff.post('/api/staff/collections', { kind: 'topic', title: '地方文献' })).body
    expect((await staff.call('PATCH', `/api/staff/collections/${c.id}`, { title: '地方文献专题' })).status).toBe(428)
    const ok = await staff.call(
      'PATCH',
      `/api/staff/collections/${c.id}`,
      { items: [ids[0], ids[1]] },
      { 'if-match': '"r1"' },
    )
    expect(ok.status).toBe(200)
    expect(
      (await staff.call('PATCH', `/api/staff/collections/${c.id}`, { title: '旧版本的编辑' }, { 'if-match': '"r1"' }))
        .status,
    ).toBe(412)
    const unknown = await staff.call(
      'PATCH',
      `/api/staff/collections/${c.id}`,
      { items: ['01ARZ3NDEKTSV4RRFFQ69G5FAV'] },
      { 'if-match': '"r2"' },
    )
    expect(unknown.status).toBe(400)
    const reversed = await staff.post('/api/staff/collections', {
      kind: 'topic',
      title: '反了',
      visibleFrom: '2027-01-02T00:00:00Z',
      visibleUntil: '2027-01-01T00:00:00Z',
    })
    expect(reversed.status).toBe(400)
    expect(
      (
        await staff.put(`/api/staff/collections/${c.id}/cover`, Buffer.from('not an image'), {
          'content-type': 'image/png',
        })
      ).status,
    ).toBe(422)
    const cover = await staff.put(`/api/staff/collections/${c.id}/cover`, png, { 'content-type': 'image/png' })
    expect(cover.status).toBe(200)
    const img = await new Client(t.node.url).get(`/api/collections/${c.id}/cover`)
    expect((img.body as Buffer).equals(png)).toBe(true)
    expect((await staff.call('DELETE', `/api/staff/collections/${c.id}`)).status).toBe(200)
    expect((await new Client(t.node.url).get(`/api/collections/${c.id}`)).status).toBe(404)
  })
})
