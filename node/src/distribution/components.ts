/**
 * @module distribution/components
 * What distribution needs of the federation, and the one rule of who may fetch: the hub and
 * the active members. Narrow on purpose: a test builds a distribution service with a stub of it.
 */
import type { Host } from '@shulin/federation'
import type { MemberEntry } from '@shulin/protocol'

export interface DistributionNetwork {
  whenHost(fn: (host: Host) => Promise<void>): Promise<void>
  peerHost(): Host | undefined
  /** The hub and the other active members with their peer addresses, in registry order. */
  peers(): Array<{ id: string; addrs: string[] }>
  /** Member: the hub's id and peer addresses (undefined on the hub and before joining). */
  hubPeer(): Promise<{ hub: string; addrs: string[] } | undefined>
  hubNodeId(): string | undefined
  entry(nodeId: string): MemberEntry | undefined
}

/** Whether `peer` may fetch channel files from this node (and be named as a holder). */
export function mayFetch(network: DistributionNetwork | undefined, peer: string): boolean {
  return !!network && (peer === network.hubNodeId() || network.entry(peer)?.status === 'active')
}
