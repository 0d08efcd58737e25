/**
 * @module resources/routes
 * Staff CRUD and workflow of resource records (`/api/staff/resources/*`) and the public
 * catalogue (`/api/resources/*`). Edits use the record's revision as ETag: send it back in
 * `If-Match`, and a change someone else made in between is refused with 412.
 */
import type { Context } from 'hono'
import { z } from 'zod'
import {
  CreateResourceRequest,
  Ok,
  Resource,
  ResourceList,
  ResourceListQuery,
  UpdateResourceRequest,
  type Resource as ResourceT,
} from '@shulin/protocol'
import type { Api } from '../http/api.js'
import type { AppEnv } from '../http/env.js'
import { ProblemError } from '../http/problem.js'
import type { ResourceService } from './service.js'
import { canSeeRecord } from './access.js'

const ResourceCounts = z.object({
  total: z.number().int(),
  byStatus: z.record(z.string(), z.number().int()),
  byType: z.record(z.string(), z.number().int()),
})

export const etagOf = (r: ResourceT) => `"r${r.revision}"`

/** The revision a client is changing, from `If-Match: "r7"`; `undefined` when absent. */
export function ifMatchRevision(c: Context): number | undefined {
  const h = c.req.header('if-match')
  if (!h) return undefined
  const m = /^(?:W\/)?"r(\d+)"$/.exec(h.trim())
  if (!m) throw new ProblemError('precondition_failed')
  return Number(m[1])
}

function withEtag(c: Context, r: ResourceT): ResourceT {
  c.header('etag', etagOf(r))
  return r
}

export function resourceRoutes(api: Api, resources: ResourceService): void {
  const tags = ['resources']
  const id = (c: Context) => c.req.param('id') ?? ''

  api.route(
    {
      method: 'post',
      path: '/api/staff/resources',
      summary: 'Create a draft resource record',
      tags,
      access: 'staff',
      body: CreateResourceRequest,
      response: Resource,
      status: 201,
    },
    async (c, { body }) => withEtag(c, await resources.create(body)),
  )
  api.route(
    {
      method: 'get',
      path: '/api/staff/resources',
      summary: 'All records, any status, newest first by id',
      tags,
      access: 'staff',
      query: ResourceListQuery,
      response: ResourceList,
    },
    async (_c, { query }) => {
      const out: ResourceT[] = []
      let nextCursor: string | null = null
      for await (const r of resources.records.all(query.cursor)) {
        if (query.type && r.type !== query.type) continue
        if (query.status && r.status !== query.status) continue
        if (out.length === query.limit) {
          nextCursor = out[out.length - 1]!.id
          break
        }
        out.push(r)
      }
      return { resources: out, nextCursor }
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/staff/resources/count',
      summary: 'How many records, by status and type',
      tags,
      access: 'staff',
      response: ResourceCounts,
    },
    async () => {
      const out = { total: 0, byStatus: {} as Record<string, number>, byType: {} as Record<string, number> }
      for await (const r of resources.records.all()) {
        out.total++
        out.byStatus[r.status] = (out.byStatus[r.status] ?? 0) + 1
        out.byType[r.type] = (out.byType[r.type] ?? 0) + 1
      }
      return out
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/staff/resources/:id',
      summary: 'One record, any status',
      tags,
      access: 'staff',
      response: Resource,
    },
    async (c) => withEtag(c, await resources.get(id(c))),
  )
  api.route(
    {
      method: 'patch',
      path: '/api/staff/resources/:id',
      summary: 'Edit metadata, access or parent (If-Match: the ETag you read)',
      tags,
      access: 'staff',
      body: UpdateResourceRequest,
      response: Resource,
    },
    async (c, { body }) => {
      const expected = ifMatchRevision(c)
      if (expected === undefined) throw new ProblemError('precondition_required')
      return withEtag(c, await resources.update(id(c), body, expected))
    },
  )
  for (const action of ['publish', 'withdraw'] as const) {
    api.route(
      {
        method: 'post',
        path: `/api/staff/resources/:id/${action}`,
        summary: action === 'publish' ? 'Publish a draft or withdrawn record' : 'Withdraw a published record',
        tags,
        access: 'staff',
        response: Resource,
      },
      async (c) => withEtag(c, await resources[action](id(c), ifMatchRevision(c))),
    )
  }
  api.route(
    {
      method: 'delete',
      path: '/api/staff/resources/:id',
      summary: 'Delete a draft or withdrawn record (harvesters see a deletion)',
      tags,
      access: 'staff',
      response: Ok,
    },
    async (c) => {
      await resources.delete(id(c), ifMatchRevision(c))
      return { ok: true as const }
    },
  )

  api.route(
    {
      method: 'get',
      path: '/api/resources/:id',
      summary: 'A published record (metadata is public)',
      tags,
      access: 'public',
      response: Resource,
    },
    async (c) => {
      const r = await resources.records.get(id(c))
      if (!r || !canSeeRecord(r, c.get('auth'))) throw new ProblemError('not_found')
      return withEtag(c, r)
    },
  )
}
