/**
 * @module wechat/replay
 * Refuses a replayed message: a timestamp outside the window, or a (timestamp, nonce) pair
 * or MsgId seen within it. Kept in memory: an entry is only needed for the window it could be
 * replayed in (a restart forgets them, but a capture older than the window is refused anyway),
 * and the cache is bounded so a flood cannot grow it without limit.
 */

export interface ReplayGuardOptions {
  /** How far a message's timestamp may be from now, either way. @default 300 */
  windowSeconds?: number
  /** The most entries kept (the oldest go first). @default 100000 */
  maxEntries?: number
  now?: () => number
}

export type ReplayVerdict = 'fresh' | 'stale' | 'replayed'

export class ReplayGuard {
  readonly #seen = new Map<string, number>()
  readonly #windowMs: number
  readonly #max: number
  readonly #now: () => number

  constructor(opts: ReplayGuardOptions = {}) {
    this.#windowMs = (opts.windowSeconds ?? 300) * 1000
    this.#max = opts.maxEntries ?? 100_000
    this.#now = opts.now ?? Date.now
  }

  /** Whether the timestamp is inside the window (without remembering anything). */
  inWindow(timestamp: string): boolean {
    const t = Number(timestamp) * 1000
    return /^\d{1,12}$/.test(timestamp) && Math.abs(this.#now() - t) <= this.#windowMs
  }

  /** Checks and remembers each key (e.g. `nonce:…`, `msg:…`): any one seen before makes it a replay. */
  check(timestamp: string, keys: string[]): ReplayVerdict {
    if (!this.inWindow(timestamp)) return 'stale'
    const now = this.#now()
    this.#sweep(now)
    if (keys.some((k) => (this.#seen.get(k) ?? 0) > now)) return 'replayed'
    for (const k of keys) this.#seen.set(k, now + 2 * this.#windowMs)
    while (this.#seen.size > this.#max) {
      const oldest = this.#seen.keys().next().value
      if (oldest === undefined) break
      this.#seen.delete(oldest)
    }
    return 'fresh'
  }

  #sweep(now: number): void {
    // Entries are in insertion order, which is expiry order: stop at the first live one.
    for (const [k, until] of this.#seen) {
      if (until > now) break
      this.#seen.delete(k)
    }
  }
}
