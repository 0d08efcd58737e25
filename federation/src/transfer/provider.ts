/**
 * @module transfer/provider
 * The answering side of `/shulin/content/1.0.0`: any node that holds a file serves its manifest
 * and its chunks. The node says where its files are ({@link ContentSource}); the provider
 * computes manifests itself (kept in a small in-memory LRU) unless the source keeps them.
 *
 * A malformed request is answered `invalid` and its stream closed; a stream idle for 30 s is
 * closed; past {@link maxActiveStreams} streams at once the provider answers `busy`. None of it
 * touches the other streams.
 *
 * @example
 * ```ts
 * const server = await serveContent(host, { path: async (sha256) => blobs.pathOf(sha256) })
 * await server.stop()
 * ```
 */
import { open, type FileHandle } from 'node:fs/promises'
import { lpStream } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'
import {
  CONTENT_PROTOCOL,
  chunkRange,
  contentLimits,
  decodeContentRequest,
  encodeContentMessage,
  type ContentAnswer,
  type ContentRequest,
  type Manifest,
} from '@shulin/protocol'
import type { Host } from '../host/host.js'
import { manifestCacheSize, maxActiveStreams, maxInboundStreams, streamIdleMs } from './constants.js'
import { manifestOf } from './manifest.js'
import { TokenBucket } from './bucket.js'

/** What a node tells the provider about its files. */
export interface ContentSource {
  /**
   * The path of the file with this SHA-256, if this node holds it and will give it to `from`
   * (the asking peer, as Noise proved it); `undefined` answers `unknown`.
   */
  path(sha256: string, from: string): Promise<string | undefined>
  /** A manifest the node keeps beside the file, if it does (saves hashing the file again). */
  manifest?(sha256: string): Promise<Manifest | undefined>
}

export interface ContentServerInit {
  log?: (msg: string, err?: unknown) => void
  /** Streams served at once over all peers (default {@link maxActiveStreams}). */
  maxActiveStreams?: number
  /** Inbound streams per connection (default {@link maxInboundStreams}). */
  maxInboundStreams?: number
  /** Upload rate over all peers together, for a library whose link is also its readers'. */
  maxBytesPerSecond?: number
}

export interface ContentServer {
  /** Streams being served now. */
  readonly active: number
  /** Chunks and bytes sent since start. */
  readonly sent: { chunks: number; bytes: number }
  stop(): Promise<void>
}

/** A bounded map from file hash to manifest, oldest use evicted first; one computation per hash at a time. */
class ManifestCache {
  private readonly done = new Map<string, Manifest>()
  private readonly pending = new Map<string, Promise<Manifest | undefined>>()
  constructor(private readonly max: number) {}

  async get(sha256: string, compute: () => Promise<Manifest | undefined>): Promise<Manifest | undefined> {
    const hit = this.done.get(sha256)
    if (hit) {
      this.done.delete(sha256)
      this.done.set(sha256, hit)
      return hit
    }
    let p = this.pending.get(sha256)
    if (!p) {
      p = compute().finally(() => this.pending.delete(sha256))
      this.pending.set(sha256, p)
    }
    const m = await p
    if (m) {
      this.done.set(sha256, m)
      if (this.done.size > this.max) this.done.delete(this.done.keys().next().value!)
    }
    return m
  }
}

/** Serves the files `source` names over `/shulin/content/1.0.0`. */
export async function serveContent(
  host: Host,
  source: ContentSource,
  init: ContentServerInit = {},
): Promise<ContentServer> {
  const log = init.log ?? (() => {})
  const cap = init.maxActiveStreams ?? maxActiveStreams
  const cache = new ManifestCache(manifestCacheSize)
  const sent = { chunks: 0, bytes: 0 }
  let active = 0
  const bucket = init.maxBytesPerSecond
    ? new TokenBucket(init.maxBytesPerSecond, Math.max(init.maxBytesPerSecond, contentLimits.maxChunkSize))
    : undefined

  const manifestFor = (sha256: string, path: string): Promise<Manifest | undefined> =>
    cache.get(sha256, async () => {
      const kept = await source.manifest?.(sha256)
      if (kept) return kept
      const m = await manifestOf(path)
      // A file that no longer hashes to its name is damaged on this node: never serve it.
      if (m.sha256 !== sha256) {
        log(`content ${sha256} on disk hashes to ${m.sha256}; not serving it`)
        return undefined
      }
      return m
    })

  /** Writes chunks `from…from+count-1`, reading the next while the last is being sent. */
  async function sendChunks(
    lp: ReturnType<typeof lpStream>,
    fh: FileHandle,
    manifest: Manifest,
    from: number,
    count: number,
  ): Promise<void> {
    const read = async (i: number) => {
      const { offset, length } = chunkRange(manifest, i)
      const buf = Buffer.allocUnsafe(length)
      const { bytesRead } = await fh.read(buf, 0, length, offset)
      if (bytesRead !== length) throw new Error('file shorter than its manifest')
      return buf
    }
    // The read ahead is awaited on the next turn; if the stream fails first, nobody will.
    const ahead = (i: number) => {
      const p = read(i)
      p.catch(() => {})
      return p
    }
    let next = ahead(from)
    for (let i = from; i < from + count; i++) {
      const buf = await next
      if (i + 1 < from + count) next = ahead(i + 1)
      await bucket?.take(buf.byteLength)
      await lp.write(buf, { signal: AbortSignal.timeout(streamIdleMs) })
      sent.chunks++
      sent.bytes += buf.byteLength
    }
  }

  async function answer(
    req: ContentRequest,
    from: string,
    lp: ReturnType<typeof lpStream>,
    files: Map<string, FileHandle>,
  ): Promise<void> {
    const path = await source.path(req.sha256, from)
    const manifest = path === undefined ? undefined : await manifestFor(req.sha256, path)
    if (path === undefined || !manifest)
      return void (await lp.write(encodeContentMessage({ ok: false, reason: 'unknown' })))
    if (req.want === 'manifest') return void (await lp.write(encodeContentMessage({ ok: true, manifest })))
    if (req.from + req.count > manifest.chunks.length)
      return void (await lp.write(encodeContentMessage({ ok: false, reason: 'range' })))
    let fh = files.get(req.sha256)
    if (!fh) {
      fh = await open(path, 'r')
      files.set(req.sha256, fh)
    }
    await lp.write(encodeContentMessage({ ok: true }))
    await sendChunks(lp, fh, manifest, req.from, req.count)
  }

  await host.handle(
    CONTENT_PROTOCOL,
    async (stream: Stream, connection) => {
      const from = connection.remotePeer.toString()
      const lp = lpStream(stream, { maxDataLength: contentLimits.maxRequestBytes })
      // Files stay open for the stream's life: a fetcher asks for many chunks of one file.
      const files = new Map<string, FileHandle>()
      active++
      try {
        if (active > cap) {
          await lp.write(encodeContentMessage({ ok: false, reason: 'busy' } satisfies ContentAnswer))
          await stream.close()
          return
        }
        for (;;) {
          const bytes = await lp.read({ signal: AbortSignal.timeout(streamIdleMs) }).catch((err: unknown) => {
            // The asker closing its side is the normal end of a stream.
            if (stream.remoteWriteStatus !== 'writable') return null
            throw err
          })
          if (!bytes) break
          const req = decodeContentRequest(bytes.subarray())
          if (!req) {
            log(`malformed request on ${CONTENT_PROTOCOL} from ${from}`)
            await lp.write(encodeContentMessage({ ok: false, reason: 'invalid' }))
            break
          }
          await answer(req, from, lp, files)
        }
        await stream.close({ signal: AbortSignal.timeout(streamIdleMs) })
      } catch (err) {
        log(`${CONTENT_PROTOCOL} stream from ${from} failed`, err instanceof Error ? err.message : err)
        stream.abort(err instanceof Error ? err : new Error(String(err)))
      } finally {
        active--
        for (const fh of files.values()) await fh.close().catch(() => {})
      }
    },
    { maxInboundStreams: init.maxInboundStreams ?? maxInboundStreams },
  )

  return {
    get active() {
      return active
    },
    sent,
    stop: () => host.unhandle(CONTENT_PROTOCOL),
  }
}
