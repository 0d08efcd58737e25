/**
 * @module wire/catalog
 * `/shulin/catalog/1.0.0`: a peer pulls what it lacks of a sharded catalog. Over one stream:
 *
 * 1. request — length-prefixed JSON {@link CatalogPullRequest} `{catalog, shards, have}`: the
 *    catalog's name, its shard count and the asker's state vector of every shard (base64);
 * 2. answer — a JSON {@link CatalogPullHeader} `{ok: true}` (or `{ok: false, reason}` and the
 *    stream ends; a `busy` refusal may name `holders`, peers that took a copy from it lately), then one binary **shard frame** per shard the asker lacks something of
 *    (`varuint shard`, `varuint codec`, the update: raw, or raw DEFLATE for updates of
 *    {@link catalogLimits}`.compressFrom` bytes or more — record text compresses about 3×,
 *    which a county library's thin link feels), then an empty frame;
 * 3. credit — as it stores them, the asker tells the other side (a frame holding a varuint) how
 *    many bytes of shard frames it has taken, every `creditEvery` bytes or so; the answering
 *    side keeps at most `creditBytes` unanswered.
 *
 * Frames, and what a frame inflates to, are at most `maxFrame` bytes. Compressing and
 * inflating is the carrier's work (`@shulin/federation`), as it needs zlib; this module only
 * lays the bytes out.
 *
 * @example
 * ```ts
 * writeShardFrame({ shard: 3, codec: ShardCodec.raw, body })  // 03 00 …body
 * readShardFrame(frame)                                        // { shard, codec, body } or undefined
 * ```
 */
import { z } from 'zod'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { decodeJsonMessage, encodeJsonMessage } from './exchange.js'
import { NodeId } from '../federation/schemas.js'

export const CATALOG_PROTOCOL = '/shulin/catalog/1.0.0'

/** A sharded catalog's name: `channels`, `union-catalogue`. */
export const catalogName = /^[a-z0-9][a-z0-9_-]{0,63}$/

export const catalogLimits = {
  /** Largest frame, and the most a frame may inflate to. */
  maxFrame: 8 * 1024 * 1024,
  /** The request must come within this (the answering side), the dial within this too (the asker). */
  requestTimeoutMs: 10_000,
  /** No frame for this long: the pull is given up (what arrived stays). */
  idleMs: 30_000,
  /** Bytes of shard frames the answering side may have in flight unanswered… */
  creditBytes: 16 * 1024 * 1024,
  /** …and how often the asker answers. */
  creditEvery: 1024 * 1024,
  /** Below this, compressing an update costs more than it saves. */
  compressFrom: 1024,
  maxShards: 4096,
  maxInboundStreams: 8,
  /**
   * A pull is large when the asker lacks at least this many of the catalog's record versions
   * (Yjs items: one per record written) — a first copy of a big catalog, not a change…
   */
  largePull: 10_000,
  /**
   * …and a node sends at most this many large pulls of one catalog at once: the others are
   * answered `busy` and take it from whoever else holds it. Without it every new subscriber of
   * the hub's 100k-record channel took a whole copy from the hub (about 10.7 MB each, 32 GB for
   * 3,000 members, issue 25).
   */
  largePullsAtOnce: 2,
} as const

export const CatalogPullRequest = z
  .strictObject({
    catalog: z.string().regex(catalogName),
    shards: z.number().int().min(1).max(catalogLimits.maxShards),
    have: z.array(z.base64().max(8192)).max(catalogLimits.maxShards),
  })
  .refine((r) => r.have.length === r.shards, 'one state vector per shard')
export type CatalogPullRequest = z.infer<typeof CatalogPullRequest>

/**
 * Why a pull is refused: the catalog is `unknown` here, `not_allowed` to the asker, the request
 * `invalid`, or the answering side is `busy`: it already sends as many first copies of this
 * catalog as it will at once (see `largePull` in `catalogLimits`), so the asker should take what
 * it can from others who hold it and ask again later. A node older than `busy` reads it as a
 * malformed answer, which it also tries again later.
 */
export const CatalogPullRefusal = z.enum(['unknown', 'not_allowed', 'invalid', 'busy'])
export type CatalogPullRefusal = z.infer<typeof CatalogPullRefusal>

/** Peers a busy answer names at most. */
export const busyHoldersMax = 16

export const CatalogPullHeader = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true) }),
  z.strictObject({
    ok: z.literal(false),
    reason: CatalogPullRefusal,
    /** With `busy`: peers that lately took a first copy from the answering side (the asker may ask them). */
    holders: z.array(NodeId).max(busyHoldersMax).optional(),
  }),
])
export type CatalogPullHeader = z.infer<typeof CatalogPullHeader>

export const encodeCatalogPullRequest = (req: CatalogPullRequest): Uint8Array => encodeJsonMessage(req)
export const decodeCatalogPullRequest = (bytes: Uint8Array): CatalogPullRequest | undefined =>
  decodeJsonMessage(CatalogPullRequest, bytes)
export const encodeCatalogPullHeader = (header: CatalogPullHeader): Uint8Array => encodeJsonMessage(header)
export const decodeCatalogPullHeader = (bytes: Uint8Array): CatalogPullHeader | undefined =>
  decodeJsonMessage(CatalogPullHeader, bytes)

/** How a shard frame's update is carried. */
export const ShardCodec = { raw: 0, deflate: 1 } as const
export type ShardCodec = (typeof ShardCodec)[keyof typeof ShardCodec]

export interface ShardFrame {
  shard: number
  codec: ShardCodec
  /** The update, as `codec` carries it. */
  body: Uint8Array
}

export function writeShardFrame(frame: ShardFrame): Uint8Array {
  const enc = encoding.createEncoder()
  encoding.writeVarUint(enc, frame.shard)
  encoding.writeVarUint(enc, frame.codec)
  encoding.writeUint8Array(enc, frame.body)
  return encoding.toUint8Array(enc)
}

/**
 * A shard frame, `{ error }` for a frame whose varuints do not read (lib0's "Unexpected end of
 * array" for an empty or cut frame, "Integer out of Range" for endless varint bytes), or whose
 * codec is unknown. The body is a view into `frame`.
 */
export function readShardFrame(frame: Uint8Array): ShardFrame | { error: string } {
  let shard: number
  let codec: number
  const dec = decoding.createDecoder(frame)
  try {
    shard = decoding.readVarUint(dec)
    codec = decoding.readVarUint(dec)
  } catch (err) {
    return { error: `malformed shard frame: ${(err as Error).message}` }
  }
  if (codec !== ShardCodec.raw && codec !== ShardCodec.deflate) return { error: `unknown codec ${codec}` }
  return { shard, codec, body: frame.subarray(dec.pos) }
}

/** The frame that ends the answer. */
export const catalogEnd = (): Uint8Array => new Uint8Array(0)

/** A credit frame: bytes of shard frames taken since the last one. */
export function writeCredit(taken: number): Uint8Array {
  const enc = encoding.createEncoder()
  encoding.writeVarUint(enc, taken)
  return encoding.toUint8Array(enc)
}

/** The bytes a credit frame gives back, or `undefined` if it is not one (the stream then fails). */
export function readCredit(frame: Uint8Array): number | undefined {
  try {
    return decoding.readVarUint(decoding.createDecoder(frame))
  } catch {
    return undefined
  }
}
