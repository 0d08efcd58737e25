/**
 * @module federation/registry-hub
 * The hub's side of the registry: it issues single-use, expiring invites, admits the node that
 * presents one (`/shulin/join/1.0.0`), re-signs a member's entry when it moves
 * (`/shulin/renew/1.0.0`), and suspends, reinstates or revokes members — each change a new
 * hub-signed entry with the next seq, which every member receives at its next sync.
 *
 * Owns the sublevel `fed-invites` (invite id → the invite and its use).
 *
 * @example
 * ```ts
 * const hub = registryHub()({ key, storage, registry, network, now: Date.now })
 * await hub.start() // serves join and renew requests once the host runs
 * const { invite } = await hub.invite({ name: '某市图书馆', region: '110000', level: 'city', validHours: 72 })
 * ```
 */
import { randomBytes } from 'node:crypto'
import { open, seal } from '@shulin/federation/envelope'
import type { NodeKey } from '@shulin/federation/identity'
import type { Host } from '@shulin/federation'
import {
  Invite,
  invitePrefix,
  MemberEntry,
  registryInJoinMax,
  type RenewRequest,
  type JoinRequest,
  type MemberLevel,
  type MemberStatus,
  type SignedEnvelope,
} from '@shulin/protocol'
import type { z } from 'zod'
import { putOp, type Storage, type Sublevel } from '../storage/db.js'
import type { Logger } from '../logger.js'
import type { MemberRegistry } from './registry.js'
import { FederationError } from './errors.js'

interface StoredInvite {
  invite: Invite
  usedBy?: string
  usedAt?: string
}

export type InviteRequest = { name: string; region: string; level: z.infer<typeof MemberLevel>; validHours: number }
export type JoinAnswer =
  | { ok: true; entry: SignedEnvelope; registry: SignedEnvelope[] }
  | { ok: false; reason: 'invalid' | 'used' | 'expired' | 'revoked' }
export type RenewAnswer = { ok: true; entry: SignedEnvelope } | { ok: false; reason: 'not_member' }

export interface RegistryHub {
  /** Serves join and renew requests once the host runs. */
  start(): Promise<void>
  /** A single-use invite for one member, as a line of text to hand over. */
  invite(req: InviteRequest): Promise<{ invite: string; expiresAt: string }>
  /** Decides one join request from `from`, atomically (an invite admits one node; that node may ask again). */
  admit(req: JoinRequest, from: string): Promise<JoinAnswer>
  /** Re-signs an active member's entry with the addresses it now has. */
  renew(req: RenewRequest, from: string): Promise<RenewAnswer>
  /** Suspends, reinstates or revokes a member (a new entry with the next seq). */
  setStatus(nodeId: string, status: z.infer<typeof MemberStatus>): Promise<MemberEntry>
}

/** Nothing to set yet: the hub's rules are the protocol's. */
export type RegistryHubInit = Record<string, never>

export interface RegistryHubComponents {
  /** The hub's key: it signs invites and entries. */
  key: NodeKey
  storage: Storage
  registry: Pick<
    MemberRegistry,
    'entry' | 'acceptHeld' | 'exclusive' | 'stored' | 'signed' | 'putOp' | 'hold' | 'nextIssuedAt'
  >
  /** Where the hub listens (an invite carries it) and where it serves join and renew. */
  network: { whenHost(fn: (host: Host) => Promise<void>): Promise<void>; listenAddrs(): string[] }
  now: () => number
  logger?: Logger
}

export function registryHub(_init: RegistryHubInit = {}): (components: RegistryHubComponents) => RegistryHub {
  return (components) => new DefaultRegistryHub(components)
}

const sameSet = (a: string[], b: string[]) =>
  a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i])

class DefaultRegistryHub implements RegistryHub {
  readonly #invites: Sublevel<StoredInvite>

  constructor(private readonly c: RegistryHubComponents) {
    this.#invites = c.storage.sublevel('fed-invites')
  }

  async start(): Promise<void> {
    await this.c.network.whenHost(async (host) => {
      const { serveJoin, serveRenew } = await import('@shulin/federation')
      const warn = (msg: string, err?: unknown) => this.c.logger?.warn({ err }, msg)
      await serveJoin(host, (req, from) => this.admit(req, from), warn)
      await serveRenew(host, (req, from) => this.renew(req, from), warn)
    })
  }

  async invite(req: InviteRequest): Promise<{ invite: string; expiresAt: string }> {
    const addrs = this.c.network.listenAddrs()
    if (!addrs.length) throw new FederationError('not_running', 'the peer network is not running')
    const invite: Invite = {
      id: randomBytes(18).toString('base64url'),
      hub: this.c.key.nodeId,
      hubAddrs: addrs,
      name: req.name,
      region: req.region,
      level: req.level,
      expiresAt: new Date(this.c.now() + req.validHours * 3_600_000).toISOString(),
    }
    await this.c.storage.commit([putOp(this.#invites, invite.id, { invite })], { sync: true })
    const env = await seal(this.c.key, 'shulin/invite', invite)
    return {
      invite: invitePrefix + Buffer.from(JSON.stringify(env)).toString('base64url'),
      expiresAt: invite.expiresAt,
    }
  }

  admit(req: JoinRequest, from: string): Promise<JoinAnswer> {
    return this.c.registry.exclusive(async () => {
      let invite: Invite
      try {
        invite = open(req.invite, Invite, { type: 'shulin/invite', signer: this.c.key.nodeId })
      } catch {
        return { ok: false as const, reason: 'invalid' as const }
      }
      const stored = await this.#invites.get(invite.id)
      if (!stored) return { ok: false as const, reason: 'invalid' as const }
      if (stored.usedBy === from) return this.#readmit(from)
      if (stored.usedBy) return { ok: false as const, reason: 'used' as const }
      if (Date.parse(invite.expiresAt) < this.c.now()) return { ok: false as const, reason: 'expired' as const }
      const previous = await this.c.registry.stored(from)
      const prevEntry = previous
        ? open(previous, MemberEntry, { type: 'shulin/member', signer: this.c.key.nodeId })
        : undefined
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
        issuedAt: this.c.registry.nextIssuedAt(this.c.now()),
      }
      const env = await seal(this.c.key, 'shulin/member', entry)
      await this.c.storage.commit(
        [
          this.c.registry.putOp(from, env),
          putOp(this.#invites, invite.id, { ...stored, usedBy: from, usedAt: entry.issuedAt }),
        ],
        { sync: true },
      )
      this.c.registry.hold(entry, env)
      this.c.logger?.info({ member: from, name: entry.name, region: entry.region }, 'admitted a member')
      return { ok: true as const, entry: env, registry: await this.#joinRegistry() }
    })
  }

  /**
   * The node this invite already admitted asks again — its answer was lost (a handshake or
   * stream timed out after the hub had committed). Joining is idempotent for the same key and
   * invite: it gets its current entry (whatever its status now, and even past the invite's
   * expiry, since it was admitted in time) and no new seq; a revoked node stays out.
   */
  async #readmit(from: string): Promise<JoinAnswer> {
    const env = await this.c.registry.stored(from)
    if (!env) return { ok: false as const, reason: 'used' as const }
    const current = open(env, MemberEntry, { type: 'shulin/member', signer: this.c.key.nodeId })
    if (current.status === 'revoked') return { ok: false as const, reason: 'revoked' as const }
    this.c.logger?.info({ member: from }, 'answered a repeated join with the current entry')
    return { ok: true as const, entry: env, registry: await this.#joinRegistry() }
  }

  /** The registry a join answer carries: the whole of it while small, else none (see `registryInJoinMax`). */
  async #joinRegistry(): Promise<SignedEnvelope[]> {
    const all = await this.c.registry.signed()
    return all.length <= registryInJoinMax ? all : []
  }

  async renew(req: RenewRequest, from: string): Promise<RenewAnswer> {
    // Read, stamp, sign and hold under the registry's lock: entries are stamped in the order
    // they are held (a member asks for what was issued after the newest it holds).
    return this.c.registry.exclusive(async () => {
      const current = this.c.registry.entry(from)
      if (!current || current.status !== 'active') return { ok: false as const, reason: 'not_member' as const }
      if (!sameSet(current.http, req.http) || !sameSet(current.p2p, req.p2p)) {
        const entry: MemberEntry = {
          ...current,
          http: req.http,
          p2p: req.p2p,
          seq: current.seq + 1,
          issuedAt: this.c.registry.nextIssuedAt(this.c.now()),
        }
        await this.c.registry.acceptHeld([await seal(this.c.key, 'shulin/member', entry)])
      }
      return { ok: true as const, entry: (await this.c.registry.stored(from))! }
    })
  }

  async setStatus(nodeId: string, status: z.infer<typeof MemberStatus>): Promise<MemberEntry> {
    const entry = await this.c.registry.exclusive(async () => {
      const current = this.c.registry.entry(nodeId)
      if (!current) throw new FederationError('invalid', `${nodeId} is not a member`)
      if (current.status === 'revoked')
        throw new FederationError('revoked', 'a revoked member stays revoked: it may join again only with a new key')
      const next: MemberEntry = {
        ...current,
        status,
        seq: current.seq + 1,
        issuedAt: this.c.registry.nextIssuedAt(this.c.now()),
      }
      await this.c.registry.acceptHeld([await seal(this.c.key, 'shulin/member', next)])
      return next
    })
    this.c.logger?.info({ member: nodeId, status }, 'member status changed')
    return entry
  }
}
