/**
 * @module network-search
 * Carries `/shulin/search/1.0.0` (a member asks the hub to search the union catalogue),
 * declared in `@shulin/protocol` (`wire/search`), over {@link serveExchange} / {@link askExchange}.
 */
import { NetworkSearchExchange, type NetworkSearchAnswer, type NetworkSearchRequest } from '@shulin/protocol'
import type { Host } from '../host/host.js'
import { askExchange, serveExchange } from '../wire/exchange.js'

export function serveNetworkSearch(
  host: Host,
  answer: (req: NetworkSearchRequest, from: string) => Promise<NetworkSearchAnswer>,
  log?: (msg: string, err?: unknown) => void,
): Promise<void> {
  return serveExchange(host, NetworkSearchExchange, answer, log)
}

export function askNetworkSearch(host: Host, addrs: string[], req: NetworkSearchRequest): Promise<NetworkSearchAnswer> {
  return askExchange(host, NetworkSearchExchange, addrs, req, 'the hub did not answer')
}
