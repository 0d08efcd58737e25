/**
 * @module wire/join
 * `/shulin/join/1.0.0`: a node presents a hub-signed invite and its addresses; the hub checks
 * the invite (its signature, that it is the hub's, not expired, not used) and answers with the
 * node's member entry, signed, and the registry while it is small ({@link registryInJoinMax}).
 * `/shulin/renew/1.0.0`: a member whose
 * addresses changed asks the hub for a fresh entry. Both are one request and one answer of at
 * most 4 MiB (renew: 64 KiB), see {@link ExchangeSpec}.
 */
import { z } from 'zod'
import { JoinRequest, JoinResponse, SignedEnvelope } from '../federation/schemas.js'
import type { ExchangeSpec } from './exchange.js'

export const JOIN_PROTOCOL = '/shulin/join/1.0.0'

/**
 * A join answer carries the whole registry while it has at most this many entries (~150 KB); in a
 * larger network it carries none, and the new member takes the registry by its first registry
 * request (`/shulin/registry/1.1.0`, holding nothing) right after. The same bytes once, but not
 * inside the join: admitting is short for the hub, and a 1.5 MB answer at 3,000 members cannot
 * make a slow link miss the join's deadline after the hub has admitted the node.
 */
export const registryInJoinMax = 256

export const JoinExchange: ExchangeSpec<JoinRequest, JoinResponse> = {
  protocol: JOIN_PROTOCOL,
  request: JoinRequest,
  response: JoinResponse,
  invalid: { ok: false, reason: 'invalid' },
  maxBytes: 4 * 1024 * 1024,
  timeoutMs: 15_000,
  maxInboundStreams: 8,
}

export const RENEW_PROTOCOL = '/shulin/renew/1.0.0'

export const RenewRequest = z.strictObject({ http: JoinRequest.shape.http, p2p: JoinRequest.shape.p2p })
export type RenewRequest = z.infer<typeof RenewRequest>
export const RenewResponse = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), entry: SignedEnvelope }),
  z.strictObject({ ok: z.literal(false), reason: z.enum(['not_member', 'invalid']) }),
])
export type RenewResponse = z.infer<typeof RenewResponse>

export const RenewExchange: ExchangeSpec<RenewRequest, RenewResponse> = {
  protocol: RENEW_PROTOCOL,
  request: RenewRequest,
  response: RenewResponse,
  invalid: { ok: false, reason: 'invalid' },
  maxBytes: 64 * 1024,
  timeoutMs: 15_000,
  perAttempt: true,
  maxInboundStreams: 4,
}
