/**
 * @module identity/routes
 * HTTP of unified identity. Provider side: discovery, JWKS, authorize, token, introspection
 * (OAuth endpoints answer OAuth's own error JSON, RFC 6749 §5.2). Relying-party side:
 * `/api/identity/start` and `/oidc/callback`. Reader side: the libraries to pick from and
 * where the reader is signed in elsewhere.
 */
import type { Context, Hono } from 'hono'
import { getCookie, setCookie, deleteCookie } from 'hono/cookie'
import { z } from 'zod'
import { AuthorizeQuery, HomeLibraryList, NodeId, Ok, SignedInElsewhere } from '@shulin/protocol'
import type { Api } from '../http/api.js'
import type { AppEnv } from '../http/env.js'
import type { BaseUrl, NodeOrigins } from '../http/base-url.js'
import { ProblemError } from '../http/problem.js'
import { parseOrThrow } from '../http/validate.js'
import { localeOf } from '../http/problem.js'
import type { HttpAuth } from '../sessions/http-auth.js'
import { mustAuth } from '../accounts/routes.js'
import { jwkOf } from './keys.js'
import { OAuthError, type IdentityProvider } from './provider.js'
import type { RelyingParty } from './relying-party.js'
import type { Network } from './network.js'
import { librariesOf } from './libraries.js'
import type { PhoneRoute } from './phone-route.js'
import { RateLimit } from '../accounts/throttle.js'

export interface IdentityRoutesDeps {
  provider: IdentityProvider
  relyingParty: RelyingParty
  network: Network
  auth: HttpAuth
  baseUrl: BaseUrl
  /** The node's own origins: a sign-in request is signed only for a request addressed to one. */
  origins: Pick<NodeOrigins, 'requireOwn'>
  isTls: (c: Context) => boolean
  phones?: PhoneRoute
}

const bindingCookie = 'shulin_oidc'
const CallbackQuery = z.object({
  state: z.string().min(1).max(200),
  code: z.string().max(200).optional(),
  iss: z.string().max(100).optional(),
  error: z.string().max(100).optional(),
})
const StartQuery = z
  .object({ home: NodeId.optional(), phone: z.string().max(32).optional(), next: z.string().max(500).optional() })
  .refine((q) => !!q.home !== !!q.phone, 'give home or phone')

const oauthError = (c: Context, err: unknown) => {
  if (err instanceof OAuthError) {
    const status = err.error === 'invalid_client' ? 401 : 400
    return c.json({ error: err.error, error_description: err.message }, status, { 'cache-control': 'no-store' })
  }
  throw err
}

async function readForm(c: Context): Promise<Record<string, string>> {
  const type = c.req.header('content-type') ?? ''
  if (!type.startsWith('application/x-www-form-urlencoded'))
    throw new OAuthError('invalid_request', 'send the body as application/x-www-form-urlencoded')
  return Object.fromEntries(new URLSearchParams(await c.req.text()))
}

/**
 * Sign-ins started per address an hour: a busy library terminal behind one address is far
 * below it; filling the table of flows in progress (10,000) from one address is not.
 */
export const startsPerHour = 300

export function identityRoutes(app: Hono<AppEnv>, api: Api, d: IdentityRoutesDeps): void {
  const self = d.network.selfId
  const starts = new RateLimit(startsPerHour, 3_600_000)

  app.get('/.well-known/openid-configuration', (c) => {
    const base = d.baseUrl(c)
    return c.json({
      // The issuer is the node id: the registry maps it to the key and the addresses.
      issuer: self,
      authorization_endpoint: `${base}/oidc/authorize`,
      token_endpoint: `${base}/oidc/token`,
      introspection_endpoint: `${base}/oidc/introspect`,
      revocation_endpoint: `${base}/oidc/revoke`,
      jwks_uri: `${base}/oidc/jwks`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['EdDSA'],
      request_object_signing_alg_values_supported: ['EdDSA'],
      request_parameter_supported: true,
      require_signed_request_object: true,
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['EdDSA'],
      authorization_response_iss_parameter_supported: true,
      scopes_supported: ['openid', 'profile'],
      claims_supported: ['sub', 'name', 'preferred_username', 'real_name_verified', 'auth_time', 'nonce'],
    })
  })

  app.get('/oidc/jwks', (c) => c.json({ keys: [jwkOf(self)] }, 200, { 'cache-control': 'public, max-age=3600' }))

  app.get('/oidc/authorize', async (c) => {
    const q = AuthorizeQuery.safeParse(c.req.query())
    // Nothing is trusted yet, so nothing is redirected: the reader sees the problem here.
    if (!q.success) throw new ProblemError('sign_in_refused', { detail: 'malformed authorization request' })
    const me = await d.auth.identify(c)
    let outcome
    try {
      outcome = await d.provider.authorize(q.data.client_id, q.data.request, me?.account ?? null)
    } catch (err) {
      if (err instanceof OAuthError) throw new ProblemError('sign_in_refused', { detail: err.message })
      throw err
    }
    if (outcome.kind === 'sign-in') {
      const here = new URL(c.req.url)
      return c.redirect(`/signin?next=${encodeURIComponent(here.pathname + here.search)}`, 302)
    }
    return c.redirect(outcome.location, 302)
  })

  app.post('/oidc/token', async (c) => {
    try {
      return c.json(await d.provider.token(await readForm(c)), 200, { 'cache-control': 'no-store' })
    } catch (err) {
      return oauthError(c, err)
    }
  })

  app.post('/oidc/introspect', async (c) => {
    try {
      return c.json(await d.provider.introspect(await readForm(c)), 200, { 'cache-control': 'no-store' })
    } catch (err) {
      return oauthError(c, err)
    }
  })

  app.post('/oidc/introspect/batch', async (c) => {
    try {
      return c.json(await d.provider.introspectBatch(await readForm(c)), 200, { 'cache-control': 'no-store' })
    } catch (err) {
      return oauthError(c, err)
    }
  })

  app.post('/oidc/revoke', async (c) => {
    try {
      await d.provider.revoke(await readForm(c))
      return c.body(null, 200)
    } catch (err) {
      return oauthError(c, err)
    }
  })

  app.get('/api/identity/start', async (c) => {
    const q = parseOrThrow(StartQuery, c.req.query(), localeOf(c))
    // The request object names our callback, signed: never at an origin the request made up.
    d.origins.requireOwn(c)
    const wait = starts.take(c.get('clientAddress'))
    if (wait > 0) throw new ProblemError('too_many_attempts', { retryAfterSeconds: wait })
    const homes = q.home ? [q.home] : ((await d.phones?.homesOf(q.phone!)) ?? [])
    // Several libraries for one phone: the reader picks on the page (GET /api/identity/phone).
    const home = homes.length === 1 ? homes[0] : undefined
    if (!home) throw new ProblemError('home_unknown')
    const { location, binding } = await d.relyingParty.start(home, `${d.baseUrl(c)}/oidc/callback`, q.next)
    setCookie(c, bindingCookie, binding, {
      path: '/oidc',
      httpOnly: true,
      secure: d.isTls(c),
      sameSite: 'Lax',
      maxAge: 600,
    })
    return c.redirect(location, 302)
  })
  api.describe({
    method: 'get',
    path: '/api/identity/start',
    summary: 'Sign in through the home library (?home=NODE_ID or ?phone=…): redirects there',
    tags: ['identity'],
    access: 'public',
  })

  app.get('/oidc/callback', async (c) => {
    const q = parseOrThrow(CallbackQuery, c.req.query(), localeOf(c))
    const binding = getCookie(c, bindingCookie)
    deleteCookie(c, bindingCookie, { path: '/oidc' })
    // A session planted before sign-in is never promoted (no fixation).
    const previous = await d.auth.identify(c)
    let done
    try {
      done = await d.relyingParty.callback(q, binding, {
        userAgent: c.req.header('user-agent') ?? '',
        address: c.get('clientAddress'),
      })
    } catch (err) {
      // A reader in a browser lands back on the sign-in page, told to try again; scripts get the problem.
      if (err instanceof ProblemError && (c.req.header('accept') ?? '').includes('text/html'))
        return c.redirect('/signin?elsewhere=failed', 302)
      throw err
    }
    if (previous?.via === 'cookie') await d.relyingParty.endLocal(previous.sessionId, previous.account.id)
    d.auth.setSessionCookie(c, done.token, done.session)
    return c.redirect(done.next, 302)
  })

  api.route(
    {
      method: 'get',
      path: '/api/identity/libraries',
      summary: 'Member libraries a reader may sign in through (name, region, pinyin)',
      tags: ['identity'],
      access: 'public',
      response: HomeLibraryList,
    },
    async () => ({ libraries: await librariesOf(d.network) }),
  )

  api.route(
    {
      method: 'get',
      path: '/api/me/identity/elsewhere',
      summary: 'Other libraries where I am signed in with this account',
      tags: ['me'],
      access: 'session',
      response: SignedInElsewhere,
    },
    async (c) => {
      const me = mustAuth(c)
      const grants = await d.provider.grantsOf(me.account.id)
      return {
        grants: grants.map((g) => ({
          id: g.id,
          nodeId: g.client,
          name: g.client === d.network.hubId() ? null : (d.network.entry(g.client)?.name ?? null),
          createdAt: new Date(g.createdAt).toISOString(),
          lastCheckedAt: g.lastCheckedAt ? new Date(g.lastCheckedAt).toISOString() : null,
        })),
      }
    },
  )

  api.route(
    {
      method: 'post',
      path: '/api/me/identity/elsewhere/:id/end',
      summary: 'Sign out of one other library (it learns at its next check)',
      tags: ['me'],
      access: 'session',
      response: Ok,
    },
    async (c) => {
      const me = mustAuth(c)
      const n = await d.provider.endGrants(me.account.id, c.req.param('id'))
      if (!n) throw new ProblemError('not_found')
      return { ok: true as const }
    },
  )
}
