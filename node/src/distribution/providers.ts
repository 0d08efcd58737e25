/**
 * @module distribution/providers
 * Whom a fetch asks, in order: the publisher first, then the members the hub says hold the
 * file, then the hub and the other members in registry order (a holder the hub has not heard
 * of yet still serves a share). A network has hundreds of members; a fetch asks twelve.
 *
 * Within that order, what this node saw of each provider counts: one that served chunks in the
 * last minutes goes before one not heard from, and one that was unreachable, failing or busy in
 * the last minutes goes after every other (an offline library among the twelve is a slot, a
 * dial and a timeout spent for nothing; at 3,000 members some are always offline).
 */

/** Providers asked at once for one file (the publisher and the hub first). */
export const maxProviders = 12

/** How long an answer, or a failure, counts in the order. */
export const providerMemoryMs = 10 * 60_000

/** Providers remembered at most (a network's members, with room). */
const maxRemembered = 8_192

export interface Peer {
  id: string
  addrs: string[]
}

/** How a provider did in one fetch, as the transfer reports it. */
export interface ProviderOutcome {
  id: string
  chunks: number
  dropped?: string | undefined
}

/** Failures that say the provider itself is down or overloaded, not that it lacks the file. */
const downReasons = new Set(['unreachable', 'failing', 'busy'])

/** What this node saw of providers lately: who answered, who failed (in memory only). */
export class ProviderMemory {
  readonly #seen = new Map<string, { answeredAt?: number; failedAt?: number }>()

  constructor(private readonly now: () => number = Date.now) {}

  /** Takes the providers' reports of one fetch, whether it succeeded or not. */
  note(outcomes: readonly ProviderOutcome[]): void {
    const at = this.now()
    for (const o of outcomes) {
      const seen = this.#seen.get(o.id) ?? {}
      if (o.dropped && downReasons.has(o.dropped)) seen.failedAt = at
      else if (o.chunks > 0) {
        seen.answeredAt = at
        delete seen.failedAt
      } else continue
      // Re-inserted: the map's order is the order of last news, the oldest dropped first.
      this.#seen.delete(o.id)
      this.#seen.set(o.id, seen)
      if (this.#seen.size > maxRemembered) this.#seen.delete(this.#seen.keys().next().value!)
    }
  }

  /** 0: answered lately, 1: no recent news, 2: failed lately. */
  standing(id: string): 0 | 1 | 2 {
    const seen = this.#seen.get(id)
    const since = this.now() - providerMemoryMs
    if (seen?.failedAt !== undefined && seen.failedAt >= since) return 2
    if (seen?.answeredAt !== undefined && seen.answeredAt >= since) return 0
    return 1
  }
}

/**
 * `peers` ranked for fetching a file of `publisher` that `holders` are known to hold: those
 * that failed lately last; then the publisher; then the holders and the hub, those that
 * answered lately first; then the other members, likewise; registry order breaks ties.
 */
export function rankProviders(
  peers: Peer[],
  publisher: string,
  holders: string[],
  hubId: string | undefined,
  standing: (id: string) => 0 | 1 | 2 = () => 1,
): Peer[] {
  const rank = new Map<string, number>()
  // The first place a node earns is its place (the publisher may be the hub, or a holder).
  for (const id of [publisher, ...holders, hubId ?? '']) if (!rank.has(id)) rank.set(id, rank.size)
  const key = (p: Peer, i: number) => {
    const s = standing(p.id)
    const place = rank.get(p.id)
    return [s === 2 ? 1 : 0, p.id === publisher ? 0 : 1, place === undefined ? 1 : 0, s, place ?? 0, i]
  }
  return peers
    .map((p, i) => ({ p, k: key(p, i) }))
    .sort((a, b) => {
      for (let j = 0; j < a.k.length; j++) if (a.k[j] !== b.k[j]) return a.k[j]! - b.k[j]!
      return 0
    })
    .map(({ p }) => p)
    .slice(0, maxProviders)
}
