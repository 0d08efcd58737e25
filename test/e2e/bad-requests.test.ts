/**
 * A client's mistakes and departures, against a running node: malformed percent-encoding in
 * any part of the URL is a 400 problem, and an upload cut off mid-stream is an expected event
 * (an info line saying so, nothing stored, no part file left) — neither is logged as an error.
 */
import { request } from 'node:http'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pdf } from '../../node/src/testing/fixtures.js'
import { killAll, start, type Started } from './processes.js'
import { hubAdminToken, json } from './network.js'

let work: string
let node: Started
let data: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shulin-e2e-bad-'))
  data = join(work, 'node')
  node = await start(['--port', '0', '--data', data, '--name', '绍兴图书馆'])
})
afterAll(async () => {
  await killAll()
  await rm(work, { recursive: true, force: true })
})

/** The node's log lines at error level or worse. */
const errorLines = () =>
  node
    .output()
    .split('\n')
    .filter((l) => /"level":(5|6)0/.test(l))

describe('bad requests', () => {
  it('answers malformed percent-encoding in path, parameters and query with a 400 problem, and logs no error', async () => {
    const urls = [
      '/%ff',
      '/reader/%E4%B9',
      '/api/resources/%ff',
      '/api/resources/%ff/content',
      '/api/search?q=%ff',
      '/api/search?q=100%',
      '/opds/v1.2/search.xml?query=%E4%B9',
      '/oai?verb=Identify&x=%zz',
    ]
    for (const path of urls) {
      const res = await fetch(node.url + path)
      expect(res.status, path).toBe(400)
      expect(res.headers.get('content-type'), path).toMatch(/^application\/problem\+json/)
      const problem = await res.json()
      expect(problem.code, path).toBe('validation_failed')
      expect(problem.detail, path).toMatch(/percent-encoding/)
    }
    // Well-formed encoding still reaches the routes.
    const ok = await fetch(`${node.url}/api/search?q=${encodeURIComponent('书 100%')}`)
    expect(ok.status).toBe(200)
    expect(errorLines()).toEqual([])
  })

  it('takes a chunked upload cut off mid-stream as the client going away: an info line, nothing stored', async () => {
    const auth = await hubAdminToken(data, node.url)
    const created = await json(`${node.url}/api/staff/resources`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'book', metadata: { title: '越中金石记' }, access: 'public' }),
    })
    const { port } = new URL(node.url)
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'PUT',
      path: `/api/staff/resources/${created.id}/files/content`,
      headers: { ...auth, 'content-type': 'application/pdf', 'transfer-encoding': 'chunked' },
    })
    req.on('error', () => {})
    const part = pdf(400)
    req.write(part.subarray(0, part.length >> 1))
    // Cut off once the node has taken the first half (its part file exists).
    await expect.poll(async () => (await readdir(join(data, 'tmp'))).length, { timeout: 10_000, interval: 50 }).toBe(1)
    req.destroy()
    await expect.poll(() => node.output().includes('"problem":{"code":"file_rejected"'), { timeout: 10_000 }).toBe(true)
    const line = node
      .output()
      .split('\n')
      .find((l) => l.includes('"problem":{"code":"file_rejected"'))!
    expect(JSON.parse(line)).toMatchObject({
      level: 30,
      method: 'PUT',
      status: 422,
      problem: { detail: expect.stringMatching(/ended before the whole file/) },
    })
    expect(errorLines()).toEqual([])
    // Nothing stored: no part file, no blob, the record has no file.
    expect(await readdir(join(data, 'tmp'))).toEqual([])
    expect(await readdir(join(data, 'blobs'))).toEqual([])
    expect((await json(`${node.url}/api/staff/resources/${created.id}`, { headers: auth })).files).toEqual([])

    // The whole file sent chunked afterwards is taken.
    const whole = await fetch(`${node.url}/api/staff/resources/${created.id}/files/content`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/pdf' },
      body: new Blob([part]).stream(),
      duplex: 'half',
    } as RequestInit)
    expect(whole.status).toBe(200)
    expect((await whole.json()).files).toHaveLength(1)
  })
})
