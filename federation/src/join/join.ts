/**
 * @module join
 * `/shulin/join/1.0.0`: a node presents a hub-signed invite and its addresses; the hub checks
 * the invite (its signature, that it is the hub's, not expired, not used) and answers with the
 * node's member entry, signed, and the registry. `/shulin/renew/1.0.0`: a member whose
 * addresses changed asks the hub for a fresh entry. Both are one request and one answer of at
 * most 4 MiB (renew: 64 KiB), see {@link serveExchange}.
 */
import { z } from 'zod'
import { JoinRequest, JoinResponse, SignedEnvelope, type JoinRefusal } from '@shulin/protocol'
import type { Host } from '../host/host.js'
import { askExchange, serveExchange, type Exchange } from '../wire/exchange.js'

export const JOIN_PROTOCOL = '/shulin/join/1.0.0'

const Join: Exchange<JoinRequest, JoinResponse> = {
  protocol: JOIN_PROTOCOL,
  request: JoinRequest,
  response: JoinResponse,
  invalid: { ok: false, reason: 'invalid' },
  maxBytes: 4 * 1024 * 1024,
  timeoutMs: 15_000,
  maxInboundStreams: 8,
}

/** What the hub decides for one request (its service keeps invites and the registry). */
export type JoinDecider = (req: JoinRequest, from: string) => Promise<{ ok: true; entry: SignedEnvelope; registry: SignedEnvelope[] } | { ok: false; reason: JoinRefusal }>

/** Serves joins on the hub. A malformed request gets `invalid` and the stream closes. */
export function serveJoin(host: Host, decide: JoinDecider, log?: (msg: string, err?: unknown) => void): Promise<void> {
  return serveExchange(host, Join, decide, log)
}

/** Asks the hub at `addrs` to admit this host. */
export function requestJoin(host: Host, hubAddrs: string[], req: JoinRequest): Promise<JoinResponse> {
  return askExchange(host, Join, hubAddrs, req, 'cannot reach the hub')
}

export const RENEW_PROTOCOL = '/shulin/renew/1.0.0'

export const RenewRequest = z.strictObject({ http: JoinRequest.shape.http, p2p: JoinRequest.shape.p2p })
export type RenewRequest = z.infer<typeof RenewRequest>
export const RenewResponse = z.discriminatedUnion('ok', [z.strictObject({ ok: z.literal(true), entry: SignedEnvelope }), z.strictObject({ ok: z.literal(false), reason: z.enum(['not_member', 'invalid']) })])
export type RenewResponse = z.infer<typeof RenewResponse>

const Renew: Exchange<RenewRequest, RenewResponse> = {
  protocol: RENEW_PROTOCOL,
  request: RenewRequest,
  response: RenewResponse,
  invalid: { ok: false, reason: 'invalid' },
  maxBytes: 64 * 1024,
  timeoutMs: 15_000,
  perAttempt: true,
  maxInboundStreams: 4,
}

/** Serves renewals on the hub: the caller is who Noise proved it is, so only its own entry changes. */
export function serveRenew(host: Host, decide: (req: RenewRequest, from: string) => Promise<RenewResponse>, log?: (msg: string, err?: unknown) => void): Promise<void> {
  return serveExchange(host, Renew, decide, log)
}

export function requestRenew(host: Host, hubAddrs: string[], req: RenewRequest): Promise<RenewResponse> {
  return askExchange(host, Renew, hubAddrs, req, 'cannot reach the hub')
}
