import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import OPDSParser from 'opds-feed-parser'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../testing/temp-node.js'
import { epub, pdf } from '../testing/fixtures.js'

// The OPDS 2.0 feed and Readium manifest structure, written from the specifications.
const Link = z.object({
  href: z.string().min(1),
  type: z.string().optional(),
  rel: z.union([z.string(), z.array(z.string())]).optional(),
  templated: z.boolean().optional(),
  length: z.number().int().optional(),
})
const Publication = z.object({
  metadata: z.object({
    '@type': z.string().optional(),
    title: z.string().min(1),
    author: z.array(z.object({ name: z.string() })).optional(),
    identifier: z.string().optional(),
    language: z.string().optional(),
    modified: z.string().optional(),
  }),
  links: z.array(Link).min(1),
  images: z.array(Link).optional(),
})
const FeedV2 = z
  .object({
    metadata: z.object({
      title: z.string(),
      itemsPerPage: z.number().int().optional(),
      currentPage: z.number().int().optional(),
      numberOfItems: z.number().int().optional(),
    }),
    links: z.array(Link).refine((ls) => ls.some((l) => l.rel === 'self'), 'a self link'),
    navigation: z.array(Link.extend({ title: z.string() })).optional(),
    publications: z.array(Publication).optional(),
    groups: z
      .array(
        z.object({
          metadata: z.object({ title: z.string() }),
          links: z.array(Link).optional(),
          publications: z.array(Publication).optional(),
        }),
      )
      .optional(),
  })
  .refine((f) => f.navigation || f.publications || f.groups, 'a feed has navigation, publications or groups')

const parser = new OPDSParser()

describe('OPDS catalogs', () => {
  let t: TempNode
  let staff: Client
  const app = () => new Client(t.node.url)
  const ids: string[] = []
  let restricted: string
  let draft: string
  let column: string

  beforeAll(async () => {
    t = await startTempNode({ name: '县图书馆' }, { opdsPageSize: 4 })
    staff = await signedInAdmin(t)
    for (let i = 0; i < 6; i++) {
      const id = (
        await staff.post('/api/staff/resources', {
          type: 'book',
          metadata: { title: `乡土读本 ${i}`, creators: ['文化馆'], subjects: ['乡土'], clc: 'K29' },
        })
      ).body.id
      await staff.put(`/api/staff/resources/${id}/files/content`, i === 0 ? epub() : pdf(i + 1), {
        'content-type': i === 0 ? 'application/epub+zip' : 'application/pdf',
      })
      await staff.post(`/api/staff/resources/${id}/publish`)
      ids.push(id)
    }
    restricted = (
      await staff.post('/api/staff/resources', {
        type: 'book',
        metadata: { title: '读者专享 & 内部' },
        access: 'node-readers',
      })
    ).body.id
    await staff.put(`/api/staff/resources/${restricted}/files/content`, pdf(2), { 'content-type': 'application/pdf' })
    await staff.post(`/api/staff/resources/${restricted}/publish`)
    draft = (await staff.post('/api/staff/resources', { type: 'book', metadata: { title: '草稿不见' } })).body.id
    column = (
      await staff.post('/api/staff/collections', { kind: 'column', title: '馆长推荐', items: [ids[2], ids[0], draft] })
    ).body.id
    await new Client(t.node.url).post('/api/auth/register', {
      mode: 'quick',
      phone: '13500135000',
      password: 'reading2026',
    })
  })
  afterAll(() => t.close())

  it('OPDS 1.2: a navigation root an OPDS parser reads, with new, types and columns', async () => {
    const res = await app().get('/opds/v1.2/catalog.xml')
    expect(res.headers.get('content-type')).toMatch(/^application\/atom\+xml;profile=opds-catalog;kind=navigation/)
    const feed = await parser.parse(res.body as string)
    const titles = feed.entries.map((e) => e.title)
    expect(titles).toEqual(['最新上架 New', '图书 Books', '栏目 · 馆长推荐'])
    expect(feed.links.some((l) => l.rel === 'search')).toBe(true)
    expect(feed.links.some((l) => l.rel === 'http://opds-spec.org/auth/document')).toBe(true)
  })

  it('OPDS 1.2: acquisition feeds page, link to the real bytes, and hide drafts', async () => {
    const seen: string[] = []
    let url: string | undefined = '/opds/v1.2/new.xml'
    let pages = 0
    while (url) {
      const feed = await parser.parse((await app().get(url.replace(t.node.url, ''))).body as string)
      pages++
      for (const e of feed.entries) {
        seen.push(e.title)
        const acq = e.links.find((l) => l.rel.startsWith('http://opds-spec.org/acquisition'))!
        expect(acq, e.title).toBeDefined()
        expect(acq.rel).toBe(
          e.title.startsWith('读者专享')
            ? 'http://opds-spec.org/acquisition'
            : 'http://opds-spec.org/acquisition/open-access',
        )
      }
      url = feed.links.find((l) => l.rel === 'next')?.href
    }
    expect(pages).toBe(2)
    expect(seen.sort()).toEqual(
      ['乡土读本 0', '乡土读本 1', '乡土读本 2', '乡土读本 3', '乡土读本 4', '乡土读本 5', '读者专享 & 内部'].sort(),
    )
    const first = await parser.parse((await app().get('/opds/v1.2/new.xml')).body as string)
    const entry = first.entries.find((e) => e.title === '乡土读本 5')!
    const acq = entry.links.find((l) => l.rel === 'http://opds-spec.org/acquisition/open-access')! as {
      href: string
      type: string
    }
    expect(acq.type).toBe('application/pdf')
    const bytes = await app().get(acq.href.replace(t.node.url, ''))
    expect(bytes.status).toBe(200)
    expect((bytes.body as Buffer).length).toBe(pdf(6).length)
    expect(entry.authors[0]!.name).toBe('文化馆')
    const col = await parser.parse((await app().get(`/opds/v1.2/collections/${column}.xml`)).body as string)
    expect(col.entries.map((e) => e.title)).toEqual(['乡土读本 2', '乡土读本 0'])
    const epubEntry = col.entries[1]!
    expect(epubEntry.links.some((l) => l.rel === 'http://opds-spec.org/image/thumbnail')).toBe(true)
  })

  it('OPDS 1.2: OpenSearch description and search', async () => {
    const desc = (await app().get('/opds/v1.2/opensearch.xml')).body as string
    expect(desc).toContain('template="http://127.0.0.1:')
    const hits = await parser.parse(
      (await app().get(`/opds/v1.2/search.xml?q=${encodeURIComponent('读本 3')}`)).body as string,
    )
    expect(hits.entries.map((e) => e.title)).toEqual(['乡土读本 3'])
    expect((await app().get('/opds/v1.2/search.xml?q=')).status).toBe(400)
    expect((await app().get(`/opds/v1.2/search.xml?q=${encodeURIComponent('草稿')}`)).body).not.toContain('草稿不见')
  })

  it('OPDS 2.0: feeds that follow the spec’s structure, with paging and search', async () => {
    const root = await app().get('/opds/v2/catalog.json')
    expect(root.headers.get('content-type')).toBe('application/opds+json')
    const r = FeedV2.parse(root.body)
    expect(r.navigation!.map((n) => n.title)).toContain('最新上架 New')
    expect(r.groups![0]!.metadata.title).toBe('馆长推荐')
    expect(r.links.find((l) => l.rel === 'search')).toMatchObject({
      templated: true,
      href: expect.stringContaining('{?query,title,author}'),
    })
    const first = FeedV2.parse((await app().get('/opds/v2/new.json')).body)
    expect(first.publications).toHaveLength(4)
    expect(first.metadata.itemsPerPage).toBe(4)
    const next = first.links.find((l) => l.rel === 'next')!.href.replace(t.node.url, '')
    const second = FeedV2.parse((await app().get(next)).body)
    expect(second.publications).toHaveLength(3)
    const restrictedPub = [...first.publications!, ...second.publications!].find((p) =>
      p.metadata.title.startsWith('读者专享'),
    )!
    expect(restrictedPub.links.find((l) => l.rel === 'http://opds-spec.org/acquisition')).toBeDefined()
    const col = FeedV2.parse((await app().get(`/opds/v2/collections/${column}.json`)).body)
    expect(col.metadata).toMatchObject({ numberOfItems: 2, currentPage: 1 })
    const search = FeedV2.parse((await app().get(`/opds/v2/search.json?author=${encodeURIComponent('文化馆')}`)).body)
    expect(search.metadata.numberOfItems).toBe(6)
    expect((await app().get('/opds/v2/search.json')).status).toBe(400)
    expect((await app().get('/opds/v2/types/nonsense.json')).status).toBe(404)
  })

  it('authentication: a public discovery document, Basic challenges, signed-in downloads', async () => {
    const doc = await app().get('/opds/auth.json')
    expect(doc.headers.get('content-type')).toBe('application/opds-authentication+json')
    expect(doc.body.authentication[0]).toEqual({
      type: 'http://opds-spec.org/auth/basic',
      labels: { login: '读者证号 / 手机号', password: '密码' },
    })
    const content = `/api/resources/${restricted}/content`
    const anon = await app().get(content)
    expect(anon.status).toBe(401)
    expect(anon.headers.get('www-authenticate')).toMatch(/^Basic /)
    const basic = (cred: string) => ({ authorization: `Basic ${Buffer.from(cred).toString('base64')}` })
    const wrong = await app().get('/opds/v1.2/catalog.xml', basic('13500135000:not-it'))
    expect(wrong.status).toBe(401)
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic realm=/)
    expect(wrong.headers.get('link')).toContain('/opds/auth.json')
    expect((await app().get('/opds/v1.2/catalog.xml', basic('13500135000:reading2026'))).status).toBe(200)
    expect((await app().get(content, basic('13500135000:reading2026'))).status).toBe(200)
  })

  it('a reading app that sends its right credentials on many requests at once is let in on every one', async () => {
    // Registered here: no Basic check of this reader is remembered yet, so all 30 arrive unchecked.
    expect(
      (await app().post('/api/auth/register', { mode: 'quick', phone: '13500135111', password: 'reading2026' })).status,
    ).toBe(201)
    const basic = { authorization: `Basic ${Buffer.from('13500135111:reading2026').toString('base64')}` }
    const statuses = await Promise.all(
      Array.from({ length: 30 }, async () => (await app().get('/opds/v1.2/catalog.xml', basic)).status),
    )
    expect(statuses).toEqual(Array(30).fill(200))
  })
})
