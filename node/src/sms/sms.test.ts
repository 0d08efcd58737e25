/**
 * SMS over real HTTP on a real node: the console settings (secret sealed, never shown back),
 * phone verification at quick registration, password reset by SMS, daily limits, and a
 * provider down or hanging — all through the official SDKs against the loopback stand-ins.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Agent } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../testing/temp-node.js'
import { startAliyunStandIn, startTencentStandIn, type SmsStandIn } from '../testing/sms-standins.js'

const ali = { accessKeyId: 'LTAI5tTestKeyId', accessKeySecret: 'ali-secret-sealed-0123456789' }
const ten = { secretId: 'AKIDtestSecretId', secretKey: 'tencent-secret-sealed-0123456789' }
const templates = { reset: 'SMS_RESET', verify: 'SMS_VERIFY', notice: 'SMS_NOTICE' }
const loopback = new Agent({
  lookup: ((_h: string, o: { all?: boolean }, cb: (e: null, a: unknown, f?: number) => void) =>
    o.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)) as never,
})

const until = async (check: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('SMS through the console settings', () => {
  let t: TempNode
  let admin: Client
  let aliyun: SmsStandIn
  let tencent: SmsStandIn
  beforeAll(async () => {
    aliyun = await startAliyunStandIn(ali)
    tencent = await startTencentStandIn(ten)
    t = await startTempNode(
      {},
      { sms: { timeoutMs: 400, tencentAgent: loopback, outbox: { waitMs: 300, backoffMs: 100, maxBackoffMs: 400 } } },
    )
    admin = await signedInAdmin(t)
  })
  afterAll(async () => {
    await t.close()
    await aliyun.close()
    await tencent.close()
  })

  const useAliyun = (extra: Record<string, unknown> = {}) =>
    admin.put('/api/staff/sms', {
      provider: 'aliyun',
      keyId: ali.accessKeyId,
      secret: ali.accessKeySecret,
      signName: '书林',
      endpoint: aliyun.endpoint,
      templates,
      limits: { perPhonePerDay: 5, perAddressPerDay: 1000 },
      ...extra,
    })

  it('keeps the provider secret sealed and shows only a hint; readers cannot see the settings', async () => {
    const r = await useAliyun()
    expect(r.status).toBe(200)
    expect(r.body.secretSet).toBe(true)
    expect(r.body.secretHint).toBe('****6789')
    const got = await admin.get('/api/staff/sms')
    expect(JSON.stringify(got.body)).not.toContain(ali.accessKeySecret)
    expect(got.body.verifyPhoneAtRegistration).toBe(false)
    expect((await new Client(t.node.url).get('/api/staff/sms')).status).toBe(401)
    // Saving again without a secret keeps the one saved.
    expect((await useAliyun({ secret: undefined })).body.secretSet).toBe(true)
    // Nowhere in the data folder in clear.
    const files = await readdir(t.dir, { recursive: true, withFileTypes: true })
    for (const f of files.filter((f) => f.isFile())) {
      const bytes = await readFile(join(f.parentPath, f.name))
      expect(bytes.includes(Buffer.from(ali.accessKeySecret))).toBe(false)
    }
  })

  it('quick registration needs a code texted to the phone once staff turn it on', async () => {
    const reader = new Client(t.node.url)
    const phone = '13900000001'
    // Off by default: no code needed.
    expect(
      (await reader.post('/api/auth/register', { mode: 'quick', phone: '13900000000', password: 'reading-lamp-2026' }))
        .status,
    ).toBe(201)
    await useAliyun({ verifyPhoneAtRegistration: true })
    const none = await new Client(t.node.url).post('/api/auth/register', {
      mode: 'quick',
      phone,
      password: 'reading-lamp-2026',
    })
    expect(none.status).toBe(400)
    expect(none.body.code).toBe('invalid_code')
    const asked = await new Client(t.node.url).post('/api/auth/phone-code', { phone })
    expect(asked.status).toBe(202)
    await until(() => aliyun.sent.some((s) => s.phone === phone))
    const sms = aliyun.sent.find((s) => s.phone === phone)!
    expect(sms.template).toBe('SMS_VERIFY')
    expect(aliyun.refused).toEqual([])
    const code = (sms.params as Record<string, string>).code!
    expect(code).toMatch(/^\d{6}$/)
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0')
    const bad = await new Client(t.node.url).post('/api/auth/register', {
      mode: 'quick',
      phone,
      password: 'reading-lamp-2026',
      phoneCode: wrong,
    })
    expect(bad.status).toBe(400)
    const good = await new Client(t.node.url).post('/api/auth/register', {
      mode: 'quick',
      phone,
      password: 'reading-lamp-2026',
      phoneCode: code,
    })
    expect(good.status).toBe(201)
    // Used up: the same code does not register a second time.
    const again = await new Client(t.node.url).post('/api/auth/register', {
      mode: 'quick',
      phone: '13900000002',
      password: 'reading-lamp-2026',
      phoneCode: code,
    })
    expect(again.status).toBe(400)
  })

  it('a code is void after too many wrong tries', async () => {
    const phone = '13900000003'
    await new Client(t.node.url).post('/api/auth/phone-code', { phone })
    await until(() => aliyun.sent.some((s) => s.phone === phone))
    const code = (aliyun.sent.find((s) => s.phone === phone)!.params as Record<string, string>).code!
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0')
    for (let i = 0; i < 5; i++) {
      const r = await new Client(t.node.url).post('/api/auth/register', {
        mode: 'quick',
        phone,
        password: 'reading-lamp-2026',
        phoneCode: wrong,
      })
      expect(r.status).toBe(400)
    }
    const late = await new Client(t.node.url).post('/api/auth/register', {
      mode: 'quick',
      phone,
      password: 'reading-lamp-2026',
      phoneCode: code,
    })
    expect(late.status).toBe(400)
  })

  it('limits codes per phone and per address per day', async () => {
    await useAliyun({ verifyPhoneAtRegistration: true, limits: { perPhonePerDay: 2, perAddressPerDay: 1000 } })
    const phone = '13900000004'
    const reader = new Client(t.node.url)
    expect((await reader.post('/api/auth/phone-code', { phone })).status).toBe(202)
    expect((await reader.post('/api/auth/phone-code', { phone })).status).toBe(202)
    const third = await reader.post('/api/auth/phone-code', { phone })
    expect(third.status).toBe(429)
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0)
    await until(() => aliyun.sent.filter((s) => s.phone === phone).length === 2)
    // Per address: many phones from one address stop at its limit (4 texts counted already today).
    expect(
      (await useAliyun({ verifyPhoneAtRegistration: true, limits: { perPhonePerDay: 5, perAddressPerDay: 6 } })).status,
    ).toBe(200)
    const statuses: number[] = []
    for (let i = 0; i < 4; i++)
      statuses.push((await reader.post('/api/auth/phone-code', { phone: `1370000000${i}` })).status)
    expect(statuses).toEqual([202, 202, 429, 429])
    // A new day: the phone and the address may ask again.
    t.clock.now += 86_400_000
    expect((await reader.post('/api/auth/phone-code', { phone })).status).toBe(202)
    // The admin's session ended with the day: sign in again.
    expect(
      (await admin.post('/api/auth/login', { identifier: 'libadmin', password: 'county-library-2026' })).status,
    ).toBe(200)
    expect((await useAliyun({ verifyPhoneAtRegistration: true })).status).toBe(200)
  })

  it('refuses bad input: a malformed phone or code', async () => {
    const reader = new Client(t.node.url)
    expect((await reader.post('/api/auth/phone-code', { phone: '12345' })).status).toBe(400)
    expect((await reader.post('/api/auth/phone-code', {})).status).toBe(400)
    const r = await reader.post('/api/auth/register', {
      mode: 'quick',
      phone: '13900000009',
      password: 'reading-lamp-2026',
      phoneCode: '12ab',
    })
    expect(r.status).toBe(400)
  })

  it('a password reset works by SMS through Tencent, signed as documented', async () => {
    const saved = await admin.put('/api/staff/sms', {
      provider: 'tencent',
      keyId: ten.secretId,
      secret: ten.secretKey,
      signName: '书林',
      sdkAppId: '1400000000',
      region: 'ap-guangzhou',
      endpoint: `sms.tencentcloudapi.com:${tencent.port}`,
      templates,
      limits: { perPhonePerDay: 5, perAddressPerDay: 1000 },
    })
    expect(saved.status).toBe(200)
    const forgot = await new Client(t.node.url).post('/api/auth/password/forgot', { identifier: '13900000000' })
    expect(forgot.status).toBe(202)
    await until(() => tencent.sent.length === 1)
    expect(tencent.refused).toEqual([])
    const sms = tencent.sent[0]!
    expect(sms).toMatchObject({ phone: '+8613900000000', template: 'SMS_RESET' })
    const [code] = sms.params as string[]
    const reset = await new Client(t.node.url).post('/api/auth/password/reset', {
      identifier: '13900000000',
      code,
      password: 'new-reading-lamp-2027',
    })
    expect(reset.status).toBe(200)
    const login = await new Client(t.node.url).post('/api/auth/login', {
      identifier: '13900000000',
      password: 'new-reading-lamp-2027',
    })
    expect(login.status).toBe(200)
    // Nothing went through the console sender once a provider was set.
    expect(t.sent).toEqual([])
  })

  it('a provider down or hanging: answered at once, queued, retried until it is back', async () => {
    tencent.mode = 'hang'
    const phone = '13900000005'
    const before = tencent.requests
    const t0 = Date.now()
    const r = await new Client(t.node.url).post('/api/auth/phone-code', { phone })
    expect(r.status).toBe(202)
    expect(Date.now() - t0).toBeLessThan(3000)
    tencent.mode = 'fail'
    await until(() => tencent.requests >= before + 3)
    expect(tencent.sent.filter((s) => s.phone === `+86${phone}`)).toEqual([])
    tencent.mode = 'ok'
    await until(() => tencent.sent.some((s) => s.phone === `+86${phone}`))
    expect(t.node.services.sms.outbox.stats.retries).toBeGreaterThanOrEqual(2)
  })
})
