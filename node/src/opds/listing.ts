/**
 * @module opds/listing
 * What the catalogs list, a page at a time and never the whole collection in memory:
 * published records newest first (cursor paging), by type, a column's or topic's items in
 * their order (page numbers), and search results (from the search engine).
 */
import { maxSearchOffset, type Resource, type ResourceType } from '@shulin/protocol'
import type { SearchService } from '../search/service.js'
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

export class CatalogListing {
  constructor(
    private readonly resources: ResourceService,
    private readonly collections: CollectionService,
    private readonly searcher: SearchService,
  ) {}

  async newest(opts: { before?: string | undefined; type?: ResourceType | undefined; size: number }): Promise<Page> {
    const records: Resource[] = []
    let more = false
    for await (const r of this.resources.records.newestFirst(opts.before)) {
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
    for await (const r of this.resources.records.newestFirst()) {
      if (r.status === 'published') seen.add(r.type)
      if (++scanned > 20_000 || seen.size === 7) break
    }
    return [...seen]
  }

  async collection(
    id: string,
    page: number,
    size: number,
  ): Promise<Page & { title: string; description?: string | undefined }> {
    const col = await this.collections.getVisible(id)
    const records = (await this.resources.records.getMany(col.items)).filter(
      (r): r is Resource => !!r && r.status === 'published',
    )
    return {
      title: col.title,
      description: col.description,
      records: records.slice((page - 1) * size, page * size),
      page,
      numberOfItems: records.length,
    }
  }

  /** Search results by relevance (the search engine; OPDS title and author terms each must match). */
  async search(
    q: { query?: string | undefined; title?: string | undefined; author?: string | undefined },
    page: number,
    size: number,
  ): Promise<Page> {
    const offset = (page - 1) * size
    if (offset > maxSearchOffset) return { records: [], page, numberOfItems: 0 }
    const text = [q.query, q.title, q.author].filter(Boolean).join(' ')
    const found = await this.searcher.search(
      { q: text, limit: size, offset, sort: 'relevance', facets: false },
      { staff: false },
    )
    const records = (await this.resources.records.getMany(found.hits.map((h) => h.id))).filter(
      (r): r is Resource => !!r && r.status === 'published',
    )
    return { records, page, numberOfItems: found.total }
  }
}
