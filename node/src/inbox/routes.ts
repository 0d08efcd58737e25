/**
 * @module inbox/routes
 * `GET /api/me/inbox`, `GET /api/me/inbox/unread`, `POST /api/me/inbox/read`: a signed-in
 * reader's own notices — the account comes from the session, never from the request.
 */
import { InboxList, InboxQuery, MarkReadRequest, UnreadCount } from '@shulin/protocol'
import type { Api } from '../http/api.js'
import type { InboxService } from './service.js'

export function inboxRoutes(api: Api, inbox: InboxService): void {
  const tags = ['inbox']
  api.route(
    {
      method: 'get',
      path: '/api/me/inbox',
      summary: 'My notices, newest first, with the unread count',
      tags,
      access: 'session',
      query: InboxQuery,
      response: InboxList,
    },
    async (c, { query }) => inbox.list(c.get('auth')!.account.id, query),
  )
  api.route(
    {
      method: 'get',
      path: '/api/me/inbox/unread',
      summary: 'How many of my notices are unread (the header badge)',
      tags,
      access: 'session',
      response: UnreadCount,
    },
    async (c) => ({ unread: await inbox.unread(c.get('auth')!.account.id) }),
  )
  api.route(
    {
      method: 'post',
      path: '/api/me/inbox/read',
      summary: 'Mark some of my notices, or all, read',
      tags,
      access: 'session',
      body: MarkReadRequest,
      response: UnreadCount,
    },
    async (c, { body }) => ({ unread: await inbox.markRead(c.get('auth')!.account.id, body) }),
  )
}
