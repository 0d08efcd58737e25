/**
 * @module opds/listing
 * What the catalogs list, a page at a time and never the whole collection in memory:
 * published records newest first (cursor paging), by type, a column's or topic's items in
 * their order (page numbers), and search results.
 */
import type { Resource, ResourceType } from '@shulin/protocol'
import type { ResourceService } from '../resources/service.js'
import type { CollectionService } from '../collections/service.js'

export interface Page {
  records: Resource[]
  /** Cursor-paged lists: the `before` of the next page. */
  nextBefore?: string | undefined
  /** Numbered lists. */
  page?: number
  numberOfItems?: number
}

/** At most this many records are examined for one search (the search engine replaces this). */
const maxScan = 200_000

/**
 * Case-insensitive substring match on title, creators and subjects. A stand-in for the
 * search engine (issue 4), kept in one small function so it can be swapped.
 */
export function matchRecord(r: Resource, q: { query?: string | undefined; title?: string | undefined; author?: string | undefined }): boolean {
  const has = (hay: string, needle: string) => hay.toLowerCase().includes(needle.toLowerCase())
  if (q.title && !has(r.metadata.title, q.title)) return false
  if (q.author && !r.metadata.creators.some((c) => has(c, q.author!))) return false
  if (q.query) {
    const m = r.metadata
    if (!(has(m.title, q.query) || m.creators.some((c) => has(c, q.query!)) || m.subjects.some((s) => has(s, q.query!)) || m.identifiers.some((i) => has(i, q.query!)))) return false
  }
  return true
}

export class CatalogListing {
  constructor(
    private readonly resources: ResourceService,
    private readonly collections: CollectionService,
  ) {}

  async newest(opts: { before?: string | undefined; type?: ResourceType | undefined; size: number }): Promise<Page> {
    const records: Resource[] = []
    let more = false
    for await (const r of this.resources.store.newestFirst(opts.before)) {
      if (r.status !== 'published' || (opts.type && r.type !== opts.type)) continue
      if (records.length === opts.size) {
        more = true
        break
      }
      records.push(r)
    }
    return { records, nextBefore: more ? records[records.length - 1]!.id : undefined }
  }

  /** Types that have at least one published record. */
  async typesInUse(): Promise<ResourceType[]> {
    const seen = new Set<ResourceType>()
    let scanned = 0
    for await (const r of this.resources.store.newestFirst()) {
      if (r.status === 'published') seen.add(r.type)
      if (++scanned > 20_000 || seen.size === 7) break
    }
    return [...seen]
  }

  async collection(id: string, page: number, size: number): Promise<Page & { title: string; description?: string | undefined }> {
    const col = await this.collections.getVisible(id)
    const records = (await this.resources.store.getMany(col.items)).filter((r): r is Resource => !!r && r.status === 'published')
    return { title: col.title, description: col.description, records: records.slice((page - 1) * size, page * size), page, numberOfItems: records.length }
  }

  async search(q: { query?: string | undefined; title?: string | undefined; author?: string | undefined }, page: number, size: number): Promise<Page> {
    const hits: Resource[] = []
    let scanned = 0
    for await (const r of this.resources.store.newestFirst()) {
      if (++scanned > maxScan) break
      if (r.status === 'published' && matchRecord(r, q)) hits.push(r)
      if (hits.length >= 10_000) break
    }
    return { records: hits.slice((page - 1) * size, page * size), page, numberOfItems: hits.length }
  }
}
