import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Client, startTempNode, type TempNode } from '../testing/temp-node.js'

// A checksum-valid resident ID number (GB 11643 example, born 1949-12-31).
const idNumber = '11010519491231002X'

describe('reader accounts over a real socket', () => {
  let t: TempNode
  let reader: Client
  beforeEach(async () => {
    t = await startTempNode()
    reader = new Client(t.node.url)
  })
  afterEach(() => t.close())

  it('register → login with each identifier → me → logout', async () => {
    const quick = await reader.post('/api/auth/register', {
      mode: 'quick',
      phone: '138 0013 8000',
      password: 'reading2026',
      username: 'LinDaiyu',
    })
    expect(quick.status).toBe(201)
    expect(quick.body.account).toMatchObject({
      kind: 'reader',
      phone: '13800138000',
      username: 'lindaiyu',
      realNameVerified: false,
    })
    const card = quick.body.account.cardNo as string
    expect(card).toMatch(/^8\d{9}$/)

    const real = await new Client(t.node.url).post('/api/auth/register', {
      mode: 'real-name',
      name: '贾宝玉',
      idNumber: idNumber.toLowerCase(),
      password: 'stone-story-1791',
    })
    expect(real.status).toBe(201)
    expect(real.body.account).toMatchObject({ name: '贾宝玉', idNumberMasked: '110105********002X' })
    expect(JSON.stringify(real.body)).not.toContain(idNumber)

    for (const identifier of [card, '13800138000', '+86 138-0013-8000', 'lindaiyu', 'LINDAIYU']) {
      const c = new Client(t.node.url)
      const r = await c.post('/api/auth/login', { identifier, password: 'reading2026' })
      expect(r.status, identifier).toBe(200)
      expect(r.body.account.phone).toBe('13800138000')
      const me = await c.get('/api/me')
      expect(me.status).toBe(200)
      expect(me.body.account.cardNo).toBe(card)
    }
    const byId = new Client(t.node.url)
    expect((await byId.post('/api/auth/login', { identifier: idNumber, password: 'stone-story-1791' })).status).toBe(
      200,
    )
    expect((await byId.get('/api/me')).body.account.name).toBe('贾宝玉')

    const out = await byId.post('/api/auth/logout')
    expect(out.status).toBe(200)
    expect(byId.cookie).toBeUndefined()
    expect((await byId.get('/api/me')).status).toBe(401)
  })

  it('ends the session on the server at logout: a replayed cookie is refused', async () => {
    await reader.post('/api/auth/register', { mode: 'quick', phone: '13900139000', password: 'reading2026' })
    const cookie = reader.cookie!
    expect((await reader.post('/api/auth/logout')).status).toBe(200)
    const replay = new Client(t.node.url)
    replay.cookie = cookie
    const me = await replay.get('/api/me')
    expect(me.status).toBe(401)
    expect(me.headers.get('content-type')).toMatch(/^application\/problem\+json/)
  })

  it('"keep me signed in" gives a two-week cookie; without it a browser-session cookie that idles out', async () => {
    await reader.post('/api/auth/register', { mode: 'quick', phone: '13700137000', password: 'reading2026' })
    const remembered = new Client(t.node.url)
    const r1 = await remembered.post('/api/auth/login', {
      identifier: '13700137000',
      password: 'reading2026',
      remember: true,
    })
    const maxAge = Number(/Max-Age=(\d+)/.exec(r1.headers.get('set-cookie')!)![1])
    expect(maxAge).toBeGreaterThan(13.9 * 86400)
    expect(maxAge).toBeLessThanOrEqual(14 * 86400)
    expect(r1.headers.get('set-cookie')).toMatch(/HttpOnly/)
    expect(r1.headers.get('set-cookie')).toMatch(/SameSite=Lax/)

    const browser = new Client(t.node.url)
    const r2 = await browser.post('/api/auth/login', { identifier: '13700137000', password: 'reading2026' })
    expect(r2.headers.get('set-cookie')).not.toMatch(/Max-Age|Expires/)

    t.clock.now += 3 * 3600_000 // three idle hours
    expect((await browser.get('/api/me')).status).toBe(401)
    expect((await remembered.get('/api/me')).status).toBe(200)
    t.clock.now += 14 * 86400_000 // past two weeks
    expect((await remembered.get('/api/me')).status).toBe(401)
  })

  it('the two-week cookie is two weeks by the node’s clock, however far that is from the machine’s', async () => {
    t.clock.now = Date.now() + 2 * 86400_000
    await reader.post('/api/auth/register', { mode: 'quick', phone: '13500135000', password: 'reading2026' })
    const r = await new Client(t.node.url).post('/api/auth/login', {
      identifier: '13500135000',
      password: 'reading2026',
      remember: true,
    })
    const maxAge = Number(/Max-Age=(\d+)/.exec(r.headers.get('set-cookie')!)![1])
    expect(maxAge).toBeGreaterThan(13.9 * 86400)
    expect(maxAge).toBeLessThanOrEqual(14 * 86400)
  })

  it('returns a bearer token for scripts, which needs no CSRF token', async () => {
    await reader.post('/api/auth/register', { mode: 'quick', phone: '13600136000', password: 'reading2026' })
    const script = new Client(t.node.url)
    const r = await script.post('/api/auth/login', { identifier: '13600136000', password: 'reading2026', bearer: true })
    expect(r.status).toBe(200)
    expect(r.headers.get('set-cookie')).toBeNull()
    script.bearer = r.body.token
    script.csrf = undefined
    expect((await script.get('/api/me')).body.account.phone).toBe('13600136000')
    expect((await script.post('/api/me/sessions/end-others')).status).toBe(200)
  })

  it('refuses cookie-authenticated writes without the CSRF token, and cross-site writes outright', async () => {
    await reader.post('/api/auth/register', { mode: 'quick', phone: '13500135000', password: 'reading2026' })
    const noToken = await reader.post('/api/auth/logout', undefined, { 'x-csrf-token': '' })
    expect(noToken.status).toBe(403)
    expect(noToken.body.code).toBe('csrf_failed')
    const crossSite = await reader.post('/api/auth/logout', undefined, { origin: 'https://evil.example' })
    expect(crossSite.status).toBe(403)
    const formPost = await reader.call('POST', '/api/auth/login', 'identifier=x&password=y', {
      'content-type': 'application/x-www-form-urlencoded',
    })
    expect(formPost.status).toBe(415)
    expect((await reader.get('/api/me')).status).toBe(200)
  })

  it('rotates the session at sign-in: a cookie planted before login is not the one after', async () => {
    await reader.post('/api/auth/register', { mode: 'quick', phone: '13400134000', password: 'reading2026' })
    const before = reader.cookie
    await reader.post('/api/auth/login', { identifier: '13400134000', password: 'reading2026' })
    expect(reader.cookie).toBeDefined()
    expect(reader.cookie).not.toBe(before)
    const planted = new Client(t.node.url)
    planted.cookie = before
    expect((await planted.get('/api/me')).status).toBe(401)
  })

  it('answers an unknown account and a wrong password alike', async () => {
    await reader.post('/api/auth/register', { mode: 'quick', phone: '13300133000', password: 'reading2026' })
    const wrong = await new Client(t.node.url).post('/api/auth/login', {
      identifier: '13300133000',
      password: 'wrong-password',
    })
    const unknown = await new Client(t.node.url).post('/api/auth/login', {
      identifier: '13300133999',
      password: 'wrong-password',
    })
    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    expect(wrong.body).toEqual(unknown.body)
  })

  it('changing the password ends the other sessions and keeps this one', async () => {
    await reader.post('/api/auth/register', { mode: 'quick', phone: '13200132000', password: 'reading2026' })
    const phone = new Client(t.node.url)
    await phone.post('/api/auth/login', { identifier: '13200132000', password: 'reading2026' })
    const r = await reader.post('/api/me/password', { currentPassword: 'reading2026', password: 'a-longer-passphrase' })
    expect(r.status).toBe(200)
    expect((await reader.get('/api/me')).status).toBe(200)
    expect((await phone.get('/api/me')).status).toBe(401)
    expect(
      (
        await new Client(t.node.url).post('/api/auth/login', {
          identifier: '13200132000',
          password: 'a-longer-passphrase',
        })
      ).status,
    ).toBe(200)
  })

  it('forgot password: a one-time code through the sender, then every session ends', async () => {
    await reader.post('/api/auth/register', { mode: 'quick', phone: '13100131000', password: 'reading2026' })
    const forgot = await new Client(t.node.url).post('/api/auth/password/forgot', { identifier: '13100131000' })
    const unknown = await new Client(t.node.url).post('/api/auth/password/forgot', { identifier: '13100131999' })
    expect(forgot.status).toBe(202)
    expect(unknown.status).toBe(202)
    expect(unknown.body).toEqual(forgot.body)
    // The code is sent after the answer.
    await expect.poll(() => t.sent.length, { timeout: 10_000 }).toBe(1)
    const code = t.sent[0]!.message.code
    expect(code).toMatch(/^\d{6}$/)
    const wrongCode = code === '000000' ? '000001' : '000000'
    const bad = await new Client(t.node.url).post('/api/auth/password/reset', {
      identifier: '13100131000',
      code: wrongCode,
      password: 'new-password-2026',
    })
    expect(bad.status).toBe(400)
    expect(bad.body.code).toBe('invalid_code')
    const ok = await new Client(t.node.url).post('/api/auth/password/reset', {
      identifier: '13100131000',
      code,
      password: 'new-password-2026',
    })
    expect(ok.status).toBe(200)
    expect((await reader.get('/api/me')).status).toBe(401)
    const again = await new Client(t.node.url).post('/api/auth/password/reset', {
      identifier: '13100131000',
      code,
      password: 'another-password-9',
    })
    expect(again.status).toBe(400)
    expect(
      (
        await new Client(t.node.url).post('/api/auth/login', {
          identifier: '13100131000',
          password: 'new-password-2026',
        })
      ).status,
    ).toBe(200)
  })

  it('speaks English when the reader prefers it, Chinese otherwise', async () => {
    const zh = await new Client(t.node.url).post('/api/auth/login', { identifier: 'nobody', password: 'x' })
    expect(zh.body.title).toBe('账号或密码错误')
    expect(zh.headers.get('content-language')).toBe('zh-CN')
    const en = await new Client(t.node.url, { 'accept-language': 'en-GB,en;q=0.9' }).post('/api/auth/login', {
      identifier: 'nobody',
      password: 'x',
    })
    expect(en.body.title).toBe('Wrong account or password')
  })
})

describe('forgotten password: the answer does not tell which accounts exist', () => {
  let t: TempNode
  /** The sender takes this long, as an SMS gateway's round trip does. */
  const sendMs = 1500
  beforeEach(async () => {
    t = await startTempNode({}, { sendMs })
  })
  afterEach(() => t.close())

  it('a registered phone is answered as fast as an unknown one: the code is written and sent after the answer', async () => {
    await new Client(t.node.url).post('/api/auth/register', {
      mode: 'quick',
      phone: '13100131000',
      password: 'reading2026',
    })
    const timed = async (identifier: string) => {
      const t0 = performance.now()
      const r = await new Client(t.node.url).post('/api/auth/password/forgot', { identifier })
      return { ...r, ms: performance.now() - t0 }
    }
    const known = await timed('13100131000')
    const unknown = await timed('13100131999')
    expect([known.status, unknown.status]).toEqual([202, 202])
    expect(known.body).toEqual(unknown.body)
    // Before, the known phone's answer waited for the synced write and the send (≥ 1.5 s).
    expect(known.ms).toBeLessThan(sendMs * 0.66)
    expect(t.sent).toHaveLength(0)
    await expect.poll(() => t.sent.map((s) => s.phone), { timeout: 10_000 }).toEqual(['13100131000'])
  })
})
