/**
 * @module host/connection-list
 * js-libp2p 3.3's connection manager lists every open connection (`getConnections()` with no
 * peer) by concatenating each peer's list onto the list so far: a new array per peer, so the
 * cost grows with the square of the peers. It does so twice for every inbound connection (the
 * limit check as it is accepted, and the pruner when it opens) and on every ping round. At a hub
 * with 3,000 members that is about 5–8 ms a call, and a CPU profile of the hub while members
 * joined put 9 % of its time in that function (5.6 s of 60.5 s), with more in the garbage
 * collector after it. Listed in one pass, a call is about 0.03–0.1 ms.
 *
 * Applied to the host's own connection manager instance, only where it has the shape this was
 * written against (`getConnectionsMap`); otherwise libp2p's own method stays.
 */
import type { Connection, Libp2p, PeerId } from '@libp2p/interface'

interface ListingConnectionManager {
  getConnections(peerId?: PeerId): Connection[]
  getConnectionsMap(): { values(): Iterable<Connection[]> }
}

/** Lists `host`'s connections in one pass; true when applied. */
export function listConnectionsInOnePass(host: Libp2p): boolean {
  const cm = (host as unknown as { components?: { connectionManager?: Partial<ListingConnectionManager> } }).components
    ?.connectionManager
  if (typeof cm?.getConnections !== 'function' || typeof cm.getConnectionsMap !== 'function') return false
  const manager = cm as ListingConnectionManager
  const byPeer = manager.getConnections.bind(manager)
  manager.getConnections = (peerId?: PeerId): Connection[] => {
    if (peerId != null) return byPeer(peerId)
    const all: Connection[] = []
    for (const list of manager.getConnectionsMap().values()) for (const c of list) all.push(c)
    return all
  }
  return true
}
