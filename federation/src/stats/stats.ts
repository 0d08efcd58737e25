/**
 * @module stats
 * `/shulin/stats/1.0.0`: a member pushes signed daily roll-ups (up to 64 at once, so a node
 * back from a week offline catches up in one exchange) and the hub answers with an outcome per
 * roll-up. One request, one answer, schema-checked on both sides ({@link serveExchange}); the
 * hub's intake decides, this module only carries.
 *
 * @example
 * ```ts
 * await serveStats(hubHost, (push, from) => intake.receive(push, from))
 * const res = await pushRollups(memberHost, hubAddrs, { rollups: [await seal(key, 'shulin/rollup', rollup)] })
 * ```
 */
import { StatsPush, StatsPushResponse } from '@shulin/protocol'
import type { Host } from '../host/host.js'
import { askExchange, serveExchange, type Exchange } from '../wire/exchange.js'
import { STATS_PROTOCOL, maxInboundStreams, maxPushBytes, pushTimeoutMs } from './constants.js'

export { STATS_PROTOCOL }

const Stats: Exchange<StatsPush, StatsPushResponse> = {
  protocol: STATS_PROTOCOL,
  request: StatsPush,
  response: StatsPushResponse,
  invalid: { ok: false, reason: 'invalid' },
  maxBytes: maxPushBytes,
  timeoutMs: pushTimeoutMs,
  perAttempt: true,
  maxInboundStreams,
}

export type StatsIntake = (push: StatsPush, from: string) => Promise<StatsPushResponse>

/** Serves roll-up pushes on the hub; `from` is the pushing peer as Noise proved it. */
export function serveStats(host: Host, intake: StatsIntake, log?: (msg: string, err?: unknown) => void): Promise<void> {
  return serveExchange(host, Stats, intake, log)
}

/** Pushes roll-ups to the hub at `addrs`; throws when the hub cannot be reached. */
export function pushRollups(host: Host, addrs: string[], push: StatsPush): Promise<StatsPushResponse> {
  return askExchange(host, Stats, addrs, push, 'cannot reach the hub')
}
