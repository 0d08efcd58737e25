/**
 * @module join
 * `/shulin/join/1.0.0`: a node presents a hub-signed invite and its addresses; the hub checks
 * the invite (its signature, that it is the hub's, not expired, not used) and answers with the
 * node's member entry, signed, and the registry. One request, one answer, each a single
 * length-prefixed JSON message of at most 4 MiB; anything else closes the stream.
 */
import { lpStream } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'
import { z } from 'zod'
import { JoinRequest, JoinResponse, SignedEnvelope, type JoinRefusal } from '@shulin/protocol'
import { multiaddr } from '@multiformats/multiaddr'
import type { Host } from '../host/host.js'

export const JOIN_PROTOCOL = '/shulin/join/1.0.0'
const maxMessage = 4 * 1024 * 1024
const timeoutMs = 15_000

/** What the hub decides for one request (its service keeps invites and the registry). */
export type JoinDecider = (req: JoinRequest, from: string) => Promise<{ ok: true; entry: SignedEnvelope; registry: SignedEnvelope[] } | { ok: false; reason: JoinRefusal }>

const encode = (v: unknown) => new TextEncoder().encode(JSON.stringify(v))
function decode(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    return undefined
  }
}

/** Serves joins on the hub. A malformed request gets `invalid` and the stream closes. */
export function serveJoin(host: Host, decide: JoinDecider, log: (msg: string, err?: unknown) => void = () => {}): Promise<void> {
  return host.handle(
    JOIN_PROTOCOL,
    async (stream: Stream, connection) => {
      const lp = lpStream(stream, { maxDataLength: maxMessage })
      const signal = AbortSignal.timeout(timeoutMs)
      try {
        const req = JoinRequest.safeParse(decode((await lp.read({ signal })).subarray()))
        const answer = req.success ? await decide(req.data, connection.remotePeer.toString()) : { ok: false as const, reason: 'invalid' as const }
        if (!req.success) log('malformed join request')
        await lp.write(encode(answer), { signal })
        await stream.close({ signal })
      } catch (err) {
        log('join stream failed', err)
        stream.abort(err as Error)
      }
    },
    { maxInboundStreams: 8 },
  )
}

/** Asks the hub at `addrs` to admit this host. */
export async function requestJoin(host: Host, hubAddrs: string[], req: JoinRequest): Promise<JoinResponse> {
  const signal = AbortSignal.timeout(timeoutMs)
  let lastError: unknown
  for (const addr of hubAddrs) {
    try {
      const stream = await host.dialProtocol(multiaddr(addr), JOIN_PROTOCOL, { signal })
      const lp = lpStream(stream, { maxDataLength: maxMessage })
      await lp.write(encode(req), { signal })
      const answer = JoinResponse.safeParse(decode((await lp.read({ signal })).subarray()))
      await stream.close({ signal }).catch(() => {})
      if (!answer.success) throw new Error('the hub answered something that is not a join response')
      return answer.data
    } catch (err) {
      lastError = err
    }
  }
  throw new Error(`cannot reach the hub (${(lastError as Error | undefined)?.message ?? 'no address'})`)
}

/** `/shulin/renew/1.0.0`: a member whose addresses changed asks the hub for a fresh entry. */
export const RENEW_PROTOCOL = '/shulin/renew/1.0.0'

export const RenewRequest = z.strictObject({ http: JoinRequest.shape.http, p2p: JoinRequest.shape.p2p })
export type RenewRequest = z.infer<typeof RenewRequest>
export const RenewResponse = z.discriminatedUnion('ok', [z.strictObject({ ok: z.literal(true), entry: SignedEnvelope }), z.strictObject({ ok: z.literal(false), reason: z.enum(['not_member', 'invalid']) })])
export type RenewResponse = z.infer<typeof RenewResponse>

/** Serves renewals on the hub: the caller is who Noise proved it is, so only its own entry changes. */
export function serveRenew(host: Host, decide: (req: RenewRequest, from: string) => Promise<RenewResponse>, log: (msg: string, err?: unknown) => void = () => {}): Promise<void> {
  return host.handle(
    RENEW_PROTOCOL,
    async (stream: Stream, connection) => {
      const lp = lpStream(stream, { maxDataLength: 64 * 1024 })
      const signal = AbortSignal.timeout(timeoutMs)
      try {
        const req = RenewRequest.safeParse(decode((await lp.read({ signal })).subarray()))
        const answer = req.success ? await decide(req.data, connection.remotePeer.toString()) : ({ ok: false, reason: 'invalid' } as const)
        await lp.write(encode(answer), { signal })
        await stream.close({ signal })
      } catch (err) {
        log('renew stream failed', err)
        stream.abort(err as Error)
      }
    },
    { maxInboundStreams: 4 },
  )
}

export async function requestRenew(host: Host, hubAddrs: string[], req: RenewRequest): Promise<RenewResponse> {
  let lastError: unknown
  for (const addr of hubAddrs) {
    try {
      const signal = AbortSignal.timeout(timeoutMs)
      const stream = await host.dialProtocol(multiaddr(addr), RENEW_PROTOCOL, { signal })
      const lp = lpStream(stream, { maxDataLength: 64 * 1024 })
      await lp.write(encode(req), { signal })
      const answer = RenewResponse.safeParse(decode((await lp.read({ signal })).subarray()))
      await stream.close({ signal }).catch(() => {})
      if (answer.success) return answer.data
      throw new Error('not a renew response')
    } catch (err) {
      lastError = err
    }
  }
  throw new Error(`cannot reach the hub (${(lastError as Error | undefined)?.message ?? 'no address'})`)
}
