/**
 * The same node under Deno 2 (the `deno` npm package's runtime): start, health, register,
 * sign in, stop cleanly, reopen; and a live lecture's WebSocket room through hono/deno's helper.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killAll, run, start } from './processes.js'
import { connectRoom } from '../../node/src/testing/ws-client.js'

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shulin-deno-'))
})
afterAll(async () => {
  await killAll()
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

  it('serves a live lecture’s room: a question reaches every client, bad frames are refused', async () => {
    const data = join(work, 'room')
    const made = await run(
      ['admin', 'create', '--username', 'denoadmin', '--password', 'county-library-2026', '--data', data],
      {},
      'deno',
    )
    expect(made.code, made.stderr).toBe(0)
    const node = await start(['--data', data, '--port', '0'], {}, 'deno')
    const json = { 'content-type': 'application/json' }
    const signIn = async (identifier: string, password: string) => {
      const r = await fetch(node.url + '/api/auth/login', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ identifier, password }),
      })
      expect(r.status).toBe(200)
      const body = (await r.json()) as { session: { csrfToken: string } }
      return { cookie: r.headers.get('set-cookie')!.split(';')[0]!, csrf: body.session.csrfToken }
    }
    const admin = await signIn('denoadmin', 'county-library-2026')
    const created = await fetch(node.url + '/api/staff/live', {
      method: 'POST',
      headers: { ...json, cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      body: JSON.stringify({ title: '鲁迅与绍兴', start: new Date(Date.now() + 3_600_000).toISOString() }),
    })
    expect(created.status).toBe(201)
    const { liveId } = (await created.json()) as { liveId: string }
    await fetch(node.url + '/api/auth/register', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ mode: 'quick', phone: '13800138001', password: 'reading2026' }),
    })
    const reader = await signIn('13800138001', 'reading2026')

    const url = `${node.url.replace(/^http/, 'ws')}/api/live/${liveId}/room`
    const asker = await connectRoom(url, { cookie: reader.cookie, origin: node.url })
    const moderator = await connectRoom(url, { cookie: admin.cookie })
    const anonymous = await connectRoom(url)
    expect(await moderator.next('welcome')).toMatchObject({ canModerate: true, status: 'scheduled' })
    expect(await anonymous.next('welcome')).toMatchObject({ canSpeak: false })
    asker.send({ type: 'question', text: '<i>为什么</i>是绍兴？' })
    for (const c of [asker, moderator, anonymous])
      expect(await c.next('question')).toMatchObject({ text: '<i>为什么</i>是绍兴？', votes: 0 })
    anonymous.send({ type: 'question', text: '匿名' })
    expect(await anonymous.next('refused')).toMatchObject({ code: 'unauthenticated' })
    asker.send('x'.repeat(5000))
    expect(await asker.next('refused')).toMatchObject({ code: 'too_long' })
    await expect(connectRoom(url, { cookie: reader.cookie, origin: 'https://evil.example' })).rejects.toMatchObject({
      status: 403,
    })
    for (const c of [asker, moderator, anonymous]) c.close()
    node.child.kill('SIGTERM')
    expect(await node.exited).toBe(0)
  })
})
