/**
 * @module transfer/schedule
 * Which chunk goes to which provider: one queue shared by every provider's lanes (work
 * stealing: a fast provider simply takes more), lowest index first so the file fills from its
 * start and the whole-file hash can follow close behind. A chunk a provider served corrupt is
 * never given to that provider again.
 */

export const ChunkState = {
  /** Not on disk: to fetch. */
  Missing: 0,
  /** Claimed by an earlier attempt's progress record, not yet read back and checked. */
  Claimed: 1,
  /** Being fetched by a lane. */
  Taken: 2,
  /** Fetched, checked against its hash, written. */
  Written: 3,
} as const

export class ChunkQueue {
  readonly state: Uint8Array
  /** No chunk below this index is Missing. */
  private lowest = 0
  private readonly avoid = new Map<number, Set<string>>()
  private wake: Array<() => void> = []

  constructor(n: number, claimed: Uint8Array) {
    this.state = new Uint8Array(n)
    for (let i = 0; i < n; i++) this.state[i] = claimed[i] ? ChunkState.Claimed : ChunkState.Missing
  }

  get length(): number {
    return this.state.length
  }

  /**
   * Takes up to `max` consecutive Missing chunks that `provider` may serve, lowest first;
   * `undefined` when there is none now.
   */
  take(provider: string, max: number): { from: number; count: number } | undefined {
    const s = this.state
    while (this.lowest < s.length && s[this.lowest] !== ChunkState.Missing) this.lowest++
    let from = this.lowest
    while (from < s.length && (s[from] !== ChunkState.Missing || this.avoid.get(from)?.has(provider))) from++
    if (from >= s.length) return undefined
    let count = 0
    while (
      count < max &&
      from + count < s.length &&
      s[from + count] === ChunkState.Missing &&
      !this.avoid.get(from + count)?.has(provider)
    ) {
      s[from + count] = ChunkState.Taken
      count++
    }
    return { from, count }
  }

  /** Puts chunks back to be fetched (by anyone, or by anyone but `not`). */
  giveBack(from: number, count: number, not?: string): void {
    for (let i = from; i < from + count; i++) {
      this.state[i] = ChunkState.Missing
      if (not) {
        const set = this.avoid.get(i) ?? new Set<string>()
        set.add(not)
        this.avoid.set(i, set)
      }
    }
    this.lowest = Math.min(this.lowest, from)
    this.notify()
  }

  written(i: number): void {
    this.state[i] = ChunkState.Written
    this.notify()
  }

  /** A Missing chunk none of `alive` may serve, if there is one: the transfer cannot finish. */
  unservable(alive: string[]): number | undefined {
    for (let i = this.lowest; i < this.state.length; i++) {
      if (this.state[i] !== ChunkState.Missing) continue
      const avoided = this.avoid.get(i)
      if (!alive.some((p) => !avoided?.has(p))) return i
    }
    return undefined
  }

  /** Resolves on the next change (a chunk given back or written), or after `ms`. */
  changed(ms = 1000): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms)
      this.wake.push(() => (clearTimeout(t), resolve()))
    })
  }

  notify(): void {
    const wake = this.wake
    this.wake = []
    for (const w of wake) w()
  }
}
