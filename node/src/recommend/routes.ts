/**
 * @module recommend/routes
 * `GET /api/recommendations` (猜你喜欢; `?for=<record>`: 读过这本的人也读了), signed in or not,
 * and the reader groups staff define (`/api/staff/recommend/groups`).
 */
import type { Context } from 'hono'
import {
  Ok,
  ReaderGroup,
  ReaderGroupList,
  RecommendationList,
  RecommendationQuery,
  SaveReaderGroupRequest,
} from '@shulin/protocol'
import type { Api } from '../http/api.js'
import type { AppEnv } from '../http/env.js'
import { localeOf, ProblemError } from '../http/problem.js'
import type { ResourceService } from '../resources/service.js'
import { canSeeRecord } from '../resources/access.js'
import type { RecommendService } from './service.js'

export function recommendRoutes(api: Api, deps: { recommend: RecommendService; resources: ResourceService }): void {
  const { recommend, resources } = deps
  const tags = ['recommendations']
  const id = (c: Context) => c.req.param('id') ?? ''

  api.route(
    {
      method: 'get',
      path: '/api/recommendations',
      summary: 'Recommended records with the reason for each (for the signed-in reader, or what is popular)',
      tags,
      access: 'public',
      query: RecommendationQuery,
      response: RecommendationList,
    },
    async (c: Context<AppEnv>, { query }) => {
      const auth = c.get('auth') ?? null
      const locale = localeOf(c)
      c.header('cache-control', 'private, no-store')
      if (query.for) {
        const r = await resources.records.get(query.for)
        if (!r || !canSeeRecord(r, auth)) throw new ProblemError('not_found')
        return { items: await recommend.forRecord(r.id, { limit: query.limit, locale }) }
      }
      return { items: await recommend.forReader(auth?.account.id, { limit: query.limit, locale }) }
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/staff/recommend/groups',
      summary: 'Reader groups (each sees its own popular reads)',
      tags,
      access: 'staff',
      response: ReaderGroupList,
    },
    async () => ({ items: await recommend.groups() }),
  )
  api.route(
    {
      method: 'post',
      path: '/api/staff/recommend/groups',
      summary: 'Define a reader group by a list of readers',
      tags,
      access: 'staff',
      body: SaveReaderGroupRequest,
      response: ReaderGroup,
      status: 201,
    },
    async (_c, { body }) => recommend.saveGroup(undefined, body),
  )
  api.route(
    {
      method: 'put',
      path: '/api/staff/recommend/groups/:id',
      summary: 'Rename a reader group or change its readers',
      tags,
      access: 'staff',
      body: SaveReaderGroupRequest,
      response: ReaderGroup,
    },
    async (c, { body }) => recommend.saveGroup(id(c), body),
  )
  api.route(
    {
      method: 'delete',
      path: '/api/staff/recommend/groups/:id',
      summary: 'Delete a reader group',
      tags,
      access: 'staff',
      response: Ok,
    },
    async (c) => {
      await recommend.deleteGroup(id(c))
      return { ok: true as const }
    },
  )
}
