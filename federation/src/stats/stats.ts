/**
 * @module stats
 * Carries `/shulin/stats/1.0.0` (a member pushes signed daily roll-ups and the hub answers with
 * an outcome per roll-up), declared in `@shulin/protocol` (`wire/stats`, `stats/rollup`), over
 * {@link serveExchange} / {@link askExchange}; the hub's intake decides, this module only carries.
 *
 * @example
 * ```ts
 * await serveStats(hubHost, (push, from) => intake.receive(push, from))
 * const res = await pushRollups(memberHost, hubAddrs, { rollups: [await seal(key, 'shulin/rollup', rollup)] })
 * ```
 */
import { StatsExchange, type StatsPush, type StatsPushResponse } from '@shulin/protocol'
import type { Host } from '../host/host.js'
import { askExchange, serveExchange } from '../wire/exchange.js'

export type StatsIntake = (push: StatsPush, from: string) => Promise<StatsPushResponse>

/** Serves roll-up pushes on the hub; `from` is the pushing peer as Noise proved it. */
export function serveStats(host: Host, intake: StatsIntake, log?: (msg: string, err?: unknown) => void): Promise<void> {
  return serveExchange(host, StatsExchange, intake, log)
}

/** Pushes roll-ups to the hub at `addrs`; throws when the hub cannot be reached. */
export function pushRollups(host: Host, addrs: string[], push: StatsPush): Promise<StatsPushResponse> {
  return askExchange(host, StatsExchange, addrs, push, 'cannot reach the hub')
}
