import { describe, expect, it } from 'vitest'
import { maskResidentId, normalizeResidentId, residentIdCheckChar } from './resident-id.js'
import { identifierCandidates, normalizePhone } from './identifiers.js'
import { checkPassword } from './password-policy.js'

describe('resident ID numbers (ISO 7064 MOD 11-2)', () => {
  it('computes the check character of the GB 11643 example and friends', () => {
    expect(residentIdCheckChar('11010519491231002')).toBe('X')
    expect(residentIdCheckChar('44052418800101001')).toBe('4')
  })
  it('accepts valid numbers, upper-casing x and dropping spaces', () => {
    expect(normalizeResidentId('11010519491231002x')).toBe('11010519491231002X')
    expect(normalizeResidentId(' 440524 19800101 0013 ')).toBe('440524198001010013')
  })
  it.each([
    ['wrong check character', '110105194912310021'],
    ['17 characters', '11010519491231002'],
    ['letters in the body', '1101051949123100AX'],
    ['30 February', '110105194902300035'],
    ['born in the future', '110105209912310010'],
    ['region code starting with 0', '010105194912310021'],
    ['born before 1890', '440524188001010014'],
  ])('rejects %s', (_, id) => expect(normalizeResidentId(id, new Date('2026-11-24'))).toBeNull())
  it('masks the birth date and sequence', () => expect(maskResidentId('11010519491231002X')).toBe('110105********002X'))
})

describe('sign-in identifiers', () => {
  it('normalises phones written as people write them', () => {
    expect(normalizePhone('+86 138-0013-8000')).toBe('13800138000')
    expect(normalizePhone('8613800138000')).toBe('13800138000')
    expect(normalizePhone('12800138000')).toBeNull()
  })
  it('reads an 18-digit ID as an ID number first, an 11-digit mobile as a phone first', () => {
    expect(identifierCandidates('11010519491231002X')[0]).toEqual({ kind: 'idNumber', value: '11010519491231002X' })
    expect(identifierCandidates('13800138000').map((c) => c.kind)).toEqual(['phone', 'card'])
    expect(identifierCandidates('Reader_1').map((c) => c.kind)).toEqual(
      ['card', 'username'].filter((k) => k !== 'card' || /^[A-Za-z0-9-]+$/.test('Reader_1')),
    )
  })
})

describe('password policy', () => {
  const never = () => false
  it('standard: length and commonness, not composition', () => {
    expect(checkPassword('abcdefgh', 'standard', never)).toBeNull()
    expect(checkPassword('1234567', 'standard', never)).toBe('too_short')
    expect(checkPassword('aaaaaaaaaa', 'standard', never)).toBe('too_common')
    expect(checkPassword('p'.repeat(257), 'standard', never)).toBe('too_long')
    expect(checkPassword('书林天下读书为乐', 'standard', never)).toBeNull()
  })
  it('refuses half a surrogate pair under every policy; a whole pair is fine', () => {
    expect(checkPassword('abcdefgh\ud800xyz', 'standard', never)).toBe('lone_surrogate')
    expect(checkPassword('abc123\udfff', 'legacy', never)).toBe('lone_surrogate')
    expect(checkPassword('abcdefgh\ud842\udfb7', 'standard', never)).toBeNull()
  })
  it('legacy: 6–12 letters and digits, both present', () => {
    expect(checkPassword('abc123', 'legacy', never)).toBeNull()
    expect(checkPassword('abcdef', 'legacy', never)).toBe('legacy_shape')
    expect(checkPassword('abc123abc123x', 'legacy', never)).toBe('legacy_shape')
  })
})
