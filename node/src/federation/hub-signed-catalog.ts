/**
 * @module federation/hub-signed-catalog
 * What the hub publishes to every member through a replicated catalog (national activities,
 * news): the hub signs each record as an envelope of one type into the catalog; members pull it
 * from the hub or from any peer (authority is the hub's signature, not who relayed it), check it
 * and take it in. A change or a withdrawal travels the same way, as a newer version.
 *
 * The catalog's rule lets a peer write only what the hub signed, under its own id and naming the
 * hub as its owner, and never an older version over a newer one, so no member can forge, blank
 * out or roll back what the hub published. One module for the rule, the signing and the taking
 * in, so each kind of record only says how it is built and what a member does with it.
 *
 * @example
 * ```ts
 * const feed = new HubSignedCatalog({ name: 'news', type: 'shulin/news', schema: NetworkNews,
 *   ownerOf: (n) => n.source.nodeId, what: 'news post', take: (n) => news.upsertFromHub(n), role, key, hubId, catalog })
 * feed.catalogRule('news') // before the catalog opens
 * await feed.publish(changed) // hub
 * await feed.watch() // member
 * ```
 */
import { EnvelopeError, open, seal } from '@shulin/federation/envelope'
import type { NodeKey } from '@shulin/federation/identity'
import type { CatalogRule, ShardedCatalog } from '@shulin/federation'
import type { z } from 'zod'
import type { EnvelopeType } from '@shulin/protocol'
import type { Logger } from '../logger.js'

/** How often a member applies the catalog again when the hub's id was not yet known. */
const applyAgainMs = 5000

/** A published record: its id in the catalog, and a version that only grows (an ISO instant). */
export interface HubRecord {
  id: string
  updatedAt: string
}

export interface HubSignedCatalogOptions<T extends HubRecord> {
  /** The replicated catalog's name. */
  name: string
  /** The envelope type the hub signs (`shulin/news`). */
  type: EnvelopeType
  schema: z.ZodType<T>
  /** The node a record names as its publisher: must be the hub. */
  ownerOf: (record: T) => string | null | undefined
  /** What a record is, in the log (`news post`, `national activity`). */
  what: string
  role: 'node' | 'hub'
  key: NodeKey
  /** The hub's node id, once known: the records' signer. */
  hubId: () => string | undefined
  catalog: (name: string) => Promise<ShardedCatalog>
  /** Member: takes in a record that verified; whether it counted as taken. */
  take: (record: T) => Promise<boolean>
  logger?: Logger | undefined
}

/** A record the hub may sign: its version, and how to build it when it has changed. */
export interface Publishable<T extends HubRecord> extends HubRecord {
  build: () => Promise<T> | T
}

export class HubSignedCatalog<T extends HubRecord> {
  #timer: NodeJS.Timeout | undefined
  #unwatch: (() => void) | undefined
  /** Hub: the version of each record as last signed into the catalog. */
  readonly #signed = new Map<string, string>()
  #stopped = false

  constructor(private readonly opts: HubSignedCatalogOptions<T>) {}

  /** What peers may write to the catalog (set before it opens). */
  catalogRule(name: string): CatalogRule | undefined {
    if (name !== this.opts.name) return undefined
    return (id, next, prev) => {
      const n = this.verified(id, next)
      const p = prev === undefined ? undefined : this.verified(id, prev)
      return !!n && (!p || n.updatedAt >= p.updatedAt)
    }
  }

  /** A record as the network holds it, if the hub signed it under its own id. */
  verified(id: string, env: unknown): T | undefined {
    const hub = this.opts.role === 'hub' ? this.opts.key.nodeId : this.opts.hubId()
    if (!hub) return undefined
    try {
      const r = open(env, this.opts.schema, { type: this.opts.type, signer: hub })
      return r.id === id && this.opts.ownerOf(r) === hub ? r : undefined
    } catch (err) {
      if (err instanceof EnvelopeError) return undefined
      throw err
    }
  }

  /** Hub: signs every record whose version changed since it was last signed; how many were. */
  async publish(records: Iterable<Publishable<T>>): Promise<number> {
    const cat = await this.opts.catalog(this.opts.name)
    const out: Array<[string, unknown]> = []
    for (const rec of records) {
      if (this.#signed.get(rec.id) === rec.updatedAt) continue
      const held = this.verified(rec.id, await cat.get(rec.id))
      if (held && held.updatedAt >= rec.updatedAt) {
        this.#signed.set(rec.id, rec.updatedAt)
        continue
      }
      out.push([rec.id, await seal(this.opts.key, this.opts.type, await rec.build())])
      this.#signed.set(rec.id, rec.updatedAt)
    }
    if (out.length) await cat.put(out)
    return out.length
  }

  /** Member: hands every record that verifies to `take`, now and as shards change. */
  async watch(): Promise<void> {
    const cat = await this.opts.catalog(this.opts.name)
    const warn = (err: unknown) => this.opts.logger?.warn({ err }, `could not take in a ${this.opts.what}`)
    this.#unwatch = cat.onChange((shard) => void this.#apply(cat, shard).catch(warn))
    void this.applyAll().catch(warn)
  }

  /** Member: applies every shard (what a restart or an unknown hub id left unapplied). */
  async applyAll(): Promise<number> {
    const cat = await this.opts.catalog(this.opts.name)
    let n = 0
    for (let shard = 0; shard < cat.shards; shard++) n += await this.#apply(cat, shard)
    return n
  }

  async #apply(cat: ShardedCatalog, shard: number): Promise<number> {
    if (!this.opts.hubId()) {
      // Records pulled before the registry named the hub: tried again shortly.
      if (!this.#stopped && !this.#timer) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined
          void this.applyAll().catch(() => undefined)
        }, applyAgainMs)
        this.#timer.unref()
      }
      return 0
    }
    let n = 0
    for (const [id, env] of await cat.shardRecords(shard)) {
      const r = this.verified(id, env)
      if (!r) {
        this.opts.logger?.warn({ id }, `a ${this.opts.what} that does not verify was ignored`)
        continue
      }
      if (await this.opts.take(r)) n++
    }
    return n
  }

  stop(): void {
    this.#stopped = true
    clearTimeout(this.#timer)
    this.#unwatch?.()
  }
}
