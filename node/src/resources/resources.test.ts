import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../testing/temp-node.js'

describe('resource records: the staff workflow', () => {
  let t: TempNode
  let staff: Client
  beforeAll(async () => {
    t = await startTempNode()
    staff = await signedInAdmin(t)
  })
  afterAll(() => t.close())

  const book = {
    type: 'book',
    metadata: {
      title: '红楼梦',
      creators: ['曹雪芹'],
      subjects: ['古典小说'],
      identifiers: ['ISBN 7-02-000220-X'],
      clc: 'I242.4',
      date: '1996-12',
    },
  }

  it('creates a draft, hides it from the public, publishes, withdraws, deletes', async () => {
    const created = await staff.post('/api/staff/resources', book)
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ status: 'draft', revision: 1, nodeId: t.node.nodeId, access: 'public' })
    expect(created.body.metadata.identifiers).toEqual(['urn:isbn:9787020002207'])
    expect(created.body.metadata.language).toBe('zh')
    const id = created.body.id
    const anon = new Client(t.node.url)
    expect((await anon.get(`/api/resources/${id}`)).status).toBe(404)
    expect((await staff.post(`/api/staff/resources/${id}/publish`)).body.status).toBe('published')
    expect((await anon.get(`/api/resources/${id}`)).body.metadata.title).toBe('红楼梦')
    expect((await staff.call('DELETE', `/api/staff/resources/${id}`)).status).toBe(409)
    expect((await staff.post(`/api/staff/resources/${id}/withdraw`)).body.status).toBe('withdrawn')
    expect((await anon.get(`/api/resources/${id}`)).status).toBe(404)
    expect((await staff.call('DELETE', `/api/staff/resources/${id}`)).status).toBe(200)
    expect((await staff.get(`/api/staff/resources/${id}`)).status).toBe(404)
  })

  it('an edit after the clock was put back is still stamped newer than the last one (README "Clocks")', async () => {
    const created = await staff.post('/api/staff/resources', { type: 'book', metadata: { title: '临安旧志' } })
    const id = created.body.id as string
    const real = t.clock.now
    try {
      // The server's clock ran two days ahead when the record was published, then was put right.
      // (A fresh sign-in at each clock: a session does not survive its clock jumping two days.)
      const signIn = async () => {
        const c = new Client(t.node.url)
        expect(
          (await c.post('/api/auth/login', { identifier: 'libadmin', password: 'county-library-2026' })).status,
        ).toBe(200)
        return c
      }
      t.clock.now = real + 2 * 86_400_000
      const published = (await (await signIn()).post(`/api/staff/resources/${id}/publish`)).body
      t.clock.now = real
      const edited = await (
        await signIn()
      ).call(
        'PATCH',
        `/api/staff/resources/${id}`,
        { metadata: { ...published.metadata, title: '临安旧志（校订本）' } },
        { 'if-match': `"r${published.revision}"` },
      )
      expect(edited.status).toBe(200)
      expect(edited.body.updatedAt > published.updatedAt).toBe(true)
    } finally {
      t.clock.now = real
    }
  })

  it('refuses a second record with the same ISBN, and bad metadata, writing nothing', async () => {
    const first = await staff.post('/api/staff/resources', {
      ...book,
      metadata: { ...book.metadata, identifiers: ['9787536692930'] },
    })
    expect(first.status).toBe(201)
    const dup = await staff.post('/api/staff/resources', {
      ...book,
      metadata: { ...book.metadata, identifiers: ['urn:isbn:9787536692930'] },
    })
    expect(dup.status).toBe(409)
    expect(dup.body.code).toBe('identifier_taken')
    const bad = await staff.post('/api/staff/resources', {
      type: 'book',
      metadata: { title: '', identifiers: ['ISBN 123'], date: '1996-13', clc: 'lowercase' },
    })
    expect(bad.status).toBe(400)
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual([
      '/metadata/clc',
      '/metadata/date',
      '/metadata/identifiers/0',
      '/metadata/title',
    ])
  })

  it('refuses a stale edit (two librarians at once) with 412, and an edit without If-Match with 428', async () => {
    const r = await staff.post('/api/staff/resources', { type: 'book', metadata: { title: '三体' } })
    const etag = r.headers.get('etag')!
    expect(etag).toBe('"r1"')
    const one = await staff.call(
      'PATCH',
      `/api/staff/resources/${r.body.id}`,
      { metadata: { title: '三体 I' } },
      { 'if-match': etag },
    )
    expect(one.status).toBe(200)
    expect(one.headers.get('etag')).toBe('"r2"')
    const two = await staff.call(
      'PATCH',
      `/api/staff/resources/${r.body.id}`,
      { metadata: { title: '三体（第一部）' } },
      { 'if-match': etag },
    )
    expect(two.status).toBe(412)
    expect((await staff.call('PATCH', `/api/staff/resources/${r.body.id}`, { access: 'staff' })).status).toBe(428)
    expect((await staff.get(`/api/staff/resources/${r.body.id}`)).body.metadata.title).toBe('三体 I')
  })

  it('keeps journals in order: issue under journal, article under issue', async () => {
    const journal = await staff.post('/api/staff/resources', {
      type: 'journal',
      metadata: { title: '读者', identifiers: ['ISSN 1005-2143'] },
    })
    expect(journal.status, JSON.stringify(journal.body)).toBe(201)
    const issue = await staff.post('/api/staff/resources', {
      type: 'journal-issue',
      parentId: journal.body.id,
      metadata: { title: '读者 2026 年第 1 期', date: '2026-01' },
    })
    expect(issue.status).toBe(201)
    const wrong = await staff.post('/api/staff/resources', {
      type: 'article',
      parentId: journal.body.id,
      metadata: { title: '一篇文章' },
    })
    expect(wrong.status).toBe(400)
  })

  it('keeps the staff API to staff', async () => {
    const reader = new Client(t.node.url)
    await reader.post('/api/auth/register', { mode: 'quick', phone: '13800138000', password: 'reading2026' })
    expect((await reader.post('/api/staff/resources', book)).status).toBe(403)
  })
})

describe('share links', () => {
  it('open a public landing page with Open Graph tags, escaped; drafts have none', async () => {
    const t = await startTempNode({ name: '县图书馆' })
    try {
      const staff = await signedInAdmin(t)
      const title = '<script>alert(1)</script> 红楼梦'
      const id = (
        await staff.post('/api/staff/resources', {
          type: 'book',
          metadata: {
            title,
            creators: ['曹雪芹', '高鹗'],
            description: '满纸荒唐言，一把辛酸泪。"',
            identifiers: ['9787020002207'],
          },
        })
      ).body.id
      const anon = new Client(t.node.url)
      expect((await anon.get(`/share/${id}`)).status).toBe(404)
      await staff.post(`/api/staff/resources/${id}/publish`)
      const page = await anon.get(`/share/${id}`)
      expect(page.status).toBe(200)
      expect(page.headers.get('content-type')).toMatch(/^text\/html/)
      const body = page.body as string
      expect(body).not.toContain('<script>alert')
      expect(body).toContain('<meta property="og:title" content="&lt;script&gt;alert(1)&lt;/script&gt; 红楼梦">')
      expect(body).toContain(`<meta property="og:url" content="${t.node.url}/share/${id}">`)
      expect(body).toContain('<meta property="og:type" content="book">')
      expect(body).toContain('<meta property="book:isbn" content="9787020002207">')
      expect(body).toContain('满纸荒唐言，一把辛酸泪。&quot;')
      expect(body).toContain('县图书馆')
    } finally {
      await t.close()
    }
  })
})
