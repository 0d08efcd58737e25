/**
 * @module search/embedded/slices
 * Long index work (a merge of 100k records takes seconds) done in slices: the worker asks
 * {@link Slices.due} as it goes and, when a slice's time is up, awaits {@link Slices.pause},
 * which lets the event loop serve everything that arrived meanwhile (searches, /api/health)
 * before the next slice. The work itself stays the same; only its blocking stretches shrink.
 */

/** Event-loop time one slice may take. */
export const sliceMs = 8

export class Slices {
  #start = performance.now()
  /** Pauses taken (what tests read). */
  pauses = 0

  constructor(private readonly ms: number = sliceMs) {}

  /** Whether this slice has run its time (cheap enough to ask every few records). */
  due(): boolean {
    return performance.now() - this.#start >= this.ms
  }

  /** Gives the event loop a full turn (I/O polled) before the next slice. */
  async pause(): Promise<void> {
    this.pauses++
    await new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)))
    this.#start = performance.now()
  }
}
