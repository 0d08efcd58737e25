/**
 * @module news/network
 * The hub's news reach every member as national activities do (see activities/network/national):
 * the hub signs each of its published or withdrawn posts as a `shulin/news` envelope into the
 * replicated catalog `news`; members pull it from the hub or any peer (authority is the hub's
 * signature, not who relayed it), check it, sanitise it again and list it with the hub as its
 * source. A withdrawal or an edit travels the same way, as a newer version. Drafts never travel.
 * The rule, the signing and the taking in are federation/hub-signed-catalog's.
 *
 * The catalog's rule lets a peer write only what the hub signed, under its own id, and never an
 * older version over a newer one, so no member can forge, blank out or roll back the hub's news.
 *
 * The hub's own images are served by the hub: their relative URLs become absolute under the hub's
 * public URL when it has one (https); otherwise members drop them as they sanitise.
 */
import type { NodeKey } from '@shulin/federation/identity'
import type { CatalogRule, ShardedCatalog } from '@shulin/federation'
import { HubSignedCatalog } from '../federation/hub-signed-catalog.js'
import { NEWS_CATALOG, NetworkNews } from '@shulin/protocol'
import type { Logger } from '../logger.js'
import type { NewsRecord, NewsService } from './service.js'

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
  readonly #feed: HubSignedCatalog<NetworkNews>

  constructor(private readonly opts: NetworkNewsOptions) {
    this.#feed = new HubSignedCatalog({
      name: NEWS_CATALOG,
      type: 'shulin/news',
      schema: NetworkNews,
      ownerOf: (n) => n.source.nodeId,
      what: 'news post',
      take: (post) => opts.news.upsertFromHub(post),
      ...opts,
    })
  }

  /** What peers may write to the `news` catalog (set before it opens). */
  catalogRule(name: string): CatalogRule | undefined {
    return this.#feed.catalogRule(name)
  }

  async start(): Promise<void> {
    if (this.opts.role === 'hub') {
      // Signed at start (what changed while stopped) and after each change.
      this.opts.news.onChange = () => this.#publishSoon()
      this.#publishSoon()
      return
    }
    await this.#feed.watch()
  }

  #publishSoon(): void {
    void this.publish().catch((err: unknown) => this.opts.logger?.warn({ err }, 'could not sign the news'))
  }

  stop(): void {
    this.#feed.stop()
    if (this.opts.news.onChange) this.opts.news.onChange = undefined
  }

  /** Hub: signs every own post published or withdrawn since the last look into the catalog. */
  async publish(): Promise<number> {
    const hub = this.opts.key.nodeId
    const own = (await this.opts.news.all()).filter((r) => r.source.nodeId === hub && r.status !== 'draft')
    return this.#feed.publish(
      own.map((rec) => ({ id: rec.id, updatedAt: rec.updatedAt, build: () => this.#payload(rec) })),
    )
  }

  /** Member: applies every shard (what a restart or an unknown hub id left unapplied). */
  applyAll(): Promise<number> {
    return this.#feed.applyAll()
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
}
