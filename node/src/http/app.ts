/**
 * @module http/app
 * Builds the node's Hono app: shared middleware, every module's routes, and the one place
 * where errors become RFC 9457 problems.
 */
import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { secureHeaders } from 'hono/secure-headers'
import { HTTPException } from 'hono/http-exception'
import { fieldMessage, Health } from '@shulin/protocol'
import type { Logger } from 'pino'
import { Api } from './api.js'
import type { AppEnv } from './env.js'
import { ProblemError, problemResponse } from './problem.js'
import type { HttpAuth } from '../sessions/http-auth.js'

export interface AppOptions {
  logger: Logger
  auth: HttpAuth
  health: () => Health
  clientAddress: (c: Context) => string
  trustProxy: boolean
  maxBodyBytes: number
  /** Larger limits for routes that take files (path prefix → bytes). */
  bodyLimits: Record<string, number>
  isShuttingDown: () => boolean
  /** Registers each module's routes. */
  mount: (app: Hono<AppEnv>, api: Api) => void
  version: string
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export function isTls(c: Context, trustProxy: boolean): boolean {
  if (trustProxy) {
    const proto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim()
    if (proto) return proto === 'https'
  }
  return new URL(c.req.url).protocol === 'https:'
}

export function createApp(opts: AppOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const log = opts.logger

  app.use(async (c, next) => {
    const forwarded = opts.trustProxy ? c.req.header('x-forwarded-for')?.split(',')[0]?.trim() : undefined
    c.set('clientAddress', forwarded || opts.clientAddress(c))
    c.set('auth', null)
    if (opts.isShuttingDown()) throw new ProblemError('shutting_down')
    const started = performance.now()
    await next()
    const path = c.req.path
    const fields = { method: c.req.method, path, status: c.res.status, ms: Math.round((performance.now() - started) * 10) / 10 }
    if (path === '/api/health') log.debug(fields, 'request')
    else log.info(fields, 'request')
  })

  app.use(secureHeaders({ crossOriginResourcePolicy: 'same-origin', referrerPolicy: 'strict-origin-when-cross-origin' }))

  // A write from another site's page is refused outright (the browser always sends Origin on
  // cross-origin POSTs); cookie-authenticated writes also need the session's CSRF token.
  app.use(async (c, next) => {
    if (unsafeMethods.has(c.req.method)) {
      const origin = c.req.header('origin')
      const site = c.req.header('sec-fetch-site')
      if (site === 'cross-site') throw new ProblemError('csrf_failed')
      if (origin && origin !== 'null') {
        const host = (opts.trustProxy && c.req.header('x-forwarded-host')) || c.req.header('host')
        let originHost: string | undefined
        try {
          originHost = new URL(origin).host
        } catch {
          originHost = undefined
        }
        if (!host || originHost !== host) throw new ProblemError('csrf_failed')
      }
    }
    await next()
  })

  const tooLarge = () => {
    throw new ProblemError('payload_too_large')
  }
  for (const [prefix, maxSize] of Object.entries(opts.bodyLimits)) app.use(prefix, bodyLimit({ maxSize, onError: tooLarge }))
  const defaultLimit = bodyLimit({ maxSize: opts.maxBodyBytes, onError: tooLarge })
  app.use('/api/*', async (c, next) => (c.req.path in opts.bodyLimits ? next() : defaultLimit(c, next)))

  const api = new Api(app, opts.auth.check)
  api.route(
    { method: 'get', path: '/api/health', summary: 'Liveness, role, node id and version', tags: ['node'], access: 'public', response: Health },
    async () => opts.health(),
  )
  opts.mount(app, api)
  let openapi: object | undefined
  app.get('/api/openapi.json', (c) => c.json((openapi ??= api.openapi({ title: 'Shulin node API', version: opts.version }))))

  app.notFound((c) => problemResponse(c, new ProblemError('not_found'), fieldMessage))
  app.onError((err, c) => {
    if (err instanceof ProblemError) return problemResponse(c, err, fieldMessage)
    if (err instanceof HTTPException && err.status < 500) {
      const code = err.status === 413 ? 'payload_too_large' : err.status === 404 ? 'not_found' : err.status === 405 ? 'method_not_allowed' : 'validation_failed'
      return problemResponse(c, new ProblemError(code), fieldMessage)
    }
    log.error({ err, method: c.req.method, path: c.req.path }, 'unhandled error')
    return problemResponse(c, new ProblemError('internal'), fieldMessage)
  })
  return app
}
