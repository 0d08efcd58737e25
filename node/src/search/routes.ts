/**
 * @module search/routes
 * `GET /api/search` (published records, for everyone), `GET /api/staff/search` (with drafts
 * and withdrawn records, and a status filter), `GET /api/search/suggest` for the search box,
 * the zero-result queries for staff, and a rebuild for admins and the local CLI.
 */
import { z } from 'zod'
import {
  NetworkSearchRequest,
  NetworkSearchResponse,
  ReindexResult,
  SearchRequest,
  SearchResponse,
  StaffSearchRequest,
  SuggestRequest,
  SuggestResponse,
  ZeroResultList,
} from '@shulin/protocol'
import type { NetworkSearch } from './network.js'
import type { Api } from '../http/api.js'
import type { BaseUrl } from '../http/base-url.js'
import type { SearchService } from './service.js'
import type { CollectionService } from '../collections/service.js'
import { noteSearchHits } from '../stats/capture.js'

export function searchRoutes(
  api: Api,
  deps: {
    search: SearchService
    baseUrl: BaseUrl
    network?: NetworkSearch
    collections: Pick<CollectionService, 'get' | 'getVisible'>
  },
): void {
  const { search } = deps
  // `collection=ID` narrows to its items: readers only to a column or topic they may see now
  // (an unknown or hidden one is a 404, not the whole catalogue), staff to any.
  const within = async (id: string | undefined, staff: boolean) =>
    id === undefined
      ? undefined
      : (staff ? await deps.collections.get(id) : await deps.collections.getVisible(id)).items
  const tags = ['search']
  api.route(
    {
      method: 'get',
      path: '/api/search',
      summary:
        'Search published records: substrings, Traditional/Simplified, pinyin; filters (comma-separated lists), facets, highlights',
      tags,
      access: 'public',
      query: SearchRequest,
      response: SearchResponse,
    },
    async (c, { query }) => {
      const ids = await within(query.collection, false)
      const found = await search.search(query, {
        staff: false,
        ...(ids && { ids }),
        thumbnailUrl: (id) => `${deps.baseUrl(c)}/api/resources/${id}/files/thumbnail`,
      })
      noteSearchHits(c, found.total)
      return found
    },
  )
  const network = deps.network
  if (network) {
    api.route(
      {
        method: 'get',
        path: '/api/search/network',
        summary: 'Search the whole network (the hub’s union catalogue); each hit says whether this library holds it',
        tags,
        access: 'public',
        query: NetworkSearchRequest,
        response: NetworkSearchResponse,
      },
      (_c, { query }) => network.search(query),
    )
  }
  api.route(
    {
      method: 'get',
      path: '/api/staff/search',
      summary: 'Search every record, drafts and withdrawn ones too (filter by status)',
      tags,
      access: 'staff',
      query: StaffSearchRequest,
      response: SearchResponse,
    },
    async (c, { query }) => {
      const ids = await within(query.collection, true)
      return search.search(query, {
        staff: true,
        ...(ids && { ids }),
        thumbnailUrl: (id) => `${deps.baseUrl(c)}/api/resources/${id}/files/thumbnail`,
      })
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/search/suggest',
      summary: 'Titles and names for the search box (characters or pinyin)',
      tags,
      access: 'public',
      query: SuggestRequest,
      response: SuggestResponse,
    },
    async (_c, { query }) => ({ suggestions: await search.suggest(query.q, query.limit) }),
  )
  api.route(
    {
      method: 'get',
      path: '/api/staff/search/misses',
      summary: 'Queries that found nothing, most frequent first (no reader data)',
      tags,
      access: 'staff',
      query: z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
      response: ZeroResultList,
    },
    async (_c, { query }) => ({ queries: await search.misses.top(query.limit) }),
  )
  for (const [path, access] of [
    ['/api/staff/search/reindex', 'admin'],
    ['/api/control/search/reindex', 'control'],
  ] as const) {
    api.route(
      {
        method: 'post',
        path,
        summary: 'Rebuild the search index from the records',
        tags,
        access,
        response: ReindexResult,
      },
      async () => search.reindex(),
    )
  }
}
