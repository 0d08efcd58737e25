/**
 * @module identifiers
 * The four things a reader may type to sign in: card number, phone, username, resident ID.
 */
import { normalizeResidentId } from './resident-id.js'

/** Mainland mobile numbers: 11 digits starting with 1; `+86`/`86` prefixes and separators are dropped. */
export function normalizePhone(input: string): string | null {
  const digits = input.replace(/[\s\-()]/g, '').replace(/^(\+?86)(?=1\d{10}$)/, '')
  return /^1[3-9]\d{9}$/.test(digits) ? digits : null
}

/** Usernames start with a letter so they never collide with card, phone or ID numbers. */
export const usernameRe = /^[A-Za-z][A-Za-z0-9_.-]{2,31}$/
export const normalizeUsername = (input: string): string | null =>
  usernameRe.test(input.trim()) ? input.trim().toLowerCase() : null

/** Card numbers as ILS systems print them: letters, digits and dashes, 4–32 long. */
export const cardNoRe = /^[A-Za-z0-9-]{4,32}$/
export const normalizeCardNo = (input: string): string | null =>
  cardNoRe.test(input.trim()) ? input.trim().toUpperCase() : null

export type IdentifierKind = 'card' | 'phone' | 'username' | 'idNumber'

/** Every reading of a sign-in identifier, most specific first. A string may fit several. */
export function identifierCandidates(input: string): Array<{ kind: IdentifierKind; value: string }> {
  const out: Array<{ kind: IdentifierKind; value: string }> = []
  const id = normalizeResidentId(input)
  if (id) out.push({ kind: 'idNumber', value: id })
  const phone = normalizePhone(input)
  if (phone) out.push({ kind: 'phone', value: phone })
  const card = normalizeCardNo(input)
  if (card) out.push({ kind: 'card', value: card })
  const user = normalizeUsername(input)
  if (user) out.push({ kind: 'username', value: user })
  return out
}
