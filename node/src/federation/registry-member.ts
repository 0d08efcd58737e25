/**
 * @module federation/registry-member
 * A member's side of the registry: it joins the hub that issued an invite (`shulin join`), then
 * every round asks the hub — or, when the hub is away, a few other active members — for registry
 * changes, and asks the hub to re-sign its own entry when it listens somewhere new.
 *
 * @example
 * ```ts
 * const member = registryMember({ httpUrl: () => url })({ key, hub, registry, network, now: Date.now })
 * const { hub, members } = await member.join(token)
 * await member.syncOnce() // the peer network calls this every round
 * ```
 */
import { EnvelopeError, open } from '@shulin/federation/envelope'
import type { NodeKey } from '@shulin/federation/identity'
import type { Host, RegistryHeld } from '@shulin/federation'
import {
  Invite,
  clockToleranceSeconds,
  invitePrefix,
  MemberEntry,
  registryAskIntervalMs,
  SignedEnvelope,
  skewNote,
  type JoinRefusal,
} from '@shulin/protocol'
import type { Storage } from '../storage/db.js'
import type { Logger } from '../logger.js'
import { shulinVersion } from '../version.js'
import type { HubAddress } from './hub-address.js'
import type { MemberRegistry } from './registry.js'
import { FederationError } from './errors.js'
import { randomSample } from './random-pick.js'

export interface JoinOutcome {
  hub: string
  entry: MemberEntry
  members: number
  clockSkewMs?: number
}

export interface RegistryMember {
  /** Joins the hub that issued `token` (starting the peer network first). */
  join(token: string): Promise<JoinOutcome>
  /** Asks the hub, or a few other active members at random, for registry changes: how many entries came. */
  syncOnce(): Promise<number>
  /** When the registry last came (the join, or the last sync that reached a peer). */
  lastSync(): string | undefined
}

export interface RegistryMemberInit {
  /** This node's public HTTP address, for its registry entry. */
  httpUrl: () => string
  /** The peer port (named in the message when it cannot be listened on). */
  p2pPort: number
}

export interface RegistryMemberComponents {
  key: NodeKey
  storage: Storage
  hub: Pick<HubAddress, 'peer' | 'joinOp' | 'joined'>
  registry: Pick<MemberRegistry, 'entry' | 'entries' | 'accept' | 'acceptAnswer' | 'load' | 'putOp' | 'size'>
  network: {
    start(): Promise<void>
    peerHost(): Host | undefined
    listenAddrs(): string[]
    hangUp(nodeId: string): Promise<void>
  }
  now: () => number
  logger?: Logger
}

/**
 * Other members a round asks when the hub does not answer, picked at random. It used to be every
 * active member in the registry's order, until one answered: with the hub away, every member of
 * the network asked the same first few, and a member cut off from the network tried each of
 * 3,000 in turn, 10 s apiece, before its next round could start.
 */
export const peersAskedPerRound = 3

export function registryMember(init: RegistryMemberInit): (components: RegistryMemberComponents) => RegistryMember {
  return (components) => new DefaultRegistryMember(init, components)
}

const refusalText: Record<JoinRefusal, string> = {
  invalid: 'the hub does not know this invite',
  expired: 'the invite has expired (by the hub’s clock, which stamped it): ask the hub for a new one',
  used: 'the invite has already been used: each invite admits one node',
  wrong_hub: 'the invite is for another hub',
  revoked: 'this node has been revoked by the hub',
}

class DefaultRegistryMember implements RegistryMember {
  #lastSync: string | undefined
  /**
   * Every entry issued up to this instant is held: the newest `issuedAt` of the hub's last
   * complete answer (its join answer or a registry answer), which is what a round asks after
   * (`/shulin/registry/1.1.0`). Only the hub's answers move it: a member peer's answer is taken
   * but may be missing entries (it may lag, or hold back), and a single entry (a renewal) says
   * nothing about the ones before it. Kept in memory: after a restart the first round asks for
   * the whole registry once.
   */
  #heldUpTo: string | undefined
  /** When the next registry ask is due (see `registryAskIntervalMs`): rounds before it ask nothing. */
  #nextAskAt = 0

  constructor(
    private readonly init: RegistryMemberInit,
    private readonly c: RegistryMemberComponents,
  ) {}

  lastSync(): string | undefined {
    return this.#lastSync
  }

  async join(token: string): Promise<JoinOutcome> {
    try {
      await this.c.network.start()
    } catch (err) {
      throw new FederationError(
        'not_running',
        `cannot listen for peers on port ${this.init.p2pPort} (${(err as Error).message}); choose another with --p2p-port`,
      )
    }
    const host = this.c.network.peerHost()
    if (!host) throw new FederationError('not_running', 'the peer network is not running')
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
      answer = await requestJoin(host, invite.hubAddrs, {
        invite: env,
        http: [this.init.httpUrl()],
        p2p: this.c.network.listenAddrs(),
      })
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
    if (entry.nodeId !== this.c.key.nodeId) throw new FederationError('invalid', 'the hub admitted someone else')
    const state = { hub: invite.hub, hubAddrs: invite.hubAddrs, joinedAt: new Date(this.c.now()).toISOString() }
    const ops = [this.c.hub.joinOp(state)]
    // The hub's whole registry: every entry issued up to the newest of them is held. A hub of a
    // large network sends none (registryInJoinMax): the first registry request takes it.
    let heldUpTo = answer.registry.length ? entry.issuedAt : undefined
    for (const member of answer.registry) {
      try {
        const m = open(member, MemberEntry, { type: 'shulin/member', signer: invite.hub })
        if (heldUpTo && Date.parse(m.issuedAt) > Date.parse(heldUpTo)) heldUpTo = m.issuedAt
        ops.push(this.c.registry.putOp(m.nodeId, member))
      } catch (err) {
        if (!(err instanceof EnvelopeError)) throw err
        this.c.logger?.warn({ err }, 'dropped a registry entry that did not verify')
      }
    }
    await this.c.storage.commit(ops, { sync: true })
    this.c.hub.joined(state)
    await this.c.registry.load()
    this.#heldUpTo = heldUpTo
    if (!answer.registry.length) {
      // Own entry first (the registry request is answered to members only), then the registry.
      await this.c.registry.accept([answer.entry])
      this.#nextAskAt = 0
      await this.syncOnce().catch((err: unknown) =>
        this.c.logger?.warn({ err }, 'joined; the registry comes with the next round'),
      )
    }
    this.#lastSync = new Date(this.c.now()).toISOString()
    // The hub refused this node a relay slot while it was not yet a member, and libp2p asks for
    // one only when a connection opens: the next round's connection, as a member, gets it.
    await this.c.network.hangUp(invite.hub).catch(() => {})
    // The hub stamped the entry a moment ago by its clock: the one chance to compare clocks.
    const now = this.c.now()
    const skew = Math.round(now - Date.parse(entry.issuedAt))
    const members = this.c.registry.size()
    if (Math.abs(skew) <= clockToleranceSeconds * 1000) return { hub: invite.hub, entry, members }
    this.c.logger?.warn(
      { hub: invite.hub, why: skewNote(Date.parse(entry.issuedAt), now) },
      'clock skew: this node’s clock is far from the hub’s; sign-ins across libraries and content tickets will be refused until it is set right',
    )
    return { hub: invite.hub, entry, members, clockSkewMs: skew }
  }

  async syncOnce(): Promise<number> {
    const hub = this.c.hub.peer()
    const host = this.c.network.peerHost()
    if (!hub || !host) return 0
    const now = this.c.now()
    if (now < this.#nextAskAt) return 0
    const interval = registryAskIntervalMs(this.c.registry.size())
    this.#nextAskAt = now + interval * (0.75 + Math.random() / 2)
    await this.#renewIfMoved(host, hub.addrs).catch((err: unknown) =>
      this.c.logger?.debug({ err }, 'could not renew this node’s entry'),
    )
    const held = {
      since: this.#heldUpTo,
      // Only for a peer that speaks the registry exchange 1.0.0 alone.
      have: () => Object.fromEntries(this.c.registry.entries().map((e) => [e.nodeId, e.seq])),
    }
    const fromHub = await this.#ask(host, hub.addrs, held, true)
    if (fromHub !== undefined) return fromHub
    // The hub did not answer: a few other active members, picked at random each round (and only
    // then: the registry's 3,000 entries are not copied on the rounds the hub answers).
    const others = this.c.registry
      .entries()
      .filter((m) => m.status === 'active' && m.nodeId !== this.c.key.nodeId && m.p2p.length)
    for (const m of randomSample(others, peersAskedPerRound)) {
      const n = await this.#ask(host, m.p2p, held, false)
      if (n !== undefined) return n
    }
    return 0
  }

  /** One registry ask: the entries taken, or undefined when `addrs` did not answer or refused. */
  async #ask(host: Host, addrs: string[], held: RegistryHeld, fromHub: boolean): Promise<number | undefined> {
    if (!addrs.length) return undefined
    try {
      const { fetchRegistry } = await import('@shulin/federation')
      const res = await fetchRegistry(host, addrs, held, shulinVersion)
      if (!res.ok) return undefined
      let n: number
      if (fromHub) {
        const { taken, upTo } = await this.c.registry.acceptAnswer(res.entries)
        if (upTo && (!this.#heldUpTo || upTo > this.#heldUpTo)) this.#heldUpTo = upTo
        n = taken
      } else n = await this.c.registry.accept(res.entries)
      this.#lastSync = new Date(this.c.now()).toISOString()
      return n
    } catch {
      return undefined // the next peer
    }
  }

  /** If this node now listens elsewhere than its entry says, asks the hub to renew it. */
  async #renewIfMoved(host: Host, hubAddrs: string[]): Promise<void> {
    const mine = this.c.registry.entry(this.c.key.nodeId)
    const addrs = this.c.network.listenAddrs()
    if (!mine || mine.status !== 'active') return
    const moved =
      mine.p2p.length !== addrs.length ||
      mine.p2p.some((a) => !addrs.includes(a)) ||
      (mine.http[0] ?? '') !== this.init.httpUrl()
    if (!moved) return
    const { requestRenew } = await import('@shulin/federation')
    const res = await requestRenew(host, hubAddrs, { http: [this.init.httpUrl()], p2p: addrs })
    if (res.ok) await this.c.registry.accept([res.entry])
  }
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
