/**
 * @module identity/directory-routes
 * HTTP of the phone directory and the hub's unified user view: the hub's pull from a member,
 * members' lookups at the hub, the reader's phone route and consent, the hub staff's counts.
 */
import type { Hono } from 'hono'
import { z } from 'zod'
import { DirectoryConsent, HomeLibraryList, NetworkReaders, NodeId, PhoneHash } from '@shulin/protocol'
import type { Api } from '../http/api.js'
import type { AppEnv } from '../http/env.js'
import { ProblemError } from '../http/problem.js'
import { mustAuth } from '../accounts/routes.js'
import { RateLimit } from '../accounts/throttle.js'
import type { DirectoryMember } from './directory-member.js'
import type { DirectoryHub } from './directory-hub.js'
import { librariesOf } from './libraries.js'
import { clientOf, type Network } from './network.js'
import { ReplayGuard, verifyClient } from './client-auth.js'
import { TokenError } from './tokens.js'
import type { Logger } from '../logger.js'
import type { PhoneRoute } from './phone-route.js'

export interface DirectoryRoutesDeps {
  network: Network
  member: DirectoryMember
  hub: DirectoryHub | undefined
  phones: PhoneRoute
  now: () => number
  logger?: Logger
}

/** Lookups per address an hour: a reader mistyping a few times, not a sweep of the number space. */
export const phoneLookupsPerHour = 20

const LookupForm = z.object({
  hash: PhoneHash,
  client_id: NodeId,
  client_assertion_type: z.literal('urn:ietf:params:oauth:client-assertion-type:jwt-bearer'),
  client_assertion: z.string().min(20).max(4096),
})

export function directoryRoutes(app: Hono<AppEnv>, api: Api, d: DirectoryRoutesDeps): void {
  /** A peer's token refused for its times: logged here, and named to the peer (times are no secret). */
  const skewOf = (err: unknown, what: string): { error_description?: string; reason?: 'clock_skew' } => {
    if (!(err instanceof TokenError) || err.reason !== 'clock_skew') return {}
    d.logger?.warn({ why: err.message }, `clock skew: ${what}`)
    return { error_description: err.message, reason: 'clock_skew' }
  }
  const replay = new ReplayGuard(d.now)
  const lookups = new RateLimit(phoneLookupsPerHour, 3_600_000, d.now)

  app.get('/oidc/directory', async (c) => {
    const bearer = c.req.header('authorization')?.replace(/^Bearer /, '') ?? ''
    try {
      const answer = await d.member.answerPull(bearer, c.req.header('if-none-match'))
      const headers = { 'cache-control': 'no-store', etag: answer.etag }
      return 'notModified' in answer ? c.body(null, 304, headers) : c.json(answer.body, 200, headers)
    } catch (err) {
      return c.json({ error: 'invalid_token', ...skewOf(err, 'the hub’s directory pull refused') }, 401)
    }
  })

  app.post('/oidc/directory/lookup', async (c) => {
    const form = LookupForm.safeParse(Object.fromEntries(new URLSearchParams(await c.req.text())))
    if (!d.hub || !form.success) return c.json({ error: 'invalid_request' }, 400)
    if (!clientOf(d.network, form.data.client_id)) return c.json({ error: 'invalid_client' }, 401)
    try {
      await verifyClient(form.data.client_assertion, form.data.client_id, d.network.selfId, replay, d.now())
    } catch (err) {
      return c.json({ error: 'invalid_client', ...skewOf(err, 'a member’s phone lookup refused') }, 401)
    }
    return c.json({ nodes: await d.hub.lookup(form.data.hash) }, 200, { 'cache-control': 'no-store' })
  })

  api.route(
    {
      method: 'get',
      path: '/api/identity/phone',
      summary: 'The member libraries a phone number is listed at (hub directory of keyed hashes)',
      tags: ['identity'],
      access: 'public',
      query: z.object({ phone: z.string().max(32) }),
      response: HomeLibraryList,
    },
    async (c, { query }) => {
      const wait = lookups.take(c.get('clientAddress'))
      if (wait > 0) throw new ProblemError('too_many_attempts', { retryAfterSeconds: wait })
      const homes = new Set(await d.phones.homesOf(query.phone).catch(() => [] as string[]))
      if (!homes.size) throw new ProblemError('home_unknown')
      return { libraries: (await librariesOf(d.network)).filter((l) => homes.has(l.nodeId)) }
    },
  )

  api.route(
    {
      method: 'get',
      path: '/api/me/identity/directory',
      summary: 'Whether other libraries may find my library by my phone number',
      tags: ['me'],
      access: 'session',
      response: DirectoryConsent,
    },
    async (c) => ({ listed: await d.member.listed(mustAuth(c).account.id) }),
  )
  api.route(
    {
      method: 'put',
      path: '/api/me/identity/directory',
      summary: 'Agree (or no longer agree) to be found by phone number in the network',
      tags: ['me'],
      access: 'session',
      body: DirectoryConsent,
      response: DirectoryConsent,
    },
    async (c, { body }) => {
      const me = mustAuth(c)
      if (me.account.home || me.account.kind !== 'reader') throw new ProblemError('forbidden')
      await d.member.setListed(me.account.id, body.listed)
      return body
    },
  )

  api.route(
    {
      method: 'get',
      path: '/api/staff/identity/readers',
      summary: 'Hub: readers per library and region (counts only)',
      tags: ['identity'],
      access: 'staff',
      response: NetworkReaders,
    },
    async (c) => {
      if (!d.hub) throw new ProblemError('not_found')
      return d.hub.readers()
    },
  )
}
