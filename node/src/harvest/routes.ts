/**
 * @module harvest/routes
 * Staff's side of harvesting (the console's, and `shulin harvest` through a session):
 * `GET /api/staff/harvest` lists the added repositories with their last report,
 * `POST /api/staff/harvest` adds one and harvests it at once, `POST /api/staff/harvest/run`
 * harvests them all again. The answer waits for the harvest: its report is the answer.
 */
import { z } from 'zod'
import type { Api } from '../http/api.js'
import { HarvestReport, HarvestTarget, Repository, type HarvestService } from './service.js'
import { HarvestRunAnswer } from './control-routes.js'

const tags = ['harvest']

export function harvestRoutes(api: Api, deps: { harvest: HarvestService }): void {
  api.route(
    {
      method: 'get',
      path: '/api/staff/harvest',
      summary: 'The OAI-PMH repositories this node harvests, with their last report',
      tags,
      access: 'staff',
      response: z.object({ repositories: z.array(Repository) }),
    },
    async () => ({ repositories: await deps.harvest.list() }),
  )
  api.route(
    {
      method: 'post',
      path: '/api/staff/harvest',
      summary: 'Add an OAI-PMH repository and harvest it at once',
      tags,
      access: 'staff',
      body: HarvestTarget,
      response: HarvestReport,
    },
    async (_c, { body }) => deps.harvest.add(body),
  )
  api.route(
    {
      method: 'post',
      path: '/api/staff/harvest/run',
      summary: 'Harvest every added OAI-PMH repository again (what changed since the last run)',
      tags,
      access: 'staff',
      response: HarvestRunAnswer,
    },
    async () => ({ reports: await deps.harvest.runAll() }),
  )
}
