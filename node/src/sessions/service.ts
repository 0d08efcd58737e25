/**
 * @module sessions/service
 * Issues, checks and ends sessions.
 *
 * - Tokens: 256 bits from the CSPRNG; only their SHA-256 is stored.
 * - "Keep me signed in": 14 days absolute (a persistent cookie). Otherwise a browser-session
 *   cookie with a 12-hour absolute and 2-hour idle limit. Bearer tokens (scripts): 30 days.
 * - Sign-in always makes a new session (no fixation); logout, password change and disabling
 *   an account end sessions on the server.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { SessionStore, type SessionRecord } from './store.js'
import { putOp, type Storage, type Sublevel } from '../storage/db.js'

export const sessionLimits = {
  remember: { absoluteMs: 14 * 86_400_000, idleMs: 14 * 86_400_000 },
  browser: { absoluteMs: 12 * 3_600_000, idleMs: 2 * 3_600_000 },
  bearer: { absoluteMs: 30 * 86_400_000, idleMs: 30 * 86_400_000 },
} as const
const touchEveryMs = 60_000

export const sessionIdOf = (token: string): string => createHash('sha256').update(token).digest('base64url')

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a)
  const bb = Buffer.from(b)
  return ab.length === bb.length && timingSafeEqual(ab, bb)
}

export class SessionService {
  readonly #store: SessionStore
  readonly #storage: Storage
  readonly #devices: Sublevel<number>

  constructor(
    storage: Storage,
    private readonly now: () => number = Date.now,
  ) {
    this.#store = new SessionStore(storage)
    this.#storage = storage
    this.#devices = storage.sublevel('session-devices')
  }

  async create(
    accountId: string,
    opts: { kind: 'cookie' | 'bearer'; remember: boolean; userAgent: string; address: string },
  ): Promise<{ token: string; id: string; session: SessionRecord }> {
    const token = randomBytes(32).toString('base64url')
    const id = sessionIdOf(token)
    const limits =
      opts.kind === 'bearer' ? sessionLimits.bearer : opts.remember ? sessionLimits.remember : sessionLimits.browser
    const now = this.now()
    const session: SessionRecord = {
      accountId,
      kind: opts.kind,
      remember: opts.remember,
      csrfToken: randomBytes(24).toString('base64url'),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + limits.absoluteMs,
      idleTimeoutMs: limits.idleMs,
      userAgent: opts.userAgent.slice(0, 200),
      address: opts.address,
    }
    await this.#store.put(id, session, { sync: true })
    await this.#seen(accountId, session.userAgent)
    return { token, id, session }
  }

  readonly #deviceListeners = new Set<(accountId: string) => Promise<void>>()

  /** Told when an account signs in from a browser it never used before (not the very first one). */
  onNewDevice(listener: (accountId: string) => Promise<void>): () => void {
    this.#deviceListeners.add(listener)
    return () => this.#deviceListeners.delete(listener)
  }

  /**
   * Remembers the account's browsers (sublevel `session-devices`, `account!hash`): the user
   * agent without its version numbers, so a browser updating itself is not a new device.
   */
  async #seen(accountId: string, userAgent: string): Promise<void> {
    const device = createHash('sha256')
      .update(userAgent.replace(/[\d._]+/g, ''))
      .digest('base64url')
      .slice(0, 16)
    const k = `${accountId}!${device}`
    if ((await this.#devices.get(k)) !== undefined) return
    const known = await this.#devices.keys({ gt: `${accountId}!`, lt: `${accountId}!\uffff`, limit: 1 }).all()
    await this.#storage.commit([putOp(this.#devices, k, this.now())], { sync: true })
    if (known.length) for (const l of this.#deviceListeners) await l(accountId).catch(() => {})
  }

  /** The live session for a token, or `undefined`; expired ones are removed on sight. */
  async check(token: string, kind: 'cookie' | 'bearer'): Promise<{ id: string; session: SessionRecord } | undefined> {
    if (token.length < 16 || token.length > 128) return undefined
    const id = sessionIdOf(token)
    const session = await this.#store.get(id)
    if (!session || session.kind !== kind) return undefined
    const now = this.now()
    if (now >= session.expiresAt || now - session.lastSeenAt >= session.idleTimeoutMs) {
      await this.#store.delete([{ id, accountId: session.accountId }])
      return undefined
    }
    if (now - session.lastSeenAt >= touchEveryMs) {
      session.lastSeenAt = now
      await this.#store.touch(id, session)
    }
    return { id, session }
  }

  async end(id: string, accountId: string): Promise<void> {
    await this.#store.delete([{ id, accountId }])
  }

  /** Ends every session of an account, but `keep` (the one in use, after a password change). */
  async endAll(accountId: string, keep?: string): Promise<number> {
    const ids = (await this.#store.idsOf(accountId)).filter((id) => id !== keep)
    await this.#store.delete(ids.map((id) => ({ id, accountId })))
    for (const listener of this.#endAllListeners) await listener(accountId)
    return ids.length
  }

  readonly #endAllListeners: Array<(accountId: string) => Promise<unknown>> = []

  /**
   * Runs `listener` whenever every other session of an account ends (sign out elsewhere, a
   * password change or reset, a disabled account): unified identity ends the account's
   * sessions at other libraries too.
   */
  onEndAll(listener: (accountId: string) => Promise<unknown>): void {
    this.#endAllListeners.push(listener)
  }

  /** Whether the session is still stored (not ended, not swept), whatever its age. */
  async exists(id: string): Promise<boolean> {
    return !!(await this.#store.get(id))
  }

  /** The ids of an account's stored sessions. */
  idsOf(accountId: string): Promise<string[]> {
    return this.#store.idsOf(accountId)
  }

  /** Accounts with a session not past its absolute expiry at `at` (idle limits aside). */
  async accountsSignedInAt(at: number): Promise<Set<string>> {
    const out = new Set<string>()
    for await (const [, s] of this.#store.all()) if (s.expiresAt > at) out.add(s.accountId)
    return out
  }

  /** Removes expired sessions; run from a timer. */
  async sweep(): Promise<number> {
    const now = this.now()
    const dead: Array<{ id: string; accountId: string }> = []
    for await (const [id, s] of this.#store.all()) {
      if (now >= s.expiresAt || now - s.lastSeenAt >= s.idleTimeoutMs) dead.push({ id, accountId: s.accountId })
    }
    await this.#store.delete(dead)
    return dead.length
  }
}
