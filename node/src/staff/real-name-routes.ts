/**
 * @module staff/real-name-routes
 * The desk's real-name verification: staff mark a reader verified after seeing their ID card,
 * and read who did it and when.
 */
import { AccountView, RealNameAudit, RealNameRequest } from '@shulin/protocol'
import type { Api } from '../http/api.js'
import { toAccountView } from '../accounts/store.js'
import type { RealNameDesk } from '../accounts/real-name.js'

export function realNameRoutes(api: Api, desk: RealNameDesk): void {
  const tags = ['staff']
  api.route(
    {
      method: 'post',
      path: '/api/staff/readers/:id/real-name',
      summary: 'Mark a reader real-name verified (ID card seen at the desk), or take it back; audited',
      tags,
      access: 'staff',
      body: RealNameRequest,
      response: AccountView,
    },
    async (c, { body }) =>
      toAccountView(await desk.set(c.req.param('id') ?? '', body.verified, c.get('auth')!.account)),
  )
  api.route(
    {
      method: 'get',
      path: '/api/staff/readers/:id/real-name',
      summary: 'Who verified the reader’s real name (or took it back), and when, oldest first',
      tags,
      access: 'staff',
      response: RealNameAudit,
    },
    async (c) => ({ entries: await desk.audit(c.req.param('id') ?? '') }),
  )
}
