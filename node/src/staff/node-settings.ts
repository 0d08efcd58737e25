/**
 * @module staff/node-settings
 * `GET /api/staff/node`: the settings this node runs with, for its staff to read. They are
 * chosen at start (flags or `SHULIN_*` variables, see `shulin start --help`), so the console
 * shows them with the flag that changes each; secrets (the Meilisearch key) are never shown.
 */
import { NodeSettings } from '@shulin/protocol'
import type { Api } from '../http/api.js'
import type { NodeConfig } from '../config/config.js'

export function nodeSettingsRoutes(
  api: Api,
  deps: {
    config: NodeConfig
    nodeId: string
    version: string
    searchStats: () => Promise<{ engine: string; documents: number; diskBytes?: number }>
    /** Name and public URL in effect (the console's, else the flags'). */
    library: () => { name: string; publicUrl: string | null }
    /** The hub's version and whether it is newer than this node's (upgrade/version-check). */
    versions: () => { hubVersion: string | null; newerVersion: string | null }
  },
): void {
  api.route(
    {
      method: 'get',
      path: '/api/staff/node',
      summary: 'The settings this node runs with (set at start by flags)',
      tags: ['staff'],
      access: 'staff',
      response: NodeSettings,
    },
    async () => {
      const { config } = deps
      const stats = await deps.searchStats()
      return {
        name: deps.library().name,
        role: config.role,
        nodeId: deps.nodeId,
        version: deps.version,
        publicUrl: deps.library().publicUrl,
        search: { engine: stats.engine, documents: stats.documents, diskBytes: stats.diskBytes ?? null },
        maxUploadBytes: config.maxUploadBytes,
        passwordPolicy: config.passwordPolicy,
        adminEmail: config.adminEmail,
        ...deps.versions(),
        trustProxy: config.trustProxy || (config.trustedProxies !== undefined && config.trustedProxies !== 0),
      }
    },
  )
}
