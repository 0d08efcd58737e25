/**
 * Check-in codes: what one node mints it reads back; any change to any part, a code minted by
 * another node, or a re-spelling of the activity id is refused; nothing personal is inside.
 */
import { describe, expect, it } from 'vitest'
import { generateNodeKey } from '@shulin/federation'
import { CheckInCodes, checkInKeyOf } from './check-in-code.js'

describe('check-in codes', async () => {
  const key = await generateNodeKey()
  const codes = new CheckInCodes(checkInKeyOf(key))
  const claim = { activity: 'Ev3nt_id-1', signup: 'q1w2e3r4t5y6u7i8', expiresAt: 1_800_000_000_000 }

  it('reads back what it minted, and holds only the activity, the sign-up and the expiry', () => {
    const code = codes.mint(claim)
    expect(codes.read(code)).toEqual({ ok: true, ...claim })
    // The same claim gives the same code (a reader's QR code does not change between visits).
    expect(codes.mint(claim)).toBe(code)
    const [activity, signup, exp, mac] = code.split('.')
    expect(Buffer.from(activity!, 'base64url').toString()).toBe(claim.activity)
    expect(signup).toBe(claim.signup)
    expect(parseInt(exp!, 36) * 1000).toBe(claim.expiresAt)
    expect(mac).toHaveLength(22)
    expect(code.length).toBeLessThan(80)
  })

  it('refuses a code with any part changed', () => {
    const code = codes.mint(claim)
    const parts = code.split('.')
    const forged = [
      [Buffer.from('other-event').toString('base64url'), parts[1], parts[2], parts[3]],
      [parts[0], 'AAAAAAAAAAAAAAAA', parts[2], parts[3]],
      [parts[0], parts[1], (parseInt(parts[2]!, 36) + 86_400).toString(36), parts[3]],
      [parts[0], parts[1], parts[2], (parts[3]![0] === 'A' ? 'B' : 'A') + parts[3]!.slice(1)],
    ]
    for (const f of forged) expect(codes.read(f.join('.'))).toEqual({ ok: false, reason: 'invalid' })
    for (const junk of ['', 'x', code + '.', code.replace(/\./g, ''), '<script>', 'a.b.c.d'])
      expect(codes.read(junk)).toEqual({ ok: false, reason: 'invalid' })
  })

  it('refuses a code minted by another node', async () => {
    const other = new CheckInCodes(checkInKeyOf(await generateNodeKey()))
    expect(codes.read(other.mint(claim))).toEqual({ ok: false, reason: 'invalid' })
  })

  it('refuses a second spelling of the same activity id (base64url with padding bits set)', () => {
    const code = codes.mint({ ...claim, activity: 'ab' })
    const [a, ...rest] = code.split('.')
    // 'YWI' decodes to 'ab'; 'YWJ' decodes to the same bytes with a stray low bit.
    expect(a).toBe('YWI')
    expect(Buffer.from('YWJ', 'base64url').toString()).toBe('ab')
    expect(codes.read(['YWJ', ...rest].join('.'))).toEqual({ ok: false, reason: 'invalid' })
  })
})
