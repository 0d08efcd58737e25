/**
 * @module holders
 * `/shulin/holders/1.0.0`: members tell the hub which channel files they hold, and ask it who
 * holds one (see `@shulin/protocol`'s `distribution/holders`). One request, one answer
 * ({@link serveExchange}); what the hub keeps and whom it answers is the node's business.
 */
import { HOLDERS_PROTOCOL, HoldersAnswer, HoldersRequest, holdersLimits } from '@shulin/protocol'
import type { Host } from '../host/host.js'
import { askExchange, serveExchange, type Exchange } from '../wire/exchange.js'

const Holders: Exchange<HoldersRequest, HoldersAnswer> = {
  protocol: HOLDERS_PROTOCOL,
  request: HoldersRequest,
  response: HoldersAnswer,
  invalid: { ok: false, reason: 'invalid' },
  maxBytes: holdersLimits.maxMessageBytes,
  timeoutMs: 5_000,
  maxInboundStreams: 32,
}

export function serveHolders(host: Host, answer: (req: HoldersRequest, from: string) => Promise<HoldersAnswer>, log?: (msg: string, err?: unknown) => void): Promise<void> {
  return serveExchange(host, Holders, answer, log)
}

export function askHolders(host: Host, addrs: string[], req: HoldersRequest): Promise<HoldersAnswer> {
  return askExchange(host, Holders, addrs, req, 'the hub did not answer')
}
