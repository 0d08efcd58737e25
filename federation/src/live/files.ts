/**
 * @module live/files
 * Carries `/shulin/live/1.0.0` (declared in `@shulin/protocol`, `wire/live`): the hub's side
 * answers one request per stream — its lectures, or one HLS file of a lecture that is live —
 * and a member's side asks. What the hub lists and whom it answers is the node's business
 * ({@link LiveSource}); this module only moves and checks bytes.
 *
 * Every answer is checked before it is used: the JSON header against its schema and size cap,
 * the file frame against the size the header announced and the most a file of that kind may
 * have. A peer sending anything else gets its stream aborted and the caller an error; nothing
 * else is touched.
 *
 * @example
 * ```ts
 * const server = await serveLive(host, { answer: async (req, from) => ({ answer: { ok: false, reason: 'unknown' } }) })
 * const { body } = await askLive(host, hubAddrs, { want: 'segment', live: 'lv1', name: 'seg3.ts' })
 * ```
 */
import { lpStream } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import {
  LIVE_PROTOCOL,
  decodeLiveAnswer,
  decodeLiveRequest,
  encodeLiveMessage,
  liveLimits,
  maxFileBytes,
  type LiveAnswer,
  type LiveRefusal,
  type LiveRequest,
  type LiveView,
} from '@shulin/protocol'
import type { Host } from '../host/host.js'

/** What the node answers a request with: a refusal, the lectures, or a file's bytes. */
export type LiveReply = LiveAnswer | { ok: true; file: Uint8Array }

export interface LiveSource {
  /** The answer to `req` from `from` (the asking peer's id, as Noise proved it). */
  answer(req: LiveRequest, from: string): Promise<LiveReply>
}

export interface LiveServerInit {
  log?: (msg: string, err?: unknown) => void
  /** Streams answered at once over all peers; past this the answer is `busy`. */
  maxActive?: number
}

export interface LiveServer {
  /** Files sent since start, and their bytes (the bench and `/metrics` read them). */
  readonly sent: { files: number; bytes: number }
  stop(): Promise<void>
}

/** Answers `/shulin/live/1.0.0` from `source`. */
export async function serveLive(host: Host, source: LiveSource, init: LiveServerInit = {}): Promise<LiveServer> {
  const log = init.log ?? (() => {})
  const cap = init.maxActive ?? 256
  const sent = { files: 0, bytes: 0 }
  let active = 0
  await host.handle(
    LIVE_PROTOCOL,
    async (stream: Stream, connection) => {
      // Reads only the request; what it writes is not bounded by this.
      const lp = lpStream(stream, { maxDataLength: liveLimits.maxRequestBytes })
      const signal = AbortSignal.timeout(liveLimits.requestTimeoutMs)
      active++
      try {
        const req = decodeLiveRequest((await lp.read({ signal })).subarray())
        let reply: LiveReply
        if (!req) {
          log('malformed request on /shulin/live/1.0.0')
          reply = { ok: false, reason: 'invalid' }
        } else if (active > cap) reply = { ok: false, reason: 'busy' }
        else reply = await source.answer(req, connection.remotePeer.toString())
        if ('file' in reply) {
          await lp.write(encodeLiveMessage({ ok: true, size: reply.file.byteLength }), { signal })
          await lp.write(reply.file, { signal })
          sent.files++
          sent.bytes += reply.file.byteLength
        } else await lp.write(encodeLiveMessage(reply), { signal })
        await stream.close({ signal })
      } catch (err) {
        log('/shulin/live/1.0.0 stream failed', err)
        stream.abort(err as Error)
      } finally {
        active--
      }
    },
    { maxInboundStreams: liveLimits.maxInboundStreams },
  )
  return {
    sent,
    stop: () => host.unhandle(LIVE_PROTOCOL),
  }
}

/** A refusal from the other side, told apart from a failure to reach it or a broken answer. */
export class LiveRefused extends Error {
  constructor(readonly reason: LiveRefusal) {
    super(`refused: ${reason}`)
    this.name = 'LiveRefused'
  }
}

/** The lectures `addrs`' node lists; throws {@link LiveRefused} or an error. */
export async function askLiveList(host: Host, addrs: string[], signal?: AbortSignal): Promise<LiveView[]> {
  const { answer } = await ask(host, addrs, { want: 'list' }, signal)
  if (!('lectures' in answer)) throw new Error('not an answer to list')
  return answer.lectures
}

/** One HLS file of a live lecture from `addrs`' node, checked against its announced size. */
export async function askLiveFile(
  host: Host,
  addrs: string[],
  req: Extract<LiveRequest, { want: 'playlist' | 'segment' }>,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const { body } = await ask(host, addrs, req, signal)
  if (!body) throw new Error('not an answer with a file')
  return body
}

async function ask(
  host: Host,
  addrs: string[],
  req: LiveRequest,
  outer?: AbortSignal,
): Promise<{ answer: LiveAnswer; body?: Uint8Array }> {
  let lastError: unknown
  for (const addr of addrs) {
    const signal = outer
      ? AbortSignal.any([outer, AbortSignal.timeout(liveLimits.requestTimeoutMs)])
      : AbortSignal.timeout(liveLimits.requestTimeoutMs)
    let stream: Stream | undefined
    try {
      stream = await host.dialProtocol(multiaddr(addr), LIVE_PROTOCOL, { signal })
      const most = req.want === 'list' ? 0 : maxFileBytes(req)
      const lp = lpStream(stream, { maxDataLength: Math.max(liveLimits.maxAnswerBytes, most) })
      await lp.write(encodeLiveMessage(req), { signal })
      const head = await lp.read({ signal })
      const answer = head.byteLength <= liveLimits.maxAnswerBytes ? decodeLiveAnswer(head.subarray()) : undefined
      if (!answer) throw new Error('not an answer of /shulin/live/1.0.0')
      if (!answer.ok) {
        await stream.close({ signal }).catch(() => {})
        throw new LiveRefused(answer.reason)
      }
      if (!('size' in answer)) {
        await stream.close({ signal }).catch(() => {})
        return { answer }
      }
      if (answer.size > most) throw new Error(`a file of ${answer.size} bytes is over the limit`)
      const body = (await lp.read({ signal })).subarray()
      if (body.byteLength !== answer.size) throw new Error('the file is not the size announced')
      await stream.close({ signal }).catch(() => {})
      return { answer, body }
    } catch (err) {
      stream?.abort(err as Error)
      // A refusal is the peer's answer: another address of the same peer would say the same.
      if (err instanceof LiveRefused) throw err
      lastError = err
    }
  }
  throw new Error(`the hub did not answer (${(lastError as Error | undefined)?.message ?? 'no address'})`)
}
