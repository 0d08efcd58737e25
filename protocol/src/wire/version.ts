/**
 * @module wire/version
 * `/shulin/version/1.0.0`: a member tells the hub its Shulin version and hears the hub's, which
 * is the version the network runs (its console says "a newer version is available" when the
 * hub's is newer). A protocol of its own, not a field added to the registry answer: an older
 * member would refuse an answer with a field it does not know, and an older hub simply does not
 * speak this one (the member then knows nothing newer, which is true enough). The answer comes
 * over the connection Noise authenticated as the hub's key.
 */
import { z } from 'zod'
import type { ExchangeSpec } from './exchange.js'

export const VERSION_PROTOCOL = '/shulin/version/1.0.0'

/** A version as Shulin writes them (semver, `0.2.0`, `1.0.0-rc.1`). */
export const ShulinVersion = z.string().regex(/^[0-9A-Za-z.+-]{1,32}$/)

export const VersionRequest = z.strictObject({ version: ShulinVersion })
export type VersionRequest = z.infer<typeof VersionRequest>
export const VersionResponse = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), version: ShulinVersion }),
  z.strictObject({ ok: z.literal(false), reason: z.enum(['not_member', 'invalid']) }),
])
export type VersionResponse = z.infer<typeof VersionResponse>

export const VersionExchange: ExchangeSpec<VersionRequest, VersionResponse> = {
  protocol: VERSION_PROTOCOL,
  request: VersionRequest,
  response: VersionResponse,
  invalid: { ok: false, reason: 'invalid' },
  maxBytes: 1024,
  timeoutMs: 10_000,
  perAttempt: true,
  maxInboundStreams: 16,
}
