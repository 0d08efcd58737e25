/**
 * @module activities/events/check-in-code
 * The code on a reader's phone that staff scan at the event's desk:
 * `<activity (base64url)>.<sign-up id>.<expiry (unix seconds, base 36)>.<MAC>`.
 *
 * Why an HMAC and not an Ed25519 signature: only this node ever checks its own codes, and a
 * 16-byte MAC keeps the QR code small enough to scan off a dim phone screen at a desk (a
 * 64-byte signature would double it). The key is derived from the node's Ed25519 key (HKDF),
 * so it needs no new secret to store, back up or migrate, and never leaves the node.
 *
 * The code holds no personal data: a photo of it tells who nothing; the desk learns the
 * (masked) name from this node's own records once the MAC holds.
 *
 * @example
 * ```ts
 * const codes = new CheckInCodes(hkdfKey)
 * const code = codes.mint({ activity: 'a1', signup: 's1', expiresAt: Date.now() + 86_400_000 })
 * codes.read(code) // { ok: true, activity: 'a1', signup: 's1', expiresAt: … }
 * ```
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto'
import type { NodeKey } from '@shulin/federation'

/** What a code says once its MAC holds. */
export interface CheckInClaim {
  activity: string
  signup: string
  /** ms since the epoch (whole seconds). */
  expiresAt: number
}

export type ReadCode = ({ ok: true } & CheckInClaim) | { ok: false; reason: 'invalid' }

const macBytes = 16
const version = 'shulin-check-in-v1'
const codeRe = /^([A-Za-z0-9_-]{1,200})\.([A-Za-z0-9_-]{8,64})\.([0-9a-z]{1,11})\.([A-Za-z0-9_-]{22})$/

/** The MAC key of a node's check-in codes: HKDF-SHA-256 of its Ed25519 key, for this use only. */
export function checkInKeyOf(key: NodeKey): Buffer {
  return Buffer.from(hkdfSync('sha256', key.privateKey.raw, Buffer.alloc(0), version, 32))
}

export class CheckInCodes {
  constructor(private readonly key: Uint8Array) {}

  mint(claim: CheckInClaim): string {
    const seconds = Math.floor(claim.expiresAt / 1000)
    return [
      Buffer.from(claim.activity).toString('base64url'),
      claim.signup,
      seconds.toString(36),
      this.#mac(claim.activity, claim.signup, seconds),
    ].join('.')
  }

  /** Checks the form and the MAC only; expiry and the sign-up's state are the caller's (each has its own reason). */
  read(code: string): ReadCode {
    const m = codeRe.exec(code.trim())
    if (!m) return { ok: false, reason: 'invalid' }
    const [, rawActivity, signup, exp, mac] = m as unknown as [string, string, string, string, string]
    const activity = Buffer.from(rawActivity, 'base64url').toString('utf8')
    // One spelling per activity id: a re-encoded variant of the same bytes is not another code.
    if (Buffer.from(activity).toString('base64url') !== rawActivity) return { ok: false, reason: 'invalid' }
    const seconds = parseInt(exp, 36)
    const expected = Buffer.from(this.#mac(activity, signup, seconds), 'base64url')
    const given = Buffer.from(mac, 'base64url')
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' }
    return { ok: true, activity, signup, expiresAt: seconds * 1000 }
  }

  #mac(activity: string, signup: string, seconds: number): string {
    return createHmac('sha256', this.key)
      .update(`${version}\n${activity}\n${signup}\n${seconds}`)
      .digest()
      .subarray(0, macBytes)
      .toString('base64url')
  }
}
