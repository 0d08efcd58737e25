/**
 * @module exchange
 * The shape of Shulin's small request/answer protocols (join, renew, registry): over one
 * libp2p stream, one length-prefixed JSON request, checked against its schema, and one
 * length-prefixed JSON answer, then the stream closes. A request that does not parse gets the
 * protocol's `invalid` answer without reaching the handler; a stream that fails or overruns
 * its size or time limit is aborted. Each protocol is declared once, with its limits, in
 * `@shulin/protocol` (`wire/`), whose writer and reader make and read every message.
 *
 * @example
 * ```ts
 * const Ping: Exchange<{ n: number }, { n: number }> = { protocol: '/x/ping/1.0.0', request, response, invalid: { n: -1 }, maxBytes: 1024, timeoutMs: 5000, maxInboundStreams: 4 }
 * await serveExchange(host, Ping, async (req) => req)
 * await askExchange(host, Ping, addrs, { n: 1 }, 'cannot reach the peer')
 * ```
 */
import { lpStream } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { decodeJson, encodeJsonMessage, type ExchangeSpec } from '@shulin/protocol'
import type { Host } from '../host/host.js'
import { addressSignal } from '../host/addresses.js'

/** A protocol's declaration (id, schemas, limits) is `@shulin/protocol`'s; this module only carries it. */
export type Exchange<Req, Res> = ExchangeSpec<Req, Res>

/** Answers requests of `ex`; `answer` gets the parsed request and the caller's peer id (proved by Noise). */
export function serveExchange<Req, Res>(
  host: Host,
  ex: Exchange<Req, Res>,
  answer: (req: Req, from: string) => Promise<Res>,
  log: (msg: string, err?: unknown) => void = () => {},
): Promise<void> {
  return host.handle(
    ex.protocol,
    async (stream: Stream, connection) => {
      const lp = lpStream(stream, { maxDataLength: ex.maxBytes })
      const signal = AbortSignal.timeout(ex.timeoutMs)
      try {
        const req = ex.request.safeParse(decodeJson((await lp.read({ signal })).subarray()))
        if (!req.success) log(`malformed request on ${ex.protocol}`)
        const res = req.success ? await answer(req.data, connection.remotePeer.toString()) : ex.invalid
        await lp.write(encodeJsonMessage(res), { signal })
        await stream.close({ signal })
        // Closing ends this side only: the stream ends, and leaves the connection's count of the
        // protocol's inbound streams, when the asker closes its side too. One that never does (an
        // asker that gave up before the answer, and did not close: every member before this fix)
        // is reset at the deadline, or a few such asks locked the asker out of this protocol.
        if (stream.status === 'open') {
          const unclosed = () => stream.abort(new Error(`the asker left ${ex.protocol} open`))
          if (signal.aborted) unclosed()
          else {
            signal.addEventListener('abort', unclosed, { once: true })
            stream.addEventListener('close', () => signal.removeEventListener('abort', unclosed), { once: true })
          }
        }
      } catch (err) {
        log(`${ex.protocol} stream failed`, err)
        stream.abort(err as Error)
      }
    },
    { maxInboundStreams: ex.maxInboundStreams },
  )
}

/** Sends `req` to the first of `addrs` that answers; throws `unreachable (last error)` when none does. */
export async function askExchange<Req, Res>(
  host: Host,
  ex: Exchange<Req, Res>,
  addrs: string[],
  req: Req,
  unreachable: string,
): Promise<Res> {
  const overall = ex.perAttempt ? undefined : AbortSignal.timeout(ex.timeoutMs)
  let lastError: unknown
  for (const [i, addr] of addrs.entries()) {
    let stream: Stream | undefined
    try {
      const signal = overall ?? AbortSignal.timeout(ex.timeoutMs)
      // Under one deadline for all addresses, the dial of one with others after it gets only a
      // share (a swallowed private address must not use up the relayed one's time); once a
      // stream is open, the answer has the whole deadline.
      const dial = overall ? addressSignal(overall, i, addrs.length) : signal
      stream = await host.dialProtocol(multiaddr(addr), ex.protocol, { signal: dial })
      const lp = lpStream(stream, { maxDataLength: ex.maxBytes })
      await lp.write(encodeJsonMessage(req), { signal })
      const res = ex.response.safeParse(decodeJson((await lp.read({ signal })).subarray()))
      await stream.close({ signal }).catch(() => {})
      if (!res.success) throw new Error(`not an answer of ${ex.protocol}`)
      return res.data
    } catch (err) {
      // A stream given up on (a timeout, a bad answer) is reset, not left open: left open, it
      // stayed half-closed at the answering side for the connection's life, one of the
      // protocol's few inbound streams there, and a hub slow for a few rounds refused every
      // later registry ask of the member until the connection dropped (issue 25).
      stream?.abort(err instanceof Error ? err : new Error(String(err)))
      lastError = err
      if (overall?.aborted) break
    }
  }
  throw new Error(`${unreachable} (${(lastError as Error | undefined)?.message ?? 'no address'})`)
}
