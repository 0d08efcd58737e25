/**
 * @module activities/tallies
 * Carries `/shulin/activity-tally/1.0.0` (a member pushes signed daily like tallies of national
 * activities, with the signed descriptions of the entries they name, and the hub answers with
 * an outcome per envelope), declared in `@shulin/protocol` (`wire/activities`), over
 * {@link serveExchange} / {@link askExchange}; the hub's intake decides, this module only carries.
 *
 * @example
 * ```ts
 * await serveTallies(hubHost, (push, from) => intake.receive(push, from))
 * const res = await pushTallies(memberHost, hubAddrs, { tallies: [await seal(key, 'shulin/activity-tally', t)], entries: [] })
 * ```
 */
import {
  ActivityRankingExchange,
  ActivityTallyExchange,
  type NationalRankingRequest,
  type NationalRankingResponse,
  type TallyPush,
  type TallyPushResponse,
} from '@shulin/protocol'
import type { Host } from '../host/host.js'
import { askExchange, serveExchange } from '../wire/exchange.js'

export type TallyIntake = (push: TallyPush, from: string) => Promise<TallyPushResponse>

/** Serves tally pushes on the hub; `from` is the pushing peer as Noise proved it. */
export function serveTallies(
  host: Host,
  intake: TallyIntake,
  log?: (msg: string, err?: unknown) => void,
): Promise<void> {
  return serveExchange(host, ActivityTallyExchange, intake, log)
}

/** Pushes tallies to the hub at `addrs`; throws when the hub cannot be reached. */
export function pushTallies(host: Host, addrs: string[], push: TallyPush): Promise<TallyPushResponse> {
  return askExchange(host, ActivityTallyExchange, addrs, push, 'cannot reach the hub')
}

/** Serves national rankings on the hub (`/shulin/activity-ranking/1.0.0`). */
export function serveRankings(
  host: Host,
  answer: (req: NationalRankingRequest, from: string) => Promise<NationalRankingResponse>,
  log?: (msg: string, err?: unknown) => void,
): Promise<void> {
  return serveExchange(host, ActivityRankingExchange, answer, log)
}

/** Asks the hub at `addrs` for a national ranking; throws when the hub cannot be reached. */
export function askRanking(host: Host, addrs: string[], req: NationalRankingRequest): Promise<NationalRankingResponse> {
  return askExchange(host, ActivityRankingExchange, addrs, req, 'cannot reach the hub')
}
