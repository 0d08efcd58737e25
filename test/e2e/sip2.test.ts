/**
 * A reader signs in with the card and PIN an ILS holds: a node started with SHULIN_SIP2_URL
 * asks a SIP2 server process (written from the spec, test/e2e/sip2-ils.mjs); the first sign-in
 * makes a local account linked to the card, named by the ILS; a blocked card is refused with
 * the ILS's message; an ILS that is down gives 503, not 500, and local accounts still sign in.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killAll, run, start, type Started } from './processes.js'
import { startIls, type Ils } from './sip2-ils-process.js'

let work: string
let ils: Ils
let node: Started
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shulin-sip2-'))
  ils = await startIls()
  const made = await run([
    'admin',
    'create',
    '--data',
    join(work, 'node'),
    '--username',
    'libadmin',
    '--password',
    'county-library-2026',
  ])
  expect(made.code).toBe(0)
  node = await start(['--port', '0', '--data', join(work, 'node')], {
    SHULIN_SIP2_URL: `sip2://shulin:sip-secret@127.0.0.1:${ils.port}?institution=CNTEST&location=MAIN`,
  })
}, 40_000)
afterAll(async () => {
  await killAll()
  ils?.child.kill('SIGKILL')
  await rm(work, { recursive: true, force: true })
})

async function login(identifier: string, password: string) {
  const res = await fetch(node.url + '/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept-language': 'zh-CN' },
    body: JSON.stringify({ identifier, password, bearer: true }),
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

describe('sign-in against the ILS over SIP2', { timeout: 60_000 }, () => {
  it('signs a reader in with card and PIN; the first sign-in links a local account named by the ILS', async () => {
    const first = await login('23000001', '1234')
    expect(first.status).toBe(200)
    const account = first.body.account as Record<string, unknown>
    expect(account).toMatchObject({ kind: 'reader', cardNo: '23000001', name: '张小明', hasPassword: false })
    const me = await fetch(node.url + '/api/me', { headers: { authorization: `Bearer ${String(first.body.token)}` } })
    expect(((await me.json()) as { account: { id: string } }).account.id).toBe(account.id)
    // The second sign-in finds the same account, and the ILS is asked again (no PIN kept here).
    const asked = ils.reported('patron').length
    const again = await login('23000001', '1234')
    expect((again.body.account as { id: string }).id).toBe(account.id)
    // The ILS reports a request on its stdout, which can arrive after its answer.
    await expect.poll(() => ils.reported('patron').length).toBe(asked + 1)
    expect(ils.reported('login')).toEqual(
      ils.reported('login').map(() => expect.objectContaining({ ok: true, location: 'MAIN' })),
    )
  })

  it('refuses a wrong PIN and an unknown card alike', async () => {
    const wrong = await login('23000001', '9999')
    const unknown = await login('29999999', '1234')
    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    expect(wrong.body.type).toBe(unknown.body.type)
  })

  it('throttles PIN guesses before the ILS is asked: the eleventh wrong PIN in a row waits', async () => {
    const asked = () => ils.reported('patron').filter((e) => e.card === '23000007').length
    for (let i = 0; i < 10; i++) expect((await login('23000007', `00${i}`)).status).toBe(401)
    await expect.poll(asked).toBe(10)
    const held = await login('23000007', '7777')
    expect(held.status).toBe(429)
    expect(asked()).toBe(10)
  })

  it('refuses a blocked card with the ILS’s message', async () => {
    const blocked = await login('23000002', '2222')
    expect(blocked.status).toBe(403)
    expect(blocked.body.detail).toBe('借阅证已挂失，请到服务台办理')
    expect(String(blocked.body.type)).toBe('urn:shulin:problem:patron-blocked')
  })

  it('answers 503 for an ILS that answers garbage or a wrong checksum, never 500', async () => {
    expect((await login('23000004', '4444')).status).toBe(503)
    expect((await login('23000005', '5555')).status).toBe(503)
    // The node reconnects: the next reader signs in.
    expect((await login('23000001', '1234')).status).toBe(200)
  })

  it('shows staff the ILS in use with its password masked; a URL saved in the console wins', async () => {
    const admin = String((await login('libadmin', 'county-library-2026')).body.token)
    const staff = (method: string, path: string, body?: unknown) =>
      fetch(node.url + path, {
        method,
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
    const shown = (await (await staff('GET', '/api/staff/sip2')).json()) as { source: string; url: string }
    expect(shown.source).toBe('environment')
    expect(shown.url).toBe(`sip2://shulin:****@127.0.0.1:${ils.port}?institution=CNTEST&location=MAIN`)
    expect((await staff('POST', '/api/staff/sip2/test')).status).toBe(200)
    // A wrong ILS login saved in the console: its test fails and readers cannot sign in.
    const wrong = `sip2://shulin:not-it@127.0.0.1:${ils.port}?institution=CNTEST`
    expect((await staff('PUT', '/api/staff/sip2', { url: wrong })).status).toBe(200)
    expect((await staff('POST', '/api/staff/sip2/test')).status).toBe(503)
    expect((await login('23000001', '1234')).status).toBe(503)
    expect((await staff('PUT', '/api/staff/sip2', { url: 'sip2://x:y@h:1' })).status).toBe(400)
    // Cleared: back to the environment's.
    const back = (await (await staff('PUT', '/api/staff/sip2', { url: null })).json()) as { source: string }
    expect(back.source).toBe('environment')
    expect((await login('23000001', '1234')).status).toBe(200)
    // Readers are not staff.
    const reader = String((await login('23000001', '1234')).body.token)
    const asReader = await fetch(node.url + '/api/staff/sip2', { headers: { authorization: `Bearer ${reader}` } })
    expect(asReader.status).toBe(403)
  })

  it('keeps a URL saved in the console across a restart', async () => {
    const admin = String((await login('libadmin', 'county-library-2026')).body.token)
    const url = `sip2://shulin:sip-secret@127.0.0.1:${ils.port}?institution=CNTEST&location=DESK`
    const put = await fetch(node.url + '/api/staff/sip2', {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url }),
    })
    expect(put.status).toBe(200)
    node.child.kill('SIGTERM')
    expect(await node.exited).toBe(0)
    const data = join(work, 'node')
    // The password is not in the database in clear.
    node = await start(['--port', '0', '--data', data], {
      SHULIN_SIP2_URL: `sip2://shulin:sip-secret@127.0.0.1:${ils.port}?institution=CNTEST&location=MAIN`,
    })
    const token = String((await login('libadmin', 'county-library-2026')).body.token)
    const shown = await fetch(node.url + '/api/staff/sip2', { headers: { authorization: `Bearer ${token}` } })
    expect(await shown.json()).toEqual({ source: 'console', url: url.replace('sip-secret', '****') })
    expect((await login('23000001', '1234')).status).toBe(200)
    await expect.poll(() => ils.reported('login').at(-1)).toMatchObject({ ok: true, location: 'DESK' })
  })

  it('answers 503 when the ILS is down', async () => {
    ils.child.kill('SIGKILL')
    await new Promise((r) => ils.child.once('exit', r))
    const down = await login('23000001', '1234')
    expect(down.status).toBe(503)
    expect(String(down.body.type)).toBe('urn:shulin:problem:ils-unavailable')
  })
})
