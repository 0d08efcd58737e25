/**
 * @module join
 * `/shulin/join/1.0.0`: a node presents a hub-signed invite and its addresses; the hub checks
 * the invite (its signature, that it is the hub's, not expired, not used) and answers with the
 * node's member entry, signed, and the registry. One request, one answer, each a single
 * length-prefixed JSON message of at most 4 MiB; anything else closes the stream.
 */
import { lpStream } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'
import { JoinRequest, JoinResponse, type JoinRefusal, type SignedEnvelope } from '@shulin/protocol'
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
