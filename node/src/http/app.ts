/**
 * @module http/app
 * Builds the node's Hono app: shared middleware, every module's routes, and the one place
 * where errors become RFC 9457 problems.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { secureHeaders } from 'hono/secure-headers'
import { HTTPException } from 'hono/http-exception'
import { fieldMessage, Health } from '@shulin/protocol'
import type { Logger } from 'pino'
import { isPublicWrite, publicCors } from './cors.js'
import { Api } from './api.js'
import type { AppEnv } from './env.js'
import { ProblemError, problemResponse } from './problem.js'
import type { HttpAuth } from '../sessions/http-auth.js'
import type { ProxyTrust } from './proxy.js'
import { isDiskFull } from '../storage/db.js'

export interface AppOptions {
  logger: Logger
  auth: HttpAuth
  health: () => Health
  /** The socket peer's address (the runtime adapter's). */
  clientAddress: (c: Context) => string
  /** Which proxies' X-Forwarded-* headers are believed. */
  proxy: ProxyTrust
  maxBodyBytes: number
  /**
   * Other limits: [exact path, path prefix or pattern, bytes], or `'streamed'` for routes that
   * read their body as a stream with `rawUpload`, which checks and counts it against their
   * own limit. Hono's limit would buffer a chunked body whole (an upload held in memory), and
   * read it before the route could tell a client who went away from a real failure.
   */
  bodyLimits: Array<readonly [string | RegExp, number | 'streamed']>
  isShuttingDown: () => boolean
  /** Registers each module's routes. */
  mount: (app: Hono<AppEnv>, api: Api) => void
  version: string
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * True when the request target (path and query) holds a `%` that does not start valid
 * UTF-8 percent-encoding (`/%ff`, `?q=100%`). Hono leaves such sequences undecoded rather
 * than failing, so a route would otherwise see `%ff` as text, and code that decodes a part
 * itself would throw: refusing the URL once, here, keeps every later decode safe.
 */
export function malformedPercentEncoding(url: string): boolean {
  const start = url.indexOf('/', url.indexOf('://') + 3)
  if (start === -1 || url.indexOf('%', start) === -1) return false
  const hash = url.indexOf('#', start)
  try {
    decodeURIComponent(hash === -1 ? url.slice(start) : url.slice(start, hash))
    return false
  } catch {
    return true
  }
}

/**
 * Whether the reader reached the node over TLS, for the `Secure` and `__Host-` cookies. An
 * `https` public URL answers yes, always: a proxy that forgets (or a client that forges)
 * `X-Forwarded-Proto` must not turn the session cookie into one sent in clear.
 */
export function tlsResolver(opts: {
  /** Read on each request: the staff console may change it while the node runs. */
  publicUrl?: string | undefined | (() => string | undefined)
  viaProxy: (c: Context) => boolean
}): (c: Context) => boolean {
  const publicUrl = () => (typeof opts.publicUrl === 'function' ? opts.publicUrl() : opts.publicUrl)
  return (c) => {
    const configured = publicUrl()
    if (configured && new URL(configured).protocol === 'https:') return true
    if (opts.viaProxy(c)) {
      const proto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim()
      if (proto) return proto === 'https'
    }
    return new URL(c.req.url).protocol === 'https:'
  }
}

/**
 * A write from another site's page is refused outright (browsers send Origin on cross-origin
 * POSTs); cookie-authenticated writes also need the session's CSRF token (sessions/http-auth).
 */
function checkOrigin(c: Context, viaProxy: boolean): void {
  if (c.req.header('sec-fetch-site') === 'cross-site') throw new ProblemError('csrf_failed')
  const origin = c.req.header('origin')
  if (!origin || origin === 'null') return
  const host = (viaProxy && c.req.header('x-forwarded-host')) || c.req.header('host')
  let originHost: string | undefined
  try {
    originHost = new URL(origin).host
  } catch {
    originHost = undefined
  }
  if (!host || originHost !== host) throw new ProblemError('csrf_failed')
}

export function createApp(opts: AppOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const log = opts.logger

  // Probes call health every few seconds: it is answered ahead of the middleware chain
  // (no session, no body, nothing to guard), which keeps it as cheap as a bare handler.
  app.get('/api/health', (c) =>
    opts.isShuttingDown() ? problemResponse(c, new ProblemError('shutting_down'), fieldMessage) : c.json(opts.health()),
  )

  app.use(async (c, next) => {
    c.set('clientAddress', opts.proxy.clientAddress(opts.clientAddress(c), c.req.header('x-forwarded-for')))
    c.set('auth', null)
    if (opts.isShuttingDown()) throw new ProblemError('shutting_down')
    const started = performance.now()
    await next()
    const ms = Math.round((performance.now() - started) * 10) / 10
    // A refused request says why: a client's mistake or a client gone away is worth an info line, not an error.
    if (c.res.status >= 400)
      log.info(
        { method: c.req.method, path: c.req.path, status: c.res.status, ms, problem: c.get('problem') },
        'request',
      )
    else log.info({ method: c.req.method, path: c.req.path, status: c.res.status, ms }, 'request')
  })

  // After the request log, so a refused URL is logged as the client's 400, not as an error.
  app.use(async (c, next) => {
    if (malformedPercentEncoding(c.req.url))
      throw new ProblemError('validation_failed', { detail: 'the URL holds malformed percent-encoding' })
    await next()
  })

  const tooLarge = () => {
    throw new ProblemError('payload_too_large')
  }
  const streamed: MiddlewareHandler = (_c, next) => next()
  const limits = opts.bodyLimits.map(([path, maxSize]) => {
    const matches =
      typeof path === 'string' ? (p: string) => p === path || p.startsWith(path + '/') : (p: string) => path.test(p)
    return [matches, maxSize === 'streamed' ? streamed : bodyLimit({ maxSize, onError: tooLarge })] as const
  })
  const defaultLimit = bodyLimit({ maxSize: opts.maxBodyBytes, onError: tooLarge })
  // Document-level headers (framing, opener, HSTS…) guard pages; JSON answers only need
  // nosniff. Each extra header costs throughput on the API's hot path, so APIs get just that.
  const documentHeaders = secureHeaders({
    crossOriginResourcePolicy: 'same-origin',
    referrerPolicy: 'strict-origin-when-cross-origin',
  })
  // The embeds (`/embed.js` and its chunks, `/embed/…` pages) are made to be loaded and framed by other
  // sites: no X-Frame-Options (their pages set CSP frame-ancestors), a cross-origin CORP.
  const embedHeaders = secureHeaders({
    crossOriginResourcePolicy: 'cross-origin',
    crossOriginOpenerPolicy: false,
    xFrameOptions: false,
    referrerPolicy: 'strict-origin-when-cross-origin',
  })
  const isEmbed = (path: string) =>
    path === '/embed.js' || path.startsWith('/embed/') || path.startsWith('/embed-chunks/')
  app.use(publicCors())
  app.use(async (c, next) => {
    const isApi = c.req.path.startsWith('/api/')
    if (isApi) c.header('x-content-type-options', 'nosniff')
    const headers = isEmbed(c.req.path) ? embedHeaders : documentHeaders
    if (unsafeMethods.has(c.req.method)) {
      if (!isPublicWrite(c.req.path)) checkOrigin(c, opts.proxy.trusts(opts.clientAddress(c)))
      // Only requests that carry bodies pay for the limit check.
      const special = limits.find(([matches]) => matches(c.req.path))
      const limit = special ? special[1] : defaultLimit
      return isApi ? limit(c, next) : headers(c, async () => void (await limit(c, next)))
    }
    return isApi ? next() : headers(c, next)
  })

  const api = new Api(app, opts.auth.check)
  api.describe({
    method: 'get',
    path: '/api/health',
    summary: 'Liveness, role, node id and version',
    tags: ['node'],
    access: 'public',
    response: Health,
  })
  opts.mount(app, api)
  let openapi: object | undefined
  app.get('/api/openapi.json', (c) =>
    c.json((openapi ??= api.openapi({ title: 'Shulin node API', version: opts.version }))),
  )

  app.notFound((c) => problemResponse(c, new ProblemError('not_found'), fieldMessage))
  app.onError((err, c) => {
    if (err instanceof ProblemError) {
      c.set('problem', { code: err.code, ...(err.extra.detail ? { detail: err.extra.detail } : {}) })
      return problemResponse(c, err, fieldMessage)
    }
    if (err instanceof HTTPException && err.status < 500) {
      const code =
        err.status === 413
          ? 'payload_too_large'
          : err.status === 404
            ? 'not_found'
            : err.status === 405
              ? 'method_not_allowed'
              : 'validation_failed'
      return problemResponse(c, new ProblemError(code), fieldMessage)
    }
    if (isDiskFull(err)) {
      // Said once as an error where it happened (storage/space-watch); each refused request is a warning.
      log.warn({ method: c.req.method, path: c.req.path, err: (err as Error).message }, 'refused: the disk is full')
      c.set('problem', { code: 'insufficient_storage' })
      return problemResponse(c, new ProblemError('insufficient_storage'), fieldMessage)
    }
    log.error({ err, method: c.req.method, path: c.req.path }, 'unhandled error')
    return problemResponse(c, new ProblemError('internal'), fieldMessage)
  })
  return app
}
