/**
 * News against a real node (real LevelDB, real HTTP): the contract `GET /api/news` →
 * `{"items":[…]}` (published, inside the window, pinned first, paged), drafts and withdrawn posts
 * hidden, sanitising attacks (script, event handlers, javascript: and data: URLs, style, svg,
 * protocol-relative links, images from anywhere but https or this node's own), the image upload
 * checked by its bytes, and the Atom feed with absolute links and the node's name.
 */
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../testing/temp-node.js'
import { sanitizeNewsHtml } from './sanitize.js'

/** Each attack, and what must never survive it in stored or served HTML. */
const attacks = [
  '<script>alert(1)</script>',
  '<img src=x onerror="alert(2)">',
  '<img src="https://img.example.cn/a.png" onerror="alert(3)">',
  '<a href="javascript:alert(4)">点我</a>',
  '<a href="JaVaScRiPt&colon;alert(5)">点我</a>',
  '<a href="&#106;avascript:alert(6)">点我</a>',
  '<a href=" javascript:alert(7)">点我</a>',
  '<a href="data:text/html,<script>alert(8)</script>">x</a>',
  '<p style="background:url(javascript:alert(9))" onclick="alert(10)">段</p>',
  '<svg onload="alert(11)"><circle/></svg>',
  '<iframe src="https://evil.example"></iframe>',
  '<img src="javascript:alert(12)">',
  '<img src="data:image/png;base64,AAAA">',
  '<img src="/api/auth/logout">',
  '<img src="http://insecure.example/a.png">',
  '<a href="//evil.example/x">x</a>',
  '<form action="/x"><input name=a></form>',
  '<style>body{display:none}</style>',
  '<p><scr<script>ipt>alert(13)</script></p>',
  '<math><mi xlink:href="javascript:alert(14)">x</mi></math>',
].join('\n')
const forbidden = [
  /<script/i,
  /onerror/i,
  /onload/i,
  /onclick/i,
  /javascript:/i,
  /data:/i,
  /<iframe/i,
  /<svg/i,
  /style=/i,
  /<style/i,
  /<form/i,
  /href="\/\//,
  /logout/,
  /http:\/\/insecure/,
]

describe('sanitising', () => {
  it('keeps the allow-list and nothing dangerous', () => {
    const out = sanitizeNewsHtml(
      `<h2>标题</h2><p><strong>粗</strong><em>斜</em><a href="https://nlc.cn" rel="opener" target="_blank">链</a><a href="/records/1">内</a></p>` +
        `<ul><li>一</li></ul><ol><li>二</li></ol><blockquote>引</blockquote>` +
        `<figure><img src="https://img.example.cn/a.png" alt="图"><figcaption>说明</figcaption></figure>` +
        `<img src="/api/news/images/${'a'.repeat(64)}"><h1>大</h1><h5>小</h5>`,
    )
    expect(out).toBe(
      `<h2>标题</h2><p><strong>粗</strong><em>斜</em><a href="https://nlc.cn" rel="noopener">链</a><a href="/records/1" rel="noopener">内</a></p>` +
        `<ul><li>一</li></ul><ol><li>二</li></ol><blockquote>引</blockquote>` +
        `<figure><img src="https://img.example.cn/a.png" alt="图" /><figcaption>说明</figcaption></figure>` +
        `<img src="/api/news/images/${'a'.repeat(64)}" />大小`,
    )
    const attacked = sanitizeNewsHtml(attacks)
    for (const re of forbidden) expect(attacked, String(re)).not.toMatch(re)
    // The safe image of an attack stays, without its handler.
    expect(attacked).toContain('<img src="https://img.example.cn/a.png" />')
  })
})

describe('news over HTTP', () => {
  let t: TempNode
  let staff: Client
  const anon = () => new Client(t.node.url)
  const start = Date.parse('2026-12-03T02:00:00Z')
  const hour = 3_600_000

  beforeAll(async () => {
    t = await startTempNode()
    t.clock.now = start
    staff = await signedInAdmin(t)
    // Two weeks' session: the test moves the node's clock by a day.
    await staff.post('/api/auth/login', { identifier: 'libadmin', password: 'county-library-2026', remember: true })
  }, 60_000)
  afterAll(() => t?.close())

  const post = async (body: Record<string, unknown>) => {
    const r = await staff.post('/api/staff/news', body)
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    t.clock.now += 1000
    return r.body.id as string
  }

  it('lists published posts in their window, pinned first, paged', { timeout: 60_000 }, async () => {
    expect((await anon().get('/api/news')).body).toEqual({ items: [] })
    const old = await post({ title: '旧闻', html: '<p>一</p>', status: 'published' })
    const pinned = await post({ title: '置顶：闭馆通知', html: '<p>二</p>', status: 'published', pinned: true })
    const fresh = await post({ title: '新书上架', html: '<p>三</p>', status: 'published' })
    await post({ title: '草稿', html: '<p>未发</p>' })
    const later = await post({
      title: '明日开放',
      status: 'published',
      from: new Date(start + 24 * hour).toISOString(),
    })
    const ended = await post({
      title: '已结束',
      status: 'published',
      to: new Date(start + 2 * hour).toISOString(),
    })
    const withdrawn = await post({ title: '撤回的', status: 'published' })
    expect((await staff.put(`/api/staff/news/${withdrawn}`, { title: '撤回的', status: 'withdrawn' })).status).toBe(200)

    const r = await anon().get('/api/news')
    expect(r.status).toBe(200)
    expect(r.body.items.map((i: { id: string }) => i.id)).toEqual([pinned, ended, fresh, old])
    expect(r.body.items[0]).toMatchObject({
      title: '置顶：闭馆通知',
      summary: '二',
      pinned: true,
      source: { hub: false, nodeId: t.node.nodeId },
    })
    // Paged.
    const p1 = await anon().get('/api/news?limit=2')
    expect(p1.body.items).toHaveLength(2)
    const p2 = await anon().get(`/api/news?limit=2&cursor=${p1.body.next}`)
    expect(p2.body.items.map((i: { id: string }) => i.id)).toEqual([fresh, old])
    expect(p2.body.next).toBeUndefined()

    // The window moves with the node's clock.
    t.clock.now = start + 25 * hour
    const ids = (await anon().get('/api/news')).body.items.map((i: { id: string }) => i.id)
    expect(ids).toContain(later)
    expect(ids).not.toContain(ended)

    // A draft or withdrawn post is 404 to readers, visible to staff.
    expect((await anon().get(`/api/news/${withdrawn}`)).status).toBe(404)
    expect((await staff.get(`/api/staff/news/${withdrawn}`)).body.status).toBe('withdrawn')
    expect((await staff.get('/api/staff/news')).body.items).toHaveLength(7)

    // Readers cannot write; bad input is a 400, never a 500.
    expect((await anon().post('/api/staff/news', { title: 'x' })).status).toBeGreaterThanOrEqual(401)
    expect((await staff.post('/api/staff/news', { title: '' })).status).toBe(400)
    expect(
      (await staff.post('/api/staff/news', { title: 'x', from: '2026-12-05T00:00:00Z', to: '2026-12-04T00:00:00Z' }))
        .status,
    ).toBe(400)
    expect((await anon().get('/api/news?limit=500')).status).toBe(400)
    expect((await anon().get('/api/news?cursor=abc')).status).toBe(400)
    expect((await anon().get('/api/news/no-such-post')).status).toBe(404)
    expect((await staff.put('/api/staff/news/no-such-post', { title: 'x' })).status).toBe(404)
    expect((await staff.post('/api/staff/news', { title: 'x', html: 'a'.repeat(200_001) })).status).toBe(400)
    expect((await staff.post('/api/staff/news', { title: 'x', status: 'archived' })).status).toBe(400)
  })

  it('stores and serves only sanitised HTML', { timeout: 60_000 }, async () => {
    const id = await post({ title: '<b>攻击</b>', html: attacks, status: 'published' })
    for (const path of [`/api/news/${id}`, `/api/staff/news/${id}`]) {
      const html = (await (path.includes('staff') ? staff : anon()).get(path)).body.html as string
      for (const re of forbidden) expect(html, `${path} ${re}`).not.toMatch(re)
    }
    // The title is text: kept as typed, escaped wherever it is shown.
    expect((await anon().get(`/api/news/${id}`)).body.title).toBe('<b>攻击</b>')
    const atom = await anon().get('/news.atom')
    for (const re of [/<script/i, /onerror=/i, /javascript:/i]) expect(atom.body as string).not.toMatch(re)
  })

  it('takes images checked by their bytes and serves only those', { timeout: 60_000 }, async () => {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#c00' } })
      .png()
      .toBuffer()
    const up = await staff.post('/api/staff/news/images', new Uint8Array(png), { 'content-type': 'image/png' })
    expect(up.status, JSON.stringify(up.body)).toBe(201)
    expect(up.body.url).toMatch(/^\/api\/news\/images\/[0-9a-f]{64}$/)
    const img = await anon().get(up.body.url)
    expect(img.status).toBe(200)
    expect(img.headers.get('content-type')).toBe('image/png')
    // HTML claimed as an image is refused; a reader cannot upload.
    const fake = await staff.post('/api/staff/news/images', new TextEncoder().encode('<html><script>1</script>'), {
      'content-type': 'image/png',
    })
    expect(fake.status).toBe(422)
    expect(
      (await anon().post('/api/staff/news/images', new Uint8Array(png), { 'content-type': 'image/png' })).status,
    ).toBeGreaterThanOrEqual(401)
    // Another blob of the node (not a news image) is not served here.
    expect((await anon().get(`/api/news/images/${'0'.repeat(64)}`)).status).toBe(404)

    const id = await post({
      title: '图文',
      html: `<figure><img src="${up.body.url}" alt="红"><figcaption>图</figcaption></figure><p>正文</p>`,
      status: 'published',
    })
    const item = (await anon().get(`/api/news/${id}`)).body
    expect(item.image).toBe(up.body.url)
    expect(item.html).toContain(`<img src="${up.body.url}" alt="红" />`)
  })

  it('has an Atom feed with absolute links and the node’s name', { timeout: 30_000 }, async () => {
    const r = await anon().get('/news.atom')
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toMatch(/^application\/atom\+xml/)
    const xml = r.body as string
    expect(xml).toMatch(/^<\?xml/)
    expect(xml).toContain(`<link rel="self" href="${t.node.url}/news.atom"/>`)
    expect(xml).toContain('新闻公告</title>')
    expect(xml).toContain(`<id>${t.node.url}/news/`)
    // Own images absolute too (feed readers resolve nothing).
    expect(xml).toMatch(new RegExp(`src="${t.node.url.replace(/[.]/g, '\\.')}/api/news/images/[0-9a-f]{64}"`))
    expect(xml).not.toMatch(/src="\/api/)
  })
})
