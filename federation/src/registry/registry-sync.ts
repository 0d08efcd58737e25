/**
 * @module registry-sync
 * Carries `/shulin/registry/1.0.0` (a peer says which entries it has and gets back every newer
 * one, as the hub signed them; any member may answer), declared in `@shulin/protocol`
 * (`wire/registry`), over {@link serveExchange} / {@link askExchange}.
 */
import { RegistryExchange, type RegistryRequest, type RegistryResponse } from '@shulin/protocol'
import type { Host } from '../host/host.js'
import { askExchange, serveExchange } from '../wire/exchange.js'

/** Answers registry requests; `answer` decides per caller (members only). */
export function serveRegistry(
  host: Host,
  answer: (req: RegistryRequest, from: string) => Promise<RegistryResponse>,
  log?: (msg: string, err?: unknown) => void,
): Promise<void> {
  return serveExchange(host, RegistryExchange, answer, log)
}

/** Asks the peer at one of `addrs` for entries newer than `have`. */
export function fetchRegistry(
  host: Host,
  addrs: string[],
  have: Record<string, number>,
  version?: string,
): Promise<RegistryResponse> {
  return askExchange(host, RegistryExchange, addrs, version ? { have, version } : { have }, 'no peer answered')
}
