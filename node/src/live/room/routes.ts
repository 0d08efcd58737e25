/**
 * @module live/room/routes
 * `GET /api/live/:id/room`: the WebSocket of a live lecture's room, and the staff's keyword list
 * (`GET`/`PUT /api/staff/live/keywords`).
 *
 * Before the upgrade: the lecture exists; the page asking is this node's (Origin), so a
 * cross-site page cannot speak with the reader's cookie; the caller may watch under the
 * lecture's access policy (anonymous only for a public one); the room and the caller's
 * address have room for one more. After it, each frame goes to a {@link RoomClient}.
 */
import type { Context, Hono } from 'hono'
import { z } from 'zod'
import type { UpgradeWebSocket } from 'hono/ws'
import type { Api } from '../../http/api.js'
import type { AppEnv, RequestAuth } from '../../http/env.js'
import type { NodeOrigins } from '../../http/base-url.js'
import { ProblemError } from '../../http/problem.js'
import type { RoomAuthor } from '@shulin/protocol'
import type { RoomLecture, RoomLectures, RoomService } from './service.js'
import { RoomClient, type RoomClientLimits } from './client.js'
import { maxKeywordChars, maxKeywords } from './keywords.js'

export const roomPath = '/api/live/:id/room'

export interface RoomRouteOptions {
  rooms: RoomService
  lectures: RoomLectures
  identify: (c: Context<AppEnv>) => Promise<RequestAuth | null>
  origins: NodeOrigins
  upgradeWebSocket: UpgradeWebSocket
  bufferedAmount: RoomClientLimits['bufferedAmount']
  abort: RoomClientLimits['abort']
  nodeId: string
  libraryName: () => string
  /** Most clients in one room, and from one address in all rooms. */
  maxClients: number
  maxPerAddress: number
  /** The node's clock (a session is checked again a minute after the last check). */
  now: () => number
  /** A client whose unsent backlog passes this is dropped (bytes). */
  maxBufferedBytes?: number
}

const staffRoles = ['admin', 'librarian'] as const
const isStaff = (auth: RequestAuth | null) => !!auth && staffRoles.some((r) => auth.account.roles.includes(r))
/** Moderators of this node's rooms: the route access `moderator` (admin, librarian, moderator). */
const isModerator = (auth: RequestAuth | null) => isStaff(auth) || !!auth?.account.roles.includes('moderator')

/** May this caller watch (receive)? The same rules as content under a resource's policy. */
function watchRefusal(lecture: RoomLecture, auth: RequestAuth | null): null | 'unauthenticated' | 'forbidden' {
  if (isStaff(auth)) return null
  switch (lecture.access) {
    case 'public':
      return null
    case 'node-readers':
      if (!auth) return 'unauthenticated'
      return auth.account.home ? 'forbidden' : null
    case 'member-readers':
      return auth ? null : 'unauthenticated'
    case 'staff':
      return auth ? 'forbidden' : 'unauthenticated'
  }
}

/**
 * The room's name for a reader: `<account>@<home node>` (a visiting reader keeps their home
 * library's id), never a card number or phone; the display name they chose or a masked one.
 */
export function roomAuthor(auth: RequestAuth, nodeId: string, libraryName: string): RoomAuthor {
  const { account } = auth
  const home = account.home
  const id = home ? `${home.sub}@${home.nodeId}` : `${account.id}@${nodeId}`
  return {
    id,
    name: account.name?.trim() || `读者****${account.id.slice(-4)}`,
    library: home ? home.name : libraryName,
  }
}

/** Whether a browser's Origin is this node's: the request's own host, or one of the node's origins. */
function sameOrigin(c: Context, origins: NodeOrigins): boolean {
  const origin = c.req.header('origin')
  // Browsers always send it on a WebSocket; a program without it carries no reader's cookie by accident.
  if (origin === undefined) return true
  let host: string
  try {
    host = new URL(origin).host
  } catch {
    return false
  }
  const requested = origins.requested(c)
  if (requested && new URL(requested).host === host) return true
  for (const own of origins.own()) if (new URL(own).host === host) return true
  return false
}

export function roomRoutes(app: Hono<AppEnv>, api: Api, opts: RoomRouteOptions): void {
  const perAddress = new Map<string, number>()
  const perRoom = new Map<string, number>()
  const count = (map: Map<string, number>, key: string, by: number) => {
    const n = (map.get(key) ?? 0) + by
    if (n > 0) map.set(key, n)
    else map.delete(key)
  }

  app.get(roomPath, async (c) => {
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket')
      throw new ProblemError('validation_failed', { detail: 'a WebSocket upgrade is expected here' })
    if (!sameOrigin(c, opts.origins))
      throw new ProblemError('forbidden', { detail: 'the room is open to pages of this library only' })
    const liveId = c.req.param('id')
    const lecture = await opts.lectures.get(liveId)
    if (!lecture) throw new ProblemError('not_found')
    const auth = await opts.identify(c)
    const refusal = watchRefusal(lecture, auth)
    if (refusal) throw new ProblemError(refusal)
    const address = c.get('clientAddress')
    if ((perAddress.get(address) ?? 0) >= opts.maxPerAddress)
      throw new ProblemError('too_many_attempts', { detail: 'too many room connections from this address' })
    if ((perRoom.get(liveId) ?? 0) >= opts.maxClients)
      throw new ProblemError('not_ready', { detail: 'the room is full', retryAfterSeconds: 30 })
    // Counted from here, not from the open: a burst of upgrades cannot pass the caps together.
    count(perAddress, address, 1)
    count(perRoom, liveId, 1)
    let released = false
    const release = () => {
      if (released) return
      released = true
      count(perAddress, address, -1)
      count(perRoom, liveId, -1)
    }
    const recheck = async () => {
      const again = await opts.identify(c)
      return again && { author: roomAuthor(again, opts.nodeId, opts.libraryName()), moderator: isModerator(again) }
    }
    const client = new RoomClient({
      recheck,
      now: opts.now,
      rooms: opts.rooms,
      liveId,
      author: auth ? roomAuthor(auth, opts.nodeId, opts.libraryName()) : null,
      moderator: isModerator(auth),
      status: lecture.status,
      bufferedAmount: opts.bufferedAmount,
      abort: opts.abort,
      ...(opts.maxBufferedBytes ? { maxBufferedBytes: opts.maxBufferedBytes } : {}),
      onGone: release,
    })
    try {
      return await opts.upgradeWebSocket(c, {
        onOpen: (_evt, ws) => client.open(ws),
        onMessage: (evt, ws) => client.message(evt.data, ws),
        onClose: () => client.close(),
        onError: () => client.close(),
      })
    } catch (err) {
      release()
      throw err
    }
  })

  const Keywords = z.object({
    keywords: z.array(z.string().trim().min(1).max(maxKeywordChars)).max(maxKeywords),
  })
  api.route(
    {
      method: 'get',
      path: '/api/staff/live/keywords',
      summary: 'The live rooms’ keyword filter',
      tags: ['live'],
      access: 'moderator',
      response: Keywords,
    },
    async () => ({ keywords: await opts.rooms.keywords() }),
  )
  api.route(
    {
      method: 'put',
      path: '/api/staff/live/keywords',
      summary: 'Replace the live rooms’ keyword filter (matched after NFKC and case folding)',
      tags: ['live'],
      access: 'moderator',
      body: Keywords,
      response: Keywords,
    },
    async (_c, { body }) => ({ keywords: await opts.rooms.setKeywords(body.keywords) }),
  )
}
