/**
 * @module news/service
 * News posts in the sublevel `news` (post id → {@link NewsRecord}). A node holds its own posts
 * and, on a member, the hub's (source `hub: true`, taken from the signed catalog). Posts are few
 * (tens to hundreds a year), so listing reads them all and sorts: pinned first, then newest.
 * Every HTML that goes in is sanitised first ({@link sanitizeNewsHtml}).
 */
import { ulid } from 'ulid'
import type { NetworkNews, NewsInput, NewsItem, NewsList, NewsQuery, NewsSource } from '@shulin/protocol'
import { ProblemError } from '../http/problem.js'
import { getOrUndefined, putOp, type Storage, type Sublevel } from '../storage/db.js'
import { firstImage, ownImages, plainSummary, sanitizeNewsHtml } from './sanitize.js'

export interface NewsRecord {
  id: string
  title: string
  /** Sanitised. */
  html: string
  pinned: boolean
  from: string | null
  to: string | null
  status: 'draft' | 'published' | 'withdrawn'
  source: NewsSource
  createdAt: string
  updatedAt: string
  publishedAt: string | null
}

export interface NewsServiceOptions {
  storage: Storage
  nodeId: string
  /** This library's name, as its posts show it. */
  library: () => string
  now?: () => number
}

export class NewsService {
  readonly posts: Sublevel<NewsRecord>
  readonly #now: () => number
  /** Told after a post of this node is created or changed (the hub signs it for members). */
  onChange: (() => void) | undefined

  constructor(private readonly opts: NewsServiceOptions) {
    this.posts = opts.storage.sublevel('news')
    this.#now = opts.now ?? Date.now
  }

  #iso = () => new Date(this.#now()).toISOString()

  async create(input: NewsInput): Promise<NewsRecord> {
    const at = this.#iso()
    const rec: NewsRecord = {
      id: ulid(this.#now()),
      title: input.title,
      html: sanitizeNewsHtml(input.html),
      pinned: input.pinned,
      from: input.from,
      to: input.to,
      status: input.status,
      source: { nodeId: this.opts.nodeId, name: this.opts.library(), hub: false },
      createdAt: at,
      updatedAt: at,
      publishedAt: input.status === 'published' ? at : null,
    }
    await this.opts.storage.commit([putOp(this.posts, rec.id, rec)], { sync: true })
    this.onChange?.()
    return rec
  }

  /** Replaces an own post's content; another library's post is not this node's to edit. */
  async update(id: string, input: NewsInput): Promise<NewsRecord> {
    const prev = await this.get(id)
    if (prev.source.nodeId !== this.opts.nodeId)
      throw new ProblemError('forbidden', { detail: 'This post is the hub’s; it is edited there.' })
    const at = this.#iso()
    const rec: NewsRecord = {
      ...prev,
      title: input.title,
      html: sanitizeNewsHtml(input.html),
      pinned: input.pinned,
      from: input.from,
      to: input.to,
      status: input.status,
      source: { ...prev.source, name: this.opts.library() },
      // Strictly later than the version the network holds, even within one millisecond.
      updatedAt: at > prev.updatedAt ? at : new Date(Date.parse(prev.updatedAt) + 1).toISOString(),
      publishedAt: prev.publishedAt ?? (input.status === 'published' ? at : null),
    }
    await this.opts.storage.commit([putOp(this.posts, rec.id, rec)], { sync: true })
    this.onChange?.()
    return rec
  }

  async get(id: string): Promise<NewsRecord> {
    const rec = await getOrUndefined(this.posts, id)
    if (!rec) throw new ProblemError('not_found')
    return rec
  }

  async all(): Promise<NewsRecord[]> {
    return this.posts.values().all()
  }

  /** Whether readers see the post now. */
  visible(rec: NewsRecord, now = this.#now()): boolean {
    if (rec.status !== 'published') return false
    if (rec.from && Date.parse(rec.from) > now) return false
    if (rec.to && Date.parse(rec.to) <= now) return false
    return true
  }

  /** Readers' list: visible posts, pinned first, then by when they show (newest first). */
  async list(query: NewsQuery, opts: { staff?: boolean } = {}): Promise<NewsList> {
    const now = this.#now()
    const shown = (await this.all())
      .filter((r) => (opts.staff ? true : this.visible(r, now)))
      .sort(
        (a, b) =>
          Number(b.pinned) - Number(a.pinned) || shownAt(b).localeCompare(shownAt(a)) || b.id.localeCompare(a.id),
      )
    const start = query.cursor ? Number(query.cursor) : 0
    const page = shown.slice(start, start + query.limit)
    const next = start + query.limit < shown.length ? String(start + query.limit) : undefined
    return { items: page.map(view), ...(next ? { next } : {}) }
  }

  /** One post for readers: hidden (404) unless visible; staff see any. */
  async read(id: string, opts: { staff?: boolean } = {}): Promise<NewsItem> {
    const rec = await getOrUndefined(this.posts, id)
    if (!rec || (!opts.staff && !this.visible(rec))) throw new ProblemError('not_found')
    return view(rec)
  }

  /** Member: takes in the hub's signed post (sanitised again), unless an older version. */
  async upsertFromHub(n: NetworkNews): Promise<boolean> {
    const prev = await getOrUndefined(this.posts, n.id)
    if (prev && prev.source.nodeId !== n.source.nodeId) return false
    if (prev && prev.updatedAt >= n.updatedAt) return false
    const rec: NewsRecord = {
      id: n.id,
      title: n.title,
      html: sanitizeNewsHtml(n.html),
      pinned: n.pinned,
      from: n.from,
      to: n.to,
      status: n.status,
      source: { nodeId: n.source.nodeId, name: n.source.name, hub: true },
      createdAt: n.createdAt,
      updatedAt: n.updatedAt,
      publishedAt: n.publishedAt,
    }
    await this.opts.storage.commit([putOp(this.posts, rec.id, rec)], { sync: true })
    return true
  }

  /** The own images every post uses (kept by the blob collector). */
  async referencedBlobs(): Promise<string[]> {
    return (await this.all()).flatMap((r) => ownImages(r.html))
  }
}

const shownAt = (r: NewsRecord) => r.from ?? r.publishedAt ?? r.createdAt

export function view(rec: NewsRecord): NewsItem {
  return {
    id: rec.id,
    title: rec.title,
    html: rec.html,
    summary: plainSummary(rec.html),
    image: firstImage(rec.html),
    pinned: rec.pinned,
    from: rec.from,
    to: rec.to,
    status: rec.status,
    source: rec.source,
    createdAt: rec.createdAt,
    updatedAt: rec.updatedAt,
    publishedAt: rec.publishedAt,
  }
}
