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
 * The TLS is libp2p's handshake with the certificate made once and reused (./tls-reused.ts):
 * `@libp2p/tls` makes one per connection, which more than doubled a connection's CPU.
 *
 * Behind NAT: a node gives peers the addresses it announces (`--announce`) instead of its listen
 * addresses. A hub is a circuit relay (v2) for its members: a member that cannot be dialled keeps
 * its own connection to the hub, reserves a slot on it (`/p2p-circuit`) and is reached through
 * it; hole punching (DCUtR) then tries to replace a relayed connection with a direct one. The
 * hub relays only between peers `mayRelay` admits (its members), with no limit on the data or
 * the time of a relayed connection: a member's file can be gigabytes, and a limited connection
 * would cut every transfer, catalog pull and sync session that crosses it.
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
import { identify } from '@libp2p/identify'
import { dcutr } from '@libp2p/dcutr'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { reusedCertificateTls } from './tls-reused.js'
import { listConnectionsInOnePass } from './connection-list.js'
import type { ConnectionGater, PrivateKey } from '@libp2p/interface'

export interface HostInit {
  privateKey: PrivateKey
  /** Multiaddrs to listen on; none = dial-only (a CLI process joining a hub). */
  listen: string[]
  /** What peers should dial instead of the listen addresses (behind NAT, in a container). */
  announce?: string[]
  gater?: ConnectionGater
  /**
   * Circuit relay: `serve` (the hub) relays between the peers `mayRelay` admits; `use` (a
   * member) reserves a slot on a relay it is connected to and is reachable through it.
   */
  relay?: { serve: { mayRelay: (peerId: string) => boolean; maxReservations?: number } } | { use: true }
  /** Connection limits: {@link memberConnectionLimits} unless given ({@link hubConnectionLimits} for a hub). */
  connections?: ConnectionLimits
}

/** What the connection manager allows (open connections, how fast new ones may come), and how a connection is kept. */
export interface ConnectionLimits {
  /** Open connections before libp2p prunes the least valuable ones. */
  maxConnections: number
  /** New inbound connections per second from one IP address; more are reset. */
  inboundPerHostPerSecond: number
  /** Inbound connections still in their handshake at once; more are reset. */
  maxIncomingPending: number
  /**
   * Connections the TCP listener queues before they are accepted (Node's default 511 unless
   * given; the system caps it at net.core.somaxconn, 4096 on Linux 5.4 and later).
   */
  listenBacklog?: number
  /**
   * How often this end sends Yamux's keep-alive ping on each connection (ms; 0: never, though it
   * still answers the other end's). The traffic keeps a NAT's mapping of the connection open.
   * Each costs more than its 12 bytes (a TLS record, a wake-up at both ends): 300 members idle on
   * loopback, pinging every 30 s from both ends, took 1.4 ms of the hub's CPU per connection per
   * 30 s, against 0.16 ms with none, about a seventh of a core at 3,000 members.
   */
  keepAliveMs: number
  /** How often libp2p's connection monitor pings each connection (see {@link livenessPingMs}). */
  livenessPingMs: number
}

/**
 * How often libp2p's connection monitor pings each connection, from both ends, to find one that
 * died without a word (a cut cable, a NAT that forgot it, a member's address changed) and close
 * it; one that cannot open a stream in 30 s is dropped. The members' Yamux keep-alive keeps NAT
 * mappings open, and each protocol's exchange has its own timeout, so the monitor only reaps
 * dead connections.
 *
 * - libp2p's default, every 10 s with a 5 s timeout, all connections in the same tick, dropped
 *   hundreds of healthy connections of a busy hub (or a starved member) at once:
 *   `npm run sim:network -- --members 600` collapsed so (1,071 connections aborted in its first
 *   rounds, each back through a fresh TLS handshake).
 * - Every 30 s, with Yamux's keep-alive every 30 s from both ends, connections doing nothing cost
 *   a hub a third of a core at 3,000 members (`npm run bench:idle-connections`: 6.5–7.2 ms of the
 *   hub's CPU per connection per minute; libp2p's intervals 13.4–16.1 ms). A ping is a stream, a
 *   protocol negotiation and, as no node serves ping, a refusal and an aborted stream at both
 *   ends; members pinging every minute still cost the hub 0.15 of a core.
 * - Every 5 minutes: 1.3 ms, 0.06 of a core. A dead connection is closed within about 5.5
 *   minutes (TCP alone would take about 15, retransmitting the keep-alive frames). Until then a
 *   member whose hub connection died asks three other members each round (registry-member), as
 *   it does when the hub is away. Hanging up on a hub that did not answer twice was tried and
 *   left out: under load it turned slow answers into redials (`sim:network` run U, 2026-12-07).
 */
export const livenessPingMs = 300_000

/** A member's host: a few peers at a time (its hub, the members it pulls from). */
export const memberConnectionLimits: ConnectionLimits = {
  maxConnections: 300,
  inboundPerHostPerSecond: 5,
  maxIncomingPending: 20,
  // Yamux's default is 30 s. A NAT keeps an established TCP mapping at least two hours
  // (RFC 5382 §5); those that do not still keep one a few minutes.
  keepAliveMs: 60_000,
  livenessPingMs,
}

/**
 * The hub's host: every member asks it for the registry each round and keeps its connection
 * between rounds, so the hub holds about one connection per member — 3,300 libraries and
 * headroom for visitors and reconnects. Pruned past that (libp2p closes the least valuable).
 * libp2p's own default of 5 new connections a second from one IP would turn away a province's
 * libraries behind one gateway (and every member of `npm run sim:network`, all on loopback)
 * after a hub restart: a handshake is ~1 ms of the hub's CPU, so 200 a second from one address
 * is affordable, and the pending bound keeps a flood from holding half-open sockets.
 */
export const hubConnectionLimits: ConnectionLimits = {
  maxConnections: 4000,
  inboundPerHostPerSecond: 200,
  maxIncomingPending: 128,
  // When the hub's connections drop together (a restart, or a busy minute's timeouts), every
  // member dials back at once: sim:network counted 2,057 listen-queue overflows at 3,000
  // members with Node's 511, and a refused SYN waits out retries of 1, 2, 4, 8 s. As the
  // HTTP listener (node/src/runtime/node.ts).
  listenBacklog: 4096,
  // Members send theirs (keeping their NATs' mappings, which are theirs to keep), and the hub
  // answers; the liveness pings close a connection that died.
  keepAliveMs: 0,
  livenessPingMs,
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

/** Members a hub relays for at once: each holds a reservation and a connection, within its connections (the hub's limits). */
export const defaultMaxReservations = 250

export async function createHost(init: HostInit): Promise<Host> {
  const relay = init.relay
  const serve = relay && 'serve' in relay ? relay.serve : undefined
  const gater: ConnectionGater = { ...init.gater }
  if (serve) {
    // Reservations and relayed connections for admitted members only: the hub is nobody else's relay.
    gater.denyInboundRelayReservation = (peer) => !serve.mayRelay(peer.toString())
    gater.denyOutboundRelayedConnection = (source, destination) =>
      !serve.mayRelay(source.toString()) || !serve.mayRelay(destination.toString())
  }
  const listen = relay && 'use' in relay ? [...init.listen, '/p2p-circuit'] : init.listen
  const limits = init.connections ?? memberConnectionLimits
  const host = await createLibp2p({
    privateKey: init.privateKey,
    addresses: { listen, ...(init.announce?.length ? { announce: init.announce } : {}) },
    transports: [
      tcp(limits.listenBacklog ? { backlog: limits.listenBacklog } : {}),
      circuitRelayTransport({ reservationCompletionTimeout: 10_000 }),
    ],
    connectionEncrypters: 'Deno' in globalThis ? [noise()] : [reusedCertificateTls(), noise()],
    streamMuxers: [
      yamux({
        maxInboundStreams: 256,
        maxOutboundStreams: 256,
        ...(limits.keepAliveMs > 0 ? { keepAliveInterval: limits.keepAliveMs } : { enableKeepAlive: false }),
      }),
    ],
    connectionManager: {
      maxConnections: limits.maxConnections,
      inboundConnectionThreshold: limits.inboundPerHostPerSecond,
      maxIncomingPendingConnections: limits.maxIncomingPending,
    },
    connectionMonitor: { pingInterval: limits.livenessPingMs, pingTimeout: { minTimeout: 30_000 } },
    connectionGater: gater,
    services: {
      identify: identify(),
      dcutr: dcutr(),
      ...(serve
        ? {
            relay: circuitRelayServer({
              reservations: {
                maxReservations: serve.maxReservations ?? defaultMaxReservations,
                applyDefaultLimit: false,
              },
            }),
          }
        : {}),
    },
    start: true,
  })
  listConnectionsInOnePass(host)
  return host
}
