/**
 * @module channels/routes
 * `GET /api/channels` (what this node publishes and subscribes to) and `GET /api/channels/menu`
 * (the hub's menu as this node holds it) for everyone; staff create channels, put records in
 * them, subscribe and submit; the hub's admins decide the menu. `/api/control/channels/…` are
 * the local CLI's twins (`shulin import --channel`, `shulin subscribe`).
 */
import { z } from 'zod'
import {
  AddChannelRecordsRequest,
  Channel,
  ChannelId,
  ChannelList,
  CreateChannelRequest,
  MenuDecisionRequest,
  MenuEntry,
  MenuList,
  SubscribeRequest,
  SubscriptionMode,
} from '@shulin/protocol'
import type { Api } from '../http/api.js'
import { ProblemError } from '../http/problem.js'
import type { ChannelService } from './service.js'

const idOf = (raw: string | undefined) => {
  const id = ChannelId.safeParse(raw)
  if (!id.success)
    throw new ProblemError('validation_failed', { errors: [{ pointer: '/id', detail: 'invalid_channel' }] })
  return id.data
}

export function channelRoutes(api: Api, channels: ChannelService): void {
  const tags = ['channels']
  api.route(
    {
      method: 'get',
      path: '/api/channels',
      summary: 'The channels this node publishes and those it subscribes to',
      tags,
      access: 'public',
      response: ChannelList,
    },
    () => channels.list(),
  )
  api.route(
    {
      method: 'get',
      path: '/api/channels/menu',
      summary: 'The hub’s menu of channels, as this node holds it',
      tags,
      access: 'public',
      response: MenuList,
    },
    async () => {
      const { menu, pending } = await channels.menu()
      return { menu, pending }
    },
  )
  for (const [prefix, staff, admin] of [
    ['/api/staff/channels', 'staff', 'admin'],
    ['/api/control/channels', 'control', 'control'],
  ] as const) {
    api.route(
      {
        method: 'post',
        path: prefix,
        summary: 'Create one of this node’s channels (or update its description)',
        tags,
        access: staff,
        body: CreateChannelRequest,
        response: Channel,
        status: 201,
      },
      (_c, { body }) => channels.create(body),
    )
    api.route(
      {
        method: 'post',
        path: `${prefix}/:id/records`,
        summary: 'Put some of this node’s records into one of its channels',
        tags,
        access: staff,
        body: AddChannelRecordsRequest,
        response: z.object({ added: z.number().int() }),
      },
      (c, { body }) => channels.addRecords(idOf(c.req.param('id')), body.ids),
    )
    api.route(
      {
        method: 'post',
        path: `${prefix}/:id/submit`,
        summary: 'Ask the hub to put one of this node’s channels on the menu',
        tags,
        access: admin,
        response: Channel,
      },
      (c) => channels.submit(idOf(c.req.param('id'))),
    )
    api.route(
      {
        method: 'post',
        path: `${prefix}/subscriptions`,
        summary: 'Subscribe: catalog only, or mirror (content fetched ahead)',
        tags,
        access: admin,
        body: SubscribeRequest,
        response: z.object({ channel: ChannelId, mode: SubscriptionMode }),
        status: 201,
      },
      (_c, { body }) => channels.subscribe(body.channel, body.mode),
    )
    api.route(
      {
        method: 'post',
        path: `${prefix}/menu/:id`,
        summary: 'Hub: list a channel on the menu, or refuse it with a reason',
        tags,
        access: admin,
        body: MenuDecisionRequest,
        response: MenuEntry,
      },
      (c, { body }) => channels.decide(idOf(c.req.param('id')), body.state, body.reason),
    )
  }
}
