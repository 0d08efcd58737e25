/**
 * @module news/network
 * The hub's news reach every member as national activities do (see activities/network/national):
 * the hub signs each of its published or withdrawn posts as a `shulin/news` envelope into the
 * replicated catalog `news`; members pull it from the hub or any peer (authority is the hub's
 * signature, not who relayed it), check it, sanitise it again and list it with the hub as its
 * source. A withdrawal or an edit travels the same way, as a newer version. Drafts never travel.
 *
 * The catalog's rule lets a peer write only what the hub signed, under its own id, and never an
 * older version over a newer one, so no member can forge, blank out or roll back the hub's news.
 *
 * The hub's own images are served by the hub: their relative URLs become absolute under the hub's
 * public URL when it has one (https); otherwise members drop them as they sanitise.
 */
import { EnvelopeError, open, seal } from '@shulin/federation/envelope'
import type { NodeKey } from '@shulin/federation/identity'
import type { CatalogRule, ShardedCatalog } from '@shulin/federation'
import { NEWS_CATALOG, NetworkNews } from '@shulin/protocol'
import type { Logger } from '../logger.js'
import type { NewsRecord, NewsService } from './service.js'

/** How often a member applies the catalog again when the hub's id was not yet known. */
const applyAgainMs = 5000

export interface NetworkNewsOptions {
  role: 'node' | 'hub'
  key: NodeKey
  news: NewsService
  catalog: (name: string) => Promise<ShardedCatalog>
  /** The hub's node id, once known: the posts' signer. */
  hubId: () => string | undefined
  /** The hub's public URL (its images are served there). */
  publicUrl?: () => string | undefined
  logger?: Logger | undefined
}

export class HubNews {
  #timer: NodeJS.Timeout | undefined
  #unwatch: (() => void) | undefined
  /** Hub: the `updatedAt` of each post as last signed into the catalog. */
  readonly #signed = new Map<string, string>()
  #stopped = false

  constructor(private readonly opts: NetworkNewsOptions) {}

  /** What peers may write to the `news` catalog (set before it opens). */
  catalogRule(name: string): CatalogRule | undefined {
    if (name !== NEWS_CATALOG) return undefined
    return (id, next, prev) => {
      const n = this.#verified(id, next)
      const p = prev === undefined ? undefined : this.#verified(id, prev)
      return !!n && (!p || n.updatedAt >= p.updatedAt)
    }
  }

  /** A post as the network holds it, if the hub signed it under its own id. */
  #verified(id: string, env: unknown): NetworkNews | undefined {
    const hub = this.opts.role === 'hub' ? this.opts.key.nodeId : this.opts.hubId()
    if (!hub) return undefined
    try {
      const n = open(env, NetworkNews, { type: 'shulin/news', signer: hub })
      return n.id === id && n.source.nodeId === hub ? n : undefined
    } catch (err) {
      if (err instanceof EnvelopeError) return undefined
      throw err
    }
  }

  async start(): Promise<void> {
    const cat = await this.opts.catalog(NEWS_CATALOG)
    if (this.opts.role === 'hub') {
      // Signed at start (what changed while stopped) and after each change.
      this.opts.news.onChange = () => this.#publishSoon()
      this.#publishSoon()
      return
    }
    this.#unwatch = cat.onChange(
      (shard) =>
        void this.#apply(cat, shard).catch((err: unknown) =>
          this.opts.logger?.warn({ err, shard }, 'could not take in the hub’s news'),
        ),
    )
    void this.applyAll().catch((err: unknown) => this.opts.logger?.warn({ err }, 'could not take in the hub’s news'))
  }

  #publishSoon(): void {
    if (this.#stopped) return
    void this.publish().catch((err: unknown) => this.opts.logger?.warn({ err }, 'could not sign the news'))
  }

  stop(): void {
    this.#stopped = true
    clearTimeout(this.#timer)
    this.#unwatch?.()
    if (this.opts.news.onChange) this.opts.news.onChange = undefined
  }

  /** Hub: signs every own post published or withdrawn since the last look into the catalog. */
  async publish(): Promise<number> {
    const hub = this.opts.key.nodeId
    const cat = await this.opts.catalog(NEWS_CATALOG)
    const records: Array<[string, unknown]> = []
    for (const rec of await this.opts.news.all()) {
      if (rec.source.nodeId !== hub || rec.status === 'draft' || this.#signed.get(rec.id) === rec.updatedAt) continue
      const held = this.#verified(rec.id, await cat.get(rec.id))
      if (held && held.updatedAt >= rec.updatedAt) {
        this.#signed.set(rec.id, rec.updatedAt)
        continue
      }
      records.push([rec.id, await seal(this.opts.key, 'shulin/news', this.#payload(rec))])
      this.#signed.set(rec.id, rec.updatedAt)
    }
    if (records.length) await cat.put(records)
    return records.length
  }

  #payload(rec: NewsRecord): NetworkNews {
    const base = this.opts.publicUrl?.()?.replace(/\/+$/, '')
    const html =
      base && base.startsWith('https://')
        ? rec.html.replace(/src="(\/api\/news\/images\/)/g, `src="${base}$1`)
        : rec.html
    return {
      id: rec.id,
      source: { nodeId: this.opts.key.nodeId, name: rec.source.name },
      title: rec.title,
      html,
      pinned: rec.pinned,
      from: rec.from,
      to: rec.to,
      status: rec.status === 'withdrawn' ? 'withdrawn' : 'published',
      createdAt: rec.createdAt,
      updatedAt: rec.updatedAt,
      publishedAt: rec.publishedAt,
    }
  }

  /** Member: applies every shard (what a restart or an unknown hub id left unapplied). */
  async applyAll(): Promise<number> {
    const cat = await this.opts.catalog(NEWS_CATALOG)
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
      const post = this.#verified(id, env)
      if (!post) {
        this.opts.logger?.warn({ id }, 'a news post that does not verify was ignored')
        continue
      }
      if (await this.opts.news.upsertFromHub(post)) n++
    }
    return n
  }
}
