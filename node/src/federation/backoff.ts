/**
 * @module federation/backoff
 * When to try a peer again: after each failure in a row the wait doubles (from the sync
 * interval up to a minute), and one success clears it. Keeps a node from hammering a member
 * that is down while still finding it soon after it comes back. It runs on the wall clock, not
 * on a node's (testable) business clock: waiting is about the network.
 */
export class Backoff {
  readonly #failures = new Map<string, { count: number; until: number }>()

  constructor(
    private readonly now: () => number,
    private readonly baseMs = 3_000,
    private readonly maxMs = 60_000,
  ) {}

  /** Whether `peer` may be tried now. */
  ready(peer: string): boolean {
    return (this.#failures.get(peer)?.until ?? 0) <= this.now()
  }

  failed(peer: string): void {
    const count = (this.#failures.get(peer)?.count ?? 0) + 1
    this.#failures.set(peer, { count, until: this.now() + Math.min(this.maxMs, this.baseMs * 2 ** (count - 1)) })
  }

  succeeded(peer: string): void {
    this.#failures.delete(peer)
  }
}
