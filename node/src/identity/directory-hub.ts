/**
 * @module identity/directory-hub
 * The hub's side of the phone directory and of the unified user view. Every few seconds to a
 * minute the hub pulls each active member's keyed phone hashes and reader counts, and keeps
 * them: the hub learns hashes and numbers of readers, never a phone number or a name. Members
 * ask it which library a hash belongs to.
 *
 * Owns `identity-directory`: `#key` → the network's directory key; `h:<hash>:<node>` and
 * `m:<node>:<hash>` → '' (both ways, so a member's new list replaces its old one in one batch);
 * `c:<node>` → the member's last counts.
 */
import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import {
  DirectoryExport,
  normalizePhone,
  readCappedJson,
  type MemberEntry,
  type NetworkReaders,
  type ReaderCounts,
} from '@shulin/protocol'
import type { NodeKey } from '@shulin/federation/identity'
import { delOp, putOp, type BatchOp, type Storage, type Sublevel } from '../storage/db.js'
import type { Logger } from '../logger.js'
import { homeOf, type Network } from './network.js'
import { signNodeJwt } from './tokens.js'
import { phoneHash } from './directory-member.js'

const pullTimeoutMs = 20_000
/**
 * Members pulled at once. One after another, a round over 3,000 members took one member's
 * answer time 3,000 times over, and each member gone dark held the round for the whole timeout
 * (90 dark members of 3,000: a 30-minute round, by `npm run sim:network`). Eight at a time, the
 * simulator's 3,000 members were all pulled afresh 185–226 s after a given moment while every
 * pull moved a whole list, and 78 s and 196 s in two runs once an unchanged list was a 304 (the
 * figure depends on where a round stands at that moment). One run at 32 took 67 s but collapsed
 * (397 of 1,000 sign-ins, the simulated members starved on two cores); too few runs to blame the
 * 32, so 8 stays.
 */
const pullConcurrency = 8
/** A member whose pull failed n times running sits out 2^(n−1) rounds, at most this many. */
const maxRoundsSkipped = 32
/** 5 million hashes of 45 bytes and some: a member's answer past this is refused. */
const maxExportBytes = 256 * 1024 * 1024
const maxHomesPerPhone = 16
/** An entity tag as a member sends it (RFC 9110 §8.8.3); anything else is not kept. */
const EntityTag = z
  .string()
  .max(200)
  .regex(/^(W\/)?"[\x21\x23-\x7e]*"$/)
type Stored = string | { counts: ReaderCounts; at: number; etag?: string | undefined }

export interface DirectoryHubOptions {
  key: NodeKey
  storage: Storage
  network: Network
  /** Where members reach this hub over HTTP (they know it only as a peer otherwise). */
  selfUrl: () => string
  logger?: Logger | undefined
  now?: (() => number) | undefined
  fetch?: typeof fetch | undefined
  /** How long one member's answer may take (20 s). */
  pullTimeoutMs?: number | undefined
  /** Members pulled at once (8). */
  pullConcurrency?: number | undefined
}

/** A member refused the hub's pull for its times (README "Clocks"): its operator must set a clock right. */
class ClockSkewRefusal extends Error {
  override readonly name = 'ClockSkewRefusal'
}

export class DirectoryHub {
  readonly #db: Sublevel<Stored>
  #key: Promise<string> | undefined
  /** Members whose last pulls failed: how many running, and how many rounds they still sit out. */
  readonly #dark = new Map<string, { failures: number; skip: number }>()

  constructor(private readonly opts: DirectoryHubOptions) {
    this.#db = opts.storage.sublevel<Stored>('identity-directory')
  }

  get #now(): number {
    return (this.opts.now ?? Date.now)()
  }

  /** The network's directory key, made once: pulls running at once must all hand out the same one. */
  #directoryKey(): Promise<string> {
    this.#key ??= (async () => {
      const stored = await this.#db.get('#key')
      if (typeof stored === 'string') return stored
      const key = randomBytes(32).toString('base64url')
      await this.opts.storage.commit([putOp(this.#db, '#key', key)], { sync: true })
      return key
    })().catch((err: unknown) => {
      this.#key = undefined // a failed read or write is tried again by the next caller
      throw err
    })
    return this.#key
  }

  /**
   * One round: every active member, a few at a time (a county server answers slowly, not all at
   * once). A member that did not answer sits out the next rounds, more of them each time it fails
   * again (its listed hashes stay until it answers), so members gone dark cost a round little.
   */
  async pullAll(): Promise<{ pulled: number; failed: number; skipped: number }> {
    const due: MemberEntry[] = []
    let skipped = 0
    const present = new Set<string>()
    for (const m of this.opts.network.entries()) {
      if (!homeOf(this.opts.network, m.nodeId)) continue
      present.add(m.nodeId)
      const dark = this.#dark.get(m.nodeId)
      if (dark && dark.skip > 0) {
        dark.skip--
        skipped++
      } else due.push(m)
    }
    for (const id of this.#dark.keys()) if (!present.has(id)) this.#dark.delete(id)
    let pulled = 0
    let failed = 0
    let next = 0
    const lane = async (): Promise<void> => {
      for (let m = due[next++]; m; m = due[next++]) {
        try {
          await this.pull(m)
          pulled++
          this.#dark.delete(m.nodeId)
        } catch (err) {
          failed++
          const failures = (this.#dark.get(m.nodeId)?.failures ?? 0) + 1
          this.#dark.set(m.nodeId, { failures, skip: Math.min(2 ** (failures - 1), maxRoundsSkipped) })
          // A member down is routine; one that refuses the hub's clock needs its operator.
          if (err instanceof ClockSkewRefusal)
            this.opts.logger?.warn(
              { why: err.message, member: m.nodeId },
              'clock skew: a member refused the directory pull',
            )
          else this.opts.logger?.debug({ err, member: m.nodeId, failures }, 'directory pull failed')
        }
      }
    }
    const lanes = Math.max(1, Math.min(this.opts.pullConcurrency ?? pullConcurrency, due.length))
    await Promise.all(Array.from({ length: lanes }, lane))
    return { pulled, failed, skipped }
  }

  async pull(member: MemberEntry): Promise<void> {
    const bearer = await signNodeJwt(
      this.opts.key,
      'hub',
      { hub_url: this.opts.selfUrl(), directory_key: await this.#directoryKey() },
      { audience: member.nodeId, ttlSeconds: 60, now: this.#now },
    )
    // The tag of the list last taken: a member whose list has not changed answers 304, nothing more.
    const known = await this.#db.get(`c:${member.nodeId}`)
    const held = typeof known === 'object' ? known : undefined
    const res = await (this.opts.fetch ?? fetch)(new URL('/oidc/directory', member.http[0]), {
      headers: { authorization: `Bearer ${bearer}`, ...(held?.etag ? { 'if-none-match': held.etag } : {}) },
      signal: AbortSignal.timeout(this.opts.pullTimeoutMs ?? pullTimeoutMs),
      redirect: 'error',
    })
    if (res.status === 304) {
      await res.body?.cancel()
      if (!held?.etag) throw new Error('HTTP 304 to a pull that named no list')
      // Only the time of the answer changes: not worth a disk flush per member per round.
      await this.opts.storage.commit([putOp(this.#db, `c:${member.nodeId}`, { ...held, at: this.#now })], {
        sync: false,
      })
      return
    }
    if (!res.ok) {
      const refusal = (await readCappedJson(res, 4096).catch(() => null)) as {
        reason?: unknown
        error_description?: unknown
      } | null
      if (refusal?.reason === 'clock_skew') throw new ClockSkewRefusal(String(refusal.error_description ?? ''))
      throw new Error(`HTTP ${res.status}`)
    }
    const answer = DirectoryExport.parse(await readCappedJson(res, maxExportBytes))
    const fresh = new Set(answer.hashes)
    const ops: BatchOp[] = []
    const prefix = `m:${member.nodeId}:`
    for await (const key of this.#db.keys({ gt: prefix, lt: prefix + '\uffff' })) {
      const hash = key.slice(prefix.length)
      if (fresh.has(hash)) fresh.delete(hash)
      else ops.push(delOp(this.#db, key), delOp(this.#db, `h:${hash}:${member.nodeId}`))
    }
    for (const hash of fresh)
      ops.push(putOp(this.#db, `m:${member.nodeId}:${hash}`, ''), putOp(this.#db, `h:${hash}:${member.nodeId}`, ''))
    const etag = EntityTag.safeParse(res.headers.get('etag'))
    ops.push(
      putOp(this.#db, `c:${member.nodeId}`, {
        counts: answer.counts,
        at: this.#now,
        ...(etag.success ? { etag: etag.data } : {}),
      }),
    )
    await this.opts.storage.commit(ops, { sync: true })
  }

  /** The active members a hash is listed at. */
  async lookup(hash: string): Promise<string[]> {
    const out: string[] = []
    const prefix = `h:${hash}:`
    for await (const key of this.#db.keys({ gt: prefix, lt: prefix + '\uffff', limit: maxHomesPerPhone })) {
      const node = key.slice(prefix.length)
      if (homeOf(this.opts.network, node)) out.push(node)
    }
    return out
  }

  /** The hub's own phone route (its portal is a relying party too). */
  async homesOf(phoneInput: string): Promise<string[]> {
    const phone = normalizePhone(phoneInput)
    return phone ? this.lookup(phoneHash(await this.#directoryKey(), phone)) : []
  }

  /** Per library and region: registered, real-name verified and active readers. */
  async readers(): Promise<NetworkReaders> {
    const zero = (): ReaderCounts => ({ registered: 0, realNameVerified: 0, active: 0 })
    const add = (into: ReaderCounts, c: ReaderCounts) => {
      into.registered += c.registered
      into.realNameVerified += c.realNameVerified
      into.active += c.active
    }
    const libraries: NetworkReaders['libraries'] = []
    const regions = new Map<string, ReaderCounts & { region: string; libraries: number }>()
    const total = { ...zero(), libraries: 0 }
    for (const m of this.opts.network.entries()) {
      if (m.status !== 'active') continue
      const stored = await this.#db.get(`c:${m.nodeId}`)
      if (!stored || typeof stored === 'string') continue
      libraries.push({
        nodeId: m.nodeId,
        name: m.name,
        region: m.region,
        level: m.level,
        reportedAt: new Date(stored.at).toISOString(),
        ...stored.counts,
      })
      const r = regions.get(m.region) ?? { ...zero(), region: m.region, libraries: 0 }
      add(r, stored.counts)
      r.libraries++
      regions.set(m.region, r)
      add(total, stored.counts)
      total.libraries++
    }
    return { libraries, regions: [...regions.values()].sort((a, b) => a.region.localeCompare(b.region)), total }
  }
}
