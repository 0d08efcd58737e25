/**
 * @module activities/fair-play
 * Limits on how fast likes come, and bursts flagged for staff to review.
 *
 * Rate limits are sliding one-minute windows in memory, per voter and per client address (a
 * like refused by them counts nothing; a restart forgets them, which only lets a reader like a
 * little sooner). An address whose likes in one window pass `flagAddressPerMinute` — a school's
 * shared address is legitimate, so it is flagged rather than refused — is written once per
 * window to the `activity-flags` sublevel for staff.
 */
import { ProblemError } from '../http/problem.js'
import { putOp } from '../storage/db.js'
import type { ActivityStore } from './store.js'

export interface FairPlaySettings {
  /** Likes a voter may cast per minute (each on a different entry: the day rule limits the rest). */
  voterPerMinute: number
  /** Likes one address may cast per minute, all voters together. */
  addressPerMinute: number
  /** Past this many likes from one address in a minute, the address is flagged for review. */
  flagAddressPerMinute: number
}

export const defaultFairPlay: FairPlaySettings = {
  voterPerMinute: 30,
  addressPerMinute: 600,
  flagAddressPerMinute: 120,
}

const windowMs = 60_000

/** Timestamps in the last minute, per key; keys with none are dropped as they are seen. */
class Window {
  readonly #hits = new Map<string, number[]>()
  count(key: string, now: number): number {
    const list = this.#hits.get(key)
    if (!list) return 0
    while (list.length && list[0]! <= now - windowMs) list.shift()
    if (!list.length) this.#hits.delete(key)
    return list.length
  }
  add(key: string, now: number): number {
    const n = this.count(key, now)
    const list = this.#hits.get(key) ?? []
    list.push(now)
    this.#hits.set(key, list)
    return n + 1
  }
  /** The wait until one more fits under `limit`, in whole seconds. */
  retryAfter(key: string, now: number, limit: number): number {
    const list = this.#hits.get(key) ?? []
    const oldest = list[list.length - limit]
    return oldest === undefined ? 1 : Math.max(1, Math.ceil((oldest + windowMs - now) / 1000))
  }
}

export class FairPlay {
  readonly settings: FairPlaySettings
  readonly #voters = new Window()
  readonly #addresses = new Window()
  /** Addresses flagged in the current window (flagged once, not once per like). */
  readonly #flagged = new Map<string, number>()

  constructor(
    private readonly store: ActivityStore,
    settings: Partial<FairPlaySettings>,
    private readonly now: () => number,
  ) {
    this.settings = { ...defaultFairPlay, ...settings }
  }

  /** @throws {ProblemError} `too_many_attempts` (with Retry-After) past a rate limit. */
  admit(activity: string, voter: string, address: string): void {
    const t = this.now()
    const s = this.settings
    const v = `${activity}!${voter}`
    if (this.#voters.count(v, t) >= s.voterPerMinute) {
      const wait = this.#voters.retryAfter(v, t, s.voterPerMinute)
      throw new ProblemError('too_many_attempts', {
        detail: `At most ${s.voterPerMinute} likes a minute; try again in ${wait} s.`,
        retryAfterSeconds: wait,
        headers: { 'retry-after': String(wait) },
      })
    }
    if (this.#addresses.count(address, t) >= s.addressPerMinute) {
      const wait = this.#addresses.retryAfter(address, t, s.addressPerMinute)
      throw new ProblemError('too_many_attempts', {
        detail: `Too many likes from this network address; try again in ${wait} s.`,
        retryAfterSeconds: wait,
        headers: { 'retry-after': String(wait) },
      })
    }
  }

  /** Counts an accepted like; flags the address when its likes in the window pass the threshold. */
  async noteLike(activity: string, voter: string, address: string): Promise<void> {
    const t = this.now()
    this.#voters.add(`${activity}!${voter}`, t)
    const n = this.#addresses.add(address, t)
    if (n <= this.settings.flagAddressPerMinute) return
    const last = this.#flagged.get(address)
    if (last !== undefined && last > t - windowMs) return
    this.#flagged.set(address, t)
    for (const [a, at] of this.#flagged) if (at <= t - windowMs) this.#flagged.delete(a)
    const at = new Date(t).toISOString()
    await this.store.storage.commit(
      [
        putOp(this.store.flags, `${at}!${address}`, {
          at,
          activity,
          reason: 'address_burst',
          address,
          voter,
          count: n,
          windowSeconds: windowMs / 1000,
        }),
      ],
      { sync: false },
    )
  }
}
