/**
 * @module stats/sushi-credential-routes
 * Managing harvesters' SUSHI credentials: `GET|POST /api/staff/sushi/credentials` and
 * `DELETE /api/staff/sushi/credentials/:id` for the console, `POST /api/control/sushi/credentials`
 * for `shulin sushi credentials create` while the node runs.
 */
import { z } from 'zod'
import type { Api } from '../http/api.js'
import { ProblemError } from '../http/problem.js'
import {
  SushiCredentialAnswer,
  SushiCredentialName,
  SushiCredentialView,
  type SushiCredentials,
} from './sushi-credentials.js'

const CreateRequest = z.strictObject({ name: SushiCredentialName })

export function sushiCredentialRoutes(api: Api, credentials: SushiCredentials): void {
  const tags = ['sushi']
  api.route(
    {
      method: 'get',
      path: '/api/staff/sushi/credentials',
      summary: 'The SUSHI harvesters’ credentials (without their keys)',
      tags,
      access: 'staff',
      response: z.array(SushiCredentialView),
    },
    async () => credentials.list(),
  )
  api.route(
    {
      method: 'post',
      path: '/api/staff/sushi/credentials',
      summary: 'Make a SUSHI credential for a harvester: customer_id, requestor_id, api_key (shown once)',
      tags,
      access: 'staff',
      body: CreateRequest,
      response: SushiCredentialAnswer,
      status: 201,
    },
    async (c, { body }) => credentials.create(body.name, c.get('auth')?.account.username ?? undefined),
  )
  api.route(
    {
      method: 'delete',
      path: '/api/staff/sushi/credentials/:id',
      summary: 'Revoke a SUSHI credential (its harvester is refused from now on)',
      tags,
      access: 'staff',
      status: 204,
    },
    async (c) => {
      if (!(await credentials.revoke(c.req.param('id') ?? ''))) throw new ProblemError('not_found')
    },
  )
  api.route(
    {
      method: 'post',
      path: '/api/control/sushi/credentials',
      summary: 'Make a SUSHI credential (shulin sushi credentials create)',
      tags: ['control'],
      access: 'control',
      body: CreateRequest,
      response: SushiCredentialAnswer,
      status: 201,
    },
    async (_c, { body }) => credentials.create(body.name, 'cli'),
  )
}
