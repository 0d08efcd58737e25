/**
 * @module network-search
 * `/shulin/search/1.0.0`: a member asks the hub to search the union catalogue. One request, one
 * answer (see {@link serveExchange}); the hub answers active members only.
 */
import { NetworkSearchAnswer, NetworkSearchRequest } from '@shulin/protocol'
import type { Host } from '../host/host.js'
import { askExchange, serveExchange, type Exchange } from '../wire/exchange.js'

export const SEARCH_PROTOCOL = '/shulin/search/1.0.0'

const NetworkSearch: Exchange<NetworkSearchRequest, NetworkSearchAnswer> = {
  protocol: SEARCH_PROTOCOL,
  request: NetworkSearchRequest,
  response: NetworkSearchAnswer,
  invalid: { ok: false, reason: 'invalid' },
  maxBytes: 1024 * 1024,
  timeoutMs: 10_000,
  maxInboundStreams: 32,
}

export function serveNetworkSearch(host: Host, answer: (req: NetworkSearchRequest, from: string) => Promise<NetworkSearchAnswer>, log?: (msg: string, err?: unknown) => void): Promise<void> {
  return serveExchange(host, NetworkSearch, answer, log)
}

export function askNetworkSearch(host: Host, addrs: string[], req: NetworkSearchRequest): Promise<NetworkSearchAnswer> {
  return askExchange(host, NetworkSearch, addrs, req, 'the hub did not answer')
}
