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
/** 5 million hashes of 45 bytes and some: a member's answer past this is refused. */
const maxExportBytes = 256 * 1024 * 1024
const maxHomesPerPhone = 16
type Stored = string | { counts: ReaderCounts; at: number }

export interface DirectoryHubOptions {
  key: NodeKey
  storage: Storage
  network: Network
  /** Where members reach this hub over HTTP (they know it only as a peer otherwise). */
  selfUrl: () => string
  logger?: Logger | undefined
  now?: (() => number) | undefined
  fetch?: typeof fetch | undefined
}

/** A member refused the hub's pull for its times (README "Clocks"): its operator must set a clock right. */
class ClockSkewRefusal extends Error {
  override readonly name = 'ClockSkewRefusal'
}

export class DirectoryHub {
  readonly #db: Sublevel<Stored>
  #key: string | undefined

  constructor(private readonly opts: DirectoryHubOptions) {
    this.#db = opts.storage.sublevel<Stored>('identity-directory')
  }

  get #now(): number {
    return (this.opts.now ?? Date.now)()
  }

  async #directoryKey(): Promise<string> {
    if (this.#key) return this.#key
    const stored = await this.#db.get('#key')
    if (typeof stored === 'string') return (this.#key = stored)
    const key = randomBytes(32).toString('base64url')
    await this.opts.storage.commit([putOp(this.#db, '#key', key)], { sync: true })
    return (this.#key = key)
  }

  /** One round: every active member, one after the other (a county server answers slowly, not all at once). */
  async pullAll(): Promise<{ pulled: number; failed: number }> {
    let pulled = 0
    let failed = 0
    for (const m of this.opts.network.entries()) {
      if (!homeOf(this.opts.network, m.nodeId)) continue
      try {
        await this.pull(m)
        pulled++
      } catch (err) {
        failed++
        // A member down is routine; one that refuses the hub's clock needs its operator.
        if (err instanceof ClockSkewRefusal)
          this.opts.logger?.warn(
            { why: err.message, member: m.nodeId },
            'clock skew: a member refused the directory pull',
          )
        else this.opts.logger?.debug({ err, member: m.nodeId }, 'directory pull failed')
      }
    }
    return { pulled, failed }
  }

  async pull(member: MemberEntry): Promise<void> {
    const bearer = await signNodeJwt(
      this.opts.key,
      'hub',
      { hub_url: this.opts.selfUrl(), directory_key: await this.#directoryKey() },
      { audience: member.nodeId, ttlSeconds: 60, now: this.#now },
    )
    const res = await (this.opts.fetch ?? fetch)(new URL('/oidc/directory', member.http[0]), {
      headers: { authorization: `Bearer ${bearer}` },
      signal: AbortSignal.timeout(pullTimeoutMs),
      redirect: 'error',
    })
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
    ops.push(putOp(this.#db, `c:${member.nodeId}`, { counts: answer.counts, at: this.#now }))
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
