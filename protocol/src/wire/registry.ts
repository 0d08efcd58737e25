/**
 * @module wire/registry
 * The registry exchange: a peer says what it holds and gets back every entry that is newer, as
 * the hub signed them. Any member may answer (entries carry the hub's signature, so relaying
 * needs no trust), which is how the registry keeps moving while the hub is unreachable. One
 * request, one answer, at most 4 MiB each (see {@link ExchangeSpec}).
 *
 * - `/shulin/registry/1.1.0` (asked first): the asker names the newest `issuedAt` it holds, and
 *   gets every entry issued after it. The hub stamps each entry it signs strictly after every
 *   earlier one, and a view is only ever filled from a complete answer (the hub's, a join's, or a
 *   peer's made the same way), so "after the newest I hold" misses nothing. A request is a few
 *   dozen bytes whatever the size of the network.
 * - `/shulin/registry/1.0.0`: the asker lists every entry it holds (node id → seq): ~65 bytes a
 *   member, 200 KB a request at 3,000 members, every member every round, which is what the hub
 *   could not keep up with (issue 25). Still served and asked of a peer that speaks only 1.0.0.
 */
import { z } from 'zod'
import { SignedEnvelope } from '../federation/schemas.js'
import type { ExchangeSpec } from './exchange.js'

export const REGISTRY_PROTOCOL = '/shulin/registry/1.0.0'

export const RegistryRequest = z.strictObject({
  have: z.record(z.string().max(64), z.number().int().min(0)).refine((h) => Object.keys(h).length <= 20_000),
  /** The asker's Shulin version, for the hub's member list. */
  version: z
    .string()
    .regex(/^[0-9A-Za-z.+-]{1,32}$/)
    .optional(),
})
/** `/shulin/registry/1.1.0`: what the asker holds, as the newest `issuedAt` among its entries. */
export const REGISTRY_PROTOCOL_V1_1 = '/shulin/registry/1.1.0'

export const RegistrySinceRequest = z.strictObject({
  /** Every entry issued up to this instant is held (absent: nothing is). */
  since: z.iso.datetime().optional(),
  /** The asker's Shulin version, for the hub's member list. */
  version: z
    .string()
    .regex(/^[0-9A-Za-z.+-]{1,32}$/)
    .optional(),
})
export type RegistrySinceRequest = z.infer<typeof RegistrySinceRequest>

export const RegistryResponse = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), entries: z.array(SignedEnvelope).max(20_000) }),
  z.strictObject({ ok: z.literal(false), reason: z.enum(['not_member', 'invalid']) }),
])
export type RegistryResponse = z.infer<typeof RegistryResponse>

export type RegistryRequest = z.infer<typeof RegistryRequest>

export const RegistryExchange: ExchangeSpec<RegistryRequest, RegistryResponse> = {
  protocol: REGISTRY_PROTOCOL,
  request: RegistryRequest,
  response: RegistryResponse,
  invalid: { ok: false, reason: 'invalid' },
  maxBytes: 4 * 1024 * 1024,
  timeoutMs: 10_000,
  perAttempt: true,
  maxInboundStreams: 16,
}

export const RegistrySinceExchange: ExchangeSpec<RegistrySinceRequest, RegistryResponse> = {
  ...RegistryExchange,
  protocol: REGISTRY_PROTOCOL_V1_1,
  request: RegistrySinceRequest,
  // A request is a few dozen bytes; the answer is as large as 1.0.0's.
}

/**
 * How often a member asks for registry changes in a network of `members`: every round (a few
 * seconds) in a small network; in a large one, spread so that the hub answers about a hundred
 * registry requests a second (30 s at 3,000 members, 45 s at most), which keeps a change's way to
 * every member under a minute. Each member adds its own jitter (±25 %), so the asks are spread
 * evenly over the interval. Measured with `npm run sim:network` (issue 25).
 */
export function registryAskIntervalMs(members: number): number {
  return Math.min(45_000, Math.max(0, Math.round(members * 10)))
}
