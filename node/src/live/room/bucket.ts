/**
 * @module live/room/bucket
 * A token bucket: `burst` messages at once, then `perSecond` more each second. A reader who
 * waits gets the burst back; a flood gets the refill rate and no more.
 */
export class TokenBucket {
  #tokens: number
  #at: number

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    now: number,
  ) {
    this.#tokens = burst
    this.#at = now
  }

  #refill(now: number): void {
    this.#tokens = Math.min(this.burst, this.#tokens + (Math.max(0, now - this.#at) / 1000) * this.perSecond)
    this.#at = now
  }

  /** Takes one token if there is one. */
  take(now: number): boolean {
    this.#refill(now)
    if (this.#tokens < 1) return false
    this.#tokens -= 1
    return true
  }

  /** Whether the bucket is full again (it limits nobody and can be forgotten). */
  full(now: number): boolean {
    this.#refill(now)
    return this.#tokens >= this.burst
  }
}
