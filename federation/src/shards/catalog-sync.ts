/**
 * @module catalog-sync
 * Carries `/shulin/catalog/1.0.0` (a peer pulls what it lacks of a sharded catalog; the wire,
 * its messages and limits are `@shulin/protocol`'s `wire/catalog`): the answering side reads
 * shards a window at a time and compresses the large ones, the asker stores each shard as it
 * arrives and gives credit back. libp2p's length-prefixed reader buffers whatever arrives,
 * however slowly it is read, so without credit a fast sender overflowed a receiver busy
 * storing (seen at 100k records); credit is counted in bytes, so small changes never wait for
 * an answer (a round trip per frame made a 1k-record change 8× slower).
 *
 * Each received shard is stored as it arrives, so a pull cut off halfway keeps what it got and
 * the next one asks only for the rest. A malformed frame or update closes the stream and
 * stores nothing of it.
 *
 * @example
 * ```ts
 * await serveCatalogs(host, (name, from) => (name === cat.name ? cat : undefined))
 * const { shards, bytes } = await pullCatalog(host, addrs, cat)
 * ```
 */
import { promisify } from 'node:util'
import { deflateRaw, deflateRawSync, inflateRaw, inflateRawSync } from 'node:zlib'
import { byteStream, lpStream, type ByteStream } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'
import * as encoding from 'lib0/encoding'
import { multiaddr } from '@multiformats/multiaddr'
import {
  CATALOG_PROTOCOL,
  ShardCodec,
  busyHoldersMax,
  catalogEnd,
  catalogLimits,
  decodeCatalogPullHeader,
  decodeCatalogPullRequest,
  encodeCatalogPullHeader,
  encodeCatalogPullRequest,
  readCredit,
  readShardFrame,
  writeCredit,
  writeShardFrame,
  type CatalogPullHeader,
} from '@shulin/protocol'
import type { Host } from '../host/host.js'
import { CatalogError, type ShardedCatalog } from './catalog.js'

const { maxFrame, idleMs, creditBytes, creditEvery } = catalogLimits
/** Shards prepared at once by the answering side, and frames in flight unanswered. */
const window = 8
/** Frames written together by the answering side, up to this many bytes (or one larger frame)… */
const groupBytes = 64 * 1024
/**
 * …but the first group goes at this size, and each next one may be twice the last: with 64 KiB
 * from the start, the asker waited idle while the other side prepared a third of a 1k-record
 * change (~80 shards, 25–60 ms) before it had a frame to store.
 */
const firstGroupBytes = 4 * 1024
/** Small frames the asker may be storing at once. */
const maxStoring = 256
/** What the asker may have to buffer: the credit, and one more frame at its largest. */
const receiveBuffer = creditBytes + maxFrame

const deflate = promisify(deflateRaw)
const inflate = promisify(inflateRaw)

/**
 * Below this, zlib runs on the event loop (updates to compress, bodies to inflate). Node's async
 * zlib sets up a stream and a trip to the thread pool per call: for the 256 frames of a
 * 1k-record change (~2 KB each) that was 55 ms of CPU and ~190 ms of waiting, where the same
 * work done synchronously takes ~6 ms.
 */
const syncZlibBelow = 64 * 1024

/**
 * DEFLATE's window for an update of `bytes`: no larger than the update (a larger one finds no
 * more matches), so a 2 KB update does not set up zlib's 256 KiB of default state. Any raw
 * DEFLATE reader takes a smaller window than its own.
 */
const windowBitsFor = (bytes: number) => Math.min(15, Math.max(9, Math.ceil(Math.log2(bytes + 262))))

/** One shard's update as a frame; larger ones are compressed (the largest off the event loop). */
export async function encodeShardFrame(shard: number, update: Uint8Array): Promise<Uint8Array> {
  if (update.byteLength < catalogLimits.compressFrom)
    return writeShardFrame({ shard, codec: ShardCodec.raw, body: update })
  if (update.byteLength < syncZlibBelow) {
    // Level 1: on a change's updates (1–3 KB of record text) level 6 took 1.5–2× the time and
    // came out no smaller (0.467 against 0.468 of the raw bytes, bench:sync's records).
    const body = deflateRawSync(update, { level: 1, windowBits: windowBitsFor(update.byteLength) })
    return writeShardFrame({ shard, codec: ShardCodec.deflate, body })
  }
  const body = await deflate(update, { level: 6 })
  return writeShardFrame({ shard, codec: ShardCodec.deflate, body })
}

/**
 * A shard frame's shard and update; anything else is a {@link CatalogPullError} `malformed`
 * (zlib's own errors for a body that does not inflate or inflates past 8 MiB said nothing of a
 * frame).
 */
export async function decodeShardFrame(frame: Uint8Array): Promise<{ shard: number; update: Uint8Array }> {
  const read = readShardFrame(frame)
  if ('error' in read) throw new CatalogPullError('malformed', read.error)
  const { shard, codec, body } = read
  if (codec === ShardCodec.raw) return { shard, update: body }
  try {
    // Small bodies inflate on the event loop (a change's frames are 0.3–2 KB: the thread-pool
    // trip per frame cost the asker a fifth of its time). What one call may produce is bounded
    // by `maxFrame`, as a raw frame is, and the update is decoded on the event loop next anyway.
    const update =
      body.byteLength < syncZlibBelow
        ? inflateRawSync(body, { maxOutputLength: maxFrame })
        : await inflate(body, { maxOutputLength: maxFrame })
    return { shard, update }
  } catch (err) {
    throw new CatalogPullError('malformed', `shard frame does not inflate: ${(err as Error).message}`)
  }
}

type Received = NonNullable<Awaited<ReturnType<ByteStream<Stream>['read']>>>

/** Bytes of a frame's length prefix at most (a varint of up to `maxFrame`). */
const maxLengthBytes = Math.ceil(Math.log2(maxFrame + 1) / 7)

/**
 * The asker's reader: length-prefixed frames, all those that one read of the stream brought.
 * libp2p's `lpStream` reads a frame's length a byte at a time, each read a promise, an abort
 * listener and a copy: for the 256 small frames of a 1k-record change that was a third of the
 * asker's time outside the catalog. Here a read takes what has arrived, and the frames in it
 * are cut without waiting, so they are stored in the same turn (and one store batch). It holds
 * at most one partial frame beside the stream's own bounded buffer.
 */
export class FrameReader {
  #buf: Received | undefined

  constructor(
    private readonly bytes: ByteStream<Stream>,
    private readonly max = maxFrame,
  ) {}

  /** The next frame if it has arrived whole; a length over the limit is `malformed`. */
  take(): Uint8Array | undefined {
    const buf = this.#buf
    if (!buf) return undefined
    let length = 0
    let i = 0
    for (; ; i++) {
      if (i >= buf.byteLength) return undefined
      if (i >= maxLengthBytes) throw new CatalogPullError('malformed', 'a frame length too long to read')
      const b = buf.get(i)
      length += (b & 0x7f) * 2 ** (7 * i)
      if (b < 0x80) break
    }
    if (length > this.max) throw new CatalogPullError('malformed', `a frame of ${length} bytes (at most ${this.max})`)
    const end = i + 1 + length
    if (buf.byteLength < end) return undefined
    const frame = buf.subarray(i + 1, end)
    buf.consume(end)
    return frame
  }

  /** The next frame: at once when it has arrived, else once it has. */
  next(signal: AbortSignal): Uint8Array | Promise<Uint8Array> {
    return this.take() ?? this.#read(signal)
  }

  async #read(signal: AbortSignal): Promise<Uint8Array> {
    for (;;) {
      const got = await this.bytes.read({ signal })
      if (!got) throw new Error('the stream ended before the answer did')
      if (this.#buf) this.#buf.append(got)
      else this.#buf = got
      const frame = this.take()
      if (frame) return frame
    }
  }
}

/** A length-prefixed frame (as `lpStream` writes it). */
export function lengthPrefixed(frame: Uint8Array): Uint8Array {
  const enc = encoding.createEncoder()
  encoding.writeVarUint(enc, frame.byteLength)
  encoding.writeUint8Array(enc, frame)
  return encoding.toUint8Array(enc)
}

/** Which catalog a peer may pull: the catalog, `'not_allowed'`, or nothing (unknown here). */
export type CatalogLookup = (name: string, from: string) => ShardedCatalog | 'not_allowed' | undefined

/**
 * How many large pulls (first copies) of one catalog this node sends at once; see
 * `catalogLimits.largePull` and `largePullsAtOnce`. Tests set lower figures.
 */
export interface LargePullLimit {
  /** Items the asker lacks from which a pull is large. */
  largePull?: number
  /** Large pulls of one catalog sent at once; more are answered `busy`. */
  atOnce?: number
}

/** Answers pulls of the catalogs `lookup` names. */
export function serveCatalogs(
  host: Host,
  lookup: CatalogLookup,
  log: (msg: string, err?: unknown) => void = () => {},
  { largePull = catalogLimits.largePull, atOnce = catalogLimits.largePullsAtOnce }: LargePullLimit = {},
): Promise<void> {
  /** Per catalog, the large pulls being sent now… */
  const sending = new Map<string, number>()
  /** …and the peers that took one lately (newest last), named in a busy answer. */
  const tookCopy = new Map<string, string[]>()
  return host.handle(
    CATALOG_PROTOCOL,
    async (stream: Stream, connection) => {
      const lp = lpStream(stream, { maxDataLength: maxFrame })
      try {
        const req = decodeCatalogPullRequest(
          (await lp.read({ signal: AbortSignal.timeout(catalogLimits.requestTimeoutMs) })).subarray(),
        )
        const cat = req && lookup(req.catalog, connection.remotePeer.toString())
        let header: CatalogPullHeader = !req
          ? { ok: false, reason: 'invalid' }
          : !cat
            ? { ok: false, reason: 'unknown' }
            : cat === 'not_allowed'
              ? { ok: false, reason: 'not_allowed' }
              : cat.shards !== req.shards
                ? { ok: false, reason: 'invalid' }
                : { ok: true }
        // A first copy is sent to a few askers at a time; the rest take it from one another.
        let large = false
        if (header.ok && req && cat && cat !== 'not_allowed') {
          const lacked = await cat.lackedBy(req.have.map((sv) => Buffer.from(sv, 'base64'))).catch(() => undefined)
          large = lacked !== undefined && lacked >= largePull
          const asker = connection.remotePeer.toString()
          if (lacked === undefined) header = { ok: false, reason: 'invalid' }
          else if (large && (sending.get(cat.name) ?? 0) >= atOnce) {
            const holders = (tookCopy.get(cat.name) ?? []).filter((id) => id !== asker)
            header = { ok: false, reason: 'busy', ...(holders.length ? { holders } : {}) }
          } else if (large) {
            const took = (tookCopy.get(cat.name) ?? []).filter((id) => id !== asker)
            took.push(asker)
            tookCopy.set(cat.name, took.slice(-busyHoldersMax))
          }
        }
        if (!(header.ok && req && cat && cat !== 'not_allowed')) await lp.write(encodeCatalogPullHeader(header))
        else {
          if (large) sending.set(cat.name, (sending.get(cat.name) ?? 0) + 1)
          try {
            let unanswered = 0
            // Frames go out in groups of up to `groupBytes` (one write each: one noise message
            // and one yamux frame for many small shard frames, where a 1k-record change made
            // 256 writes of ~300 bytes). The header goes with the first group (one write and one
            // wake-up of the asker fewer); it is no shard frame, so it takes no credit.
            let group: Uint8Array[] = [encodeCatalogPullHeader(header)]
            let grouped = 0
            let groupLimit = firstGroupBytes
            const flush = async (end = false) => {
              while (grouped && unanswered + grouped > creditBytes) {
                const taken = readCredit((await lp.read({ signal: AbortSignal.timeout(idleMs) })).subarray())
                if (!(taken !== undefined && taken > 0 && taken <= unanswered)) throw new Error('not a credit frame')
                unanswered -= taken
              }
              if (end) group.push(catalogEnd())
              if (group.length) await lp.writeV(group, { signal: AbortSignal.timeout(idleMs) })
              unanswered += grouped
              group = []
              grouped = 0
              groupLimit = Math.min(groupBytes, groupLimit * 2)
            }
            const send = async (frame: Uint8Array) => {
              if (grouped && grouped + frame.byteLength > groupLimit) await flush()
              group.push(frame)
              grouped += frame.byteLength
            }
            // Shards are read and compressed up to `window` ahead of the one being written
            // (LevelDB and zlib work side by side), and written in order. A sliding window, not
            // a batch of eight awaited together: the batches' barriers made 32 waits for the
            // slowest read of each eight in a pull of 256 changed shards.
            const prepare = (k: number): Promise<Uint8Array | undefined> => {
              const p = cat
                .diffFor(k, Buffer.from(req.have[k]!, 'base64'))
                .then((diff) => diff && encodeShardFrame(k, diff))
              // Awaited in turn below; if the pull fails first, its rejection is not unhandled.
              p.catch(() => {})
              return p
            }
            const ahead: Array<Promise<Uint8Array | undefined>> = []
            for (let k = 0; k < Math.min(window, cat.shards); k++) ahead.push(prepare(k))
            for (let k = 0; k < cat.shards; k++) {
              const frame = await ahead[k % window]!
              if (k + window < cat.shards) ahead[k % window] = prepare(k + window)
              if (frame) await send(frame)
            }
            await flush(true)
            // A first copy counts until the asker has stored it and closed the stream (what was
            // sent lies in its buffers until then: up to the credit, 16 MiB, more than a whole
            // 100k-record channel); its credit frames come every MiB stored meanwhile.
            if (large)
              try {
                for (;;) await lp.read({ signal: AbortSignal.timeout(idleMs) })
              } catch {
                // closed by the asker, or silent for idleMs: the slot is free either way
              }
          } finally {
            if (large) {
              const left = (sending.get(cat.name) ?? 1) - 1
              if (left) sending.set(cat.name, left)
              else sending.delete(cat.name)
            }
          }
        }
        await stream.close()
      } catch (err) {
        log(`${CATALOG_PROTOCOL} stream failed`, err instanceof Error ? err.message : err)
        stream.abort(err instanceof Error ? err : new Error(String(err)))
      }
    },
    { maxInboundStreams: catalogLimits.maxInboundStreams },
  )
}

/**
 * Why a pull failed: the peer `refused` it (its header said so: the catalog is unknown there,
 * not for this node, or the request invalid), was `busy` (it holds the catalog but sends as many
 * first copies of it as it will just now), answered something `malformed`, or the pull `failed`
 * otherwise (no address answered, a timeout, a shard this node could not store).
 */
export type CatalogPullFailure = 'refused' | 'busy' | 'malformed' | 'failed'

export class CatalogPullError extends Error {
  override readonly name = 'CatalogPullError'
  constructor(
    readonly reason: CatalogPullFailure,
    message: string,
    /** With `busy`: peers the busy one says took a copy from it lately. */
    readonly holders: readonly string[] = [],
  ) {
    super(message)
  }
}

/**
 * Pulls what this node lacks of `cat` from the first of `addrs` that answers. Resolves with the
 * number of shards that brought something new and the bytes received.
 */
export async function pullCatalog(
  host: Host,
  addrs: string[],
  cat: ShardedCatalog,
  opts: { signal?: AbortSignal } = {},
): Promise<{ shards: number; bytes: number; refused: number }> {
  let lastError: unknown
  for (const addr of addrs) {
    let stream: Stream | undefined
    try {
      stream = await host.dialProtocol(multiaddr(addr), CATALOG_PROTOCOL, {
        signal: opts.signal ?? AbortSignal.timeout(catalogLimits.requestTimeoutMs),
      })
      const io = byteStream(stream, { maxBufferSize: receiveBuffer })
      const reader = new FrameReader(io)
      const have = (await cat.stateVectors()).map((sv) => Buffer.from(sv).toString('base64'))
      await io.write(lengthPrefixed(encodeCatalogPullRequest({ catalog: cat.name, shards: cat.shards, have })))
      const header = decodeCatalogPullHeader(await reader.next(AbortSignal.timeout(idleMs)))
      if (!header) throw new CatalogPullError('malformed', 'not an answer of the catalog protocol')
      if (!header.ok)
        throw new CatalogPullError(
          header.reason === 'busy' ? 'busy' : 'refused',
          `refused: ${header.reason}`,
          header.holders,
        )
      let shards = 0
      let bytes = 0
      let refused = 0
      // Reading goes on while earlier frames are stored, up to `window` of them at once.
      const storing = new Set<Promise<void>>()
      let failed: unknown
      // Credit goes back every MiB stored; the writes are chained.
      let credit = Promise.resolve()
      let owed = 0
      let storingBytes = 0
      const store = (frame: Uint8Array) => {
        storingBytes += frame.byteLength
        const p: Promise<void> = decodeShardFrame(frame)
          .then(({ shard, update }) => cat.receive(shard, update))
          .then((isNew) => {
            if (isNew) shards++
            owed += frame.byteLength
            if (owed >= creditEvery) {
              const creditFrame = writeCredit(owed)
              owed = 0
              credit = credit.then(() => io.write(lengthPrefixed(creditFrame))).catch(() => {})
            }
          })
          .catch((err: unknown) => {
            // A shard with a change the catalog's rule refuses is left out; the others come.
            if (err instanceof CatalogError && err.reason === 'refused') refused++
            else failed ??= err
          })
          .finally(() => {
            storing.delete(p)
            storingBytes -= frame.byteLength
          })
        storing.add(p)
      }
      for (;;) {
        // Frames that have arrived come at once (no await, no turn of the event loop between them,
        // no timer); a wait for the network has `idleMs`, as before.
        const frame = reader.take() ?? (await reader.next(AbortSignal.timeout(idleMs)))
        if (!frame.byteLength) break
        bytes += frame.byteLength
        store(frame)
        // Eight frames stored at once, or more while they are small (a change's frames are a
        // few hundred bytes each): the store commits the appends that wait together in one
        // batch, and eight at a time kept those batches small.
        while (storing.size >= maxStoring || (storing.size >= window && storingBytes >= creditEvery))
          await Promise.race(storing)
        if (failed) break
      }
      await Promise.all(storing)
      if (failed) throw failed
      await stream.close().catch(() => {})
      return { shards, bytes, refused }
    } catch (err) {
      stream?.abort(err instanceof Error ? err : new Error(String(err)))
      lastError = err
      // A refusal is the catalog's owner speaking: the other addresses are the same peer.
      if (err instanceof CatalogPullError && (err.reason === 'refused' || err.reason === 'busy')) break
    }
  }
  const reason = lastError instanceof CatalogPullError ? lastError.reason : 'failed'
  throw new CatalogPullError(
    reason,
    `could not pull ${cat.name}: ${(lastError as Error | undefined)?.message ?? 'no address'}`,
    lastError instanceof CatalogPullError ? lastError.holders : [],
  )
}
