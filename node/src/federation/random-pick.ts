/**
 * @module federation/random-pick
 * Picking peers at random, so that many nodes asking at once spread over the network rather
 * than all asking the same first few of a list they share (the registry's order).
 */

/** `xs` shuffled in place (Fisher–Yates), returned. */
export function shuffled<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[xs[i], xs[j]] = [xs[j]!, xs[i]!]
  }
  return xs
}

/** `k` of `xs` (all when fewer) in random order, each at most once; `xs` is left as it is. */
export function randomSample<T>(xs: readonly T[], k: number): T[] {
  const pool = [...xs]
  const n = Math.min(k, pool.length)
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(Math.random() * (pool.length - i))
    ;[pool[i], pool[j]] = [pool[j]!, pool[i]!]
  }
  return pool.slice(0, n)
}
