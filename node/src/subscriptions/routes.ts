/**
 * @module subscriptions/routes
 * `GET/POST/DELETE /api/me/subscriptions`: a signed-in reader's own subscriptions to courses,
 * series and topics. The target is `{"course": id}`, `{"series": name}` or `{"topic": id}` — in
 * the body of POST and DELETE, or as a query parameter of DELETE and `GET /api/me/subscriptions/state`.
 */
import { Subscription, SubscriptionList, SubscriptionState, SubscriptionTarget } from '@shulin/protocol'
import type { Context } from 'hono'
import type { Api } from '../http/api.js'
import type { AppEnv } from '../http/env.js'
import { ProblemError } from '../http/problem.js'
import type { SubscriptionService } from './service.js'

/** A target from the query string (`?course=ID`, `?series=NAME` or `?topic=ID`). */
function queryTarget(c: Context<AppEnv>): SubscriptionTarget {
  const course = c.req.query('course')
  const series = c.req.query('series')
  const topic = c.req.query('topic')
  const parsed = SubscriptionTarget.safeParse(
    course !== undefined ? { course } : series !== undefined ? { series } : topic !== undefined ? { topic } : {},
  )
  if (!parsed.success)
    throw new ProblemError('validation_failed', { errors: [{ pointer: '/course', detail: 'course_or_series' }] })
  return parsed.data
}

export function subscriptionRoutes(api: Api, subscriptions: SubscriptionService): void {
  const tags = ['subscriptions']
  const me = (c: Context<AppEnv>) => c.get('auth')!.account.id
  api.route(
    {
      method: 'get',
      path: '/api/me/subscriptions',
      summary: 'The courses and series I subscribe to',
      tags,
      access: 'session',
      response: SubscriptionList,
    },
    async (c) => ({ subscriptions: await subscriptions.list(me(c)) }),
  )
  api.route(
    {
      method: 'get',
      path: '/api/me/subscriptions/state',
      summary: 'Whether I subscribe to a course (?course=ID) or series (?series=NAME)',
      tags,
      access: 'session',
      response: SubscriptionState,
    },
    async (c) => ({ subscribed: await subscriptions.isSubscribed(me(c), queryTarget(c)) }),
  )
  api.route(
    {
      method: 'post',
      path: '/api/me/subscriptions',
      summary:
        'Subscribe to a course or a series (each new lecture) or a topic (new items, batched): notices in my inbox',
      tags,
      access: 'session',
      body: SubscriptionTarget,
      response: Subscription,
      status: 201,
    },
    async (c, { body }) => subscriptions.subscribe(me(c), body),
  )
  api.route(
    {
      method: 'delete',
      path: '/api/me/subscriptions',
      summary: 'Unsubscribe (the target in the body, or ?course= / ?series=)',
      tags,
      access: 'session',
      status: 204,
    },
    async (c) => {
      const type = c.req.header('content-type') ?? ''
      let target: SubscriptionTarget
      if (type.startsWith('application/json')) {
        const parsed = SubscriptionTarget.safeParse(await c.req.json().catch(() => undefined))
        if (!parsed.success)
          throw new ProblemError('validation_failed', { errors: [{ pointer: '', detail: 'course_or_series' }] })
        target = parsed.data
      } else target = queryTarget(c)
      await subscriptions.unsubscribe(me(c), target)
    },
  )
}
