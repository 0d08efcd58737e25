/**
 * Behind a reverse proxy: the client address is the one the trusted proxy saw, not what the
 * client wrote at the head of X-Forwarded-For; and an https public URL always means `Secure`,
 * `__Host-` session cookies, whatever X-Forwarded-Proto says or omits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateNodeKey } from '@shulin/federation/identity'
import { Client, startTempNode, type TempNode } from '../testing/temp-node.js'
import { startsPerHour } from '../identity/routes.js'
import { proxyTrust } from './proxy.js'

describe('which X-Forwarded-For hop is the client', () => {
  const forged = '6.6.6.6'
  it('one trusted hop (--trust-proxy): the address the proxy appended, never the client’s own claim', () => {
    const p = proxyTrust({ trustProxy: true })
    expect(p.clientAddress('10.0.0.2', `${forged}, 203.0.113.7`)).toBe('203.0.113.7')
    expect(p.clientAddress('10.0.0.2', '203.0.113.7')).toBe('203.0.113.7')
    // No header: the proxy itself is all we know.
    expect(p.clientAddress('10.0.0.2', undefined)).toBe('10.0.0.2')
    // Not an address where the proxy's entry should be: the last address believed.
    expect(p.clientAddress('10.0.0.2', `${forged}, <script>`)).toBe('10.0.0.2')
  })

  it('N hops (--trusted-proxies 2): the entry the outer proxy appended', () => {
    const p = proxyTrust({ trustProxy: false, trustedProxies: 2 })
    expect(p.clientAddress('10.0.0.3', `${forged}, 203.0.113.7, 10.0.0.2`)).toBe('203.0.113.7')
  })

  it('a list (--trusted-proxies 10.0.0.0/8,loopback): the first hop from the node that is not a listed proxy', () => {
    const p = proxyTrust({ trustProxy: false, trustedProxies: ['10.0.0.0/8', 'loopback'] })
    expect(p.clientAddress('127.0.0.1', `${forged}, 203.0.113.7, 10.1.2.3`)).toBe('203.0.113.7')
    expect(p.clientAddress('::ffff:10.0.0.2', `${forged}, 203.0.113.7`)).toBe('203.0.113.7')
    // A caller that is not one of the proxies: its headers are not believed at all.
    expect(p.trusts('198.51.100.1')).toBe(false)
    expect(p.clientAddress('198.51.100.1', '203.0.113.7')).toBe('198.51.100.1')
  })

  it('no proxy trusted: the socket’s peer', () => {
    const p = proxyTrust({ trustProxy: false })
    expect(p.trusts('127.0.0.1')).toBe(false)
    expect(p.clientAddress('127.0.0.1', '203.0.113.7')).toBe('127.0.0.1')
  })
})

describe('a node behind one proxy (--trust-proxy), over a real socket', () => {
  let t: TempNode
  beforeAll(async () => {
    t = await startTempNode({ trustProxy: true })
  })
  afterAll(() => t?.close())

  it('a client who writes a new X-Forwarded-For address on every request is still one address', async () => {
    const home = (await generateNodeKey()).nodeId
    // The proxy (this socket, on loopback) appends the address it saw: always 203.0.113.7.
    const start = (xff: string) =>
      fetch(`${t.node.url}/api/identity/start?home=${home}`, {
        headers: { 'x-forwarded-for': xff },
        redirect: 'manual',
      })
    const statuses: number[] = []
    for (let i = 0; i <= startsPerHour; i++)
      statuses.push((await start(`6.6.${i >> 8}.${i & 255}, 203.0.113.7`)).status)
    expect(statuses.slice(0, startsPerHour).every((s) => s === 404)).toBe(true)
    expect(statuses.at(-1)).toBe(429)
    // Another reader behind the same proxy is not held back.
    expect((await start('198.51.100.9')).status).toBe(404)
  })

  it('believes X-Forwarded-Host from the proxy only for one of the node’s own origins: a foreign one gets no signed redirect', async () => {
    const home = (await generateNodeKey()).nodeId
    const res = await fetch(`${t.node.url}/api/identity/start?home=${home}`, {
      headers: { 'x-forwarded-host': 'evil.example', 'accept-language': 'en' },
      redirect: 'manual',
    })
    expect(res.status).toBe(421)
    expect(res.headers.get('location')).toBeNull()
    expect(await res.json()).toMatchObject({ code: 'misdirected_request' })
    // Links fall back to the node's own address.
    const discovery = await (
      await fetch(`${t.node.url}/.well-known/openid-configuration`, { headers: { 'x-forwarded-host': 'evil.example' } })
    ).json()
    expect(discovery.authorization_endpoint).toBe(`${t.node.url}/oidc/authorize`)
  })
})

describe('an https public URL (--trust-proxy --public-url https://…)', () => {
  let t: TempNode
  beforeAll(async () => {
    t = await startTempNode({ trustProxy: true, publicUrl: 'https://library.example.org' })
  })
  afterAll(() => t?.close())

  it('gives a Secure __Host- session cookie when the proxy sends no X-Forwarded-Proto, or says http', async () => {
    for (const [i, headers] of [{}, { 'x-forwarded-proto': 'http' }].entries()) {
      // The proxy reaches the node on loopback; the node's own URL is the public one.
      const reader = new Client(`http://127.0.0.1:${t.node.port}`, headers)
      const res = await reader.post('/api/auth/register', {
        mode: 'quick',
        phone: `1380013800${i}`,
        password: 'reading-is-fun-2026',
      })
      expect(res.status).toBe(201)
      const cookie = res.headers.get('set-cookie') ?? ''
      expect(cookie).toMatch(/^__Host-shulin_session=[^;]+;/)
      expect(cookie).toMatch(/;\s*Secure/i)
      expect(cookie).toMatch(/;\s*Path=\//i)
      // The cookie signs the reader in on the next request, as the browser sends it back.
      expect((await reader.get('/api/me')).status).toBe(200)
    }
  })

  it('starts a sign-in only for a request addressed to the public URL’s host', async () => {
    const home = (await generateNodeKey()).nodeId
    const start = (host: string) =>
      fetch(`http://127.0.0.1:${t.node.port}/api/identity/start?home=${home}`, {
        headers: { 'x-forwarded-host': host },
        redirect: 'manual',
      })
    expect((await start('evil.example')).status).toBe(421)
    // Its own host passes the check (and the home, unknown here, is the next refusal).
    expect(await (await start('library.example.org')).json()).toMatchObject({ code: 'home_unknown' })
  })
})
