import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFile } from 'node:fs/promises'
import { ClassicLevel } from 'classic-level'
import { rm } from 'node:fs/promises'
import { Client, startTempNode, tempDir, type TempNode } from '../testing/temp-node.js'
import { shulinVersion } from '../version.js'

describe('the node over HTTP', () => {
  let t: TempNode
  beforeAll(async () => {
    t = await startTempNode({ role: 'hub' })
  })
  afterAll(() => t.close())

  it('answers health over a real socket and through app.request alike', async () => {
    const expected = { status: 'ok', role: 'hub', nodeId: t.node.nodeId, version: shulinVersion }
    expect(await (await fetch(t.node.url + '/api/health')).json()).toEqual(expected)
    expect(await (await t.node.app.request('/api/health')).json()).toEqual(expected)
  })

  it('keeps the version equal to package.json', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8'))
    expect(shulinVersion).toBe(pkg.version)
  })

  it('publishes an OpenAPI 3.1 document generated from the route schemas', async () => {
    const doc = await (await fetch(t.node.url + '/api/openapi.json')).json()
    expect(doc.openapi).toBe('3.1.0')
    for (const path of [
      '/api/health',
      '/api/auth/register',
      '/api/auth/login',
      '/api/auth/logout',
      '/api/me',
      '/api/staff/readers',
      '/api/staff/readers/{id}/disable',
    ]) {
      expect(doc.paths, path).toHaveProperty([path])
    }
    const login = doc.paths['/api/auth/login'].post
    expect(login.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['identifier', 'password']),
    )
    expect(login.responses.default.content).toHaveProperty(['application/problem+json'])
    const register = doc.paths['/api/auth/register'].post.requestBody.content['application/json'].schema
    expect(JSON.stringify(register)).toContain('real-name')
  })

  it('stores argon2id hashes with at least the OWASP parameters', async () => {
    const dir = await tempDir()
    const own = await startTempNode({ dataDir: dir })
    await new Client(own.node.url).post('/api/auth/register', {
      mode: 'quick',
      phone: '13800138000',
      password: 'reading2026',
    })
    await own.close()
    const db = new ClassicLevel<string, string>(dir + '/db')
    await db.open()
    const hashes: string[] = []
    for await (const [k, v] of db.iterator()) if (k.startsWith('!accounts!')) hashes.push(JSON.parse(v).passwordHash)
    await db.close()
    expect(hashes).toHaveLength(1)
    const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(hashes[0]!)!
    expect(Number(m[1])).toBeGreaterThanOrEqual(19456)
    expect(Number(m[2])).toBeGreaterThanOrEqual(2)
    expect(Number(m[3])).toBe(1)
    await rm(dir, { recursive: true, force: true })
  })
})
