/**
 * @module transfer/peer
 * The asking side's view of one provider: one connection (dialed by its addresses, and checked
 * to be the peer it was named as), streams opened on it, a manifest request, and chunk
 * requests read frame by frame.
 */
import { lpStream } from '@libp2p/utils'
import type { Connection, Stream } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import {
  CONTENT_PROTOCOL,
  contentLimits,
  decodeContentAnswer,
  encodeContentMessage,
  type ContentAnswer,
  type ContentRequest,
  type Manifest,
} from '@shulin/protocol'
import type { Host } from '../host/host.js'
import { chunkTimeoutMs, dialTimeoutMs, manifestTimeoutMs } from './constants.js'
import { addressSignal } from '../host/addresses.js'

/**
 * Where a provider can be reached: its node id and its multiaddrs (with or without `/p2p/…`);
 * or, for the HTTP fallback, its web address and the `Authorization` to send (a content ticket).
 */
export interface ContentProvider {
  id: string
  addrs: string[]
  http?: { url: string; authorization: string }
}

/** One provider as a download sees it, over libp2p ({@link ProviderLink}) or HTTP (`http.ts`). */
export interface ContentLink {
  readonly provider: ContentProvider
  /** Resolves once the provider can be asked (a dial, or nothing); throws when it cannot be reached. */
  connection(signal?: AbortSignal): Promise<unknown>
  open(chunkSize: number, maxCount: number, signal?: AbortSignal): Promise<ChunkReader>
  manifest(sha256: string, signal?: AbortSignal): Promise<Manifest | (ContentAnswer & { ok: false })>
}

/** Chunk requests to one provider, answered one after another. */
export interface ChunkReader {
  ask(req: ContentRequest, timeoutMs: number, signal?: AbortSignal): Promise<ContentAnswer>
  /** The next chunk, as the pieces it arrived in. */
  frame(signal?: AbortSignal): Promise<Iterable<Uint8Array> & { byteLength: number }>
  close(): Promise<void>
  abort(reason: string): void
}

/** Something the provider did that counts against it (as opposed to our own abort). */
export class ProviderFault extends Error {
  override readonly name = 'ProviderFault'
}

export class ProviderLink implements ContentLink {
  private conn: Connection | undefined

  constructor(
    private readonly host: Host,
    readonly provider: ContentProvider,
  ) {}

  /** The open connection, dialed now if there is none; throws when no address answers. */
  async connection(signal?: AbortSignal): Promise<Connection> {
    if (this.conn?.status === 'open') return this.conn
    let last: unknown
    const deadline = AbortSignal.timeout(dialTimeoutMs)
    const both = signal ? AbortSignal.any([signal, deadline]) : deadline
    const addrs = this.provider.addrs
    for (const [i, addr] of addrs.entries()) {
      try {
        let ma = multiaddr(addr)
        // Naming the peer in the address makes Noise refuse any other key.
        if (ma.getComponents().every((c) => c.name !== 'p2p')) ma = ma.encapsulate(`/p2p/${this.provider.id}`)
        const conn = await this.host.dial(ma, { signal: addressSignal(both, i, addrs.length) })
        if (conn.remotePeer.toString() !== this.provider.id) {
          await conn.close().catch(() => {})
          throw new ProviderFault(`${addr} is another peer`)
        }
        this.conn = conn
        return conn
      } catch (err) {
        last = err
        signal?.throwIfAborted()
        if (deadline.aborted) break
      }
    }
    throw new ProviderFault(
      `cannot reach ${this.provider.id} (${(last as Error | undefined)?.message ?? 'no address'})`,
    )
  }

  async open(chunkSize: number, maxCount: number, signal?: AbortSignal): Promise<ChunkStream> {
    const conn = await this.connection(signal)
    const stream = await conn.newStream(CONTENT_PROTOCOL, { signal: signal ?? AbortSignal.timeout(dialTimeoutMs) })
    return new ChunkStream(stream, chunkSize, maxCount)
  }

  /** Asks for the manifest of `sha256`: the manifest, or the provider's refusal. */
  async manifest(sha256: string, signal?: AbortSignal): Promise<Manifest | (ContentAnswer & { ok: false })> {
    const s = await this.open(contentLimits.minChunkSize, 1, signal)
    try {
      const ans = await s.ask({ want: 'manifest', sha256 }, manifestTimeoutMs, signal)
      if (ans.ok && !('manifest' in ans)) throw new ProviderFault('answered a manifest request without a manifest')
      return ans.ok ? ans.manifest : ans
    } finally {
      await s.close()
    }
  }
}

/** One stream to a provider, asked one request after another. */
export class ChunkStream implements ChunkReader {
  private readonly lp: ReturnType<typeof lpStream>

  constructor(
    readonly stream: Stream,
    chunkSize: number,
    maxCount: number,
  ) {
    // Nothing pauses a libp2p stream's reader, so what may arrive is bounded by what was asked.
    this.lp = lpStream(stream, {
      maxDataLength: Math.max(contentLimits.maxAnswerBytes, chunkSize),
      maxBufferSize: Math.max(contentLimits.maxAnswerBytes, chunkSize * maxCount) + 64 * 1024,
    })
  }

  async ask(req: ContentRequest, timeoutMs: number, signal?: AbortSignal): Promise<ContentAnswer> {
    const t = AbortSignal.timeout(timeoutMs)
    const both = signal ? AbortSignal.any([signal, t]) : t
    await this.lp.write(encodeContentMessage(req), { signal: both })
    const ans = decodeContentAnswer((await this.lp.read({ signal: both })).subarray())
    if (!ans) throw new ProviderFault('not an answer of the content protocol')
    return ans
  }

  /** The next chunk frame, as the pieces it arrived in (joining them would copy each chunk once more). */
  async frame(signal?: AbortSignal): Promise<Iterable<Uint8Array> & { byteLength: number }> {
    const t = AbortSignal.timeout(chunkTimeoutMs)
    return this.lp.read({ signal: signal ? AbortSignal.any([signal, t]) : t })
  }

  async close(): Promise<void> {
    await this.stream.close({ signal: AbortSignal.timeout(2000) }).catch(() => this.stream.abort(new Error('closing')))
  }

  abort(reason: string): void {
    this.stream.abort(new Error(reason))
  }
}
