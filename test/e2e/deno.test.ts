/**
 * The same node under Deno 2 (the `deno` npm package's runtime): start, health, register,
 * sign in, stop cleanly, reopen.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killAll, run, start } from './processes.js'

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shulin-deno-'))
})
afterAll(async () => {
  killAll()
  await rm(work, { recursive: true, force: true })
})

describe('under Deno', () => {
  it('starts, registers and signs a reader in, and stops cleanly', async () => {
    const data = join(work, 'data')
    const node = await start(['--data', data, '--port', '0'], {}, 'deno')
    expect(await (await fetch(node.url + '/api/health')).json()).toMatchObject({ status: 'ok', role: 'node' })
    expect(node.output()).toContain('"runtime":"deno"')

    const json = { 'content-type': 'application/json' }
    const reg = await fetch(node.url + '/api/auth/register', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ mode: 'quick', phone: '13800138000', password: 'reading2026' }),
    })
    expect(reg.status).toBe(201)
    const login = await fetch(node.url + '/api/auth/login', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ identifier: '13800138000', password: 'reading2026' }),
    })
    expect(login.status).toBe(200)
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!
    const me = await fetch(node.url + '/api/me', { headers: { cookie } })
    expect(((await me.json()) as { account: { phone: string } }).account.phone).toBe('13800138000')

    node.child.kill('SIGTERM')
    expect(await node.exited).toBe(0)
    // Closed cleanly: the folder opens again (here under Node) and the reader is still there.
    const again = await start(['--data', data, '--port', '0'])
    const relog = await fetch(again.url + '/api/auth/login', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ identifier: '13800138000', password: 'reading2026' }),
    })
    expect(relog.status).toBe(200)
    again.child.kill('SIGTERM')
    expect(await again.exited).toBe(0)
    expect((await run(['--version'], {}, 'deno')).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/)
  })
})
