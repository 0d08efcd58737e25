/**
 * @module accounts/throttle
 * Sign-in throttling, kept in memory (a restart forgets; an attacker cannot restart the node).
 *
 * - Per account key (the typed identifier, whether or not an account has it, so the answer
 *   never reveals which exist): after {@link freeFailures} failures in an hour each further
 *   try waits twice as long as the last (capped at 5 min); at {@link maxFailuresPerHour} the
 *   key waits until the oldest failure is an hour old. A lock-out is never permanent.
 * - Per client address: at most {@link maxFailuresPerAddress} failures in 15 minutes.
 */
export const freeFailures = 10
export const maxFailuresPerHour = 100
export const maxFailuresPerAddress = 50
const hour = 3_600_000
const addressWindow = 15 * 60_000
const maxDelay = 300_000
const maxKeys = 100_000

type Clock = () => number

/** Timestamps of events per key within a sliding window; bounded in keys and in events per key. */
export class FailureLog {
  readonly #failures = new Map<string, number[]>()
  constructor(
    private readonly window: number,
    private readonly keep: number,
  ) {}

  recent(key: string, now: number): number[] {
    const list = this.#failures.get(key)
    if (!list) return []
    const fresh = list.filter((t) => now - t < this.window)
    if (fresh.length === 0) this.#failures.delete(key)
    else if (fresh.length !== list.length) this.#failures.set(key, fresh)
    return fresh
  }

  add(key: string, now: number): void {
    const list = this.recent(key, now)
    list.push(now)
    if (list.length > this.keep) list.splice(0, list.length - this.keep)
    this.#failures.delete(key)
    this.#failures.set(key, list)
    if (this.#failures.size > maxKeys) this.#failures.delete(this.#failures.keys().next().value!)
  }

  clear(key: string): void {
    this.#failures.delete(key)
  }
}

/**
 * At most `max` events per key in `windowMs` (e.g. registrations per address, which would
 * otherwise let one address probe which phone numbers are registered).
 */
export class RateLimit {
  readonly #log: FailureLog
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: Clock = Date.now,
  ) {
    this.#log = new FailureLog(windowMs, max)
  }

  /** Counts an event; returns seconds to wait when over the limit (the event is then not counted). */
  take(key: string): number {
    const now = this.now()
    const recent = this.#log.recent(key, now)
    if (recent.length >= this.max) return Math.ceil((recent[0]! + this.windowMs - now) / 1000)
    this.#log.add(key, now)
    return 0
  }
}

export class LoginThrottle {
  readonly #byAccount = new FailureLog(hour, maxFailuresPerHour)
  readonly #byAddress = new FailureLog(addressWindow, maxFailuresPerAddress)

  constructor(private readonly now: Clock = Date.now) {}

  /** Seconds to wait before this attempt may be checked, or 0. */
  retryAfter(accountKey: string, address: string): number {
    const now = this.now()
    const byAddr = this.#byAddress.recent(address, now)
    let waitUntil = byAddr.length >= maxFailuresPerAddress ? byAddr[0]! + addressWindow : 0
    const byAcct = this.#byAccount.recent(accountKey, now)
    if (byAcct.length >= maxFailuresPerHour) waitUntil = Math.max(waitUntil, byAcct[0]! + hour)
    else if (byAcct.length >= freeFailures) {
      const delay = Math.min(1000 * 2 ** (byAcct.length - freeFailures), maxDelay)
      waitUntil = Math.max(waitUntil, byAcct[byAcct.length - 1]! + delay)
    }
    return waitUntil > now ? Math.ceil((waitUntil - now) / 1000) : 0
  }

  failed(accountKey: string, address: string): void {
    const now = this.now()
    this.#byAccount.add(accountKey, now)
    this.#byAddress.add(address, now)
  }

  succeeded(accountKey: string): void {
    this.#byAccount.clear(accountKey)
  }
}
