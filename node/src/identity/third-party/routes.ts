/**
 * @module identity/third-party/routes
 * HTTP of third-party sign-in: the providers offered, the redirect there, the callback that
 * signs the reader in here, and which providers a reader has linked.
 */
import type { Context, Hono } from 'hono'
import { getCookie, setCookie, deleteCookie } from 'hono/cookie'
import { z } from 'zod'
import { LinkedProviders, ProviderList } from '@shulin/protocol'
import type { Api } from '../../http/api.js'
import type { AppEnv } from '../../http/env.js'
import type { BaseUrl, NodeOrigins } from '../../http/base-url.js'
import { localeOf } from '../../http/problem.js'
import { parseOrThrow } from '../../http/validate.js'
import type { HttpAuth } from '../../sessions/http-auth.js'
import type { SessionService } from '../../sessions/service.js'
import { mustAuth } from '../../accounts/routes.js'
import { safeNext } from '../relying-party.js'
import type { ThirdPartySignIn } from './service.js'

export interface ThirdPartyRoutesDeps {
  thirdParty: ThirdPartySignIn
  sessions: SessionService
  auth: HttpAuth
  baseUrl: BaseUrl
  /** The node's own origins: the provider is sent our callback only for a request addressed to one. */
  origins: Pick<NodeOrigins, 'requireOwn'>
  isTls: (c: Context) => boolean
}

const bindingCookie = 'shulin_ext'
const callbackPath = '/oidc/external/callback'
const StartQuery = z.object({
  provider: z.string().regex(/^[a-z][a-z0-9-]{1,31}$/),
  next: z.string().max(500).optional(),
})

export function thirdPartyRoutes(app: Hono<AppEnv>, api: Api, d: ThirdPartyRoutesDeps): void {
  api.route(
    {
      method: 'get',
      path: '/api/identity/providers',
      summary: 'Third-party accounts a reader may sign in with here (QQ, Weibo, WeChat…)',
      tags: ['identity'],
      access: 'public',
      response: ProviderList,
    },
    async () => ({ providers: d.thirdParty.list() }),
  )

  app.get('/api/identity/external/start', async (c) => {
    const q = parseOrThrow(StartQuery, c.req.query(), localeOf(c))
    d.origins.requireOwn(c)
    // Signed in already: the flow links the third-party account to this reader.
    const me = await d.auth.identify(c)
    const { location, binding } = await d.thirdParty.start(
      q.provider,
      d.baseUrl(c) + callbackPath,
      safeNext(q.next),
      me?.account ?? null,
    )
    setCookie(c, bindingCookie, binding, {
      path: '/oidc/external',
      httpOnly: true,
      secure: d.isTls(c),
      sameSite: 'Lax',
      maxAge: 600,
    })
    return c.redirect(location, 302)
  })
  api.describe({
    method: 'get',
    path: '/api/identity/external/start',
    summary: 'Sign in with (or, signed in, link) a third-party account: redirects to the provider',
    tags: ['identity'],
    access: 'public',
  })

  app.get(callbackPath, async (c) => {
    const binding = getCookie(c, bindingCookie)
    deleteCookie(c, bindingCookie, { path: '/oidc/external' })
    const previous = await d.auth.identify(c)
    const done = await d.thirdParty.callback(new URL(c.req.url).searchParams, binding)
    if (previous?.via === 'cookie') await d.sessions.end(previous.sessionId, previous.account.id)
    const { token, session } = await d.sessions.create(done.account.id, {
      kind: 'cookie',
      remember: false,
      userAgent: c.req.header('user-agent') ?? '',
      address: c.get('clientAddress'),
    })
    d.auth.setSessionCookie(c, token, session)
    return c.redirect(done.next, 302)
  })

  api.route(
    {
      method: 'get',
      path: '/api/me/identity/external',
      summary: 'Third-party accounts linked to me',
      tags: ['me'],
      access: 'session',
      response: LinkedProviders,
    },
    async (c) => ({ linked: await d.thirdParty.linkedTo(mustAuth(c).account.id) }),
  )
}
