/**
 * @module federation/network
 * The peer network of this node: its libp2p host (barring suspended and revoked members at the
 * connection), the shared documents (`shared/…`, Yjs) and the sharded catalogs kept in step
 * with the hub and every active member, each peer tried again after a growing wait when it
 * fails. A library that never joins pays nothing for it (memory, a listening port): the host
 * starts on a hub at once, on a member once it has joined.
 *
 * Reachability: the addresses peers are given are the announced ones (`--announce`) or else the
 * listen addresses, public before private before loopback; the hub relays between members, and
 * a member holds a relay slot on its hub, whose relayed address (`…/p2p-circuit/p2p/<member>`)
 * comes last in its registry entry — the way in for the others when it sits behind NAT.
 *
 * Other services put their protocols on the host with {@link PeerNetwork.whenHost}.
 *
 * @example
 * ```ts
 * const network = peerNetwork({ p2pPort: 0, host: '127.0.0.1' })({ key, storage, hub, registry, catalogs })
 * await network.whenHost(async (host) => serveSomething(host))
 * await network.start()
 * ```
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { forPeers } from '@shulin/federation/addresses'
import type { NodeKey } from '@shulin/federation/identity'
import type { Host, Replicator } from '@shulin/federation'
import type { MemberEntry } from '@shulin/protocol'
import type { Storage } from '../storage/db.js'
import type { Logger } from '../logger.js'
import { LevelDocStore } from './doc-store.js'
import { Backoff } from './backoff.js'
import type { NetworkCatalogs } from './catalogs.js'
import { FederationError } from './errors.js'

/** A shared document (Yjs). */
type Doc = Awaited<ReturnType<Replicator['open']>>

export interface PeerNetwork {
  /** Starts the host if it is not running; every round from then on. */
  start(): Promise<void>
  stop(): Promise<void>
  /** Runs `fn` with the libp2p host once it is up (at once if it is): other services register their protocols so. */
  whenHost(fn: (host: Host) => Promise<void>): Promise<void>
  /** The libp2p host, while the peer network runs. */
  peerHost(): Host | undefined
  /** Where peers reach this node: at most 8, in the order they should try them. */
  listenAddrs(): string[]
  /** The hub and the other active members, with their peer addresses (whom this node syncs and fetches with). */
  peers(): Array<{ id: string; addrs: string[]; hub?: boolean }>
  /** The peers this node has a connection with now. */
  connected(): string[]
  /** Closes the connection with `nodeId`. */
  hangUp(nodeId: string): Promise<void>
  /** A shared document, kept in step with every reachable member. */
  doc(name: string): Promise<Doc>
}

export interface PeerNetworkInit {
  /** TCP port for peers (0 = any free port). */
  p2pPort: number
  /** The address to listen on (the HTTP server's). */
  host: string
  /** How often a round runs (ms). */
  syncIntervalMs?: number
  /** Addresses peers should dial instead of the listen addresses (`--announce`). */
  announce?: string[]
  /** Tests only: refuse inbound connections that are not relayed, as NAT would. */
  behindNat?: boolean
}

export interface PeerNetworkComponents {
  key: NodeKey
  storage: Storage
  hub: { readonly isHub: boolean; id(): string | undefined; peer(): { hub: string; addrs: string[] } | undefined }
  registry: {
    entry(nodeId: string): MemberEntry | undefined
    entries(): MemberEntry[]
    isMember(peer: string): boolean
  }
  catalogs: NetworkCatalogs
  /**
   * A member's registry sync, run first in each round; a node that has one also keeps its
   * document sessions (the hub's are kept by its members' sessions).
   */
  round?: () => Promise<unknown>
  logger?: Logger
}

export function peerNetwork(init: PeerNetworkInit): (components: PeerNetworkComponents) => PeerNetwork {
  return (components) => new DefaultPeerNetwork(init, components)
}

class DefaultPeerNetwork implements PeerNetwork {
  #host: Host | undefined
  #starting: Promise<void> | undefined
  #replicator: Replicator | undefined
  #timer: NodeJS.Timeout | undefined
  readonly #backoff = new Backoff(Date.now)
  /** Live sync sessions: `<doc> <peer>`. */
  readonly #live = new Set<string>()
  readonly #openDocs = new Set<string>()
  /** Other services' protocol handlers, registered when the host starts. */
  readonly #onHost: Array<(host: Host) => Promise<void>> = []

  constructor(
    private readonly init: PeerNetworkInit,
    private readonly c: PeerNetworkComponents,
  ) {}

  start(): Promise<void> {
    this.#starting ??= this.#start().catch((err: unknown) => {
      this.#starting = undefined
      throw err
    })
    return this.#starting
  }

  async #start(): Promise<void> {
    const { barringGater, createHost, hubConnectionLimits, Replicator } = await import('@shulin/federation')
    const { isHub } = this.c.hub
    const ip = this.init.host.includes(':') ? `/ip6/${this.init.host}` : `/ip4/${this.init.host}`
    const barred = (id: string) => {
      const s = this.c.registry.entry(id)?.status
      return s === 'revoked' || s === 'suspended'
    }
    const gater = barringGater(barred)
    if (this.init.behindNat)
      gater.denyInboundConnection = (conn) => !conn.remoteAddr.toString().includes('/p2p-circuit')
    const host = await createHost({
      privateKey: this.c.key.privateKey,
      listen: [`${ip}/tcp/${this.init.p2pPort}`],
      ...(this.init.announce?.length ? { announce: this.init.announce } : {}),
      gater,
      // The hub relays for its active members; a member keeps a slot on its hub.
      relay: isHub ? { serve: { mayRelay: (p) => this.c.registry.isMember(p) } } : { use: true },
      // Every member keeps a connection to its hub: the hub's limits are sized for the network.
      ...(isHub ? { connections: hubConnectionLimits } : {}),
    })
    this.#host = host
    const warn = (msg: string, err?: unknown) => this.c.logger?.warn({ err }, msg)
    // Shared documents: members and the hub read and write `shared/…`; nobody else anything.
    const member = (peer: string) => this.c.registry.isMember(peer)
    const docStore = new LevelDocStore(this.c.storage)
    this.#replicator = new Replicator(
      host,
      docStore,
      {
        canRead: (doc, p) => doc.startsWith('shared/') && member(p),
        canWrite: (doc, p) => doc.startsWith('shared/') && member(p),
      },
      { log: warn },
    )
    await this.#replicator.start()
    await this.c.catalogs.attach({ host, peers: () => this.peers(), mayRead: member })
    for (const fn of this.#onHost) await fn(host)
    for (const name of await docStore.names()) if (name.startsWith('shared/')) await this.doc(name)
    this.#tick()
  }

  /**
   * Every few seconds: a member pulls the registry and keeps its document sessions; every node,
   * the hub too, pulls the catalogs it holds from whoever is reachable.
   */
  #tick(): void {
    const round = this.c.round
    const registry = round ? round().then(() => this.#syncDocs()) : Promise.resolve()
    registry
      .catch((err: unknown) => this.c.logger?.debug({ err }, 'registry sync failed'))
      .then(() => this.c.catalogs.pullRound())
      .catch((err: unknown) => this.c.logger?.debug({ err }, 'catalog pulls failed'))
    this.#timer = setTimeout(() => this.#tick(), this.init.syncIntervalMs ?? 3000)
    this.#timer.unref()
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer)
    await this.#replicator?.close()
    await this.#host?.stop()
  }

  async whenHost(fn: (host: Host) => Promise<void>): Promise<void> {
    this.#onHost.push(fn)
    if (this.#host) await fn(this.#host)
  }

  peerHost(): Host | undefined {
    return this.#host
  }

  listenAddrs(): string[] {
    return forPeers(this.#host?.getMultiaddrs().map((a) => a.toString()) ?? [])
  }

  /** Whom this node syncs with: its hub and every other active member. */
  peers(): Array<{ id: string; addrs: string[]; hub?: boolean }> {
    const peers: Array<{ id: string; addrs: string[]; hub?: boolean }> = []
    const hub = this.c.hub.peer()
    if (hub) peers.push({ id: hub.hub, addrs: hub.addrs, hub: true })
    for (const m of this.c.registry.entries())
      if (m.status === 'active' && m.nodeId !== this.c.key.nodeId && m.nodeId !== hub?.hub)
        peers.push({ id: m.nodeId, addrs: m.p2p })
    return peers
  }

  connected(): string[] {
    return this.#host?.getPeers().map((p) => p.toString()) ?? []
  }

  async hangUp(nodeId: string): Promise<void> {
    await this.#host?.hangUp(peerIdFromString(nodeId))
  }

  async doc(name: string): Promise<Doc> {
    if (!this.#replicator) throw new FederationError('not_running', 'the peer network is not running')
    if (!name.startsWith('shared/')) throw new FederationError('malformed', 'shared documents are named shared/…')
    const doc = await this.#replicator.open(name)
    this.#openDocs.add(name)
    return doc
  }

  /**
   * Keeps a live session per open document with the hub and every active member this node can
   * reach; a session that ended is opened again at the next tick (every few seconds), which is
   * the reconnection and the catching up after being offline.
   */
  async #syncDocs(): Promise<void> {
    const replicator = this.#replicator
    if (!replicator || !this.#openDocs.size) return
    const connected = new Set(this.#host?.getConnections().map((c) => c.remotePeer.toString()) ?? [])
    for (const name of this.#openDocs) {
      for (const p of this.peers()) {
        const key = `${name} ${p.id}`
        if ((this.#live.has(key) && connected.has(p.id)) || !this.#backoff.ready(key)) continue
        this.#live.add(key)
        replicator.sync(name, p.addrs).then(
          () => this.#backoff.succeeded(key),
          () => {
            this.#live.delete(key)
            this.#backoff.failed(key)
          },
        )
      }
    }
  }
}
