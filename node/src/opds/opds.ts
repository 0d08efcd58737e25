/**
 * @module opds/opds
 * OPDS catalogs for reading apps: 1.2 (Atom) under `/opds/v1.2/`, 2.0 (JSON) under
 * `/opds/v2/`, and the OPDS Authentication document at `/opds/auth.json`. Catalogs are
 * public (a library's catalogue is); content links of restricted records lead apps to sign
 * in with HTTP Basic (card number or phone, and password), described by the auth document.
 */
import type { Context, Hono } from 'hono'
import { z } from 'zod'
import { ResourceType } from '@shulin/protocol'
import type { AppEnv } from '../http/env.js'
import type { BaseUrl } from '../http/base-url.js'
import { ProblemError } from '../http/problem.js'
import { parseOrThrow } from '../http/validate.js'
import { localeOf } from '../http/problem.js'
import type { HttpAuth } from '../sessions/http-auth.js'
import type { ResourceService } from '../resources/service.js'
import type { CollectionService } from '../collections/service.js'
import { CatalogListing, type Page } from './listing.js'
import type { SearchService } from '../search/service.js'
import { acquisitionFeed, navigationFeed, openSearchDescription, type FeedHead, type NavEntry } from './feed-v1.js'
import { feedV2 } from './feed-v2.js'
import { atomType, authDocType, opds2Type, typeTitles } from './links.js'

export interface OpdsDeps {
  resources: ResourceService
  collections: CollectionService
  search: SearchService
  auth: HttpAuth
  libraryName: () => string
  nodeId: string
  baseUrl: BaseUrl
  now: () => number
  pageSize?: number | undefined
}

const Before = z.strictObject({
  before: z
    .string()
    .regex(/^[0-9A-HJKMNP-TV-Z]{26}$/)
    .optional(),
})
const Numbered = z.strictObject({ page: z.coerce.number().int().min(1).max(10_000).default(1) })
const SearchV1 = Numbered.extend({ q: z.string().trim().min(1).max(200) })
const SearchV2 = Numbered.extend({
  query: z.string().trim().max(200).optional(),
  title: z.string().trim().max(200).optional(),
  author: z.string().trim().max(200).optional(),
}).refine((q) => q.query || q.title || q.author, { message: 'query_required', path: ['query'] })

export function opdsRoutes(app: Hono<AppEnv>, deps: OpdsDeps): void {
  const size = deps.pageSize ?? 50
  const listing = new CatalogListing(deps.resources, deps.collections, deps.search)
  const query = <S extends z.ZodType>(c: Context, schema: S) => parseOrThrow(schema, c.req.query(), localeOf(c))
  const iso = () => new Date(deps.now()).toISOString()
  /** Who is asking (bad Basic credentials are a 401 the app understands). */
  const identify = async (c: Context<AppEnv>) => c.set('auth', await deps.auth.identify(c))
  const atom = (c: Context, xml: string, kind: 'navigation' | 'acquisition') =>
    c.body(xml, 200, { 'content-type': `${atomType[kind]}; charset=utf-8`, 'cache-control': 'private, max-age=60' })
  const json = (c: Context, body: object) =>
    c.body(JSON.stringify(body), 200, { 'content-type': opds2Type, 'cache-control': 'private, max-age=60' })
  const typeParam = (c: Context) => {
    const t = ResourceType.safeParse(c.req.param('type'))
    if (!t.success) throw new ProblemError('not_found')
    return t.data
  }
  /** Sections of the root: newest, types in use, columns, topics. */
  const sections = async (base: string, ext: 'xml' | 'json') => {
    const v = ext === 'xml' ? 'v1.2' : 'v2'
    const out: Array<{ id: string; title: string; href: string; summary?: string | undefined }> = [
      { id: 'new', title: '最新上架 New', href: `${base}/opds/${v}/new.${ext}` },
    ]
    for (const t of await listing.typesInUse())
      out.push({ id: `type:${t}`, title: typeTitles[t], href: `${base}/opds/${v}/types/${t}.${ext}` })
    for (const col of await deps.collections.listVisible()) {
      out.push({
        id: `${col.kind}:${col.id}`,
        title: `${col.kind === 'column' ? '栏目' : '专题'} · ${col.title}`,
        href: `${base}/opds/${v}/collections/${col.id}.${ext}`,
        summary: col.description,
      })
    }
    return out
  }
  const head = (c: Context, title: string, kind: FeedHead['kind'], extra: Partial<FeedHead> = {}): FeedHead => ({
    id: `urn:shulin:${deps.nodeId}:opds:${new URL(c.req.url).pathname}`,
    title,
    updated: iso(),
    base: deps.baseUrl(c),
    self: deps.baseUrl(c) + new URL(c.req.url).pathname + new URL(c.req.url).search,
    kind,
    libraryName: deps.libraryName(),
    ...extra,
  })
  const pagedLinks = (url: string, p: Page) => {
    const at = (n: number) => `${url}${url.includes('?') ? '&' : '?'}page=${n}`
    const pages = Math.max(1, Math.ceil((p.numberOfItems ?? 0) / size))
    return {
      first: at(1),
      ...(p.page! > 1 ? { previous: at(p.page! - 1) } : {}),
      ...(p.page! < pages ? { next: at(p.page! + 1) } : {}),
      last: at(pages),
    }
  }

  // OPDS 1.2
  app.get('/opds/v1.2/catalog.xml', async (c) => {
    await identify(c)
    const base = deps.baseUrl(c)
    const entries: NavEntry[] = (await sections(base, 'xml')).map((s) => ({
      id: `urn:shulin:${deps.nodeId}:opds:${s.id}`,
      title: s.title,
      href: s.href,
      kind: 'acquisition',
      summary: s.summary,
      updated: iso(),
    }))
    return atom(c, navigationFeed(head(c, deps.libraryName(), 'navigation'), entries), 'navigation')
  })
  const cursorFeedV1 = async (c: Context<AppEnv>, title: string, type?: ResourceType) => {
    await identify(c)
    const { before } = query(c, Before)
    const page = await listing.newest({ before, type, size })
    const self = deps.baseUrl(c) + new URL(c.req.url).pathname
    return atom(
      c,
      acquisitionFeed(
        head(c, title, 'acquisition', {
          first: self,
          next: page.nextBefore ? `${self}?before=${page.nextBefore}` : undefined,
        }),
        page.records,
        deps.nodeId,
      ),
      'acquisition',
    )
  }
  app.get('/opds/v1.2/new.xml', (c) => cursorFeedV1(c, '最新上架 New'))
  app.get('/opds/v1.2/types/:type{[a-z-]+\\.xml}', (c) => {
    const t = ResourceType.safeParse(c.req.param('type').replace(/\.xml$/, ''))
    if (!t.success) throw new ProblemError('not_found')
    return cursorFeedV1(c, typeTitles[t.data], t.data)
  })
  app.get('/opds/v1.2/collections/:id{[0-9A-Z]{26}\\.xml}', async (c) => {
    await identify(c)
    const { page } = query(c, Numbered)
    const url = deps.baseUrl(c) + new URL(c.req.url).pathname
    const p = await listing.collection(c.req.param('id').slice(0, 26), page, size)
    return atom(
      c,
      acquisitionFeed(
        head(c, p.title, 'acquisition', { ...pagedLinks(url, p), totalResults: p.numberOfItems, itemsPerPage: size }),
        p.records,
        deps.nodeId,
      ),
      'acquisition',
    )
  })
  app.get('/opds/v1.2/search.xml', async (c) => {
    await identify(c)
    const q = query(c, SearchV1)
    const p = await listing.search({ query: q.q }, q.page, size)
    const url = `${deps.baseUrl(c)}/opds/v1.2/search.xml?q=${encodeURIComponent(q.q)}`
    return atom(
      c,
      acquisitionFeed(
        head(c, `检索 Search: ${q.q}`, 'acquisition', {
          ...pagedLinks(url, p),
          totalResults: p.numberOfItems,
          itemsPerPage: size,
        }),
        p.records,
        deps.nodeId,
      ),
      'acquisition',
    )
  })
  app.get('/opds/v1.2/opensearch.xml', (c) =>
    c.body(openSearchDescription(deps.baseUrl(c), deps.libraryName()), 200, {
      'content-type': 'application/opensearchdescription+xml; charset=utf-8',
    }),
  )

  // OPDS 2.0
  app.get('/opds/v2/catalog.json', async (c) => {
    await identify(c)
    const base = deps.baseUrl(c)
    const all = await sections(base, 'json')
    const groups = []
    for (const col of (await deps.collections.listVisible()).slice(0, 10)) {
      const p = await listing.collection(col.id, 1, 10)
      if (p.records.length)
        groups.push({ title: col.title, href: `${base}/opds/v2/collections/${col.id}.json`, publications: p.records })
    }
    return json(
      c,
      feedV2({
        base,
        title: deps.libraryName(),
        self: `${base}/opds/v2/catalog.json`,
        navigation: all.map((s) => ({ href: s.href, title: s.title, type: opds2Type })),
        groups,
      }),
    )
  })
  const cursorFeedV2 = async (c: Context<AppEnv>, title: string, type?: ResourceType) => {
    await identify(c)
    const { before } = query(c, Before)
    const p = await listing.newest({ before, type, size })
    const base = deps.baseUrl(c)
    const self = base + new URL(c.req.url).pathname
    return json(
      c,
      feedV2({
        base,
        title,
        self: self + (before ? `?before=${before}` : ''),
        itemsPerPage: size,
        first: self,
        next: p.nextBefore ? `${self}?before=${p.nextBefore}` : undefined,
        publications: p.records,
      }),
    )
  }
  app.get('/opds/v2/new.json', (c) => cursorFeedV2(c, '最新上架 New'))
  app.get('/opds/v2/types/:type{[a-z-]+\\.json}', (c) => {
    const t = ResourceType.safeParse(c.req.param('type').replace(/\.json$/, ''))
    if (!t.success) throw new ProblemError('not_found')
    return cursorFeedV2(c, typeTitles[t.data], t.data)
  })
  const numberedV2 = (c: Context, url: string, title: string, p: Page) =>
    json(
      c,
      feedV2({
        base: deps.baseUrl(c),
        title,
        self: `${url}${url.includes('?') ? '&' : '?'}page=${p.page}`,
        itemsPerPage: size,
        currentPage: p.page,
        numberOfItems: p.numberOfItems,
        ...pagedLinks(url, p),
        publications: p.records,
      }),
    )
  app.get('/opds/v2/collections/:id{[0-9A-Z]{26}\\.json}', async (c) => {
    await identify(c)
    const { page } = query(c, Numbered)
    const p = await listing.collection(c.req.param('id').slice(0, 26), page, size)
    return numberedV2(c, deps.baseUrl(c) + new URL(c.req.url).pathname, p.title, p)
  })
  app.get('/opds/v2/search.json', async (c) => {
    await identify(c)
    const q = query(c, SearchV2)
    const p = await listing.search(q, q.page, size)
    const params = new URLSearchParams(
      Object.entries({ query: q.query, title: q.title, author: q.author }).filter((e): e is [string, string] => !!e[1]),
    )
    return numberedV2(c, `${deps.baseUrl(c)}/opds/v2/search.json?${params}`, `检索 Search`, p)
  })

  // OPDS Authentication 1.0: readable without signing in.
  app.get('/opds/auth.json', (c) => {
    const base = deps.baseUrl(c)
    const doc = {
      id: `${base}/opds/auth.json`,
      title: deps.libraryName(),
      description: '请使用本馆读者证号或注册手机号登录 / Sign in with your library card number or phone',
      links: [
        { rel: 'start', href: `${base}/opds/v2/catalog.json`, type: opds2Type },
        { rel: 'register', href: `${base}/`, type: 'text/html' },
        { rel: 'help', href: `${base}/`, type: 'text/html' },
      ],
      authentication: [
        { type: 'http://opds-spec.org/auth/basic', labels: { login: '读者证号 / 手机号', password: '密码' } },
      ],
    }
    return c.body(JSON.stringify(doc), 200, { 'content-type': authDocType, 'cache-control': 'public, max-age=3600' })
  })
}
