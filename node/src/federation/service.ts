/**
 * @module federation/service
 * This node in the federation: its libp2p host; admission (the hub issues single-use,
 * expiring invites and admits nodes that present one); and the registry — hub-signed entries
 * every member keeps, checks against the hub's key, and pulls every few seconds from the hub
 * or, when the hub is away, from any other member. Suspended and revoked members are refused
 * at the connection (the gater) as soon as their entry arrives.
 *
 * Owns four sublevels: `fed-invites` (hub: id → invite and its use), `fed-members` (node id →
 * the hub-signed entry), `fed-state` (`hub`: the hub this node belongs to), `fed-role` (`this`:
 * `hub` once the folder has been a hub's).
 */
import { randomBytes } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
// The peer stack (libp2p, Yjs: ~45 MB) loads only when this node takes part in the network.
import { EnvelopeError, open, seal } from '@shulin/federation/envelope'
import type { NodeKey } from '@shulin/federation/identity'
import type { CatalogRule, Host, Replicator, ShardedCatalog } from '@shulin/federation'
import type { RegistryRequest, RegistryResponse } from '@shulin/protocol'
import { LevelDocStore } from './doc-store.js'
import { Backoff } from './backoff.js'
import { NetworkCatalogs } from './catalogs.js'
import { shulinVersion } from '../version.js'
import { Invite, clockToleranceSeconds, invitePrefix, MemberEntry, SignedEnvelope, skewNote, type JoinRefusal, type JoinRequest, type MemberLevel, type MemberStatus } from '@shulin/protocol'
import type { z } from 'zod'
import { putOp, type Storage, type Sublevel } from '../storage/db.js'
import { Mutex } from '../storage/mutex.js'
import type { Logger } from '../logger.js'

type Level = z.infer<typeof MemberLevel>
type Status = z.infer<typeof MemberStatus>
interface StoredInvite {
  invite: Invite
  usedBy?: string
  usedAt?: string
}
/** What the hub saw of a member at its last registry request. */
interface MemberContact {
  at: string
  version: string | null
  /** Entries the member lacked then… */
  behind: number
  /** …and the age of the oldest of them: how far the member's registry lags the hub's. */
  lagSeconds: number
}
interface HubState {
  hub: string
  hubAddrs: string[]
  joinedAt: string
}

/** A refusal or a bad invite, with a reason people can act on. */
export class FederationError extends Error {
  override readonly name = 'FederationError'
  constructor(
    readonly reason: JoinRefusal | 'not_hub' | 'not_running' | 'unreachable' | 'malformed',
    message: string,
  ) {
    super(message)
  }
}

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
}

export class FederationService {
  readonly #invites: Sublevel<StoredInvite>
  readonly #members: Sublevel<SignedEnvelope>
  readonly #state: Sublevel<HubState>
  readonly #role: Sublevel<'hub'>
  readonly #mutex = new Mutex()
  #host: Host | undefined
  /** Verified entries by node id (the gater and the answers read this). */
  readonly #known = new Map<string, MemberEntry>()
  /** Hub: what each member's last registry request showed (when, its version, how far behind). */
  readonly #contacts = new Map<string, MemberContact>()
  readonly #catalogs: NetworkCatalogs
  #backoff: Backoff | undefined
  #lastSync: string | undefined
  #timer: NodeJS.Timeout | undefined
  #replicator: Replicator | undefined
  /** Live sync sessions: `<doc> <peer>`. */
  readonly #live = new Set<string>()
  /** Other services' protocol handlers, registered when the host starts. */
  readonly #onHost: Array<(host: Host) => Promise<void>> = []

  constructor(private readonly opts: FederationOptions) {
    this.#invites = opts.storage.sublevel('fed-invites')
    this.#members = opts.storage.sublevel('fed-members')
    this.#state = opts.storage.sublevel('fed-state')
    this.#role = opts.storage.sublevel('fed-role')
    this.#catalogs = new NetworkCatalogs({ storage: opts.storage, nodeId: opts.key.nodeId, now: () => this.#now, ...(opts.logger ? { logger: opts.logger } : {}) })
  }

  get #now(): number {
    return (this.opts.now ?? Date.now)()
  }

  /**
   * Starts the peer network if this node takes part: a hub always, a node once it has joined.
   * A library that never joins pays nothing for it (memory, a listening port); joining starts it.
   */
  async start(): Promise<void> {
    // A hub's folder stays a hub's: started without --role hub it would silently leave every
    // member without its hub.
    const wasHub = (await this.#role.get('this')) === 'hub'
    if (wasHub && this.opts.role !== 'hub') throw new FederationError('not_hub', 'this data folder belongs to a hub: start it with --role hub')
    if (!wasHub && this.opts.role === 'hub') await this.opts.storage.commit([putOp(this.#role, 'this', 'hub' as const)], { sync: true })
    await this.#loadKnown()
    if (this.opts.role === 'hub' || (await this.#state.get('hub'))) await this.#startHost()
  }

  /** The verified entries, without the view's extra fields (they are re-signed as they are). */
  async #loadKnown(): Promise<void> {
    for (const entry of await this.#verifiedEntries()) this.#known.set(entry.nodeId, entry)
  }

  async #startHost(): Promise<void> {
    if (this.#host) return
    const { barringGater, createHost, Replicator, serveJoin, serveRegistry, serveRenew } = await import('@shulin/federation')
    const ip = this.opts.host.includes(':') ? `/ip6/${this.opts.host}` : `/ip4/${this.opts.host}`
    const barred = (id: string) => {
      const s = this.#known.get(id)?.status
      return s === 'revoked' || s === 'suspended'
    }
    this.#host = await createHost({ privateKey: this.opts.key.privateKey, listen: [`${ip}/tcp/${this.opts.p2pPort}`], gater: barringGater(barred) })
    const warn = (msg: string, err?: unknown) => this.opts.logger?.warn({ err }, msg)
    if (this.opts.role === 'hub') {
      await serveJoin(this.#host, (req, from) => this.#decide(req, from), warn)
      await serveRenew(this.#host, (req, from) => this.#renewFor(req, from), warn)
    }
    await serveRegistry(this.#host, (req, from) => this.#answerRegistry(req, from), warn)
    // Shared documents: members and the hub read and write `shared/…`; nobody else anything.
    const member = (peer: string) => peer === this.#hubIdSync || this.#known.get(peer)?.status === 'active'
    const docStore = new LevelDocStore(this.opts.storage)
    this.#replicator = new Replicator(this.#host, docStore, { canRead: (doc, p) => doc.startsWith('shared/') && member(p), canWrite: (doc, p) => doc.startsWith('shared/') && member(p) }, { log: warn })
    await this.#replicator.start()
    this.#backoff = new Backoff(Date.now)
    await this.#catalogs.attach({ host: this.#host, peers: () => this.#peers(), mayRead: member })
    for (const fn of this.#onHost) await fn(this.#host)
    this.#hubIdSync = await this.#hubId()
    for (const name of await docStore.names()) if (name.startsWith('shared/')) await this.doc(name)
    this.#hubState = await this.#state.get('hub')
    // Every few seconds: a member pulls the registry and keeps its document sessions; every
    // node, the hub too, pulls the catalogs it holds from whoever is reachable.
    const tick = () => {
      const registry = this.opts.role === 'node' ? this.syncOnce().then(async () => {
        this.#hubIdSync = await this.#hubId()
        await this.#syncDocs()
      }) : Promise.resolve()
      registry
        .catch((err: unknown) => this.opts.logger?.debug({ err }, 'registry sync failed'))
        .then(() => this.#catalogs.pullRound())
        .catch((err: unknown) => this.opts.logger?.debug({ err }, 'catalog pulls failed'))
      this.#timer = setTimeout(tick, this.opts.syncIntervalMs ?? 3000)
      this.#timer.unref()
    }
    tick()
  }

  /** Whom this node syncs with: its hub and every other active member. */
  #peers(): Array<{ id: string; addrs: string[] }> {
    const peers: Array<{ id: string; addrs: string[] }> = []
    if (this.opts.role === 'node' && this.#hubState) peers.push({ id: this.#hubState.hub, addrs: this.#hubState.hubAddrs })
    for (const m of this.#known.values()) if (m.status === 'active' && m.nodeId !== this.opts.key.nodeId && m.nodeId !== this.#hubState?.hub) peers.push({ id: m.nodeId, addrs: m.p2p })
    return peers
  }

  /** The hub and the other active members, with their peer addresses (whom this node syncs and fetches with). */
  peers(): Array<{ id: string; addrs: string[] }> {
    return this.#peers()
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
    return this.#host
  }

  /** A large sharded catalog (a channel's records), kept in step with the network once this node takes part. */
  catalog(name: string): Promise<ShardedCatalog> {
    return this.#catalogs.open(name)
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer)
    await this.#replicator?.close()
    await this.#host?.stop()
  }

  #hubIdSync: string | undefined
  #hubState: HubState | undefined
  readonly #openDocs = new Set<string>()

  /** A shared document, kept in step with every reachable member. */
  async doc(name: string) {
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
    if (!this.#replicator || !this.#openDocs.size) return
    const backoff = this.#backoff!
    const connected = new Set(this.#host?.getConnections().map((c) => c.remotePeer.toString()) ?? [])
    for (const name of this.#openDocs) {
      for (const p of this.#peers()) {
        const key = `${name} ${p.id}`
        if ((this.#live.has(key) && connected.has(p.id)) || !backoff.ready(key)) continue
        this.#live.add(key)
        this.#replicator.sync(name, p.addrs).then(
          () => backoff.succeeded(key),
          () => {
            this.#live.delete(key)
            backoff.failed(key)
          },
        )
      }
    }
  }

  async #hubId(): Promise<string | undefined> {
    return this.opts.role === 'hub' ? this.opts.key.nodeId : (await this.#state.get('hub'))?.hub
  }

  /** Entries newer than the caller has, for active members (and the hub) only. */
  async #answerRegistry({ have, version }: RegistryRequest, from: string): Promise<RegistryResponse> {
    const hub = await this.#hubId()
    const caller = this.#known.get(from)
    if (from !== hub && caller?.status !== 'active') return { ok: false, reason: 'not_member' }
    const entries: SignedEnvelope[] = []
    let oldest = this.#now
    for await (const [id, env] of this.#members.iterator()) {
      const known = this.#known.get(id)
      if (known && known.seq > (have[id] ?? 0)) {
        entries.push(env)
        oldest = Math.min(oldest, Date.parse(known.issuedAt))
      }
    }
    this.#contacts.set(from, { at: new Date(this.#now).toISOString(), version: version ?? null, behind: entries.length, lagSeconds: Math.max(0, Math.round((this.#now - oldest) / 1000)) })
    return { ok: true, entries }
  }

  /** Takes entries from anyone: each must carry the hub's signature and a newer seq. */
  async #accept(envs: SignedEnvelope[]): Promise<number> {
    const hub = await this.#hubId()
    if (!hub) return 0
    let taken = 0
    await this.#mutex.run(async () => {
      const ops = []
      for (const env of envs) {
        let entry: MemberEntry
        try {
          entry = open(env, MemberEntry, { type: 'shulin/member', signer: hub })
        } catch (err) {
          this.opts.logger?.warn({ err: (err as Error).message }, 'refused a registry entry that does not verify')
          continue
        }
        if ((this.#known.get(entry.nodeId)?.seq ?? 0) >= entry.seq) continue
        this.#known.set(entry.nodeId, entry)
        ops.push(putOp(this.#members, entry.nodeId, env))
        taken++
        if (entry.status !== 'active') await this.#host?.hangUp(peerIdOf(entry.nodeId)).catch(() => {})
      }
      if (ops.length) await this.opts.storage.commit(ops, { sync: true })
    })
    return taken
  }

  /** Hub: re-signs an active member's entry with the addresses it now has. */
  async #renewFor(req: { http: string[]; p2p: string[] }, from: string) {
    const current = this.#known.get(from)
    if (!current || current.status !== 'active') return { ok: false as const, reason: 'not_member' as const }
    const same = (a: string[], b: string[]) => a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i])
    if (!same(current.http, req.http) || !same(current.p2p, req.p2p)) {
      const entry: MemberEntry = { ...current, http: req.http, p2p: req.p2p, seq: current.seq + 1, issuedAt: new Date(this.#now).toISOString() }
      await this.#accept([await seal(this.opts.key, 'shulin/member', entry)])
    }
    return { ok: true as const, entry: (await this.#members.get(from))! }
  }

  /** Member: if this node now listens elsewhere than its entry says, asks the hub to renew it. */
  async #renewIfMoved(state: HubState): Promise<void> {
    const mine = this.#known.get(this.opts.key.nodeId)
    const addrs = this.listenAddrs().slice(0, 8)
    if (!mine || !this.#host || mine.status !== 'active') return
    const moved = mine.p2p.length !== addrs.length || mine.p2p.some((a) => !addrs.includes(a)) || (mine.http[0] ?? '') !== this.opts.httpUrl()
    if (!moved) return
    const { requestRenew } = await import('@shulin/federation')
    const res = await requestRenew(this.#host, state.hubAddrs, { http: [this.opts.httpUrl()], p2p: addrs })
    if (res.ok) await this.#accept([res.entry])
  }

  /** Member: asks the hub, or any other active member, for registry changes. */
  async syncOnce(): Promise<number> {
    const state = await this.#state.get('hub')
    if (!state || !this.#host) return 0
    await this.#renewIfMoved(state).catch((err: unknown) => this.opts.logger?.debug({ err }, 'could not renew this node’s entry'))
    const have = Object.fromEntries([...this.#known].map(([id, e]) => [id, e.seq]))
    const others = [...this.#known.values()].filter((m) => m.status === 'active' && m.nodeId !== this.opts.key.nodeId)
    for (const addrs of [state.hubAddrs, ...others.map((m) => m.p2p)]) {
      if (!addrs.length) continue
      try {
        const { fetchRegistry } = await import('@shulin/federation')
        const res = await fetchRegistry(this.#host, addrs, have, shulinVersion)
        if (!res.ok) continue
        const n = await this.#accept(res.entries)
        this.#lastSync = new Date(this.#now).toISOString()
        return n
      } catch {
        /* the next peer */
      }
    }
    return 0
  }

  /** Hub: suspends, reinstates or revokes a member (a new entry with the next seq). */
  async setStatus(nodeId: string, status: Status): Promise<MemberEntry> {
    if (this.opts.role !== 'hub') throw new FederationError('not_hub', 'only the hub changes a member’s status')
    const current = this.#known.get(nodeId)
    if (!current) throw new FederationError('invalid', `${nodeId} is not a member`)
    if (current.status === 'revoked') throw new FederationError('revoked', 'a revoked member stays revoked: it may join again only with a new key')
    const entry: MemberEntry = { ...current, status, seq: current.seq + 1, issuedAt: new Date(this.#now).toISOString() }
    await this.#accept([await seal(this.opts.key, 'shulin/member', entry)])
    this.opts.logger?.info({ member: nodeId, status }, 'member status changed')
    return entry
  }

  /** Asks one member for the registry now: whether it answers this node. */
  async probe(nodeId: string): Promise<{ ok: boolean; detail: string }> {
    const m = this.#known.get(nodeId)
    if (!m || !this.#host) return { ok: false, detail: 'unknown member' }
    try {
      const { fetchRegistry } = await import('@shulin/federation')
      const res = await fetchRegistry(this.#host, m.p2p, {})
      return res.ok ? { ok: true, detail: `${res.entries.length} entries` } : { ok: false, detail: res.reason }
    } catch (err) {
      return { ok: false, detail: (err as Error).message }
    }
  }

  /** Runs `fn` with the libp2p host once it is up (at once if it is): other services register their protocols so. */
  async whenHost(fn: (host: Host) => Promise<void>): Promise<void> {
    this.#onHost.push(fn)
    if (this.#host) await fn(this.#host)
  }

  /** Member: the hub's id and peer addresses (undefined on the hub and before joining). */
  async hubPeer(): Promise<{ hub: string; addrs: string[] } | undefined> {
    const state = this.opts.role === 'hub' ? undefined : await this.#state.get('hub')
    return state ? { hub: state.hub, addrs: state.hubAddrs } : undefined
  }

  /** Where peers reach this node. */
  listenAddrs(): string[] {
    return this.#host?.getMultiaddrs().map((a) => a.toString()) ?? []
  }

  /** Hub: a single-use invite for one member, as a line of text to hand over. */
  async invite(req: { name: string; region: string; level: Level; validHours: number }): Promise<{ invite: string; expiresAt: string }> {
    if (this.opts.role !== 'hub') throw new FederationError('not_hub', 'only a hub issues invites (start it with --role hub)')
    const addrs = this.listenAddrs()
    if (!addrs.length) throw new FederationError('not_running', 'the peer network is not running')
    const invite: Invite = {
      id: randomBytes(18).toString('base64url'),
      hub: this.opts.key.nodeId,
      hubAddrs: addrs.slice(0, 8),
      name: req.name,
      region: req.region,
      level: req.level,
      expiresAt: new Date(this.#now + req.validHours * 3_600_000).toISOString(),
    }
    await this.opts.storage.commit([putOp(this.#invites, invite.id, { invite })], { sync: true })
    const env = await seal(this.opts.key, 'shulin/invite', invite)
    return { invite: invitePrefix + Buffer.from(JSON.stringify(env)).toString('base64url'), expiresAt: invite.expiresAt }
  }

  /** Hub: decides one join request, atomically (an invite admits once). */
  #decide(req: JoinRequest, from: string) {
    return this.#mutex.run(async () => {
      let invite: Invite
      try {
        invite = open(req.invite, Invite, { type: 'shulin/invite', signer: this.opts.key.nodeId })
      } catch {
        return { ok: false as const, reason: 'invalid' as const }
      }
      const stored = await this.#invites.get(invite.id)
      if (!stored) return { ok: false as const, reason: 'invalid' as const }
      if (stored.usedBy) return { ok: false as const, reason: 'used' as const }
      if (Date.parse(invite.expiresAt) < this.#now) return { ok: false as const, reason: 'expired' as const }
      const previous = await this.#members.get(from)
      const prevEntry = previous ? open(previous, MemberEntry, { type: 'shulin/member', signer: this.opts.key.nodeId }) : undefined
      if (prevEntry?.status === 'revoked') return { ok: false as const, reason: 'revoked' as const }
      const entry: MemberEntry = {
        nodeId: from,
        name: invite.name,
        region: invite.region,
        level: invite.level,
        http: req.http,
        p2p: req.p2p,
        status: 'active',
        seq: (prevEntry?.seq ?? 0) + 1,
        issuedAt: new Date(this.#now).toISOString(),
      }
      const env = await seal(this.opts.key, 'shulin/member', entry)
      await this.opts.storage.commit([putOp(this.#members, from, env), putOp(this.#invites, invite.id, { ...stored, usedBy: from, usedAt: entry.issuedAt })], { sync: true })
      this.#known.set(from, entry)
      this.opts.logger?.info({ member: from, name: entry.name, region: entry.region }, 'admitted a member')
      return { ok: true as const, entry: env, registry: await this.#registry() }
    })
  }

  async #registry(): Promise<SignedEnvelope[]> {
    const out: SignedEnvelope[] = []
    for await (const [, env] of this.#members.iterator()) out.push(env)
    return out
  }

  /** Node: joins the hub that issued `token`. */
  async join(token: string): Promise<{ hub: string; entry: MemberEntry; members: number; clockSkewMs?: number }> {
    try {
      await this.#startHost()
    } catch (err) {
      throw new FederationError('not_running', `cannot listen for peers on port ${this.opts.p2pPort} (${(err as Error).message}); choose another with --p2p-port`)
    }
    if (!this.#host) throw new FederationError('not_running', 'the peer network is not running')
    const env = parseInviteToken(token)
    let invite: Invite
    try {
      invite = open(env, Invite, { type: 'shulin/invite', signer: env.signer })
    } catch (err) {
      throw new FederationError('invalid', `the invite is not valid: ${(err as Error).message}`)
    }
    if (invite.hub !== env.signer) throw new FederationError('invalid', 'the invite is not signed by the hub it names')
    // Whether it has expired is the hub's to say, by the hub's clock that stamped it: this node's
    // clock may be wrong (README "Clocks"), and the hub's answer says "expired" when it is.
    let answer
    try {
      const { requestJoin } = await import('@shulin/federation')
      answer = await requestJoin(this.#host, invite.hubAddrs, { invite: env, http: [this.opts.httpUrl()], p2p: this.listenAddrs().slice(0, 8) })
    } catch (err) {
      throw new FederationError('unreachable', (err as Error).message)
    }
    if (!answer.ok) throw new FederationError(answer.reason, refusalText[answer.reason])
    let entry: MemberEntry
    try {
      entry = open(answer.entry, MemberEntry, { type: 'shulin/member', signer: invite.hub })
    } catch (err) {
      throw new FederationError('invalid', `the hub's answer did not verify: ${(err as Error).message}`)
    }
    if (entry.nodeId !== this.opts.key.nodeId) throw new FederationError('invalid', 'the hub admitted someone else')
    const ops = [putOp(this.#state, 'hub', { hub: invite.hub, hubAddrs: invite.hubAddrs, joinedAt: new Date(this.#now).toISOString() })]
    for (const member of answer.registry) {
      try {
        const m = open(member, MemberEntry, { type: 'shulin/member', signer: invite.hub })
        ops.push(putOp(this.#members, m.nodeId, member) as (typeof ops)[number])
      } catch (err) {
        if (!(err instanceof EnvelopeError)) throw err
        this.opts.logger?.warn({ err }, 'dropped a registry entry that did not verify')
      }
    }
    await this.opts.storage.commit(ops, { sync: true })
    await this.#loadKnown()
    this.#hubState = await this.#state.get('hub')
    this.#lastSync = new Date(this.#now).toISOString()
    // The hub stamped the entry a moment ago by its clock: the one chance to compare clocks.
    const skew = Math.round(this.#now - Date.parse(entry.issuedAt))
    if (Math.abs(skew) <= clockToleranceSeconds * 1000) return { hub: invite.hub, entry, members: answer.registry.length }
    this.opts.logger?.warn({ hub: invite.hub, why: skewNote(Date.parse(entry.issuedAt), this.#now) }, 'clock skew: this node’s clock is far from the hub’s; sign-ins across libraries and content tickets will be refused until it is set right')
    return { hub: invite.hub, entry, members: answer.registry.length, clockSkewMs: skew }
  }

  async status() {
    const state = await this.#state.get('hub')
    const members = await this.members()
    const connected = new Set(this.#host?.getPeers().map((p) => p.toString()) ?? [])
    return {
      role: this.opts.role,
      nodeId: this.opts.key.nodeId,
      hub: this.opts.role === 'hub' ? this.opts.key.nodeId : (state?.hub ?? null),
      member: this.opts.role === 'hub' || members.some((m) => m.nodeId === this.opts.key.nodeId),
      listen: this.listenAddrs(),
      peers: [...connected].map((id) => ({ nodeId: id, name: members.find((m) => m.nodeId === id)?.name ?? null })),
      lastSync: this.#lastSync ?? state?.joinedAt ?? null,
      catalogs: await this.#catalogs.status(),
    }
  }

  /**
   * One member's verified entry as held right now (in memory, updated the moment a newer
   * hub-signed entry arrives), for checks on every request or push without a signature check
   * each time: unified identity refuses tokens of a suspended or revoked node with it, the
   * hub's statistics intake takes roll-ups from active members only.
   */
  entry(nodeId: string): MemberEntry | undefined {
    return this.#known.get(nodeId)
  }

  /** Every verified entry held right now. */
  entries(): MemberEntry[] {
    return [...this.#known.values()]
  }

  /** The hub's node id once known (this node's own when it is the hub). */
  hubNodeId(): string | undefined {
    return this.opts.role === 'hub' ? this.opts.key.nodeId : this.#hubIdSync
  }

  /** The registry as this node holds it, every entry verified against the hub's key. */
  async members() {
    return (await this.#verifiedEntries()).map((entry) => {
      const c = this.#contacts.get(entry.nodeId)
      return { ...entry, verified: true as const, lastContact: c?.at ?? null, version: c?.version ?? null, behind: c?.behind ?? null, lagSeconds: c?.lagSeconds ?? null }
    })
  }

  async #verifiedEntries(): Promise<MemberEntry[]> {
    const hub = this.opts.role === 'hub' ? this.opts.key.nodeId : (await this.#state.get('hub'))?.hub
    if (!hub) return []
    const out: MemberEntry[] = []
    for await (const [, env] of this.#members.iterator()) {
      try {
        out.push(open(env, MemberEntry, { type: 'shulin/member', signer: hub }))
      } catch {
        /* an entry that does not verify is not shown */
      }
    }
    return out
  }
}

const peerIdOf = (id: string) => peerIdFromString(id)

const refusalText: Record<JoinRefusal, string> = {
  invalid: 'the hub does not know this invite',
  expired: 'the invite has expired (by the hub’s clock, which stamped it): ask the hub for a new one',
  used: 'the invite has already been used: each invite admits one node',
  wrong_hub: 'the invite is for another hub',
  revoked: 'this node has been revoked by the hub',
}

/** Reads `shulin-invite:<base64url JSON>` into an envelope (not yet verified). */
export function parseInviteToken(token: string): SignedEnvelope {
  const t = token.trim()
  if (!t.startsWith(invitePrefix)) throw new FederationError('malformed', `an invite starts with ${invitePrefix}`)
  let json: unknown
  try {
    json = JSON.parse(Buffer.from(t.slice(invitePrefix.length), 'base64url').toString('utf8'))
  } catch {
    throw new FederationError('malformed', 'the invite is damaged (copy it again, whole)')
  }
  const env = SignedEnvelope.safeParse(json)
  if (!env.success) throw new FederationError('malformed', 'the invite is damaged (copy it again, whole)')
  return env.data
}
