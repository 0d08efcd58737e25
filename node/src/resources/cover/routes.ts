/**
 * @module resources/cover/routes
 * `GET /api/resources/:id/cover`: a record's cover, whatever it has — the one staff uploaded
 * (a redirect to its file, `?size=small` to the thumbnail made from it) or, when there is
 * none, a generated SVG cover. The portal points every `<img>` of a record here, so it never
 * has to know which records have covers.
 *
 * The generated cover is cached by an ETag over exactly what it draws (title, creators, class,
 * type, language and the design's version), so a renamed book gets its new cover on the next
 * revalidation and an unchanged one costs a 304.
 */
import { z } from 'zod'
import type { Api } from '../../http/api.js'
import { ProblemError } from '../../http/problem.js'
import { canSeeRecord } from '../access.js'
import type { ResourceService } from '../service.js'
import { coverEtag, generatedCoverSvg } from './generated.js'

const CoverQuery = z.object({
  /** `small`: the thumbnail (about 320 px wide) where the record has one — for lists and shelves. */
  size: z.enum(['small', 'full']).default('full'),
})

/** Where a record's cover is: the portal and other modules build the URL here only. */
export const coverPath = (id: string, size?: 'small') =>
  `/api/resources/${encodeURIComponent(id)}/cover${size ? `?size=${size}` : ''}`

export function coverRoutes(api: Api, deps: { resources: ResourceService }): void {
  api.route(
    {
      method: 'get',
      path: '/api/resources/:id/cover',
      summary: 'A record’s cover: the uploaded one (redirect) or a generated SVG cover',
      tags: ['files'],
      access: 'public',
      query: CoverQuery,
    },
    async (c, { query }) => {
      const id = c.req.param('id') ?? ''
      const record = await deps.resources.records.get(id)
      if (!record || !canSeeRecord(record, c.get('auth'))) throw new ProblemError('not_found')
      const has = (role: string) => record.files.some((f) => f.role === role)
      const file = query.size === 'small' && has('thumbnail') ? 'thumbnail' : has('cover') ? 'cover' : undefined
      // A draft's cover may change with the next edit and is staff's only: kept out of shared caches.
      const cache = record.status === 'published' ? 'public, max-age=300' : 'private, no-cache'
      if (file) {
        return new Response(null, {
          status: 302,
          headers: { location: `/api/resources/${encodeURIComponent(id)}/files/${file}`, 'cache-control': cache },
        })
      }
      const etag = coverEtag(record)
      const headers: Record<string, string> = {
        etag,
        'cache-control': cache,
        'x-content-type-options': 'nosniff',
        // Opened on its own, an SVG is a document: no script, no fetch, whatever it holds.
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
      }
      if (record.status !== 'published') headers.vary = 'Cookie, Authorization'
      const inm = c.req.header('if-none-match')
      if (inm && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag))
        return new Response(null, { status: 304, headers })
      return new Response(generatedCoverSvg(record), {
        status: 200,
        headers: { ...headers, 'content-type': 'image/svg+xml; charset=utf-8' },
      })
    },
  )
}
