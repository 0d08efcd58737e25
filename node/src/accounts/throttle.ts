/**
 * @module accounts/throttle
 * Sign-in throttling, kept in memory (a restart forgets; an attacker cannot restart the node).
 *
 * - Per account key (the account an identifier names, whichever of its identifiers was typed;
 *   an identifier naming no account has a key of its own, throttled alike, so the answer never
 *   reveals which exist): after {@link freeFailures} failures in an hour each further try
 *   waits twice as long as the last (capped at 5 min); at {@link maxFailuresPerHour} the key
 *   waits until the oldest failure is an hour old. A lock-out is never permanent.
 * - Per client address: at most {@link maxFailuresPerAddress} failures in 15 minutes.
 *
 * An attempt is counted when it is {@link LoginThrottle.reserve reserved}, before its password
 * is checked, and counts as a failure until it is settled: a guesser sending hundreds at once
 * gets no more of them checked than one sending them one by one.
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

/** How long an attempt is told to wait while the attempts ahead of it are still being checked. */
const busyMs = 1000

/** An attempt counted before its check: settle it once; later calls do nothing. */
export interface Attempt {
  /** The check failed: a failure for the account and the address. */
  failed(): void
  /** The check passed: the account's failures are forgiven. */
  succeeded(): void
  /** No answer was reached (an error): the attempt stops counting, as if never made. */
  release(): void
}

export type Reservation = { attempt: Attempt; retryAfter?: never } | { attempt?: never; retryAfter: number }

/** Counts of attempts reserved and not yet settled, per key; a key at zero is forgotten. */
class InFlight {
  readonly #counts = new Map<string, number>()
  get(key: string): number {
    return this.#counts.get(key) ?? 0
  }
  add(key: string, delta: 1 | -1): void {
    const n = this.get(key) + delta
    if (n > 0) this.#counts.set(key, n)
    else this.#counts.delete(key)
  }
}

export class LoginThrottle {
  readonly #byAccount = new FailureLog(hour, maxFailuresPerHour)
  readonly #byAddress = new FailureLog(addressWindow, maxFailuresPerAddress)
  readonly #accountsInFlight = new InFlight()
  readonly #addressesInFlight = new InFlight()

  constructor(private readonly now: Clock = Date.now) {}

  /**
   * Seconds to wait before this attempt may be checked, or 0. Attempts still being checked
   * count as failures: past the free ones, one is checked at a time.
   */
  retryAfter(accountKey: string, address: string): number {
    const now = this.now()
    let waitUntil = 0
    const byAddr = this.#byAddress.recent(address, now)
    if (byAddr.length >= maxFailuresPerAddress) waitUntil = byAddr[0]! + addressWindow
    else if (byAddr.length + this.#addressesInFlight.get(address) >= maxFailuresPerAddress) waitUntil = now + busyMs
    const byAcct = this.#byAccount.recent(accountKey, now)
    const pending = this.#accountsInFlight.get(accountKey)
    if (byAcct.length >= maxFailuresPerHour) waitUntil = Math.max(waitUntil, byAcct[0]! + hour)
    else if (byAcct.length + pending >= maxFailuresPerHour) waitUntil = Math.max(waitUntil, now + busyMs)
    else if (byAcct.length + pending >= freeFailures) {
      // The delay runs from the last failure; one still being checked has no time yet.
      const delay = Math.min(1000 * 2 ** (byAcct.length + pending - freeFailures), maxDelay)
      waitUntil = Math.max(waitUntil, pending > 0 ? now + busyMs : byAcct[byAcct.length - 1]! + delay)
    }
    return waitUntil > now ? Math.ceil((waitUntil - now) / 1000) : 0
  }

  /**
   * Counts an attempt before it is checked, or says how long to wait (nothing counted). The
   * check and the count happen in one synchronous step, so concurrent attempts cannot all
   * pass the check before any of them is counted.
   */
  reserve(accountKey: string, address: string): Reservation {
    const wait = this.retryAfter(accountKey, address)
    if (wait > 0) return { retryAfter: wait }
    this.#accountsInFlight.add(accountKey, 1)
    this.#addressesInFlight.add(address, 1)
    let open = true
    const settle = (outcome: () => void) => {
      if (!open) return
      open = false
      this.#accountsInFlight.add(accountKey, -1)
      this.#addressesInFlight.add(address, -1)
      outcome()
    }
    return {
      attempt: {
        failed: () => settle(() => this.#failed(accountKey, address)),
        succeeded: () => settle(() => this.#succeeded(accountKey)),
        release: () => settle(() => {}),
      },
    }
  }

  #failed(accountKey: string, address: string): void {
    const now = this.now()
    this.#byAccount.add(accountKey, now)
    this.#byAddress.add(address, now)
  }

  #succeeded(accountKey: string): void {
    this.#byAccount.clear(accountKey)
  }
}
