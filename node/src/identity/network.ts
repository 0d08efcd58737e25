/**
 * @module identity/network
 * What unified identity needs from the federation: the verified registry as held right now.
 * The hub-signed registry is the only client registration: a node is a client (a node readers
 * visit) while the hub lists it as active, and a home (a node vouching for its readers) on the
 * same terms. The hub's portal is a client too; it has no registry entry of its own.
 */
import type { MemberEntry } from '@shulin/protocol'

export interface Network {
  /** This node's id: the issuer of its ID tokens and its client id elsewhere. */
  readonly selfId: string
  entry(nodeId: string): MemberEntry | undefined
  entries(): MemberEntry[]
  hubId(): string | undefined
}

/** Whether `nodeId` may ask this node to sign a reader in; `http` = the origins its redirect may use (`null`: the hub, which has no registry entry; its address comes with its signed directory pull). */
export function clientOf(net: Network, nodeId: string): { http: string[] | null } | null {
  if (nodeId === net.selfId) return null
  if (nodeId === net.hubId()) return { http: null }
  const e = net.entry(nodeId)
  return e?.status === 'active' ? { http: e.http } : null
}

/** The active member entry of a reader's home, or `null` (unknown, suspended, revoked, no HTTP address). */
export function homeOf(net: Network, nodeId: string): MemberEntry | null {
  const e = net.entry(nodeId)
  return e && e.status === 'active' && e.http.length > 0 && nodeId !== net.selfId ? e : null
}
