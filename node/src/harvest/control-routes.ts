/**
 * @module harvest/control-routes
 * `shulin harvest add|run` while the node runs (the CLI cannot open the locked folder):
 * `POST /api/control/harvest/add` and `POST /api/control/harvest/run`. Control token only.
 */
import { z } from 'zod'
import type { Api } from '../http/api.js'
import { HarvestReport, HarvestTarget, type HarvestService } from './service.js'

export const HarvestRunAnswer = z.object({ reports: z.array(HarvestReport) })

export function harvestControlRoutes(api: Api, deps: { harvest: HarvestService }): void {
  api.route(
    {
      method: 'post',
      path: '/api/control/harvest/add',
      summary: 'Add an OAI-PMH repository and harvest it once (shulin harvest add)',
      tags: ['control'],
      access: 'control',
      body: HarvestTarget,
      response: HarvestReport,
    },
    async (_c, { body }) => deps.harvest.add(body),
  )
  api.route(
    {
      method: 'post',
      path: '/api/control/harvest/run',
      summary: 'Harvest every added OAI-PMH repository again (shulin harvest run)',
      tags: ['control'],
      access: 'control',
      body: z.strictObject({}),
      response: HarvestRunAnswer,
    },
    async () => ({ reports: await deps.harvest.runAll() }),
  )
}
