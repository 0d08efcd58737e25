/**
 * @module accounts/passwords
 * Password hashing with argon2id at the OWASP minimum (m = 19 MiB, t = 2, p = 1), through
 * `@node-rs/argon2` (a maintained Rust binding shipped as prebuilt npm packages, so nothing
 * compiles at install). Hashes made with weaker parameters are upgraded at the next sign-in.
 *
 * A password is hashed in Unicode NFC, so that "é" typed as one code point or as e + accent
 * is the same password; text that is not well-formed UTF-16 (a lone surrogate, which the
 * binding would turn into U+FFFD, making several passwords one) is refused at the boundary
 * and never matches here.
 */
import { hash, verify } from '@node-rs/argon2'
import { randomBytes } from 'node:crypto'
import { checkPassword, isWellFormedText, type PasswordPolicy, type PasswordProblem } from '@shulin/protocol'
import { loadCommonPasswords } from './common-passwords.js'

/** `Algorithm.Argon2id` of @node-rs/argon2 (a const enum, which isolated modules cannot import). */
const argon2id = 2
export const argon2Params = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const

export function hashPassword(password: string): Promise<string> {
  if (!isWellFormedText(password)) return Promise.reject(new TypeError('a password must be well-formed text'))
  return hash(password.normalize('NFC'), { algorithm: argon2id, ...argon2Params })
}

/**
 * How a password matched: `normalised` (its NFC form, as hashed today), `unnormalised` (only
 * as typed: a hash made before passwords were normalised, to be redone), or `false`.
 */
export type PasswordMatch = false | 'normalised' | 'unnormalised'

async function matches(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password)
  } catch {
    return false
  }
}

/**
 * Checks a password against a stored hash: its NFC form first, and only when that differs
 * from what was typed and fails, the typed form (hashes made before normalisation). Whether
 * the second check runs depends on the typed text alone, never on the account.
 */
export async function verifyPassword(stored: string, password: string): Promise<PasswordMatch> {
  if (!isWellFormedText(password)) return false
  const nfc = password.normalize('NFC')
  if (await matches(stored, nfc)) return 'normalised'
  if (nfc !== password && (await matches(stored, password))) return 'unnormalised'
  return false
}

/** True when `stored` is not argon2id or uses less memory, time or a different parallelism than now. */
export function needsRehash(stored: string): boolean {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(stored)
  if (!m) return true
  return (
    Number(m[1]) < argon2Params.memoryCost ||
    Number(m[2]) < argon2Params.timeCost ||
    Number(m[3]) !== argon2Params.parallelism
  )
}

export async function passwordProblem(password: string, policy: PasswordPolicy): Promise<PasswordProblem | null> {
  return checkPassword(password, policy, await loadCommonPasswords())
}

let dummy: Promise<string> | undefined
/** A hash to verify against when the account does not exist, so both cases take as long. */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'))
  return dummy
}

/** A temporary password a librarian hands to a reader: 10 letters and digits, fits every policy. */
export function temporaryPassword(): string {
  const letters = 'abcdefghjkmnpqrstuvwxyz'
  const digits = '23456789'
  const all = letters + digits
  const bytes = randomBytes(10)
  const chars = [...bytes].map((b) => all[b % all.length]!)
  chars[0] = letters[bytes[0]! % letters.length]!
  chars[9] = digits[bytes[9]! % digits.length]!
  return chars.join('')
}
