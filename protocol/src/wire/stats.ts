/**
 * @module wire/stats
 * `/shulin/stats/1.0.0` as an exchange: a member pushes signed daily roll-ups (up to 64 at once,
 * so a node back from a week offline catches up in one exchange) and the hub answers with an
 * outcome per roll-up (the messages are `stats/rollup`'s). One request, one answer
 * ({@link ExchangeSpec}).
 */
import { STATS_PROTOCOL, StatsPush, StatsPushResponse } from '../stats/rollup.js'
import type { ExchangeSpec } from './exchange.js'

export const StatsExchange: ExchangeSpec<StatsPush, StatsPushResponse> = {
  protocol: STATS_PROTOCOL,
  request: StatsPush,
  response: StatsPushResponse,
  invalid: { ok: false, reason: 'invalid' },
  /** 64 roll-ups of ~3 KiB each fit well within this. */
  maxBytes: 1024 * 1024,
  timeoutMs: 20_000,
  perAttempt: true,
  /** Members push once a day (and catch up); a few streams at a time per connection suffice. */
  maxInboundStreams: 4,
}
