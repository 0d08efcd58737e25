/**
 * @module distribution/providers
 * Whom a fetch asks, in order: the publisher first, then the members the hub says hold the
 * file, then the hub and the other members in registry order (a holder the hub has not heard
 * of yet still serves a share). A network has hundreds of members; a fetch asks twelve.
 */

/** Providers asked at once for one file (the publisher and the hub first). */
export const maxProviders = 12

export interface Peer {
  id: string
  addrs: string[]
}

/** `peers` ranked for fetching a file of `publisher` that `holders` are known to hold. */
export function rankProviders(peers: Peer[], publisher: string, holders: string[], hubId: string | undefined): Peer[] {
  const rank = new Map<string, number>()
  // The first place a node earns is its place (the publisher may be the hub, or a holder).
  for (const id of [publisher, ...holders, hubId ?? '']) if (!rank.has(id)) rank.set(id, rank.size)
  const at = (id: string) => rank.get(id) ?? rank.size
  return peers
    .map((p, i) => ({ p, i }))
    .sort((a, b) => at(a.p.id) - at(b.p.id) || a.i - b.i)
    .map(({ p }) => p)
    .slice(0, maxProviders)
}
