/**
 * Real-name verification across processes: a hub and a member library each run as their own
 * `shulin start`; a librarian at the member marks a reader verified after seeing the ID card,
 * and the hub's 实名 (real-name verified) count rises at its next directory pull. The time
 * from the desk's click to the hub's count is printed.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client } from '../../node/src/testing/temp-node.js'
import { hubAdminToken, json } from './network.js'
import { killAll, run, start, type Started } from './processes.js'

/** Polls until `ok` holds or `ms` pass; returns the last value read. */
async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms: number): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await read()
    if (ok(v) || Date.now() > deadline) return v
    await new Promise((r) => setTimeout(r, 250))
  }
}

interface LibraryCounts {
  name: string
  registered: number
  realNameVerified: number
}

describe('real-name verification at a member library, counted at the hub', () => {
  let work: string
  let hub: Started
  let member: Started
  let readerId: string
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'shulin-e2e-real-name-'))
    // The hub pulls members' directories and counts every second here (a minute by default).
    const env = { SHULIN_DIRECTORY_PULL_SECONDS: '1', SHULIN_LOG_LEVEL: 'warn' }
    hub = await start(['--port', '0', '--data', join(work, 'hub'), '--role', 'hub', '--name', '国家数字图书馆'], env)
    member = await start(['--port', '0', '--data', join(work, 'linan'), '--name', '临安县图书馆'], env)
    // Registered before the member joins: its reader counts are cached for ten minutes, so
    // the hub's first pull must already include this reader (only a verification drops the cache).
    const reader = new Client(member.url)
    const registered = await reader.post('/api/auth/register', {
      mode: 'quick',
      phone: '13800138000',
      password: 'reading-is-fun-2026',
    })
    expect(registered.status).toBe(201)
    readerId = registered.body.account.id
    const invite = await run([
      'invite',
      '--data',
      join(work, 'hub'),
      '--name',
      '临安县图书馆',
      '--region',
      '330185',
      '--level',
      'county',
    ])
    expect(invite.code, invite.stderr).toBe(0)
    const joined = await run(['join', invite.stdout.trim(), '--data', join(work, 'linan')])
    expect(joined.code, joined.stderr).toBe(0)
  }, 90_000)
  afterAll(async () => {
    await killAll()
    await rm(work, { recursive: true, force: true })
  })

  it('rises when a librarian verifies a reader', async () => {
    const created = await run([
      'admin',
      'create',
      '--data',
      join(work, 'linan'),
      '--username',
      'desk',
      '--password',
      'county-library-2026',
    ])
    expect(created.code, created.stderr).toBe(0)
    const desk = new Client(member.url)
    expect((await desk.post('/api/auth/login', { identifier: 'desk', password: 'county-library-2026' })).status).toBe(
      200,
    )

    const headers = await hubAdminToken(join(work, 'hub'), hub.url)
    const linan = async () =>
      (
        (await json(`${hub.url}/api/staff/identity/readers`, { headers })).libraries as LibraryCounts[] | undefined
      )?.find((l) => l.name === '临安县图书馆')
    expect(await until(linan, (l) => l?.registered === 1, 20_000)).toMatchObject({
      registered: 1,
      realNameVerified: 0,
    })

    const clicked = Date.now()
    const marked = await desk.post(`/api/staff/readers/${readerId}/real-name`, { verified: true })
    expect(marked.status).toBe(200)
    expect(await until(linan, (l) => l?.realNameVerified === 1, 20_000)).toMatchObject({
      registered: 1,
      realNameVerified: 1,
    })
    console.log(`real-name verification reached the hub's count in ${Date.now() - clicked} ms`)
    const total = (await json(`${hub.url}/api/staff/identity/readers`, { headers })).total
    expect(total).toMatchObject({ realNameVerified: 1 })
    const audit = (await desk.get(`/api/staff/readers/${readerId}/real-name`)).body
    expect(audit.entries).toMatchObject([{ verified: true, by: { name: 'desk' } }])
  }, 90_000)
})
