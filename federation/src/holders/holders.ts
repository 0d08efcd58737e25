/**
 * @module holders
 * Carries `/shulin/holders/1.0.0` (members tell the hub which channel files they hold, and ask
 * it who holds one), declared in `@shulin/protocol` (`wire/holders`, `distribution/holders`),
 * over {@link serveExchange} / {@link askExchange}; what the hub keeps and whom it answers is
 * the node's business.
 */
import { HoldersExchange, type HoldersAnswer, type HoldersRequest } from '@shulin/protocol'
import type { Host } from '../host/host.js'
import { askExchange, serveExchange } from '../wire/exchange.js'

export function serveHolders(
  host: Host,
  answer: (req: HoldersRequest, from: string) => Promise<HoldersAnswer>,
  log?: (msg: string, err?: unknown) => void,
): Promise<void> {
  return serveExchange(host, HoldersExchange, answer, log)
}

export function askHolders(host: Host, addrs: string[], req: HoldersRequest): Promise<HoldersAnswer> {
  return askExchange(host, HoldersExchange, addrs, req, 'the hub did not answer')
}
