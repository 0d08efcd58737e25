/**
 * @module news/routes
 * News over HTTP: `GET /api/news` (contract: `{"items":[…]}` — published, inside the window,
 * pinned first, paged by `next`), `GET /api/news/:id`, the posts' images
 * (`GET /api/news/images/:sha256`, only blobs uploaded as news images: the blob store also holds
 * readers' private files), staff's list/create/replace and the image upload (raw image body,
 * checked by its bytes), and the Atom feed `/news.atom`.
 */
import { withCheckedUpload } from '../blobs/checked-upload.js'
import type { Context, Hono } from 'hono'
import { getOrUndefined, putOp, type Storage, type Sublevel } from '../storage/db.js'
import { NewsCreated, NewsImage, NewsInput, NewsItem, NewsList, NewsQuery } from '@shulin/protocol'
import type { Api } from '../http/api.js'
import type { AppEnv } from '../http/env.js'
import type { BaseUrl } from '../http/base-url.js'
import { ProblemError } from '../http/problem.js'
import { rawUpload } from '../http/raw-body.js'
import { serveBlob } from '../blobs/serve.js'
import type { BlobStore } from '../blobs/store.js'
import { acceptedTypes } from '../resources/files/media-types.js'
import { atomFeed } from './atom.js'
import { newsImagePath } from './sanitize.js'
import type { NewsService } from './service.js'

/** The image upload is streamed (server.ts lifts the JSON body limit for it). */
export const newsImageUploadPath = /^\/api\/staff\/news\/images$/
export const maxNewsImageBytes = 8 * 1024 * 1024

export interface NewsRouteDeps {
  news: NewsService
  blobs: BlobStore
  storage: Storage
  baseUrl: BaseUrl
  libraryName: () => string
}

/** The blobs uploaded as news images: sha256 → media type. */
export const newsImages = (storage: Storage): Sublevel<string> => storage.sublevel('news-images')

export function newsRoutes(app: Hono<AppEnv>, api: Api, deps: NewsRouteDeps, images: Sublevel<string>): void {
  const { news } = deps
  const tags = ['news']
  const id = (c: Context) => c.req.param('id') ?? ''

  api.route(
    {
      method: 'get',
      path: '/api/news',
      summary: 'News readers see now: pinned first, newest first, paged',
      tags,
      access: 'public',
      query: NewsQuery,
      response: NewsList,
    },
    async (_c, { query }) => news.list(query),
  )
  api.route(
    {
      method: 'get',
      path: '/api/news/images/:sha256',
      summary: 'An image of a news post',
      tags,
      access: 'public',
    },
    async (c) => {
      const sha = c.req.param('sha256') ?? ''
      const mediaType = /^[0-9a-f]{64}$/.test(sha) ? await getOrUndefined(images, sha) : undefined
      const info = mediaType ? await deps.blobs.info(sha) : undefined
      if (!mediaType || !info) throw new ProblemError('not_found')
      return serveBlob(c, deps.blobs, { sha256: sha, mediaType, size: info.size, audience: 'public' })
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/news/:id',
      summary: 'A news post readers see now',
      tags,
      access: 'public',
      response: NewsItem,
    },
    async (c) => news.read(id(c)),
  )

  api.route(
    {
      method: 'get',
      path: '/api/staff/news',
      summary: 'Every post on this node, drafts and withdrawn ones too',
      tags,
      access: 'staff',
      query: NewsQuery,
      response: NewsList,
    },
    async (_c, { query }) => news.list(query, { staff: true }),
  )
  api.route(
    {
      method: 'get',
      path: '/api/staff/news/:id',
      summary: 'A post as staff edit it',
      tags,
      access: 'staff',
      response: NewsItem,
    },
    async (c) => news.read(id(c), { staff: true }),
  )
  api.route(
    {
      method: 'post',
      path: '/api/staff/news',
      summary: 'Write a post (its HTML is sanitised as it is stored)',
      tags,
      access: 'staff',
      body: NewsInput,
      response: NewsCreated,
      status: 201,
    },
    async (_c, { body }) => ({ id: (await news.create(body)).id }),
  )
  api.route(
    {
      method: 'put',
      path: '/api/staff/news/:id',
      summary: 'Replace a post (publish, pin, withdraw, edit)',
      tags,
      access: 'staff',
      body: NewsInput,
      response: NewsItem,
    },
    async (c, { body }) => news.read((await news.update(id(c), body)).id, { staff: true }),
  )
  api.route(
    {
      method: 'post',
      path: '/api/staff/news/images',
      summary: 'Upload an image for a post (raw JPEG, PNG or WebP body); answers its URL',
      tags,
      access: 'staff',
      response: NewsImage,
      status: 201,
      rawBody: { contentType: 'image/jpeg', description: 'The image.' },
    },
    async (c) => {
      const upload = rawUpload(c, maxNewsImageBytes)
      // By its bytes, not its claimed type: an "image" that is HTML or SVG is refused.
      const opts = { maxBytes: maxNewsImageBytes, accepted: acceptedTypes.cover }
      return withCheckedUpload(deps.blobs, upload, opts, async (staged, type) => {
        const info = await staged.commit(type)
        await deps.storage.commit([putOp(images, info.sha256, type)], { sync: true })
        return c.json({ sha256: info.sha256, url: newsImagePath(info.sha256) }, 201)
      })
    },
  )

  app.get('/news.atom', async (c) => {
    const base = deps.baseUrl(c)
    const { items } = await news.list({ limit: 50 })
    const xml = atomFeed({ base, name: deps.libraryName(), items })
    return c.body(xml, 200, {
      'content-type': 'application/atom+xml; charset=utf-8',
      'cache-control': 'public, max-age=300',
    })
  })
}
