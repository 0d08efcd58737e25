/**
 * @module transfer/bucket
 * A token bucket: a mirror fetches within a byte rate a library chose for its link. Tokens
 * refill continuously; the burst is one second's worth (or one request, if larger), so a rate
 * holds over any few seconds without idling the link between requests.
 */
export class TokenBucket {
  private tokens: number
  private last = performance.now()
  private queue: Promise<void> = Promise.resolve()

  constructor(
    private readonly bytesPerSecond: number,
    private readonly burst = bytesPerSecond,
  ) {
    if (!(bytesPerSecond > 0)) throw new RangeError('bytesPerSecond must be positive')
    this.tokens = Math.min(burst, bytesPerSecond)
  }

  /** Resolves when `bytes` may be sent; callers are served in order. */
  take(bytes: number, signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.wait(bytes, signal))
    this.queue = turn.catch(() => {})
    return turn
  }

  private async wait(bytes: number, signal?: AbortSignal): Promise<void> {
    const cap = Math.max(this.burst, bytes)
    for (;;) {
      signal?.throwIfAborted()
      const now = performance.now()
      this.tokens = Math.min(cap, this.tokens + ((now - this.last) / 1000) * this.bytesPerSecond)
      this.last = now
      if (this.tokens >= bytes) {
        this.tokens -= bytes
        return
      }
      const ms = Math.ceil(((bytes - this.tokens) / this.bytesPerSecond) * 1000)
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms)
        signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true })
      })
    }
  }
}
