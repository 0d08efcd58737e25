/**
 * The outbox on its own: a caller never waits past the short wait for a provider that hangs;
 * retryable failures are tried again with growing delays until they pass; refused ones and
 * expired ones are dropped without another try.
 */
import { describe, expect, it } from 'vitest'
import { SmsOutbox } from './outbox.js'
import { SmsSendError } from './providers.js'

describe('SmsOutbox', () => {
  it('answers a caller while a hanging provider is still trying', async () => {
    const outbox = new SmsOutbox({ waitMs: 50 })
    let finished = false
    let release: () => void = () => {}
    const result = await outbox.submit({
      phone: '13800138000',
      kind: 'test',
      expiresAt: Date.now() + 60_000,
      deliver: () => new Promise<void>((r) => (release = r)).then(() => void (finished = true)),
    })
    expect(result).toBe('queued')
    expect(finished).toBe(false)
    expect(outbox.waiting).toBe(1)
    release()
    await new Promise((r) => setTimeout(r, 10))
    expect(outbox.stats.sent).toBe(1)
    expect(outbox.waiting).toBe(0)
    outbox.close()
  })

  it('retries a provider that is down with growing delays, until it is back', async () => {
    const outbox = new SmsOutbox({ waitMs: 20, backoffMs: 20, maxBackoffMs: 200 })
    const tries: number[] = []
    await outbox.submit({
      phone: '13800138000',
      kind: 'test',
      expiresAt: Date.now() + 60_000,
      deliver: async () => {
        tries.push(Date.now())
        if (tries.length < 4) throw new SmsSendError('HTTP 500', true)
      },
    })
    await expect.poll(() => outbox.stats.sent, { timeout: 5000 }).toBe(1)
    expect(tries).toHaveLength(4)
    expect(outbox.stats.retries).toBe(3)
    outbox.close()
  })

  it('drops a refused text at once, and one that would outlive its code', async () => {
    const outbox = new SmsOutbox({ waitMs: 50, backoffMs: 1000 })
    let refusedTries = 0
    expect(
      await outbox.submit({
        phone: '13800138000',
        kind: 'test',
        expiresAt: Date.now() + 60_000,
        deliver: async () => {
          refusedTries++
          throw new SmsSendError('SignatureDoesNotMatch', false)
        },
      }),
    ).toBe('queued')
    let expiringTries = 0
    await outbox.submit({
      phone: '13800138000',
      kind: 'test',
      // The next try (≥ 500 ms away) would come after the code expires.
      expiresAt: Date.now() + 100,
      deliver: async () => {
        expiringTries++
        throw new SmsSendError('timeout', true)
      },
    })
    expect(refusedTries).toBe(1)
    expect(expiringTries).toBe(1)
    expect(outbox.stats).toEqual({ sent: 0, retries: 0, dropped: 2 })
    expect(outbox.waiting).toBe(0)
    outbox.close()
  })
})
