import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Client, startTempNode, type TempNode } from '../testing/temp-node.js'
import { freeFailures, maxFailuresPerHour } from './throttle.js'

/** Each attempt comes from its own address (behind a trusted proxy), as a distributed guesser's would. */
const from = (t: TempNode, i: number) => new Client(t.node.url, { 'x-forwarded-for': `10.0.${Math.floor(i / 250)}.${i % 250}` })

describe('sign-in throttling', () => {
  let t: TempNode
  beforeEach(async () => {
    t = await startTempNode({ trustProxy: true })
    await new Client(t.node.url).post('/api/auth/register', { mode: 'quick', phone: '13800138000', password: 'reading2026' })
  })
  afterEach(() => t.close())

  it('slows an account down after a few failures, and the right password waits too', async () => {
    for (let i = 0; i < freeFailures; i++) {
      expect((await from(t, i).post('/api/auth/login', { identifier: '13800138000', password: `guess-${i}` })).status).toBe(401)
    }
    const blocked = await from(t, 99).post('/api/auth/login', { identifier: '13800138000', password: 'reading2026' })
    expect(blocked.status).toBe(429)
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(blocked.body.code).toBe('too_many_attempts')
    t.clock.now += 2_000
    expect((await from(t, 98).post('/api/auth/login', { identifier: '13800138000', password: 'reading2026' })).status).toBe(200)
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
    expect((await from(t, 402).post('/api/auth/login', { identifier: '13800138000', password: 'reading2026' })).status).toBe(200)
  })

  it('throttles identifiers that match no account exactly the same way (no enumeration)', async () => {
    const statuses = async (identifier: string) => {
      const out: number[] = []
      for (let i = 0; i < freeFailures + 1; i++) out.push((await from(t, i).post('/api/auth/login', { identifier, password: `guess-${i}` })).status)
      return out
    }
    expect(await statuses('13900139000')).toEqual(await statuses('13800138000'))
  })

  it('limits one address guessing many accounts', async () => {
    const one = new Client(t.node.url, { 'x-forwarded-for': '10.9.9.9' })
    let last = 0
    for (let i = 0; i < 60 && last !== 429; i++) last = (await one.post('/api/auth/login', { identifier: `1390013${String(i).padStart(4, '0')}`, password: 'guess' })).status
    expect(last).toBe(429)
  })
})
