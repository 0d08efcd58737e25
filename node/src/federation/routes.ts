/**
 * @module federation/routes
 * `GET /api/federation/status` and `GET /api/federation/members` on every node (the registry
 * is public: names, regions, addresses of libraries); invites (hub admins) and joining (node
 * admins), each with a control-API twin for the local CLI.
 */
import { z } from 'zod'
import {
  CreateInviteRequest,
  FederationStatus,
  InviteResponse,
  JoinCommand,
  JoinResult,
  MemberEntry,
  MemberList,
  NodeId,
} from '@shulin/protocol'

const ProbeRequest = z.strictObject({ nodeId: NodeId })
const ProbeResult = z.object({ ok: z.boolean(), detail: z.string() })
const CatalogCommand = z.strictObject({
  catalog: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/),
  put: z
    .record(z.string().min(1).max(128), z.json())
    .refine((r) => Object.keys(r).length <= 5000, 'at most 5000 records at once')
    .optional(),
  get: z.array(z.string().max(128)).max(100).optional(),
})
const DocCommand = z.strictObject({
  doc: z.string().regex(/^shared\/[a-z0-9_-]{1,64}$/),
  set: z.record(z.string().max(128), z.string().max(10_000)).optional(),
})
import type { Api } from '../http/api.js'
import { ProblemError } from '../http/problem.js'
import { FederationError, type FederationService } from './service.js'

function asProblem(err: unknown): never {
  if (err instanceof FederationError) {
    if (err.reason === 'unreachable') throw new ProblemError('peer_unreachable', { detail: err.message })
    if (err.reason === 'not_hub' || err.reason === 'not_running')
      throw new ProblemError('conflict', { detail: err.message })
    if (err.reason === 'malformed')
      throw new ProblemError('validation_failed', { errors: [{ pointer: '/invite', detail: err.message }] })
    throw new ProblemError('join_refused', { detail: `${err.reason}: ${err.message}` })
  }
  throw err
}

export function federationRoutes(api: Api, federation: FederationService): void {
  const tags = ['federation']
  api.route(
    {
      method: 'get',
      path: '/api/federation/status',
      summary: 'This node in the federation: role, hub, peers',
      tags,
      access: 'public',
      response: FederationStatus,
    },
    () => federation.status(),
  )
  api.route(
    {
      method: 'get',
      path: '/api/federation/members',
      summary: 'The member registry, every entry verified against the hub’s key',
      tags,
      access: 'public',
      response: MemberList,
    },
    async () => ({
      members: await federation.members(),
    }),
  )
  for (const [prefix, access] of [
    ['/api/staff/federation', 'admin'],
    ['/api/control/federation', 'control'],
  ] as const) {
    api.route(
      {
        method: 'post',
        path: `${prefix}/invites`,
        summary: 'Hub: a single-use, expiring invite for one library',
        tags,
        access,
        body: CreateInviteRequest,
        response: InviteResponse,
        status: 201,
      },
      async (_c, { body }) => federation.invite(body).catch(asProblem),
    )
    for (const [action, status] of [
      ['suspend', 'suspended'],
      ['reinstate', 'active'],
      ['revoke', 'revoked'],
    ] as const) {
      api.route(
        {
          method: 'post',
          path: `${prefix}/members/:nodeId/${action}`,
          summary: `Hub: ${action} a member (a new signed entry every node receives)`,
          tags,
          access,
          response: MemberEntry,
        },
        async (c) => federation.setStatus(c.req.param('nodeId') ?? '', status).catch(asProblem),
      )
    }
    api.route(
      {
        method: 'post',
        path: `${prefix}/join`,
        summary: 'Join the hub that issued the invite',
        tags,
        access,
        body: JoinCommand,
        response: JoinResult,
      },
      async (_c, { body }) => federation.join(body.invite).catch(asProblem),
    )
  }
  api.route(
    {
      method: 'post',
      path: '/api/control/federation/doc',
      summary: 'Read (and with `set`, change) a shared document’s map `entries` (operators and tests)',
      tags,
      access: 'control',
      body: DocCommand,
      response: z.object({ entries: z.record(z.string(), z.unknown()) }),
    },
    async (_c, { body }) => {
      const doc = await federation.doc(body.doc).catch(asProblem)
      const map = doc.getMap('entries')
      if (body.set) doc.transact(() => Object.entries(body.set!).forEach(([k, v]) => map.set(k, v)))
      return { entries: map.toJSON() }
    },
  )
  api.route(
    {
      method: 'post',
      path: '/api/control/federation/catalog',
      summary:
        'Open a sharded catalog (kept in step from then on), optionally set records, count them and read some (operators and tests)',
      tags,
      access: 'control',
      body: CatalogCommand,
      response: z.object({ count: z.number().int(), records: z.record(z.string(), z.unknown()) }),
    },
    async (_c, { body }) => {
      const cat = await federation.catalog(body.catalog)
      if (body.put) await cat.put(Object.entries(body.put))
      let count = 0
      for await (const [, value] of cat.records()) if (value !== null) count++
      const records: Record<string, unknown> = {}
      for (const id of body.get ?? []) records[id] = (await cat.get(id)) ?? null
      return { count, records }
    },
  )
  api.route(
    {
      method: 'post',
      path: '/api/control/federation/probe',
      summary: 'Ask one member for the registry now (does it answer this node?)',
      tags,
      access: 'control',
      body: ProbeRequest,
      response: ProbeResult,
    },
    async (_c, { body }) => federation.probe(body.nodeId),
  )
}
