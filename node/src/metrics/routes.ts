/**
 * @module metrics/routes
 * `GET /metrics` and `GET /api/health/ready`.
 *
 * Who may read /metrics: anyone on this machine (the client address is loopback and no proxy
 * forwarded the request — a reverse proxy on the same machine connects from 127.0.0.1 too, so a
 * request carrying X-Forwarded-For from an untrusted proxy is not "this machine"); a scraper
 * with the `--metrics-token` bearer token; or a signed-in staff member. Others get 401/403. The
 * token is kept only as its SHA-256 and compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { Context, Hono } from 'hono'
import { Readiness as ReadinessResponse } from '@shulin/protocol'
import type { Api, AccessCheck } from '../http/api.js'
import type { AppEnv } from '../http/env.js'
import { ProblemError } from '../http/problem.js'
import type { NodeMetrics } from './metrics.js'
import type { Readiness } from '../health/ready.js'

const isLoopback = (a: string) => /^127\./.test(a) || a === '::1' || /^::ffff:127\./.test(a)
const sha = (s: string) => createHash('sha256').update(s).digest()

export interface MetricsRouteDeps {
  metrics: NodeMetrics
  readiness: Readiness
  check: AccessCheck
  metricsToken?: string | undefined
  /** Whether the socket peer is a trusted proxy (its X-Forwarded-For was believed). */
  viaTrustedProxy: (c: Context) => boolean
}

export function metricsRoutes(app: Hono<AppEnv>, api: Api, deps: MetricsRouteDeps): void {
  const tokenHash = deps.metricsToken ? sha(deps.metricsToken) : undefined
  const fromThisMachine = (c: Context<AppEnv>) =>
    isLoopback(c.get('clientAddress')) &&
    (deps.viaTrustedProxy(c) || (!c.req.header('x-forwarded-for') && !c.req.header('forwarded')))
  const hasToken = (c: Context<AppEnv>) => {
    const header = c.req.header('authorization')
    if (!tokenHash || !header?.startsWith('Bearer ')) return false
    return timingSafeEqual(sha(header.slice(7).trim()), tokenHash)
  }

  app.get('/metrics', async (c) => {
    if (!fromThisMachine(c) && !hasToken(c)) await deps.check(c, 'staff')
    const text = await deps.metrics.text()
    c.header('content-type', deps.metrics.contentType)
    c.header('cache-control', 'no-store')
    return c.body(text)
  })

  api.route(
    {
      method: 'get',
      path: '/api/health/ready',
      summary: 'Readiness: the database takes writes, the disk has room, the search index has caught up',
      tags: ['node'],
      access: 'public',
      response: ReadinessResponse,
    },
    async () => {
      const { ready, checks } = await deps.readiness.check()
      if (ready) return { ready: true as const, checks }
      const failing = Object.entries(checks).filter(([, v]) => !v.ok)
      throw new ProblemError('not_ready', {
        detail: failing.map(([k, v]) => `${k}: ${v.detail}`).join('; '),
        errors: failing.map(([k, v]) => ({ pointer: `/checks/${k}`, detail: v.detail })),
      })
    },
  )
}
