/**
 * @module live/relay/routes
 * `GET /api/live/:id/relay`: how relaying a lecture goes. On a member, whether it reaches the
 * hub now (`connected` / `reconnecting`, for a player that wants to say so without the room) and
 * the segments it fetched and skipped; on the hub (staff only), the files it gave each member —
 * one per segment per member, whatever the number of viewers.
 */
import type { Context } from 'hono'
import { z } from 'zod'
import { RelayState } from '@shulin/protocol'
import type { Api } from '../../http/api.js'
import { ProblemError } from '../../http/problem.js'
import type { LiveService } from '../service.js'
import type { LiveRelay } from './index.js'

export const RelayView = z.object({
  /** Null when this node does not relay the lecture now (its own, ended, or relaying is off). */
  state: RelayState.nullable(),
  segments: z.number().int(),
  skipped: z.number().int(),
  lastSegmentAt: z.string().nullable(),
})
export type RelayView = z.infer<typeof RelayView>

export const HubRelayView = z.object({
  members: z.record(z.string(), z.object({ playlists: z.number(), segments: z.number(), distinct: z.number() })),
})

export function liveRelayRoutes(api: Api, deps: { live: LiveService; relay: LiveRelay }): void {
  const tags = ['live']
  const id = (c: Context) => c.req.param('id') ?? ''
  api.route(
    {
      method: 'get',
      path: '/api/live/:id/relay',
      summary: "A relayed lecture's link to the broadcasting library: connected or reconnecting",
      tags,
      access: 'public',
      response: RelayView,
    },
    async (c) => {
      const r = await deps.live.get(id(c))
      if (r.access !== 'public' && !c.get('auth')) throw new ProblemError('not_found')
      const counts = deps.relay.member?.counts(r.id)
      c.header('cache-control', 'no-cache')
      return counts ?? { state: null, segments: 0, skipped: 0, lastSegmentAt: null }
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/staff/live-relay',
      summary: 'Hub: the live files given to each member since start',
      tags,
      access: 'staff',
      response: HubRelayView,
    },
    async () => ({ members: deps.relay.hub?.counts() ?? {} }),
  )
}
