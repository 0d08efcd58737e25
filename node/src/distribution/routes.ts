/**
 * @module distribution/routes
 * The HTTP fallback of content transfer, for other nodes holding a content ticket:
 * `GET /api/federation/content/:sha256` (by byte ranges) and `…/manifest`.
 */
import type { Context } from 'hono'
import type { Api } from '../http/api.js'
import type { AppEnv } from '../http/env.js'
import { serveBlob } from '../blobs/serve.js'
import type { BlobStore } from '../blobs/store.js'
import type { ContentServer } from './serve.js'

export function contentRoutes(api: Api, deps: { server: ContentServer; blobs: BlobStore }): void {
  const tags = ['channels']
  const answer = async (c: Context<AppEnv>, what: 'bytes' | 'manifest') => {
    const found = await deps.server.forTicket(c.req.param('sha256'), c.req.header('authorization'), what)
    if (found.what === 'manifest') return c.json(found.manifest, 200, { 'cache-control': 'private, no-store' })
    return serveBlob(c, deps.blobs, {
      sha256: found.sha256,
      mediaType: 'application/octet-stream',
      size: found.size,
      audience: 'private',
    })
  }
  // Access is the content ticket's, checked by the server: the caller is a node, not a reader.
  api.route(
    {
      method: 'get',
      path: '/api/federation/content/:sha256',
      summary:
        'A shared channel file by byte ranges, to the hub and active members with a content ticket (HTTP fallback)',
      tags,
      access: 'public',
    },
    (c) => answer(c, 'bytes'),
  )
  api.route(
    {
      method: 'get',
      path: '/api/federation/content/:sha256/manifest',
      summary: 'The manifest of a shared channel file, to the hub and active members with a content ticket',
      tags,
      access: 'public',
    },
    (c) => answer(c, 'manifest'),
  )
}
