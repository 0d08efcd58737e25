/**
 * @module recommend
 * Builds the recommendation service over a running node's parts: the reading history it learns
 * from (each first read), the columns and topics as staff picks, and the usage statistics (this
 * node's, and the hub's national figures on the hub) for the cold start.
 */
import { nextDay, type MemberEntry } from '@shulin/protocol'
import type { CollectionService } from '../collections/service.js'
import type { Logger } from '../logger.js'
import type { ReadingService } from '../reading/service.js'
import type { ResourceRecords } from '../resources/store.js'
import type { Stats } from '../stats/index.js'
import type { Storage } from '../storage/db.js'
import { RecommendService } from './service.js'

export { RecommendService } from './service.js'
export { recommendRoutes } from './routes.js'

/** Statistics are summed over this many days, and read again at most this often. */
const statsDays = 30
const statsTtlMs = 10 * 60_000

export function createRecommend(init: {
  storage: Storage
  records: ResourceRecords
  reading: ReadingService
  collections: CollectionService
  stats?: Stats | undefined
  /** The hub's members (for the national figures), on the hub. */
  members?: () => Promise<MemberEntry[]>
  now?: () => number
  logger?: Logger | undefined
}): RecommendService {
  const now = init.now ?? Date.now
  const cached = (load: () => Promise<string[]>) => {
    let last: { at: number; ids: string[] } | undefined
    return async () => {
      if (!last || now() - last.at > statsTtlMs) last = { at: now(), ids: await load() }
      return last.ids
    }
  }
  const range = (stats: Stats) => {
    const to = stats.service.today()
    return { from: nextDay(to, -statsDays), to }
  }
  const { stats, members } = init
  const recommend = new RecommendService({
    storage: init.storage,
    records: init.records,
    history: async (accountId, limit) => (await init.reading.history(accountId, { limit })).map((h) => h.resourceId),
    staffPicks: async () => (await init.collections.listVisible()).flatMap((c) => c.items),
    ...(stats
      ? {
          localPopular: cached(async () => {
            const { from, to } = range(stats)
            return (await stats.service.summary(from, to)).top.map((t) => t.id)
          }),
        }
      : {}),
    ...(stats?.hub && members
      ? {
          networkPopular: cached(async () => {
            const { from, to } = range(stats)
            return (await stats.hub!.topTitles(await members(), from, to, 50)).map((t) => t.id)
          }),
        }
      : {}),
    now,
    logger: init.logger,
  })
  init.reading.onRead((accountId, resourceId) => recommend.read(accountId, resourceId))
  return recommend
}
