/**
 * @module host
 * The node's libp2p host: TCP, TLS 1.3 or Noise, Yamux, its Ed25519 key as its peer id, and
 * limits that keep a misbehaving peer from exhausting the node (connections, streams per
 * connection, inbound streams per protocol, message sizes in each protocol).
 *
 * TLS comes first: Node's TLS runs in OpenSSL (AES-GCM on the CPU's AES instructions), where
 * Noise's ChaCha20-Poly1305 costs a cipher object per 64 KiB message from JavaScript; a content
 * transfer's fetcher spends about 40% less CPU per byte on TLS (`npm run bench:distribution`).
 * Noise stays as the second choice, so a peer that offers only Noise still connects; under Deno,
 * where a TLS handshake over a libp2p stream is reset (deno 2.9), the host offers Noise alone.
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
import { tls } from '@libp2p/tls'
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
    connectionEncrypters: 'Deno' in globalThis ? [noise()] : [tls(), noise()],
    streamMuxers: [yamux({ maxInboundStreams: 256, maxOutboundStreams: 256 })],
    connectionManager: { maxConnections: 300, maxIncomingPendingConnections: 20 },
    ...(init.gater ? { connectionGater: init.gater } : {}),
    start: true,
  })
}
