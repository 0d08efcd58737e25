/**
 * @module setup/routes
 * `POST /api/setup` and the small page behind the one-time setup link (`/setup#token=…`; the
 * token travels in the fragment so it never reaches a log).
 */
import { AccountView, SetupRequest } from '@shulin/protocol'
import type { Hono } from 'hono'
import type { Api } from '../http/api.js'
import type { AppEnv } from '../http/env.js'
import { toAccountView } from '../accounts/store.js'
import type { SetupService } from './service.js'
import { setupPage } from './page.js'

export function setupRoutes(app: Hono<AppEnv>, api: Api, setup: SetupService): void {
  api.route(
    {
      method: 'post',
      path: '/api/setup',
      summary: 'Create the first admin with the one-time setup token',
      tags: ['setup'],
      access: 'public',
      body: SetupRequest,
      response: AccountView,
      status: 201,
    },
    async (_c, { body }) => toAccountView(await setup.completeWithToken(body.token, body)),
  )
  app.get('/setup', (c) => {
    c.header('cache-control', 'no-store')
    c.header('referrer-policy', 'no-referrer')
    return c.html(setupPage)
  })
}
