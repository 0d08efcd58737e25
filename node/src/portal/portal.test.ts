/**
 * The home page's layout over HTTP on a real node: the default order, staff reordering and
 * hiding sections (with If-Match), a banner's life (added, given an image, shown, reordered,
 * removed), links that could run script refused, and readers kept out of the staff API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../testing/temp-node.js'
import { png } from '../testing/fixtures.js'

describe('portal home layout', () => {
  let t: TempNode
  let staff: Client
  const reader = () => new Client(t.node.url)
  beforeAll(async () => {
    t = await startTempNode()
    staff = await signedInAdmin(t)
  })
  afterAll(async () => {
    await t?.close()
  })

  it('starts with every section shown and no banners; staff reorder and hide them', async () => {
    expect((await reader().get('/api/portal/home')).body).toEqual({
      sections: ['banners', 'news', 'shelves', 'courses', 'live', 'activities', 'newArrivals', 'recommendations'],
      banners: [],
    })
    const layout = await staff.get('/api/staff/portal/home')
    expect(layout.headers.get('etag')).toBe('"r0"')
    const sections = [...layout.body.sections].reverse().map((s: { kind: string }) => ({
      kind: s.kind,
      hidden: s.kind === 'news',
    }))
    expect((await staff.put('/api/staff/portal/home', { sections })).status).toBe(428)
    const saved = await staff.put('/api/staff/portal/home', { sections }, { 'if-match': '"r0"' })
    expect(saved.status).toBe(200)
    expect((await reader().get('/api/portal/home')).body.sections).toEqual([
      'recommendations',
      'newArrivals',
      'activities',
      'live',
      'courses',
      'shelves',
      'banners',
    ])
    // A stale editor does not undo it; a layout missing a section or naming one twice is refused.
    expect((await staff.put('/api/staff/portal/home', { sections }, { 'if-match': '"r0"' })).status).toBe(412)
    const twice = [...sections.slice(1), sections[1]!]
    expect((await staff.put('/api/staff/portal/home', { sections: twice }, { 'if-match': '"r1"' })).status).toBe(400)
    expect(
      (await staff.put('/api/staff/portal/home', { sections: sections.slice(1) }, { 'if-match': '"r1"' })).status,
    ).toBe(400)
  })

  it('shows a banner once it has an image, in the staff order, and refuses links that run script', async () => {
    for (const href of [
      'javascript:alert(1)',
      '//evil.example/x',
      'data:text/html,hi',
      'http://plain.example/',
      ' /\\evil',
    ])
      expect((await staff.post('/api/staff/portal/banners', { alt: '坏链接', href })).status, href).toBe(400)
    expect((await staff.post('/api/staff/portal/banners', { alt: '', href: '/news' })).status).toBe(400)
    const a = await staff.post('/api/staff/portal/banners', { alt: '读书月：到馆借书送书签', href: '/activities' })
    expect(a.status).toBe(201)
    const b = await staff.post('/api/staff/portal/banners', { alt: '国家图书馆公开课', href: 'https://example.org/c' })
    const [first, second] = b.body.banners as Array<{ id: string }>
    // Without an image a banner is not on the home page.
    expect((await reader().get('/api/portal/home')).body.banners).toEqual([])
    const bad = await staff.put(`/api/staff/portal/banners/${first!.id}/image`, Buffer.from('not an image'), {
      'content-type': 'image/png',
    })
    expect(bad.status).toBe(422)
    for (const { id } of [first!, second!])
      expect(
        (await staff.put(`/api/staff/portal/banners/${id}/image`, png, { 'content-type': 'image/png' })).status,
      ).toBe(200)
    const home = (await reader().get('/api/portal/home')).body
    expect(home.banners.map((x: { alt: string }) => x.alt)).toEqual(['读书月：到馆借书送书签', '国家图书馆公开课'])
    const img = await reader().get(home.banners[0].image)
    expect(img.status).toBe(200)
    expect((img.body as Buffer).equals(png)).toBe(true)

    // Reorder and drop one; an unknown banner id is refused.
    const rev = (await staff.get('/api/staff/portal/home')).headers.get('etag')!
    const keep = [{ id: second!.id, alt: '公开课', href: '/courses' }]
    expect(
      (
        await staff.put(
          '/api/staff/portal/home',
          { banners: [{ id: 'nope', alt: 'x', href: '/' }] },
          { 'if-match': rev },
        )
      ).status,
    ).toBe(400)
    expect((await staff.put('/api/staff/portal/home', { banners: keep }, { 'if-match': rev })).status).toBe(200)
    const after = (await reader().get('/api/portal/home')).body.banners
    expect(after).toMatchObject([{ id: second!.id, alt: '公开课', href: '/courses' }])
    expect((await reader().get(`/api/portal/banners/${first!.id}/image`)).status).toBe(404)
  })

  it('keeps readers out of the staff API', async () => {
    expect((await reader().get('/api/staff/portal/home')).status).toBe(401)
    expect((await reader().post('/api/staff/portal/banners', { alt: 'x', href: '/' })).status).toBe(401)
  })
})
