/**
 * @module registry-sync
 * `/shulin/registry/1.0.0`: a peer says which entries it has (node id → seq) and gets back every
 * entry that is newer, as the hub signed them. Any member may answer (entries carry the hub's
 * signature, so relaying needs no trust), which is how the registry keeps moving while the hub
 * is unreachable. One request, one answer, at most 4 MiB each.
 */
import { lpStream } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { z } from 'zod'
import { SignedEnvelope } from '@shulin/protocol'
import type { Host } from '../host/host.js'

export const REGISTRY_PROTOCOL = '/shulin/registry/1.0.0'
const maxMessage = 4 * 1024 * 1024
const timeoutMs = 10_000

export const RegistryRequest = z.strictObject({ have: z.record(z.string().max(64), z.number().int().min(0)).refine((h) => Object.keys(h).length <= 20_000) })
export const RegistryResponse = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), entries: z.array(SignedEnvelope).max(20_000) }),
  z.strictObject({ ok: z.literal(false), reason: z.enum(['not_member', 'invalid']) }),
])
export type RegistryResponse = z.infer<typeof RegistryResponse>

const encode = (v: unknown) => new TextEncoder().encode(JSON.stringify(v))
function decode(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    return undefined
  }
}

/** Answers registry requests; `answer` decides per caller (members only). */
export function serveRegistry(host: Host, answer: (have: Record<string, number>, from: string) => Promise<RegistryResponse>, log: (msg: string, err?: unknown) => void = () => {}): Promise<void> {
  return host.handle(
    REGISTRY_PROTOCOL,
    async (stream: Stream, connection) => {
      const lp = lpStream(stream, { maxDataLength: maxMessage })
      const signal = AbortSignal.timeout(timeoutMs)
      try {
        const req = RegistryRequest.safeParse(decode((await lp.read({ signal })).subarray()))
        const res = req.success ? await answer(req.data.have, connection.remotePeer.toString()) : ({ ok: false, reason: 'invalid' } as const)
        await lp.write(encode(res), { signal })
        await stream.close({ signal })
      } catch (err) {
        log('registry stream failed', err)
        stream.abort(err as Error)
      }
    },
    { maxInboundStreams: 16 },
  )
}

/** Asks the peer at one of `addrs` for entries newer than `have`. */
export async function fetchRegistry(host: Host, addrs: string[], have: Record<string, number>): Promise<RegistryResponse> {
  let lastError: unknown
  for (const addr of addrs) {
    try {
      const signal = AbortSignal.timeout(timeoutMs)
      const stream = await host.dialProtocol(multiaddr(addr), REGISTRY_PROTOCOL, { signal })
      const lp = lpStream(stream, { maxDataLength: maxMessage })
      await lp.write(encode({ have }), { signal })
      const res = RegistryResponse.safeParse(decode((await lp.read({ signal })).subarray()))
      await stream.close({ signal }).catch(() => {})
      if (!res.success) throw new Error('not a registry response')
      return res.data
    } catch (err) {
      lastError = err
    }
  }
  throw new Error(`no peer answered (${(lastError as Error | undefined)?.message ?? 'no address'})`)
}
