/**
 * @module wire/search
 * `/shulin/search/1.0.0`: a member asks the hub to search the union catalogue (the messages are
 * `search/network`'s, shared with the HTTP answer). One request, one answer
 * ({@link ExchangeSpec}); the hub answers active members only.
 */
import { NetworkSearchAnswer, NetworkSearchRequest } from '../search/network.js'
import type { ExchangeSpec } from './exchange.js'

export const SEARCH_PROTOCOL = '/shulin/search/1.0.0'

export const NetworkSearchExchange: ExchangeSpec<NetworkSearchRequest, NetworkSearchAnswer> = {
  protocol: SEARCH_PROTOCOL,
  request: NetworkSearchRequest,
  response: NetworkSearchAnswer,
  invalid: { ok: false, reason: 'invalid' },
  maxBytes: 1024 * 1024,
  timeoutMs: 10_000,
  maxInboundStreams: 32,
}
