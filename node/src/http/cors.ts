/**
 * @module http/cors
 * Which answers another site's page may read: the read-only public routes the embeds use
 * (`<shulin-course>`, `<shulin-player>`, `<shulin-search>`, `@shulin/client` on a library's own
 * site) answer `Access-Control-Allow-Origin: *` — never with credentials, so a page elsewhere
 * reads what an anonymous visitor may read and nothing more. Two POSTs are open the same way:
 * a player's watched-time report (a count, no reader data) and a SPARQL query (read-only). Staff and reader-private routes
 * (`/api/staff/…`, `/api/me/…`, sign-in) are not listed, so they answer no CORS headers and
 * the browser keeps their answers from other sites.
 */
import type { MiddlewareHandler } from 'hono'
import { cors } from 'hono/cors'

/** Paths whose GET (and HEAD) any site may read. */
const publicReads: RegExp[] = [
  // Linked data: the /ld documents, the dumps and the VoID description (public, read-only).
  /^\/ld\/[a-z]+\/[^/]+$/,
  /^\/ld\/dump\.(nt|ttl)\.gz$/,
  /^\/\.well-known\/void$/,
  /^\/api\/courses$/,
  /^\/api\/courses\/[^/]+$/,
  /^\/api\/lectures\/[^/]+$/,
  /^\/api\/lectures\/[^/]+\/(hls\/[^/]+|poster|original|transcript|subtitles\/[^/]+)$/,
  /^\/api\/resources\/[^/]+\/files\/cover$/,
  /^\/api\/search$/,
  /^\/api\/search\/suggest$/,
  /^\/embed\.js$/,
  /^\/embed-chunks\/[^/]+$/,
  // The read-only SPARQL endpoint (linked-data clients in a browser).
  /^\/sparql$/,
]

/** Paths any site may POST to (without credentials). */
const publicWrites: RegExp[] = [/^\/api\/lectures\/[^/]+\/watched$/, /^\/sparql$/]

const matches = (list: RegExp[], path: string) => list.some((re) => re.test(path))

/** A write another site's page may send (the origin check lets it through; it carries no authority). */
export function isPublicWrite(path: string): boolean {
  return matches(publicWrites, path)
}

const readCors = cors({
  origin: '*',
  allowMethods: ['GET', 'HEAD'],
  allowHeaders: ['range'],
  // hls.js and the browser's range reads need these.
  exposeHeaders: ['content-length', 'content-range', 'accept-ranges', 'etag'],
  maxAge: 86_400,
  credentials: false,
})
const writeCors = cors({
  origin: '*',
  allowMethods: ['POST'],
  allowHeaders: ['content-type'],
  maxAge: 86_400,
  credentials: false,
})

/** Answers CORS (and preflights) for the public routes above; every other route is left alone. */
export function publicCors(): MiddlewareHandler {
  return async (c, next) => {
    const path = c.req.path
    const method = c.req.method
    const asked = method === 'OPTIONS' ? (c.req.header('access-control-request-method') ?? '').toUpperCase() : method
    if ((asked === 'GET' || asked === 'HEAD') && matches(publicReads, path)) return readCors(c, next)
    if (asked === 'POST' && matches(publicWrites, path)) return writeCors(c, next)
    return next()
  }
}
