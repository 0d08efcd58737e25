/**
 * @module reading/routes
 * A signed-in reader's reading API under `/api/me/…`: progress and annotations synced across
 * devices, the bookshelf, history and likes. Only records the reader can see are accepted.
 */
import type { Context } from 'hono'
import { z } from 'zod'
import {
  HistoryList,
  LikeState,
  Ok,
  ProgressUpdate,
  ReaderSettings,
  ReadingState,
  ShelfList,
  SyncRequest,
  type Resource,
} from '@shulin/protocol'
import type { Api } from '../http/api.js'
import type { AppEnv, RequestAuth } from '../http/env.js'
import { ProblemError } from '../http/problem.js'
import type { ResourceService } from '../resources/service.js'
import { canSeeRecord } from '../resources/access.js'
import type { ReadingService } from './service.js'

const SyncResponse = ReadingState.extend({ progressApplied: z.boolean() })
const HistoryQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(30),
  before: z.string().max(40).optional(),
})
const withRecords = <T extends { resourceId: string }>(items: T[], records: Array<Resource | undefined>) =>
  items.flatMap((it, i) => (records[i] ? [{ ...it, resource: records[i] }] : []))

export function readingRoutes(api: Api, deps: { reading: ReadingService; resources: ResourceService }): void {
  const { reading, resources } = deps
  const tags = ['reading']
  const me = (c: Context<AppEnv>): RequestAuth => c.get('auth')!
  /** The record, if this reader may see it (else 404: drafts do not exist for readers). */
  const visible = async (c: Context<AppEnv>) => {
    const id = c.req.param('resourceId') ?? ''
    const r = await resources.records.get(id)
    if (!r || !canSeeRecord(r, me(c))) throw new ProblemError('not_found')
    return r
  }

  api.route(
    {
      method: 'get',
      path: '/api/me/reading/:resourceId',
      summary: 'My progress, bookmarks and notes in a resource',
      tags,
      access: 'session',
      response: ReadingState,
    },
    async (c) => reading.state(me(c).account.id, (await visible(c)).id),
  )
  api.route(
    {
      method: 'put',
      path: '/api/me/reading/:resourceId/progress',
      summary: 'Save where I am (the newest position by device time wins)',
      tags,
      access: 'session',
      body: ProgressUpdate,
      response: SyncResponse,
    },
    async (c, { body }) => reading.setProgress(me(c).account.id, (await visible(c)).id, body),
  )
  api.route(
    {
      method: 'post',
      path: '/api/me/reading/:resourceId/sync',
      summary: 'Send a device’s progress and changed bookmarks/notes; get the merged state back',
      tags,
      access: 'session',
      body: SyncRequest,
      response: SyncResponse,
    },
    async (c, { body }) => reading.sync(me(c).account.id, (await visible(c)).id, body),
  )

  api.route(
    {
      method: 'get',
      path: '/api/me/shelf',
      summary: 'My bookshelf, newest first',
      tags,
      access: 'session',
      response: ShelfList,
    },
    async (c) => {
      const items = await reading.shelf(me(c).account.id)
      return { items: withRecords(items, await resources.records.getMany(items.map((i) => i.resourceId))) }
    },
  )
  for (const [method, on] of [
    ['put', true],
    ['delete', false],
  ] as const) {
    api.route(
      {
        method,
        path: '/api/me/shelf/:resourceId',
        summary: on ? 'Put on my shelf' : 'Take off my shelf',
        tags,
        access: 'session',
        response: Ok,
      },
      async (c) => {
        const id = on ? (await visible(c)).id : (c.req.param('resourceId') ?? '')
        await reading.shelve(me(c).account.id, id, on)
        return { ok: true as const }
      },
    )
    api.route(
      {
        method,
        path: '/api/me/likes/:resourceId',
        summary: on ? 'Like' : 'Unlike',
        tags,
        access: 'session',
        response: LikeState,
      },
      async (c) => reading.like(me(c).account.id, (await visible(c)).id, on),
    )
  }
  api.route(
    {
      method: 'get',
      path: '/api/me/settings/reading',
      summary: 'My reading settings (font size, line spacing, font, theme)',
      tags,
      access: 'session',
      response: ReaderSettings,
    },
    async (c) => reading.settings(me(c).account.id),
  )
  api.route(
    {
      method: 'put',
      path: '/api/me/settings/reading',
      summary: 'Save my reading settings (every device uses them)',
      tags,
      access: 'session',
      body: ReaderSettings,
      response: ReaderSettings,
    },
    async (c, { body }) => reading.saveSettings(me(c).account.id, body),
  )
  api.route(
    {
      method: 'get',
      path: '/api/me/history',
      summary: 'What I opened, newest first (page with ?before=<at>)',
      tags,
      access: 'session',
      query: HistoryQuery,
      response: HistoryList,
    },
    async (c, { query }) => {
      const items = await reading.history(me(c).account.id, query)
      return { items: withRecords(items, await resources.records.getMany(items.map((i) => i.resourceId))) }
    },
  )
  api.route(
    { method: 'delete', path: '/api/me/history', summary: 'Clear my history', tags, access: 'session', response: Ok },
    async (c) => {
      await reading.clearHistory(me(c).account.id)
      return { ok: true as const }
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/resources/:resourceId/likes',
      summary: 'How many readers like it (and whether I do)',
      tags,
      access: 'public',
      response: LikeState,
    },
    async (c) => reading.likes((await visible(c)).id, c.get('auth')?.account.id),
  )
}
