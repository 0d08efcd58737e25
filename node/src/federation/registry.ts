/**
 * @module federation/registry
 * The member registry as this node holds it: hub-signed entries, each checked against the
 * hub's key, kept in LevelDB and in memory (the gater and every membership check read the
 * memory). The hub writes it; a member takes entries from anyone, as long as they carry the
 * hub's signature and a newer seq. Both answer registry requests from active members.
 *
 * Owns the sublevel `fed-members` (node id → the hub-signed entry).
 *
 * Each entry's signature is checked once, when it arrives (or when the node starts): the
 * verified view in memory is what every later read answers from. Re-verifying the whole
 * registry per request was the hub's cost per statistics call at 3,000 members (issue 25).
 */
import { open } from '@shulin/federation/envelope'
import type { RegistryAsk } from '@shulin/federation'
import { MemberEntry, type RegistryResponse, type SignedEnvelope } from '@shulin/protocol'
import { putOp, type BatchOp, type Storage, type Sublevel } from '../storage/db.js'
import { Mutex } from '../storage/mutex.js'
import type { Logger } from '../logger.js'

/** What the hub saw of a member at its last registry request. */
interface MemberContact {
  at: string
  version: string | null
  /** Entries the member lacked then… */
  behind: number
  /** …and the age of the oldest of them: how far the member's registry lags the hub's. */
  lagSeconds: number
}

/** A registry entry as the API shows it: verified, with what the hub saw of the member. */
export type MemberView = MemberEntry & {
  verified: true
  lastContact: string | null
  version: string | null
  behind: number | null
  lagSeconds: number | null
}

export interface MemberRegistryComponents {
  storage: Storage
  /** The hub whose signature every entry must carry. */
  hub: { id(): string | undefined }
  /** Closes the connection of a member no longer active (the gater refuses it from then on). */
  hangUp: (nodeId: string) => Promise<void>
  now: () => number
  logger?: Logger
}

export class MemberRegistry {
  readonly #members: Sublevel<SignedEnvelope>
  /** Verified entries by node id. */
  readonly #known = new Map<string, MemberEntry>()
  /** The signed form of each verified entry, as handed on to members. */
  readonly #signed = new Map<string, SignedEnvelope>()
  /** When each verified entry was issued (ms), for answers by `since`. */
  readonly #issuedMs = new Map<string, number>()
  /**
   * The node ids by `issuedAt`, oldest first, for answers by `since` (a binary search and the
   * tail, not a pass over 3,000 entries for each of the members' asks); made again on the next
   * answer after an entry changes.
   */
  #byIssued: { ms: number[]; ids: string[] } | undefined
  /** The newest `issuedAt` held (ms): the hub stamps its next entry after it. */
  #newestMs = -Infinity
  /** Signature checks of entries made so far (a figure for tests and the simulator). */
  #verifications = 0
  /** Hub: what each member's last registry request showed. */
  readonly #contacts = new Map<string, MemberContact>()
  readonly #mutex = new Mutex()

  constructor(private readonly c: MemberRegistryComponents) {
    this.#members = c.storage.sublevel('fed-members')
  }

  /** Loads the verified entries (after a join, the ones it brought): one check per stored entry. */
  async load(): Promise<void> {
    const hub = this.c.hub.id()
    if (!hub) return
    for await (const [, env] of this.#members.iterator()) {
      const entry = this.#open(env, hub)
      // An entry that does not verify is not held (nor shown, nor handed on).
      if (entry) this.#keep(entry, env)
    }
  }

  /** How many entry signatures this registry has checked since it was built. */
  get verifications(): number {
    return this.#verifications
  }

  #open(env: SignedEnvelope, hub: string): MemberEntry | undefined {
    this.#verifications++
    try {
      return open(env, MemberEntry, { type: 'shulin/member', signer: hub })
    } catch {
      return undefined
    }
  }

  #keep(entry: MemberEntry, env: SignedEnvelope): void {
    this.#known.set(entry.nodeId, entry)
    this.#signed.set(entry.nodeId, env)
    const ms = Date.parse(entry.issuedAt)
    this.#issuedMs.set(entry.nodeId, ms)
    this.#byIssued = undefined
    if (ms > this.#newestMs) this.#newestMs = ms
  }

  #issuedOrder(): { ms: number[]; ids: string[] } {
    if (!this.#byIssued) {
      const sorted = [...this.#issuedMs].sort((a, b) => a[1] - b[1])
      this.#byIssued = { ms: sorted.map((e) => e[1]), ids: sorted.map((e) => e[0]) }
    }
    return this.#byIssued
  }

  /**
   * Hub, inside {@link exclusive}: the `issuedAt` of the next entry it signs, strictly after every
   * entry held, whatever the clock did (an entry stamped at or before one a member already holds
   * would never be asked for by `since`). The caller holds the entry before the lock is released.
   */
  nextIssuedAt(now: number): string {
    return new Date(Math.max(now, this.#newestMs + 1)).toISOString()
  }

  /**
   * One member's verified entry as held right now (in memory, updated the moment a newer
   * hub-signed entry arrives), for checks on every request or push without a signature check
   * each time.
   */
  entry(nodeId: string): MemberEntry | undefined {
    return this.#known.get(nodeId)
  }

  /** How many verified entries are held. */
  size(): number {
    return this.#known.size
  }

  /** Every verified entry held right now. */
  entries(): MemberEntry[] {
    return [...this.#known.values()]
  }

  /** Whether `peer` is the hub or an active member: who may read and write shared documents. */
  isMember(peer: string): boolean {
    return peer === this.c.hub.id() || this.#known.get(peer)?.status === 'active'
  }

  /** The stored (signed) entry of `nodeId`. */
  stored(nodeId: string): Promise<SignedEnvelope | undefined> {
    return this.#members.get(nodeId)
  }

  /** Every verified entry, signed, as the hub hands them to a member it admits. */
  async signed(): Promise<SignedEnvelope[]> {
    return [...this.#signed.values()]
  }

  /** Runs a read-check-write of the registry alone (admission: an invite admits once). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.#mutex.run(fn)
  }

  /** The write of an entry (committed by the caller with what goes with it). */
  putOp(nodeId: string, env: SignedEnvelope): BatchOp {
    return putOp(this.#members, nodeId, env)
  }

  /** An entry the caller sealed and committed ({@link putOp}) is held from now on. */
  hold(entry: MemberEntry, env: SignedEnvelope): void {
    this.#keep(entry, env)
  }

  /** Takes entries from anyone: each must carry the hub's signature and a newer seq. */
  async accept(envs: SignedEnvelope[]): Promise<number> {
    return (await this.acceptAnswer(envs)).taken
  }

  /**
   * {@link accept} for the hub's whole answer to a registry request: also says the newest
   * `issuedAt` among its entries that verified (taken or already held), up to which this node now
   * holds every entry — what its next request asks after (`/shulin/registry/1.1.0`).
   */
  async acceptAnswer(envs: SignedEnvelope[]): Promise<{ taken: number; upTo: string | undefined }> {
    const hub = this.c.hub.id()
    if (!hub) return { taken: 0, upTo: undefined }
    const { taken, newestMs } = await this.#mutex.run(() => this.#acceptLocked(envs, hub))
    return { taken, upTo: Number.isFinite(newestMs) ? new Date(newestMs).toISOString() : undefined }
  }

  /** {@link accept} for a caller already inside {@link exclusive} (the hub issuing an entry). */
  async acceptHeld(envs: SignedEnvelope[]): Promise<number> {
    const hub = this.c.hub.id()
    return hub ? (await this.#acceptLocked(envs, hub)).taken : 0
  }

  async #acceptLocked(envs: SignedEnvelope[], hub: string): Promise<{ taken: number; newestMs: number }> {
    let taken = 0
    let newestMs = -Infinity
    const ops = []
    for (const env of envs) {
      const entry = this.#open(env, hub)
      if (!entry) {
        this.c.logger?.warn({ signer: env.signer }, 'refused a registry entry that does not verify')
        continue
      }
      newestMs = Math.max(newestMs, Date.parse(entry.issuedAt))
      if ((this.#known.get(entry.nodeId)?.seq ?? 0) >= entry.seq) continue
      this.#keep(entry, env)
      ops.push(putOp(this.#members, entry.nodeId, env))
      taken++
      if (entry.status !== 'active') await this.c.hangUp(entry.nodeId).catch(() => {})
    }
    if (ops.length) await this.c.storage.commit(ops, { sync: true })
    return { taken, newestMs }
  }

  /**
   * Entries newer than the caller has — issued after its `since` (1.1.0), or of a higher seq than
   * its `have` lists (1.0.0) — for active members (and the hub) only.
   */
  async answer(req: RegistryAsk, from: string): Promise<RegistryResponse> {
    const now = this.c.now()
    if (from !== this.c.hub.id() && this.#known.get(from)?.status !== 'active')
      return { ok: false, reason: 'not_member' }
    const entries: SignedEnvelope[] = []
    let oldest = now
    // From memory: a member's sync round costs no disk read and no signature check.
    if ('have' in req) {
      for (const [id, known] of this.#known) {
        if (known.seq > (req.have[id] ?? 0)) {
          entries.push(this.#signed.get(id)!)
          oldest = Math.min(oldest, this.#issuedMs.get(id)!)
        }
      }
    } else {
      const since = req.since === undefined ? -Infinity : Date.parse(req.since)
      const { ms, ids } = this.#issuedOrder()
      // The first issued after `since`: everything from there on is newer.
      let lo = 0
      let hi = ms.length
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        if (ms[mid]! > since) hi = mid
        else lo = mid + 1
      }
      for (let i = lo; i < ids.length; i++) entries.push(this.#signed.get(ids[i]!)!)
      if (lo < ms.length) oldest = Math.min(oldest, ms[lo]!)
    }
    const version = req.version
    this.#contacts.set(from, {
      at: new Date(now).toISOString(),
      version: version ?? null,
      behind: entries.length,
      lagSeconds: Math.max(0, Math.round((now - oldest) / 1000)),
    })
    return { ok: true, entries }
  }

  /** The registry as this node holds it, every entry verified against the hub's key (when it came). */
  async members(): Promise<MemberView[]> {
    // In node-id order, as the stored registry lists them.
    const sorted = this.entries().sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0))
    return sorted.map((entry) => {
      const c = this.#contacts.get(entry.nodeId)
      return {
        ...entry,
        verified: true as const,
        lastContact: c?.at ?? null,
        version: c?.version ?? null,
        behind: c?.behind ?? null,
        lagSeconds: c?.lagSeconds ?? null,
      }
    })
  }
}
