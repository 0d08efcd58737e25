/**
 * @module embed/routes
 * The page interface for a library's own site: `GET /embed.js` (the `<shulin-course>`,
 * `<shulin-player>`, `<shulin-search>` components, built from web-ui/src/embed) and its chunks
 * under `/embed-chunks/`, readable by any site (CORS `*`, see http/cors); and iframe pages
 * `GET /embed/lectures/:id`, `GET /embed/courses/:id` — the same components on a bare page —
 * whose CSP `frame-ancestors` is the node's `--embed-ancestors` (`*` by default) for public
 * content and `'self'` for anything else.
 *
 * `embed.js` keeps one address whatever is inside, so it is cached for a day and revalidated
 * by ETag; the chunks are named by their hash and cached for good.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Hono } from 'hono'
import type { Resource } from '@shulin/protocol'
import type { AppEnv } from '../http/env.js'
import { defaultWebUiDir } from '../http/web-ui.js'
import { canSeeLecture } from '../courses/access.js'

export interface EmbedDeps {
  records: { get(id: string): Promise<Resource | undefined> }
  /** CSP frame-ancestors sources for public content (`*`, `'self'`, origins). */
  ancestors: string
  /** Where the web UI was built (its `embed/` folder holds embed.js); web-ui/dist by default. */
  dir?: string
}

const chunkName = /^[A-Za-z0-9_.-]+\.js(\.map)?$/

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

/** The embed page's policy: its own scripts and the node's media only; framed where allowed. */
const pageCsp = (ancestors: string) =>
  [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    `frame-ancestors ${ancestors}`,
  ].join('; ')

const page = (title: string, lang: string, body: string) => `<!doctype html>
<html lang="${escapeHtml(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>html,body{margin:0;background:#fbf8f1}</style>
<script type="module" src="/embed.js"></script>
</head>
<body>${body}</body>
</html>
`

export function embedRoutes(app: Hono<AppEnv>, deps: EmbedDeps): void {
  const dir = join(deps.dir ?? defaultWebUiDir, 'embed')
  let script: { body: Buffer; etag: string } | undefined

  app.get('/embed.js', async (c) => {
    if (!script) {
      const body = await readFile(join(dir, 'embed.js')).catch(() => undefined)
      if (!body) return c.text('embed.js is not built: run `npm run build -w @shulin/web-ui`', 404)
      script = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` }
    }
    c.header('etag', script.etag)
    c.header('cache-control', 'public, max-age=86400, stale-while-revalidate=604800')
    if (c.req.header('if-none-match') === script.etag) return c.body(null, 304)
    return c.body(new Uint8Array(script.body), 200, { 'content-type': 'text/javascript; charset=utf-8' })
  })

  app.get('/embed-chunks/:name', async (c) => {
    const name = c.req.param('name')
    if (!chunkName.test(name)) return c.notFound()
    const body = await readFile(join(dir, 'embed-chunks', name)).catch(() => undefined)
    if (!body) return c.notFound()
    return c.body(new Uint8Array(body), 200, {
      'content-type': name.endsWith('.map') ? 'application/json' : 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=31536000, immutable',
    })
  })

  const lang = (c: { req: { query(k: string): string | undefined } }) =>
    /^en/i.test(c.req.query('lang') ?? '') ? 'en' : 'zh-CN'

  app.get('/embed/lectures/:id', async (c) => {
    const lecture = await deps.records.get(c.req.param('id'))
    const course = lecture?.parentId ? await deps.records.get(lecture.parentId) : undefined
    if (!lecture || lecture.type !== 'lecture' || !canSeeLecture(lecture, course, null)) return c.notFound()
    const t = Number(c.req.query('t'))
    const start = Number.isFinite(t) && t > 0 ? ` start="${Math.floor(t)}"` : ''
    c.header('content-security-policy', pageCsp(lecture.access === 'public' ? deps.ancestors : "'self'"))
    c.header('cache-control', 'no-cache')
    return c.html(
      page(
        lecture.metadata.title,
        lang(c),
        `<shulin-player lecture="${escapeHtml(lecture.id)}"${start} lang="${lang(c)}"></shulin-player>`,
      ),
    )
  })

  app.get('/embed/courses/:id', async (c) => {
    const course = await deps.records.get(c.req.param('id'))
    if (!course || course.type !== 'course' || course.status !== 'published') return c.notFound()
    c.header('content-security-policy', pageCsp(course.access === 'public' ? deps.ancestors : "'self'"))
    c.header('cache-control', 'no-cache')
    return c.html(
      page(
        course.metadata.title,
        lang(c),
        `<shulin-course course="${escapeHtml(course.id)}" lang="${lang(c)}"></shulin-course>`,
      ),
    )
  })
}
