/**
 * @module stats
 * Usage statistics wired into a node: capture on every request, daily aggregation, the
 * roll-up queue to the hub (members), the intake and national figures (the hub), the staff and
 * hub dashboards' API and COUNTER-SUSHI. Privacy: nothing that leaves the node names a reader —
 * roll-ups carry counts, and query text stays on the node.
 */
import type { Hono, MiddlewareHandler } from 'hono'
import type { NodeKey } from '@shulin/federation/identity'
import type { Host } from '@shulin/federation'
import type { MemberEntry, Resource } from '@shulin/protocol'
import type { AppEnv } from '../http/env.js'
import type { Api, AccessCheck } from '../http/api.js'
import type { Storage } from '../storage/db.js'
import type { Logger } from '../logger.js'
import { StatsService } from './service.js'
import { HubStats } from './hub.js'
import { RollupPusher } from './pusher.js'
import { hubStatsRoutes, nodeStatsRoutes } from './routes.js'
import { sushiRoutes } from './sushi-routes.js'
import { hubSushiSource, nodeSushiSource } from './sources.js'
import { SushiCredentials } from './sushi-credentials.js'
import { sushiCredentialRoutes } from './sushi-credential-routes.js'

export { StatsService } from './service.js'
export { HubStats } from './hub.js'
export { RollupPusher } from './pusher.js'
export { noteSearchHits } from './capture.js'

/** What stats need of the federation service (its small public surface). */
export interface StatsFederation {
  whenHost(fn: (host: Host) => Promise<void>): Promise<void>
  entry(nodeId: string): MemberEntry | undefined
  hubPeer(): Promise<{ hub: string; addrs: string[] } | undefined>
  members(): Promise<MemberEntry[]>
}

export interface StatsInit {
  storage: Storage
  resources: { getMany(ids: string[]): Promise<Array<Resource | undefined>> }
  key: NodeKey
  role: 'node' | 'hub'
  name: string
  federation: StatsFederation
  version: string
  now?: () => number
  logger?: Logger
  /** Days raw events are kept (a node's `statsRawDays` setting), 30 by default. */
  rawDays?: number
  /** How often a member pushes waiting roll-ups (ms). */
  pushIntervalMs?: number
}

export interface Stats {
  service: StatsService
  hub: HubStats | undefined
  /** Harvesters' COUNTER-SUSHI credentials (`requestor_id` + `api_key`). */
  sushiCredentials: SushiCredentials
  pusher: RollupPusher | undefined
  capture: MiddlewareHandler<AppEnv>
  routes(app: Hono<AppEnv>, api: Api, check: AccessCheck): void
  start(): Promise<void>
  close(): Promise<void>
}

export function createStats(init: StatsInit): Stats {
  const now = init.now ?? Date.now
  const rawDays = init.rawDays ?? 30
  const service = new StatsService({
    storage: init.storage,
    resources: init.resources,
    nodeId: init.key.nodeId,
    rawDays,
    now,
    logger: init.logger,
  })
  const hub =
    init.role === 'hub'
      ? new HubStats({ storage: init.storage, member: (id) => init.federation.entry(id), now, logger: init.logger })
      : undefined
  let host: Host | undefined
  const pusher =
    init.role === 'node'
      ? new RollupPusher({
          stats: service,
          key: init.key,
          ...(init.pushIntervalMs ? { intervalMs: init.pushIntervalMs } : {}),
          logger: init.logger,
          push: async (rollups) => {
            const peer = await init.federation.hubPeer()
            if (!peer || !host) throw new Error('not a member of a network')
            const { pushRollups } = await import('@shulin/federation')
            return pushRollups(host, peer.addrs, { rollups })
          },
        })
      : undefined
  const sushiCredentials = new SushiCredentials(init.storage, init.key.nodeId, now)
  // The registry as the hub holds it (every status: a suspended member's figures still count).
  const registry = async () => (await init.federation.members()).filter((m) => m.nodeId !== init.key.nodeId)
  return {
    service,
    hub,
    sushiCredentials,
    pusher,
    capture: service.capture.middleware(),
    routes(app, api, check) {
      nodeStatsRoutes(api, {
        stats: service,
        pusher: () => pusher,
        member: async () => init.role === 'node' && !!(await init.federation.hubPeer()),
      })
      if (hub) hubStatsRoutes(api, { hub, members: registry, now })
      // Members seen by the hub's SUSHI: the registry as last loaded (refreshed by the routes' calls).
      let cached: MemberEntry[] = []
      const source = hub
        ? hubSushiSource({ hub, members: () => cached, nodeId: init.key.nodeId, name: init.name })
        : nodeSushiSource({ stats: service, resources: init.resources, nodeId: init.key.nodeId, name: init.name })
      app.use('/sushi/*', async (_c, next) => {
        if (hub) cached = await registry()
        await next()
      })
      sushiRoutes(app, { source, check, credentials: sushiCredentials, now, version: init.version })
      sushiCredentialRoutes(api, sushiCredentials)
      // The same routes under both bases: /sushi/r51 (COUNTER's 5.1 path) and /sushi/r5.
      for (const base of ['/sushi/r51', '/sushi/r5']) {
        for (const [path, summary] of [
          [`${base}/status`, 'COUNTER-SUSHI: is the service up (public)'],
          [`${base}/reports`, 'COUNTER-SUSHI: the reports offered (PR, TR)'],
          [`${base}/reports/pr`, 'COUNTER-SUSHI Platform Report (5.1 by default; JSON, or TSV with format=tsv)'],
          [`${base}/reports/tr`, 'COUNTER-SUSHI Title Report (5.1 by default; JSON, or TSV with format=tsv)'],
          ...(hub ? [[`${base}/members`, 'COUNTER-SUSHI: the member libraries (hub)']] : []),
        ] as const) {
          api.describe({
            method: 'get',
            path,
            summary: `${summary}; harvesters send customer_id, requestor_id, api_key`,
            tags: ['sushi'],
            access: path.endsWith('/status') ? 'public' : 'staff',
          })
        }
      }
    },
    async start() {
      await init.federation.whenHost(async (h) => {
        host = h
        if (hub) {
          const { serveStats } = await import('@shulin/federation')
          await serveStats(
            h,
            (push, from) => hub.receive(push, from),
            (msg, err) => init.logger?.warn({ err }, msg),
          )
        }
      })
      // A finished day goes to the hub as soon as it is aggregated.
      service.start(() => void pusher?.pushNow())
      pusher?.start()
    },
    async close() {
      await pusher?.stop()
      await service.close()
    },
  }
}
