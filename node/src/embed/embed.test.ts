/**
 * The embeds as the node serves them (needs the web UI built: `npm run build -w @shulin/web-ui`):
 * `embed.js` and its chunks readable by any site and cached, the iframe pages framed per
 * `--embed-ancestors` for public content and only by the node itself otherwise, drafts not
 * there at all, titles escaped; the portal's own pages still refuse to be framed elsewhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { NodeConfig } from '../config/config.js'
import { defaultWebUiDir } from '../http/web-ui.js'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../testing/temp-node.js'

const other = { origin: 'http://library.example' }

describe('embed.js and the iframe pages', () => {
  let t: TempNode
  let staff: Client
  let lecture: string
  let course: string
  let privateLecture: string
  let draftLecture: string

  beforeAll(async () => {
    t = await startTempNode({ embedAncestors: "'self' https://lib.example.cn" })
    staff = await signedInAdmin(t)
    course = (await staff.post('/api/courses', { title: '宋词十讲' })).body.id
    lecture = (await staff.post(`/api/courses/${course}/lectures`, { title: '第一讲 <script>alert(1)</script>' })).body
      .id
    await staff.post(`/api/courses/${course}/publish`)
    draftLecture = (await staff.post(`/api/courses/${course}/lectures`, { title: '草稿' })).body.id
    const closed = (await staff.post('/api/courses', { title: '馆内课程', access: 'node-readers' })).body.id
    privateLecture = (await staff.post(`/api/courses/${closed}/lectures`, { title: '馆内一讲' })).body.id
    await staff.post(`/api/courses/${closed}/publish`)
  }, 60_000)
  afterAll(() => t?.close())

  it('serves embed.js to any site, cached a day and revalidated', async () => {
    const anyone = new Client(t.node.url, other)
    const r = await anyone.get('/embed.js')
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toMatch(/^text\/javascript/)
    expect(r.headers.get('access-control-allow-origin')).toBe('*')
    expect(r.headers.get('access-control-allow-credentials')).toBeNull()
    expect(r.headers.get('cross-origin-resource-policy')).toBe('cross-origin')
    expect(r.headers.get('cache-control')).toBe('public, max-age=86400, stale-while-revalidate=604800')
    expect(String(r.body)).toContain('shulin-course')
    const again = await anyone.get('/embed.js', { 'if-none-match': r.headers.get('etag')! })
    expect(again.status).toBe(304)

    const [chunk] = await readdir(join(defaultWebUiDir, 'embed', 'embed-chunks'))
    const c = await anyone.get(`/embed-chunks/${chunk}`)
    expect(c.status).toBe(200)
    expect(c.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(c.headers.get('access-control-allow-origin')).toBe('*')
    expect((await anyone.get('/embed-chunks/nope.js')).status).toBe(404)
    expect((await anyone.get('/embed-chunks/..%2Fembed.js')).status).toBe(404)
  })

  it('frames a public lecture where the node allows, a closed one only at home, a draft nowhere', async () => {
    const anyone = new Client(t.node.url)
    const page = await anyone.get(`/embed/lectures/${lecture}?t=75`)
    expect(page.status).toBe(200)
    const csp = page.headers.get('content-security-policy')!
    expect(csp).toContain("frame-ancestors 'self' https://lib.example.cn")
    expect(page.headers.get('x-frame-options')).toBeNull()
    expect(String(page.body)).toContain(`<shulin-player lecture="${lecture}" start="75"`)
    expect(String(page.body)).toContain('<script type="module" src="/embed.js"></script>')
    expect(String(page.body)).not.toContain('<script>alert(1)')
    expect(String(page.body)).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')

    const closed = await anyone.get(`/embed/lectures/${privateLecture}`)
    expect(closed.headers.get('content-security-policy')).toContain("frame-ancestors 'self'")
    expect(closed.headers.get('content-security-policy')).not.toContain('lib.example.cn')
    expect((await anyone.get(`/embed/lectures/${draftLecture}`)).status).toBe(404)
    expect((await anyone.get('/embed/lectures/nope')).status).toBe(404)
    expect((await anyone.get(`/embed/lectures/${course}`)).status).toBe(404)

    const coursePage = await anyone.get(`/embed/courses/${course}?lang=en`)
    expect(coursePage.status).toBe(200)
    expect(String(coursePage.body)).toContain(`<shulin-course course="${course}" lang="en">`)
    expect((await anyone.get(`/embed/courses/${lecture}`)).status).toBe(404)

    // The portal itself is still framed by nobody else.
    expect((await anyone.get('/courses')).headers.get('x-frame-options')).toBe('SAMEORIGIN')
  })

  it('refuses a frame-ancestors setting that is not a list of sources', () => {
    for (const bad of ["* ; script-src 'unsafe-inline'", 'javascript:alert(1)', "'self',https://a.cn", ''])
      expect(NodeConfig.safeParse({ embedAncestors: bad }).success, bad).toBe(false)
    for (const good of ['*', "'none'", "'self' https://lib.example.cn https://*.example.org:8443", 'https:'])
      expect(NodeConfig.safeParse({ embedAncestors: good }).success, good).toBe(true)
  })
})
