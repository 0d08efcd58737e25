import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Client, startTempNode, type TempNode } from '../testing/temp-node.js'
import { freeFailures, LoginThrottle, maxFailuresPerAddress, maxFailuresPerHour } from './throttle.js'

/** Each attempt comes from its own address (behind a trusted proxy), as a distributed guesser's would. */
const from = (t: TempNode, i: number) =>
  new Client(t.node.url, { 'x-forwarded-for': `10.0.${Math.floor(i / 250)}.${i % 250}` })

describe('sign-in throttling', () => {
  let t: TempNode
  beforeEach(async () => {
    t = await startTempNode({ trustProxy: true })
    await new Client(t.node.url).post('/api/auth/register', {
      mode: 'quick',
      phone: '13800138000',
      password: 'reading2026',
    })
  })
  afterEach(() => t.close())

  it('slows an account down after a few failures, and the right password waits too', async () => {
    for (let i = 0; i < freeFailures; i++) {
      expect(
        (await from(t, i).post('/api/auth/login', { identifier: '13800138000', password: `guess-${i}` })).status,
      ).toBe(401)
    }
    const blocked = await from(t, 99).post('/api/auth/login', { identifier: '13800138000', password: 'reading2026' })
    expect(blocked.status).toBe(429)
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(blocked.body.code).toBe('too_many_attempts')
    t.clock.now += 2_000
    expect(
      (await from(t, 98).post('/api/auth/login', { identifier: '13800138000', password: 'reading2026' })).status,
    ).toBe(200)
  })

  it(`stops at ${maxFailuresPerHour} failures an hour across addresses, and lets the reader back in later`, async () => {
    let failures = 0
    for (let i = 0; failures < maxFailuresPerHour && i < 400; i++) {
      const r = await from(t, i).post('/api/auth/login', { identifier: '13800138000', password: `guess-${i}` })
      if (r.status === 401) failures++
      else {
        expect(r.status).toBe(429)
        t.clock.now += Number(r.headers.get('retry-after')) * 1000
      }
    }
    expect(failures).toBe(maxFailuresPerHour)
    const r = await from(t, 401).post('/api/auth/login', { identifier: '13800138000', password: 'reading2026' })
    expect(r.status).toBe(429)
    expect(Number(r.headers.get('retry-after'))).toBeLessThanOrEqual(3600)
    t.clock.now += Number(r.headers.get('retry-after')) * 1000
    expect(
      (await from(t, 402).post('/api/auth/login', { identifier: '13800138000', password: 'reading2026' })).status,
    ).toBe(200)
  })

  it('throttles identifiers that match no account exactly the same way (no enumeration)', async () => {
    const statuses = async (identifier: string) => {
      const out: number[] = []
      for (let i = 0; i < freeFailures + 1; i++)
        out.push((await from(t, i).post('/api/auth/login', { identifier, password: `guess-${i}` })).status)
      return out
    }
    expect(await statuses('13900139000')).toEqual(await statuses('13800138000'))
  })

  it('limits one address guessing many accounts', async () => {
    const one = new Client(t.node.url, { 'x-forwarded-for': '10.9.9.9' })
    let last = 0
    for (let i = 0; i < 60 && last !== 429; i++)
      last = (
        await one.post('/api/auth/login', { identifier: `1390013${String(i).padStart(4, '0')}`, password: 'guess' })
      ).status
    expect(last).toBe(429)
  })
})

describe('one account, whichever identifier is typed (issue 15, item 4)', () => {
  let t: TempNode
  // A reader with four identifiers: card number, phone, username and resident ID number.
  const ids = { phone: '13800138000', username: 'lindaiyu', idNumber: '11010519491231002X', card: '' }
  beforeEach(async () => {
    t = await startTempNode({ trustProxy: true })
    const r = await new Client(t.node.url).post('/api/auth/register', {
      mode: 'real-name',
      name: '林黛玉',
      idNumber: ids.idNumber,
      phone: ids.phone,
      username: ids.username,
      password: 'reading2026',
    })
    expect(r.status).toBe(201)
    ids.card = r.body.account.cardNo
  })
  afterEach(() => t.close())

  it('the failures of one identifier slow down the others', async () => {
    for (let i = 0; i < freeFailures; i++) {
      expect((await from(t, i).post('/api/auth/login', { identifier: ids.phone, password: `guess-${i}` })).status).toBe(
        401,
      )
    }
    for (const identifier of [ids.card, ids.username, ids.idNumber]) {
      expect(
        (await from(t, 50).post('/api/auth/login', { identifier, password: 'guess-again' })).status,
        identifier,
      ).toBe(429)
    }
  })

  it(`${maxFailuresPerHour} failures an hour in all, spread over its card number, phone and username`, async () => {
    const rotation = [ids.card, ids.phone, ids.username]
    let failures = 0
    for (let i = 0; failures < maxFailuresPerHour && i < 400; i++) {
      const r = await from(t, i).post('/api/auth/login', { identifier: rotation[i % 3], password: `guess-${i}` })
      if (r.status === 401) failures++
      else {
        expect(r.status).toBe(429)
        t.clock.now += Number(r.headers.get('retry-after')) * 1000
      }
    }
    expect(failures).toBe(maxFailuresPerHour)
    // The ID number, not typed yet, waits exactly as long as the phone does: one count.
    const r = await from(t, 401).post('/api/auth/login', { identifier: ids.idNumber, password: 'guess-again' })
    expect(r.status).toBe(429)
    const phone = await from(t, 402).post('/api/auth/login', { identifier: ids.phone, password: 'guess-again' })
    expect(r.headers.get('retry-after')).toBe(phone.headers.get('retry-after'))
  })

  it('an identifier that names no account has its own count, answered alike', async () => {
    for (let i = 0; i < freeFailures; i++)
      await from(t, i).post('/api/auth/login', { identifier: ids.phone, password: `guess-${i}` })
    const unknown = await from(t, 60).post('/api/auth/login', { identifier: '13900139000', password: 'guess' })
    expect(unknown.status).toBe(401)
    const known = await from(t, 61).post('/api/auth/login', { identifier: ids.card, password: 'guess' })
    expect(known.status).toBe(429)
    expect(Object.keys(unknown.body as object).sort()).toEqual(
      Object.keys(known.body as object)
        .filter((k) => k !== 'retryAfterSeconds')
        .sort(),
    )
  })
})

describe('attempts are counted before they are checked', () => {
  const key = 'account:a'

  it('refuses an attempt past the free ones while the others are still being checked', () => {
    const throttle = new LoginThrottle(() => 0)
    const open = Array.from({ length: freeFailures }, (_, i) => throttle.reserve(key, `10.0.0.${i}`))
    expect(open.every((r) => r.attempt)).toBe(true)
    expect(throttle.reserve(key, '10.0.1.1').retryAfter).toBeGreaterThan(0)
    // An attempt that reached no answer gives its place back; a settled one counts once.
    open[0]!.attempt!.release()
    const again = throttle.reserve(key, '10.0.1.1')
    expect(again.attempt).toBeDefined()
    for (const r of [...open.slice(1), again]) {
      r.attempt!.failed()
      r.attempt!.failed()
    }
    expect(throttle.retryAfter(key, '10.0.1.2')).toBe(1)
  })

  it('forgives the account on a success, and keeps the address count', () => {
    let now = 0
    const throttle = new LoginThrottle(() => now)
    for (let i = 0; i < freeFailures - 1; i++) throttle.reserve(key, '10.0.0.1').attempt!.failed()
    throttle.reserve(key, '10.0.0.1').attempt!.succeeded()
    expect(throttle.retryAfter(key, '10.0.0.1')).toBe(0)
    now += 1
    for (let i = 0; i < freeFailures - 1; i++) expect(throttle.reserve(key, '10.0.0.2').attempt).toBeDefined()
  })

  it(`holds one address to ${maxFailuresPerAddress} attempts at once across accounts`, () => {
    const throttle = new LoginThrottle(() => 0)
    for (let i = 0; i < maxFailuresPerAddress; i++)
      expect(throttle.reserve(`account:${i}`, '10.9.9.9').attempt).toBeDefined()
    expect(throttle.reserve('account:other', '10.9.9.9').retryAfter).toBeGreaterThan(0)
    expect(throttle.reserve('account:other', '10.9.9.8').attempt).toBeDefined()
  })
})

describe('reset codes (issue 15, item 2)', () => {
  let t: TempNode
  beforeEach(async () => {
    t = await startTempNode({ trustProxy: true })
    await new Client(t.node.url).post('/api/auth/register', {
      mode: 'quick',
      phone: '13800138000',
      password: 'reading2026',
    })
    await new Client(t.node.url).post('/api/auth/password/forgot', { identifier: '13800138000' })
    // The code is sent after the answer.
    await expect.poll(() => t.sent.length, { timeout: 10_000 }).toBe(1)
  })
  afterEach(() => t.close())

  const reset = (i: number, code: string, identifier = '13800138000') =>
    from(t, i).post('/api/auth/password/reset', { identifier, code, password: 'taken-over-2026' })

  it('a code dies at its fifth wrong try, whichever identifier and address the tries come from', async () => {
    const code = t.sent[0]!.message.code
    const wrong = (i: number) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0')
    const card = (await from(t, 90).post('/api/auth/login', { identifier: '13800138000', password: 'reading2026' }))
      .body.account.cardNo as string
    for (let i = 0; i < 5; i++)
      expect((await reset(i, wrong(i), i % 2 ? card : '13800138000')).body.code).toBe('invalid_code')
    expect((await reset(9, code)).body.code).toBe('invalid_code')
    expect(
      (await from(t, 91).post('/api/auth/login', { identifier: '13800138000', password: 'reading2026' })).status,
    ).toBe(200)
  })

  it('concurrent wrong guesses are each counted: the real code after them finds the code dead', async () => {
    const code = t.sent[0]!.message.code
    const wrong = (i: number) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0')
    // From many addresses, so the address limit does not hide the code's own count.
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => reset(i, wrong(i))))
    expect(answers.map((r) => r.status)).toEqual(Array(8).fill(400))
    expect((await reset(20, code)).body.code).toBe('invalid_code')
  })

  it('a password the policy refuses spends no try of the code', async () => {
    const code = t.sent[0]!.message.code
    for (let i = 0; i < 6; i++)
      expect(
        (await from(t, i).post('/api/auth/password/reset', { identifier: '13800138000', code, password: 'short' })).body
          .code,
      ).toBe('validation_failed')
    expect((await reset(9, code)).status).toBe(200)
  })
})

describe('password change (the current password is a guess like a sign-in)', () => {
  let t: TempNode
  beforeEach(async () => {
    t = await startTempNode({ trustProxy: true })
  })
  afterEach(() => t.close())

  it('concurrent wrong current passwords from one session: no more checked than the sign-in throttle allows', async () => {
    const reader = new Client(t.node.url, { 'x-forwarded-for': '10.1.1.1' })
    expect(
      (await reader.post('/api/auth/register', { mode: 'quick', phone: '13800138000', password: 'reading2026' }))
        .status,
    ).toBe(201)
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        reader.post('/api/me/password', { currentPassword: `guess-${i}`, password: 'taken-over-2026' }),
      ),
    )
    const checked = answers.filter((r) => r.status === 400)
    const refused = answers.filter((r) => r.status === 429)
    expect(checked.length + refused.length).toBe(40)
    expect(checked.length).toBeLessThanOrEqual(freeFailures)
    expect(refused[0]!.body.code).toBe('too_many_attempts')
    // The same count as the sign-in form: the account waits there too.
    expect(
      (await from(t, 7).post('/api/auth/login', { identifier: '13800138000', password: 'reading2026' })).status,
    ).toBe(429)
    // Once the wait is over, the right password changes it.
    t.clock.now += 3_600_000
    expect(
      (await reader.post('/api/me/password', { currentPassword: 'reading2026', password: 'a-longer-passphrase' }))
        .status,
    ).toBe(200)
  })
})
