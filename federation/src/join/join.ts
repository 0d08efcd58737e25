/**
 * @module join
 * Carries `/shulin/join/1.0.0` (a node presents a hub-signed invite and is admitted) and
 * `/shulin/renew/1.0.0` (a member whose addresses changed asks for a fresh entry), declared in
 * `@shulin/protocol` (`wire/join`), over {@link serveExchange} / {@link askExchange}.
 */
import {
  JoinExchange,
  RenewExchange,
  type JoinRefusal,
  type JoinRequest,
  type JoinResponse,
  type RenewRequest,
  type RenewResponse,
  type SignedEnvelope,
} from '@shulin/protocol'
import type { Host } from '../host/host.js'
import { askExchange, serveExchange } from '../wire/exchange.js'

/** What the hub decides for one request (its service keeps invites and the registry). */
export type JoinDecider = (
  req: JoinRequest,
  from: string,
) => Promise<{ ok: true; entry: SignedEnvelope; registry: SignedEnvelope[] } | { ok: false; reason: JoinRefusal }>

/** Serves joins on the hub. A malformed request gets `invalid` and the stream closes. */
export function serveJoin(host: Host, decide: JoinDecider, log?: (msg: string, err?: unknown) => void): Promise<void> {
  return serveExchange(host, JoinExchange, decide, log)
}

/** Asks the hub at `addrs` to admit this host. */
export function requestJoin(host: Host, hubAddrs: string[], req: JoinRequest): Promise<JoinResponse> {
  return askExchange(host, JoinExchange, hubAddrs, req, 'cannot reach the hub')
}

/** Serves renewals on the hub: the caller is who Noise proved it is, so only its own entry changes. */
export function serveRenew(
  host: Host,
  decide: (req: RenewRequest, from: string) => Promise<RenewResponse>,
  log?: (msg: string, err?: unknown) => void,
): Promise<void> {
  return serveExchange(host, RenewExchange, decide, log)
}

export function requestRenew(host: Host, hubAddrs: string[], req: RenewRequest): Promise<RenewResponse> {
  return askExchange(host, RenewExchange, hubAddrs, req, 'cannot reach the hub')
}
