/**
 * @module password-policy
 * What a node accepts as a password. The default follows OWASP ASVS 5.0: length, not
 * composition, plus a check against common passwords; `legacy` is the 6–12 letters-and-digits
 * rule some libraries' existing systems impose.
 */
import { z } from 'zod'
import { isWellFormedText } from '../text.js'

export const PasswordPolicy = z.enum(['standard', 'legacy'])
export type PasswordPolicy = z.infer<typeof PasswordPolicy>

/** Longest password accepted. Never truncated: argon2 takes the whole string. */
export const passwordMaxLength = 256

export type PasswordProblem =
  'lone_surrogate' | 'too_short' | 'too_long' | 'too_common' | 'needs_letters_and_digits' | 'legacy_shape'

/**
 * Checks a password against a policy.
 * @param isCommon a lookup into a common-password list (kept out of this pure module's data).
 * @example checkPassword('correct horse', 'standard', () => false) // null
 */
export function checkPassword(
  password: string,
  policy: PasswordPolicy,
  isCommon: (p: string) => boolean,
): PasswordProblem | null {
  if (!isWellFormedText(password)) return 'lone_surrogate'
  const length = [...password].length
  if (policy === 'legacy') {
    return /^(?=.*[A-Za-z])(?=.*\d)[A-Za-z\d]{6,12}$/.test(password) ? null : 'legacy_shape'
  }
  if (length < 8) return 'too_short'
  if (length > passwordMaxLength) return 'too_long'
  if (isCommon(password.toLowerCase()) || /^(.)\1+$/.test(password)) return 'too_common'
  return null
}
