/**
 * @module version
 * Carries `/shulin/version/1.0.0` (a member and the hub tell each other their Shulin version),
 * declared in `@shulin/protocol` (`wire/version`), over {@link serveExchange} / {@link askExchange}.
 */
import { VersionExchange, type VersionRequest, type VersionResponse } from '@shulin/protocol'
import type { Host } from '../host/host.js'
import { askExchange, serveExchange } from '../wire/exchange.js'

/** The hub answers with its version; `answer` decides per caller (members only). */
export function serveVersion(
  host: Host,
  answer: (req: VersionRequest, from: string) => Promise<VersionResponse>,
  log?: (msg: string, err?: unknown) => void,
): Promise<void> {
  return serveExchange(host, VersionExchange, answer, log)
}

/** Asks the hub at one of `addrs` for its version, telling it this node's. */
export function askVersion(host: Host, addrs: string[], version: string): Promise<VersionResponse> {
  return askExchange(host, VersionExchange, addrs, { version }, 'the hub did not answer')
}
