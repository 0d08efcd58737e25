/**
 * `/metrics` and `/api/health/ready` from outside: the text parses as Prometheus exposition
 * format with the families an operator alerts on, a request moves its route's counter (by
 * pattern, not by raw path), and only this machine, the token's holder or staff may read it.
 * Readiness says which check fails, and uploads stop under the free-disk threshold.
 */
import { request } from 'node:http'
import { networkInterfaces } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
// No types ship with it; its one function takes the text and gives the metric families.
// @ts-expect-error untyped package
import parsePrometheus from 'parse-prometheus-text-format'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../testing/temp-node.js'

interface Family {
  name: string
  type: string
  metrics: Array<{ value?: string; labels?: Record<string, string>; buckets?: Record<string, string> }>
}
const parse = (text: string): Family[] => (parsePrometheus as (t: string) => Family[])(text)

const token = 'scrape-token-0123456789abcdef'
let t: TempNode
let admin: Client
beforeAll(async () => {
  t = await startTempNode({ metricsToken: token })
  admin = await signedInAdmin(t)
})
afterAll(() => t.close())

const requestsFor = (families: Family[], route: string, status = '200') =>
  families
    .find((f) => f.name === 'shulin_http_requests_total')
    ?.metrics.filter((m) => m.labels?.route === route && m.labels?.status === status && m.labels?.method === 'GET')
    .reduce((n, m) => n + Number(m.value), 0) ?? 0

/** A GET over a socket bound to `localAddress`: the node (on 127.0.0.1) sees that as the client. */
function getFrom(localAddress: string, url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { localAddress, headers }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.setTimeout(10_000, () => req.destroy(new Error('timed out')))
    req.end()
  })
}

/** This machine's first non-loopback IPv4 address, if it has one. */
const otherAddress = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address

describe('GET /metrics', () => {
  it('parses as Prometheus text with the operator’s families, and counts requests by route pattern', async () => {
    const res = await fetch(t.node.url + '/metrics')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const before = parse(await res.text())
    const names = new Set(before.map((f) => f.name))
    for (const family of [
      'shulin_http_requests_total',
      'shulin_http_request_duration_seconds',
      'shulin_leveldb_bytes',
      'shulin_records',
      'shulin_search_documents',
      'shulin_search_lag_records',
      'shulin_peers_connected',
      'shulin_rollup_queue',
      'shulin_peer_sent_bytes_total',
      'shulin_http_response_bytes_total',
      'shulin_backup_last_failed',
      'shulin_disk_free_bytes',
      'shulin_disk_min_free_bytes',
      'shulin_process_resident_memory_bytes',
      'shulin_nodejs_eventloop_lag_seconds',
    ])
      expect(names, family).toContain(family)
    expect(Number(before.find((f) => f.name === 'shulin_disk_free_bytes')!.metrics[0]!.value)).toBeGreaterThan(0)

    // Two different records, one route: the label is the pattern, so the series count stays bounded.
    expect((await fetch(t.node.url + '/api/resources/01NOPE000000000000000000AA')).status).toBe(404)
    expect((await fetch(t.node.url + '/api/resources/01NOPE000000000000000000BB')).status).toBe(404)
    await fetch(t.node.url + '/api/health/ready')
    const after = parse(await (await fetch(t.node.url + '/metrics')).text())
    expect(requestsFor(after, '/api/resources/:id', '404') - requestsFor(before, '/api/resources/:id', '404')).toBe(2)
    expect(requestsFor(after, '/api/health/ready') - requestsFor(before, '/api/health/ready')).toBe(1)
    const routes = after.find((f) => f.name === 'shulin_http_requests_total')!.metrics.map((m) => m.labels!.route)
    expect(routes.some((r) => r!.includes('01NOPE'))).toBe(false)
  })

  it('refuses a client that is not this machine, unless it brings the token or a staff session', async () => {
    // A request a proxy (here: the test) forwarded for another client is not "this machine".
    const remote = { 'x-forwarded-for': '203.0.113.7' }
    const refused = await fetch(t.node.url + '/metrics', { headers: remote })
    expect(refused.status).toBe(401)
    expect(refused.headers.get('content-type')).toMatch(/problem\+json/)
    expect(
      (await fetch(t.node.url + '/metrics', { headers: { ...remote, authorization: 'Bearer wrong-token-0000000000' } }))
        .status,
    ).toBe(401)
    expect(
      (await fetch(t.node.url + '/metrics', { headers: { ...remote, authorization: `Bearer ${token}` } })).status,
    ).toBe(200)
    expect((await admin.get('/metrics', remote)).status).toBe(200)
    // A signed-in reader is not staff.
    const reader = new Client(t.node.url)
    const reg = await reader.post('/api/auth/register', {
      mode: 'quick',
      phone: '138 0013 8000',
      password: 'reading2026',
      username: 'LinDaiyu',
    })
    expect(reg.status, JSON.stringify(reg.body)).toBe(201)
    expect((await reader.get('/metrics', remote)).status).toBe(403)
  })

  it.skipIf(!otherAddress)(
    'refuses a connection from another address of this machine (a real socket, no header)',
    async () => {
      // The node listens on 127.0.0.1; the client binds its socket to the machine's LAN address,
      // so the node sees a non-loopback peer — as it would see another machine.
      expect(await getFrom(otherAddress!, t.node.url + '/metrics')).toBe(401)
      expect(await getFrom(otherAddress!, t.node.url + '/metrics', { authorization: `Bearer ${token}` })).toBe(200)
      expect(await getFrom('127.0.0.1', t.node.url + '/metrics')).toBe(200)
    },
  )
})

describe('GET /api/health/ready', () => {
  it('answers ready with its checks', async () => {
    const res = await fetch(t.node.url + '/api/health/ready')
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({
      ready: true,
      checks: { database: { ok: true }, disk: { ok: true }, search: { ok: true } },
    })
  })

  it('answers 503 naming the disk when free space is under --min-free-disk, and uploads are refused with the fix', async () => {
    const full = await startTempNode({ minFreeDisk: '100%' })
    try {
      const res = await fetch(full.node.url + '/api/health/ready')
      expect(res.status).toBe(503)
      const problem = (await res.json()) as { code: string; detail: string; errors: Array<{ pointer: string }> }
      expect(problem.code).toBe('not_ready')
      expect(problem.errors.map((e) => e.pointer)).toEqual(['/checks/disk'])
      expect(problem.detail).toMatch(/--min-free-disk/)

      const staff = await signedInAdmin(full)
      const rec = await staff.post('/api/staff/resources', { type: 'book', metadata: { title: '满盘' } })
      expect(rec.status).toBe(201)
      const upload = await staff.call('PUT', `/api/staff/resources/${rec.body.id}/files/content`, new Uint8Array(10), {
        'content-type': 'application/epub+zip',
      })
      expect(upload.status).toBe(507)
      expect(upload.body).toMatchObject({ code: 'low_disk_space', detail: expect.stringMatching(/free space/) })
      const imported = await staff.call('POST', '/api/staff/readers/import', 'cardNo,name\nC1,甲', {
        'content-type': 'text/csv',
      })
      expect(imported.status).toBe(507)
    } finally {
      await full.close()
    }
  })
})
