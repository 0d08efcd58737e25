/**
 * @module catalog-sync
 * `/shulin/catalog/1.0.0`: a peer pulls what it lacks of a sharded catalog. Over one stream:
 *
 * 1. request — length-prefixed JSON `{catalog, shards, have}`: the catalog's name, its shard
 *    count and the asker's state vector of every shard (base64);
 * 2. answer — a JSON header `{ok: true}` (or `{ok: false, reason}` and the stream ends), then
 *    one binary frame per shard the asker lacks something of (`varuint shard`, `varuint codec`,
 *    the update: raw, or raw DEFLATE — record text compresses about 3×, which a county
 *    library's thin link feels), then an empty frame;
 * 3. credit — as it stores them, the asker tells the other side (a frame holding a varuint) how
 *    many bytes of shard frames it has taken, every MiB or so; the answering side keeps at
 *    most {@link creditBytes} unanswered. libp2p's length-prefixed reader buffers whatever
 *    arrives, however slowly it is read, so without this a fast sender overflowed a receiver
 *    busy storing (seen at 100k records). Counted in bytes, so small changes never wait for an
 *    answer: a round trip per frame made a 1k-record change 8× slower.
 *
 * Each received shard is stored as it arrives, so a pull cut off halfway keeps what it got and
 * the next one asks only for the rest. Frames, and what a frame inflates to, are capped at
 * 8 MiB; a malformed frame or update closes the stream and stores nothing of it.
 *
 * @example
 * ```ts
 * await serveCatalogs(host, (name, from) => (name === cat.name ? cat : undefined))
 * const { shards, bytes } = await pullCatalog(host, addrs, cat)
 * ```
 */
import { promisify } from 'node:util'
import { deflateRaw, inflateRaw } from 'node:zlib'
import { z } from 'zod'
import { lpStream } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import type { Host } from '../host/host.js'
import { CatalogError, catalogName, type ShardedCatalog } from './catalog.js'

export const CATALOG_PROTOCOL = '/shulin/catalog/1.0.0'
const maxFrame = 8 * 1024 * 1024
/** No frame for this long: the pull is given up (what arrived stays). */
const idleMs = 30_000
/** Shards prepared at once by the answering side, and frames in flight unanswered. */
const window = 8
/** Bytes of shard frames the answering side may have in flight, and how often the asker answers. */
const creditBytes = 16 * 1024 * 1024
const creditEvery = 1024 * 1024
/** What the asker may have to buffer: the credit, and one more frame at its largest. */
const receiveBuffer = creditBytes + maxFrame

export const CatalogPullRequest = z.strictObject({
  catalog: z.string().regex(catalogName),
  shards: z.number().int().min(1).max(4096),
  have: z.array(z.base64().max(8192)).max(4096),
}).refine((r) => r.have.length === r.shards, 'one state vector per shard')
type CatalogPullRequest = z.infer<typeof CatalogPullRequest>

export const CatalogPullHeader = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true) }),
  z.strictObject({ ok: z.literal(false), reason: z.enum(['unknown', 'not_allowed', 'invalid']) }),
])
type CatalogPullHeader = z.infer<typeof CatalogPullHeader>

const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v))
function parse<T>(schema: z.ZodType<T>, bytes: Uint8Array): T | undefined {
  try {
    const r = schema.safeParse(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)))
    return r.success ? r.data : undefined
  } catch {
    return undefined
  }
}

const deflate = promisify(deflateRaw)
const inflate = promisify(inflateRaw)
const RAW = 0
const DEFLATE = 1
/** Below this, compressing costs more than it saves. */
const compressFrom = 1024

/** One shard's update as a frame; larger ones are compressed (off the event loop). */
export async function encodeShardFrame(shard: number, update: Uint8Array): Promise<Uint8Array> {
  const codec = update.byteLength >= compressFrom ? DEFLATE : RAW
  const body = codec === DEFLATE ? await deflate(update, { level: 6 }) : update
  const enc = encoding.createEncoder()
  encoding.writeVarUint(enc, shard)
  encoding.writeVarUint(enc, codec)
  encoding.writeUint8Array(enc, body)
  return encoding.toUint8Array(enc)
}

/**
 * A shard frame's shard and update; anything else is a {@link CatalogPullError} (lib0's "Unexpected
 * end of array" for an empty or cut frame, "Integer out of Range" for endless varint bytes, and
 * zlib's errors for a body that does not inflate or inflates past 8 MiB said nothing of a frame).
 */
export async function decodeShardFrame(frame: Uint8Array): Promise<{ shard: number; update: Uint8Array }> {
  let shard: number
  let codec: number
  const dec = decoding.createDecoder(frame)
  try {
    shard = decoding.readVarUint(dec)
    codec = decoding.readVarUint(dec)
  } catch (err) {
    throw new CatalogPullError(`malformed shard frame: ${(err as Error).message}`)
  }
  const body = frame.subarray(dec.pos)
  if (codec === RAW) return { shard, update: body }
  if (codec !== DEFLATE) throw new CatalogPullError(`unknown codec ${codec}`)
  try {
    return { shard, update: await inflate(body, { maxOutputLength: maxFrame }) }
  } catch (err) {
    throw new CatalogPullError(`shard frame does not inflate: ${(err as Error).message}`)
  }
}

/** Which catalog a peer may pull: the catalog, `'not_allowed'`, or nothing (unknown here). */
export type CatalogLookup = (name: string, from: string) => ShardedCatalog | 'not_allowed' | undefined

/** Answers pulls of the catalogs `lookup` names. */
export function serveCatalogs(host: Host, lookup: CatalogLookup, log: (msg: string, err?: unknown) => void = () => {}): Promise<void> {
  return host.handle(
    CATALOG_PROTOCOL,
    async (stream: Stream, connection) => {
      const lp = lpStream(stream, { maxDataLength: maxFrame })
      try {
        const req = parse<CatalogPullRequest>(CatalogPullRequest, (await lp.read({ signal: AbortSignal.timeout(10_000) })).subarray())
        const cat = req && lookup(req.catalog, connection.remotePeer.toString())
        const header: CatalogPullHeader = !req ? { ok: false, reason: 'invalid' } : !cat ? { ok: false, reason: 'unknown' } : cat === 'not_allowed' ? { ok: false, reason: 'not_allowed' } : cat.shards !== req.shards ? { ok: false, reason: 'invalid' } : { ok: true }
        await lp.write(json(header))
        if (header.ok && req && cat && cat !== 'not_allowed') {
          let unanswered = 0
          const send = async (frame: Uint8Array) => {
            while (unanswered + frame.byteLength > creditBytes) {
              const taken = decoding.readVarUint(decoding.createDecoder((await lp.read({ signal: AbortSignal.timeout(idleMs) })).subarray()))
              if (!(taken > 0 && taken <= unanswered)) throw new Error('not a credit frame')
              unanswered -= taken
            }
            await lp.write(frame, { signal: AbortSignal.timeout(idleMs) })
            unanswered += frame.byteLength
          }
          // Shards are read and compressed a window at a time (LevelDB and zlib work side by
          // side), then written in order.
          for (let from = 0; from < cat.shards; from += window) {
            const frames = await Promise.all(
              Array.from({ length: Math.min(window, cat.shards - from) }, async (_, i) => {
                const diff = await cat.diffFor(from + i, Buffer.from(req.have[from + i]!, 'base64'))
                return diff && encodeShardFrame(from + i, diff)
              }),
            )
            for (const frame of frames) if (frame) await send(frame)
          }
          await lp.write(new Uint8Array(0))
        }
        await stream.close()
      } catch (err) {
        log(`${CATALOG_PROTOCOL} stream failed`, err instanceof Error ? err.message : err)
        stream.abort(err instanceof Error ? err : new Error(String(err)))
      }
    },
    { maxInboundStreams: 8 },
  )
}

export class CatalogPullError extends Error {
  override readonly name = 'CatalogPullError'
}

/**
 * Pulls what this node lacks of `cat` from the first of `addrs` that answers. Resolves with the
 * number of shards that brought something new and the bytes received.
 */
export async function pullCatalog(host: Host, addrs: string[], cat: ShardedCatalog, opts: { signal?: AbortSignal } = {}): Promise<{ shards: number; bytes: number; refused: number }> {
  let lastError: unknown
  for (const addr of addrs) {
    let stream: Stream | undefined
    try {
      stream = await host.dialProtocol(multiaddr(addr), CATALOG_PROTOCOL, { signal: opts.signal ?? AbortSignal.timeout(10_000) })
      const lp = lpStream(stream, { maxDataLength: maxFrame, maxBufferSize: receiveBuffer })
      const have = (await cat.stateVectors()).map((sv) => Buffer.from(sv).toString('base64'))
      await lp.write(json({ catalog: cat.name, shards: cat.shards, have }))
      const header = parse<CatalogPullHeader>(CatalogPullHeader, (await lp.read({ signal: AbortSignal.timeout(idleMs) })).subarray())
      if (!header) throw new CatalogPullError('not an answer of the catalog protocol')
      if (!header.ok) throw new CatalogPullError(`refused: ${header.reason}`)
      let shards = 0
      let bytes = 0
      let refused = 0
      // Reading goes on while earlier frames are stored, up to `window` of them at once.
      const storing = new Set<Promise<void>>()
      let failed: unknown
      // Credit goes back every MiB stored; the writes are chained.
      let credit = Promise.resolve()
      let owed = 0
      const store = (frame: Uint8Array) => {
        const p: Promise<void> = decodeShardFrame(frame)
          .then(({ shard, update }) => cat.receive(shard, update))
          .then((isNew) => {
            if (isNew) shards++
            owed += frame.byteLength
            if (owed >= creditEvery) {
              const enc = encoding.createEncoder()
              encoding.writeVarUint(enc, owed)
              owed = 0
              credit = credit.then(() => lp.write(encoding.toUint8Array(enc))).catch(() => {})
            }
          })
          .catch((err: unknown) => {
            // A shard with a change the catalog's rule refuses is left out; the others come.
            if (err instanceof CatalogError && err.reason === 'refused') refused++
            else failed ??= err
          })
          .finally(() => storing.delete(p))
        storing.add(p)
      }
      for (;;) {
        const frame = (await lp.read({ signal: AbortSignal.timeout(idleMs) })).subarray()
        if (!frame.byteLength) break
        bytes += frame.byteLength
        store(frame)
        if (storing.size >= window) await Promise.race(storing)
        if (failed) break
      }
      await Promise.all(storing)
      if (failed) throw failed
      await stream.close().catch(() => {})
      return { shards, bytes, refused }
    } catch (err) {
      stream?.abort(err instanceof Error ? err : new Error(String(err)))
      lastError = err
      if (err instanceof CatalogPullError && /refused/.test(err.message)) break
    }
  }
  throw new CatalogPullError(`could not pull ${cat.name}: ${(lastError as Error | undefined)?.message ?? 'no address'}`)
}
