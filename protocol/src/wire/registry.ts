/**
 * @module wire/registry
 * `/shulin/registry/1.0.0`: a peer says which entries it has (node id → seq) and gets back every
 * entry that is newer, as the hub signed them. Any member may answer (entries carry the hub's
 * signature, so relaying needs no trust), which is how the registry keeps moving while the hub
 * is unreachable. One request, one answer, at most 4 MiB each (see {@link ExchangeSpec}).
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
