/**
 * @module notify/routes
 * `GET /api/push/key` (the VAPID public key, for `pushManager.subscribe`), a reader's push
 * subscriptions (`POST /api/me/push`, `POST /api/me/push/unsubscribe`) and notification choices
 * (`GET`/`PUT /api/me/notify`: channels, quiet hours). The account is always the session's.
 */
import { NotifyPrefs, NotifySettings, PushKey, PushSubscriptionInput, PushUnsubscribe } from '@shulin/protocol'
import type { Context } from 'hono'
import type { Api } from '../http/api.js'
import type { AppEnv } from '../http/env.js'
import type { Notifier } from './notifier.js'
import type { WebPush } from './push.js'

export function notifyRoutes(api: Api, notifier: Notifier, push: WebPush): void {
  const tags = ['notify']
  const me = (c: Context<AppEnv>) => c.get('auth')!.account.id
  const settings = async (accountId: string): Promise<NotifySettings> => ({
    prefs: await notifier.prefs(accountId),
    available: notifier.channels(),
    pushSubscriptions: await push.count(accountId),
  })
  api.route(
    {
      method: 'get',
      path: '/api/push/key',
      summary: "The node's VAPID public key (Web Push)",
      tags,
      access: 'public',
      response: PushKey,
    },
    async () => ({ publicKey: await push.publicKey() }),
  )
  api.route(
    {
      method: 'post',
      path: '/api/me/push',
      summary: "Add this browser's push subscription",
      tags,
      access: 'session',
      body: PushSubscriptionInput,
      response: NotifySettings,
    },
    async (c, { body }) => {
      await push.subscribe(me(c), body)
      return settings(me(c))
    },
  )
  api.route(
    {
      method: 'post',
      path: '/api/me/push/unsubscribe',
      summary: "Remove this browser's push subscription",
      tags,
      access: 'session',
      body: PushUnsubscribe,
      response: NotifySettings,
    },
    async (c, { body }) => {
      await push.unsubscribe(me(c), body.endpoint)
      return settings(me(c))
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/me/notify',
      summary: 'My notification channels and quiet hours',
      tags,
      access: 'session',
      response: NotifySettings,
    },
    async (c) => settings(me(c)),
  )
  api.route(
    {
      method: 'put',
      path: '/api/me/notify',
      summary: 'Choose my notification channels and quiet hours',
      tags,
      access: 'session',
      body: NotifyPrefs,
      response: NotifySettings,
    },
    async (c, { body }) => {
      await notifier.setPrefs(me(c), body)
      return settings(me(c))
    },
  )
}
