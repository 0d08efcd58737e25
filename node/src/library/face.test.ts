/**
 * The library's face as an admin sets it in the console: theme colours that keep the portal
 * readable (a colour under AA contrast is refused with the ratio), a logo uploaded as an image
 * (checked by its bytes, capped, never SVG) that becomes the header's logo and the installed
 * app's icons, and the web manifest that follows both.
 */
import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../testing/temp-node.js'
import { png } from '../testing/fixtures.js'

let t: TempNode
let admin: Client
beforeAll(async () => {
  t = await startTempNode({ name: '桐庐县图书馆' })
  admin = await signedInAdmin(t)
})
afterAll(() => t.close())

/** A PUT that declares one byte over the cap (and sends a few): the node answers from the header. */
function declaredOversize(): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${t.node.url}/api/staff/library/logo`,
      {
        method: 'PUT',
        headers: {
          'content-type': 'image/png',
          'content-length': String(1024 * 1024 + 1),
          cookie: admin.cookie!,
          'x-csrf-token': admin.csrf!,
        },
        timeout: 10_000,
      },
      (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
        req.destroy()
      },
    )
    req.on('error', reject)
    req.write(png)
  })
}

const manifest = async () => (await fetch(`${t.node.url}/manifest.webmanifest`)).json()

describe('the library’s face', () => {
  it('takes theme colours that keep AA contrast, refuses ones that do not (with the ratio), and colours the manifest', async () => {
    expect((await admin.get('/api/library')).body.theme).toBeNull()
    expect((await manifest()).theme_color).toBe('#1f3a5f')

    const ok = await admin.put('/api/staff/library', { theme: { ink: '#0b5d3b', accent: '#a3262a' } })
    expect(ok.status).toBe(200)
    expect((await new Client(t.node.url).get('/api/library')).body.theme).toEqual({ ink: '#0b5d3b', accent: '#a3262a' })
    expect((await manifest()).theme_color).toBe('#0b5d3b')

    // A pale yellow ink: white header text on it would be unreadable.
    const pale = await admin.put('/api/staff/library', { theme: { ink: '#f5d76e', accent: '#a3262a' } })
    expect(pale.status).toBe(400)
    expect(pale.headers.get('content-type')).toContain('application/problem+json')
    expect(JSON.stringify(pale.body)).toMatch(/contrast_too_low: 1\.\d\d : 1/)
    for (const theme of [
      { ink: 'green', accent: '#a3262a' },
      { ink: '#0b5d3b', accent: '#ff9999' },
      { ink: '#0b5d3b' },
    ]) {
      expect((await admin.put('/api/staff/library', { theme })).status, JSON.stringify(theme)).toBe(400)
    }
    expect((await admin.get('/api/library')).body.theme.ink).toBe('#0b5d3b')

    expect((await admin.put('/api/staff/library', { theme: null })).status).toBe(200)
    expect((await manifest()).theme_color).toBe('#1f3a5f')
  })

  it('makes an uploaded logo the header’s logo and the app’s icons; refuses SVG, lies and oversized files', async () => {
    const put = (body: Uint8Array, type: string) => admin.put('/api/staff/library/logo', body, { 'content-type': type })
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    expect((await put(svg, 'image/svg+xml')).status).toBe(422)
    expect((await put(Buffer.from('<html><script>alert(1)</script></html>'), 'image/png')).status).toBe(422)
    expect(await declaredOversize()).toBe(413)
    expect((await new Client(t.node.url).get('/api/library')).body.logoUrl).toBeNull()

    const up = await put(png, 'image/png')
    expect(up.status).toBe(200)
    const logoUrl = up.body.effective.logoUrl as string
    expect(logoUrl).toMatch(/^\/api\/library\/logo\?v=[0-9a-f]{12}$/)
    const logo = await fetch(t.node.url + logoUrl)
    expect(logo.status).toBe(200)
    expect(logo.headers.get('content-type')).toBe('image/png')
    expect(Buffer.from(await logo.arrayBuffer())).toEqual(png)

    const m = await manifest()
    expect(m.name).toBe('桐庐县图书馆')
    expect(m.icons.map((i: { sizes: string }) => i.sizes)).toEqual(['192x192', '512x512'])
    for (const icon of m.icons) {
      const res = await fetch(t.node.url + icon.src)
      expect(res.headers.get('content-type')).toBe('image/png')
      const bytes = Buffer.from(await res.arrayBuffer())
      // PNG IHDR: width and height at bytes 16–23.
      expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([
        Number(icon.sizes.split('x')[0]),
        Number(icon.sizes.split('x')[0]),
      ])
    }
    // Pointing the logo elsewhere retires the uploaded one (and its icons) from the manifest.
    expect((await admin.put('/api/staff/library', { logoUrl: '/icon.svg' })).status).toBe(200)
    expect((await manifest()).icons[0].src).toBe('/icon.svg')
  })

  it('lets only admins upload a logo', async () => {
    const anon = new Client(t.node.url)
    expect((await anon.put('/api/staff/library/logo', png, { 'content-type': 'image/png' })).status).toBe(401)
  })
})

describe('the network’s name', () => {
  it('is the hub’s to set, shown with its profile; a member node refuses it', async () => {
    expect((await new Client(t.node.url).get('/api/library')).body.network).toBeNull()
    const refused = await admin.put('/api/staff/library', { networkName: '全国公共图书馆数字服务网' })
    expect(refused.status).toBe(400)
    expect(JSON.stringify(refused.body)).toContain('/networkName')

    const hub = await startTempNode({ role: 'hub', name: '国家图书馆' })
    try {
      const hubAdmin = await signedInAdmin(hub)
      expect((await hubAdmin.get('/api/staff/library')).body.role).toBe('hub')
      expect((await new Client(hub.node.url).get('/api/library')).body.network).toBeNull()
      const saved = await hubAdmin.put('/api/staff/library', { networkName: '全国公共图书馆数字服务网' })
      expect(saved.status).toBe(200)
      expect((await new Client(hub.node.url).get('/api/library')).body).toMatchObject({
        name: '国家图书馆',
        network: '全国公共图书馆数字服务网',
      })
      expect((await hubAdmin.put('/api/staff/library', { networkName: null })).body.effective.network).toBeNull()
    } finally {
      await hub.close()
    }
  }, 60_000)
})
