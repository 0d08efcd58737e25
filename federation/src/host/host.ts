/**
 * @module host
 * The node's libp2p host: TCP, Noise, Yamux, its Ed25519 key as its peer id, and limits that
 * keep a misbehaving peer from exhausting the node (connections, streams per connection,
 * inbound streams per protocol, message sizes in each protocol).
 *
 * @example
 * ```ts
 * const host = await createHost({ privateKey: key.privateKey, listen: ['/ip4/0.0.0.0/tcp/8091'] })
 * host.getMultiaddrs()
 * ```
 */
import './node20.js'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import type { ConnectionGater, PrivateKey } from '@libp2p/interface'

export interface HostInit {
  privateKey: PrivateKey
  /** Multiaddrs to listen on; none = dial-only (a CLI process joining a hub). */
  listen: string[]
  gater?: ConnectionGater
}

export type Host = Libp2p

/**
 * A gater that refuses, in both directions, peers `isBarred` names (suspended or revoked
 * members): the connection is closed right after the handshake proves who it is.
 */
export function barringGater(isBarred: (peerId: string) => boolean): ConnectionGater {
  return {
    denyInboundEncryptedConnection: async (peer) => isBarred(peer.toString()),
    denyOutboundEncryptedConnection: async (peer) => isBarred(peer.toString()),
    denyDialPeer: async (peer) => isBarred(peer.toString()),
  }
}

export async function createHost(init: HostInit): Promise<Host> {
  return createLibp2p({
    privateKey: init.privateKey,
    addresses: { listen: init.listen },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux({ maxInboundStreams: 256, maxOutboundStreams: 256 })],
    connectionManager: { maxConnections: 300, maxIncomingPendingConnections: 20 },
    ...(init.gater ? { connectionGater: init.gater } : {}),
    start: true,
  })
}
