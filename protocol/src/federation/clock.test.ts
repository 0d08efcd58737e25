import { describe, expect, it } from 'vitest'
import { clockToleranceSeconds, nextStamp, skewNote } from './clock.js'

const t = Date.parse('2026-12-01T08:00:00.000Z')

describe('clocks between peers', () => {
  it('tolerates fifteen minutes', () => {
    expect(clockToleranceSeconds).toBe(900)
  })

  it('names both times, how far apart, and the tolerance', () => {
    expect(skewNote(t + 2 * 86_400_000, t)).toBe(
      'clock skew (or a stale token): issued 2026-12-03T08:00:00.000Z by the signer’s clock, 2026-12-01T08:00:00.000Z here (2 days apart; 15 minutes tolerated)',
    )
    expect(skewNote(t - 16 * 60_000, t)).toMatch(/16 minutes apart/)
    expect(skewNote(t - 5 * 3_600_000, t)).toMatch(/5 hours apart/)
  })

  it('stamps a new version after the one it replaces, even when the clock went back', () => {
    expect(nextStamp(t, undefined)).toBe('2026-12-01T08:00:00.000Z')
    expect(nextStamp(t, '2026-11-30T08:00:00.000Z')).toBe('2026-12-01T08:00:00.000Z')
    expect(nextStamp(t, '2026-12-03T08:00:00.000Z')).toBe('2026-12-03T08:00:00.001Z')
    expect(nextStamp(t, '2026-12-01T08:00:00.000Z')).toBe('2026-12-01T08:00:00.001Z')
    expect(nextStamp(t, 'not a date')).toBe('2026-12-01T08:00:00.000Z')
  })
})
