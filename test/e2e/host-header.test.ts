/**
 * Account takeover through a forged Host header, across processes. A hub started as the README
 * starts it (no `--public-url`) and a member joined to it; a reader of the member is signed in
 * there. The attacker asks the hub to start a sign-in at the member with `Host: evil.example`,
 * sends the victim the link, collects the code at evil.example and redeems it at the hub with
 * the binding cookie. The hub must refuse at the first step (the request names no origin of
 * its own), and the member must refuse a hub-signed request whose redirect leaves the hub's
 * address even if a hub somewhere was fooled into signing one.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeJwt } from 'jose'
import { readNodeKey } from '@shulin/federation/identity'
import { Client } from '../../node/src/testing/temp-node.js'
import { signNodeJwt } from '../../node/src/identity/tokens.js'
import { killAll, run, start, type Started } from './processes.js'

const password = 'reading-is-fun-2026'
let work: string
let hub: Started
let hubData: string
let member: Started
let ids: { hub: string; member: string }
let victim: Client

interface Answer {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

/** A GET with a Host header of our choosing (fetch will not send one), as curl -H 'Host: …' does. */
function getWithHost(url: string, host: string, headers: Record<string, string> = {}): Promise<Answer> {
  const u = new URL(url)
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: 'GET',
        headers: { host, accept: 'application/json', ...headers },
        timeout: 10_000,
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => (body += d))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      },
    )
    req.on('timeout', () => req.destroy(new Error('timed out')))
    req.on('error', reject)
    req.end()
  })
}

const cookiePair = (h: IncomingHttpHeaders, name: string) =>
  (h['set-cookie'] ?? []).map((c) => c.split(';')[0]!).find((c) => c.startsWith(`${name}=`) && !c.endsWith('='))

/** The victim's browser opens a sign-in request at the member. */
const authorizeAt = (request: string) =>
  fetch(`${member.url}/oidc/authorize?client_id=${ids.hub}&request=${request}`, {
    headers: { cookie: victim.cookie!, accept: 'application/json' },
    redirect: 'manual',
  })

/** A sign-in request the hub signs for a reader at its own address. */
async function hubRequest(): Promise<string> {
  const res = await getWithHost(`${hub.url}/api/identity/start?home=${ids.member}`, new URL(hub.url).host)
  return new URL(res.headers.location!).searchParams.get('request')!
}

/** The whole attack as reported: what the attacker ends up with, or where it was refused. */
async function takeOver(): Promise<{ refusedAt: string; status: number; body: string } | { me: unknown }> {
  const started = await getWithHost(`${hub.url}/api/identity/start?home=${ids.member}`, 'evil.example')
  const binding = cookiePair(started.headers, 'shulin_oidc')
  if (started.status !== 302 || !binding) return { refusedAt: 'hub start', status: started.status, body: started.body }
  // The victim, signed in at the member, opens the link the attacker sent.
  const authorize = await fetch(started.headers.location!, { headers: { cookie: victim.cookie! }, redirect: 'manual' })
  const back = authorize.headers.get('location')
  if (authorize.status !== 302 || !back?.startsWith('http://evil.example/oidc/callback'))
    return { refusedAt: 'member authorize', status: authorize.status, body: await authorize.text() }
  // evil.example received the code; the attacker redeems it at the hub with the binding cookie.
  const code = new URL(back)
  const callback = await fetch(`${hub.url}/oidc/callback${code.search}`, {
    headers: { cookie: binding },
    redirect: 'manual',
  })
  const session = callback.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => /^shulin_session=./.test(c))
  if (!session) return { refusedAt: 'hub callback', status: callback.status, body: await callback.text() }
  return { me: await (await fetch(`${hub.url}/api/me`, { headers: { cookie: session } })).json() }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shulin-e2e-host-'))
  hubData = join(work, 'hub')
  // As the README starts a hub (no --public-url); it pulls the phone directory, and with it
  // tells members its address, every second here (a minute by default).
  hub = await start(['--port', '0', '--data', hubData, '--role', 'hub', '--name', '国家数字图书馆'], {
    SHULIN_DIRECTORY_PULL_SECONDS: '1',
    SHULIN_LOG_LEVEL: 'warn',
  })
  const memberData = join(work, 'member')
  member = await start(['--port', '0', '--data', memberData, '--name', '临安县图书馆'], { SHULIN_LOG_LEVEL: 'warn' })
  const invite = await run([
    'invite',
    '--data',
    hubData,
    '--name',
    '临安县图书馆',
    '--region',
    '330185',
    '--level',
    'county',
  ])
  expect(invite.code, invite.stderr).toBe(0)
  const joined = await run(['join', invite.stdout.trim(), '--data', memberData])
  expect(joined.code, joined.stderr).toBe(0)
  ids = {
    hub: (await (await fetch(`${hub.url}/api/health`)).json()).nodeId,
    member: (await (await fetch(`${member.url}/api/health`)).json()).nodeId,
  }
  victim = new Client(member.url)
  expect((await victim.post('/api/auth/register', { mode: 'quick', phone: '13800138000', password })).status).toBe(201)
  expect((await victim.post('/api/auth/login', { identifier: '13800138000', password })).status).toBe(200)
  expect(victim.cookie).toMatch(/^shulin_session=/)
  // The member takes the hub's portal as a client once it holds the registry, and (since this
  // fix) once the hub's directory pull has told it the hub's address: every second here.
  const deadline = Date.now() + 30_000
  let ready: Response
  do {
    await new Promise((r) => setTimeout(r, 250))
    ready = await authorizeAt(await hubRequest())
  } while (ready.status !== 302 && Date.now() < deadline)
  expect(ready.status, await ready.text()).toBe(302)
  expect(ready.headers.get('location')).toMatch(new RegExp(`^${hub.url}/oidc/callback\\?`))
}, 90_000)

afterAll(async () => {
  await killAll()
  if (work) await rm(work, { recursive: true, force: true })
})

describe('a forged Host header cannot make a hub sign a foreign redirect', () => {
  it('the attack stops at the hub: 421 with a clear problem, no redirect and no binding cookie', async () => {
    const outcome = await takeOver()
    expect(outcome).toMatchObject({ refusedAt: 'hub start', status: 421 })
    const answer = await getWithHost(`${hub.url}/api/identity/start?home=${ids.member}`, 'evil.example', {
      'accept-language': 'zh-CN',
    })
    expect(answer.headers.location).toBeUndefined()
    expect(answer.headers['set-cookie']).toBeUndefined()
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(JSON.parse(answer.body)).toMatchObject({
      code: 'misdirected_request',
      status: 421,
      title: expect.stringContaining('不是本馆的网址'),
    })
    const english = await getWithHost(`${hub.url}/api/identity/start?home=${ids.member}`, 'evil.example:8090', {
      'accept-language': 'en',
    })
    expect(JSON.parse(english.body)).toMatchObject({
      code: 'misdirected_request',
      title: expect.stringContaining('not one of this library’s own addresses'),
    })
  })

  it('the hub’s own addresses still start a sign-in, and X-Forwarded-Host is not believed without a trusted proxy', async () => {
    const own = new URL(hub.url)
    for (const host of [own.host, `localhost:${own.port}`]) {
      const res = await getWithHost(`${hub.url}/api/identity/start?home=${ids.member}`, host, {
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'https',
      })
      expect(res.status, res.body).toBe(302)
      const request = decodeJwt(new URL(res.headers.location!).searchParams.get('request')!)
      expect(request.redirect_uri).toBe(`http://${host}/oidc/callback`)
    }
    // Links the hub gives readers follow the same rule: a foreign Host gets the hub's own address.
    const discovery = JSON.parse(
      (await getWithHost(`${hub.url}/.well-known/openid-configuration`, 'evil.example')).body,
    )
    expect(discovery.authorization_endpoint).toBe(`${hub.url}/oidc/authorize`)
  })

  it('the member sends no code to an origin the hub does not own, even under the hub’s own signature', async () => {
    // A hub fooled some other way signs a request for evil.example: the member refuses it.
    const hubKey = (await readNodeKey(join(hubData, 'node-key')))!
    const { iss: _iss, aud: _aud, iat: _iat, exp: _exp, jti: _jti, ...claims } = decodeJwt(await hubRequest())
    const forged = await signNodeJwt(
      hubKey,
      'request',
      { ...claims, redirect_uri: 'http://evil.example/oidc/callback' },
      { audience: ids.member, ttlSeconds: 60 },
    )
    const refused = await authorizeAt(forged)
    expect(refused.status).toBe(403)
    expect(refused.headers.get('location')).toBeNull()
    expect(await refused.json()).toMatchObject({
      code: 'sign_in_refused',
      detail: expect.stringMatching(/redirect_uri/),
    })
  })
})
