/**
 * @module federation/service
 * This node in the federation, put together from its role's services: the one
 * {@link HubAddress}, the {@link MemberRegistry}, the {@link PeerNetwork} (host, shared
 * documents, catalogs) and either the {@link RegistryHub} (invites, admission, status changes,
 * renewals) or the {@link RegistryMember} (join, sync). Each is built from the narrow parts it
 * needs; this file only wires them and answers the status and control calls that span them.
 * Other modules take the narrow interface they need of it (`StatsFederation`, identity's
 * `Network`, `DistributionNetwork`, `SearchFederation`).
 *
 * @example
 * ```ts
 * const federation = new FederationService({ storage, key, role: 'hub', p2pPort: 0, host: '127.0.0.1', httpUrl: () => url })
 * await federation.start()
 * const { invite } = await federation.invite({ name: '某市图书馆', region: '110000', level: 'city', validHours: 72 })
 * ```
 */
import type { NodeKey } from '@shulin/federation/identity'
import type { CatalogRule, Host, ShardedCatalog } from '@shulin/federation'
import type { MemberEntry, MemberStatus } from '@shulin/protocol'
import type { z } from 'zod'
import type { Storage } from '../storage/db.js'
import type { Logger } from '../logger.js'
import { NetworkCatalogs } from './catalogs.js'
import { FederationError } from './errors.js'
import { HubAddress } from './hub-address.js'
import { MemberRegistry, type MemberView } from './registry.js'
import { peerNetwork, type PeerNetwork } from './network.js'
import { registryHub, type InviteRequest, type RegistryHub } from './registry-hub.js'
import { registryMember, type JoinOutcome, type RegistryMember } from './registry-member.js'

export { FederationError } from './errors.js'
export { parseInviteToken } from './registry-member.js'

export interface FederationOptions {
  storage: Storage
  key: NodeKey
  role: 'node' | 'hub'
  /** TCP port for peers (0 = any free port). */
  p2pPort: number
  host: string
  /** This node's public HTTP address, for the registry. */
  httpUrl: () => string
  logger?: Logger
  now?: () => number
  /** How often a member asks a peer for registry changes (ms). */
  syncIntervalMs?: number
  /** Addresses peers should dial instead of the listen addresses (`--announce`). */
  announce?: string[]
  /** Tests only: refuse inbound connections that are not relayed, as NAT would. */
  behindNat?: boolean
}

export class FederationService {
  readonly hub: HubAddress
  readonly registry: MemberRegistry
  readonly network: PeerNetwork
  /** The hub's side of the registry (on the hub only). */
  readonly registryHub: RegistryHub | undefined
  /** A member's side of the registry (on a member node only). */
  readonly registryMember: RegistryMember | undefined
  readonly #catalogs: NetworkCatalogs

  constructor(private readonly opts: FederationOptions) {
    const now = () => (opts.now ?? Date.now)()
    const logger = opts.logger ? { logger: opts.logger } : {}
    this.hub = new HubAddress({ storage: opts.storage, role: opts.role, nodeId: opts.key.nodeId })
    this.registry = new MemberRegistry({
      storage: opts.storage,
      hub: this.hub,
      hangUp: (id) => this.network.hangUp(id),
      now,
      ...logger,
    })
    this.#catalogs = new NetworkCatalogs({ storage: opts.storage, nodeId: opts.key.nodeId, now, ...logger })
    const init = {
      p2pPort: opts.p2pPort,
      host: opts.host,
      ...(opts.syncIntervalMs ? { syncIntervalMs: opts.syncIntervalMs } : {}),
      ...(opts.announce?.length ? { announce: opts.announce } : {}),
      ...(opts.behindNat ? { behindNat: true } : {}),
    }
    const parts = {
      key: opts.key,
      storage: opts.storage,
      hub: this.hub,
      registry: this.registry,
      catalogs: this.#catalogs,
      ...logger,
    }
    if (opts.role === 'hub') {
      this.network = peerNetwork(init)(parts)
      this.registryHub = registryHub()({
        key: opts.key,
        storage: opts.storage,
        registry: this.registry,
        network: this.network,
        now,
        ...logger,
      })
    } else {
      // The member's registry sync opens each round of the network (called once both exist).
      this.network = peerNetwork(init)({ ...parts, round: () => member.syncOnce() })
      const member = registryMember({ httpUrl: opts.httpUrl, p2pPort: opts.p2pPort })({
        key: opts.key,
        storage: opts.storage,
        hub: this.hub,
        registry: this.registry,
        network: this.network,
        now,
        ...logger,
      })
      this.registryMember = member
    }
  }

  /**
   * Starts the peer network if this node takes part: a hub always, a node once it has joined.
   * A library that never joins pays nothing for it (memory, a listening port); joining starts it.
   */
  async start(): Promise<void> {
    await this.hub.load()
    await this.registry.load()
    await this.network.whenHost(async (host) => {
      const { serveRegistry } = await import('@shulin/federation')
      await serveRegistry(
        host,
        (req, from) => this.registry.answer(req, from),
        (msg, err) => this.opts.logger?.warn({ err }, msg),
      )
    })
    await this.registryHub?.start()
    if (this.hub.isHub || this.hub.peer()) await this.network.start()
  }

  async stop(): Promise<void> {
    await this.network.stop()
  }

  /** The hub and the other active members, with their peer addresses (whom this node syncs and fetches with). */
  peers(): Array<{ id: string; addrs: string[] }> {
    return this.network.peers()
  }

  /** What peers may write to each catalog: set by the module that owns the catalogs, before they open. */
  catalogRules(rules: (name: string) => CatalogRule | undefined): void {
    this.#catalogs.setRules(rules)
  }

  /** The members that hold a catalog, as its pulls have shown (the union catalogue lists them per hit). */
  catalogHolders(name: string): string[] {
    return this.#catalogs.holders(name)
  }

  /** The libp2p host, while the peer network runs. */
  peerHost(): Host | undefined {
    return this.network.peerHost()
  }

  /** A large sharded catalog (a channel's records), kept in step with the network once this node takes part. */
  catalog(name: string): Promise<ShardedCatalog> {
    return this.#catalogs.open(name)
  }

  /** A shared document, kept in step with every reachable member. */
  doc(name: string) {
    return this.network.doc(name)
  }

  /** Runs `fn` with the libp2p host once it is up (at once if it is): other services register their protocols so. */
  whenHost(fn: (host: Host) => Promise<void>): Promise<void> {
    return this.network.whenHost(fn)
  }

  /** Where peers reach this node. */
  listenAddrs(): string[] {
    return this.network.listenAddrs()
  }

  /** Member: the hub's id and peer addresses (undefined on the hub and before joining). */
  async hubPeer(): Promise<{ hub: string; addrs: string[] } | undefined> {
    return this.hub.peer()
  }

  /** The hub's node id once known (this node's own when it is the hub). */
  hubNodeId(): string | undefined {
    return this.hub.id()
  }

  /** One member's verified entry as held right now (see {@link MemberRegistry.entry}). */
  entry(nodeId: string): MemberEntry | undefined {
    return this.registry.entry(nodeId)
  }

  /** Every verified entry held right now. */
  entries(): MemberEntry[] {
    return this.registry.entries()
  }

  /** The registry as this node holds it, every entry verified against the hub's key. */
  members(): Promise<MemberView[]> {
    return this.registry.members()
  }

  /** Hub: a single-use invite for one member, as a line of text to hand over. */
  async invite(req: InviteRequest): Promise<{ invite: string; expiresAt: string }> {
    if (!this.registryHub) throw new FederationError('not_hub', 'only a hub issues invites (start it with --role hub)')
    return this.registryHub.invite(req)
  }

  /** Hub: suspends, reinstates or revokes a member (a new entry with the next seq). */
  async setStatus(nodeId: string, status: z.infer<typeof MemberStatus>): Promise<MemberEntry> {
    if (!this.registryHub) throw new FederationError('not_hub', 'only the hub changes a member’s status')
    return this.registryHub.setStatus(nodeId, status)
  }

  /** Node: joins the hub that issued `token`. */
  async join(token: string): Promise<JoinOutcome> {
    if (!this.registryMember) throw new FederationError('not_hub', 'a hub does not join another network')
    return this.registryMember.join(token)
  }

  /** Asks one member for the registry now: whether it answers this node. */
  async probe(nodeId: string): Promise<{ ok: boolean; detail: string }> {
    const m = this.registry.entry(nodeId)
    const host = this.network.peerHost()
    if (!m || !host) return { ok: false, detail: 'unknown member' }
    try {
      const { fetchRegistry } = await import('@shulin/federation')
      const res = await fetchRegistry(host, m.p2p, { since: undefined, have: () => ({}) })
      return res.ok ? { ok: true, detail: `${res.entries.length} entries` } : { ok: false, detail: res.reason }
    } catch (err) {
      return { ok: false, detail: (err as Error).message }
    }
  }

  async status() {
    const members = await this.registry.members()
    const connected = new Set(this.network.connected())
    return {
      role: this.opts.role,
      nodeId: this.opts.key.nodeId,
      hub: this.hub.id() ?? null,
      member: this.hub.isHub || members.some((m) => m.nodeId === this.opts.key.nodeId),
      listen: this.network.listenAddrs(),
      peers: [...connected].map((id) => ({ nodeId: id, name: members.find((m) => m.nodeId === id)?.name ?? null })),
      lastSync: this.registryMember?.lastSync() ?? this.hub.joinedAt() ?? null,
      catalogs: await this.#catalogs.status(),
    }
  }
}
