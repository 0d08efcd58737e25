/**
 * @module search/embedded/turns
 * Embedded searches take turns: one at a time, the next one only after the event loop has gone
 * round once. A search is event-loop work (the budget keeps each under ~50 ms); without turns,
 * four searches that arrive together run back to back, and a `/api/health` that arrived with
 * them waits for all four. With turns it waits for at most the one running. Waiting searches
 * are capped: past the cap the answer is a 429 with Retry-After, not an ever-longer queue.
 */
import { ProblemError } from '../../http/problem.js'

/** Searches that may wait for their turn (about two seconds of the heaviest ones). */
export const maxWaiting = 64

export class Turns {
  readonly #waiting: Array<() => void> = []
  #busy = false

  constructor(private readonly limit: number = maxWaiting) {}

  /** Searches waiting now. */
  get waiting(): number {
    return this.#waiting.length
  }

  /** Runs `fn` in its turn. */
  async run<T>(fn: () => T): Promise<T> {
    if (this.#busy && this.#waiting.length >= this.limit) {
      throw new ProblemError('too_many_attempts', {
        detail: 'too many searches at once; try again in a second',
        retryAfterSeconds: 1,
      })
    }
    if (this.#busy) await new Promise<void>((resolve) => this.#waiting.push(resolve))
    this.#busy = true
    try {
      return fn()
    } finally {
      // The next turn only after the event loop has polled for I/O once more: requests that
      // arrived meanwhile are served in between. (One setImmediate from a poll-phase callback
      // would run in the same round, before that poll; the second one is after it.)
      setImmediate(() => setImmediate(() => this.#next()))
    }
  }

  #next(): void {
    const next = this.#waiting.shift()
    if (next) next()
    else this.#busy = false
  }
}
