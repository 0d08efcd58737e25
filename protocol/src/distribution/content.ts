/**
 * @module distribution/content
 * Content transfer between nodes (`/shulin/content/1.0.0`): a file is known by the SHA-256 of
 * its bytes and described by a **manifest** — its size, its chunk size and the SHA-256 of each
 * chunk. A channel record carries the file's `sha256`, `size` and `manifestId` (the SHA-256 of
 * the manifest's RFC 8785 canonical JSON), signed by the publisher; so a manifest from any peer
 * is checked against `manifestId`, and every chunk from any peer against the manifest.
 *
 * On one stream the asker writes length-prefixed JSON requests, one after another; the provider
 * answers each with a length-prefixed JSON answer and, for `chunks`, then one binary frame per
 * chunk (its bytes, nothing else) in order.
 *
 * @example
 * ```ts
 * encodeContentMessage({ want: 'chunks', sha256, from: 0, count: 2 })
 * decodeContentAnswer(bytes) // { ok: true } | { ok: true, manifest } | { ok: false, reason } | undefined
 * ```
 */
import canonicalize from 'canonicalize'
import { z } from 'zod'
import { decodeJsonMessage, encodeJsonMessage } from '../wire/exchange.js'

export const CONTENT_PROTOCOL = '/shulin/content/1.0.0'

/** Limits both sides hold to; a message past them is refused before it is decoded. */
export const contentLimits = {
  minChunkSize: 64 * 1024,
  maxChunkSize: 4 * 1024 * 1024,
  /** 32 GiB at 1 MiB chunks; larger files take larger chunks. */
  maxChunks: 32_768,
  /** A request is a few small fields. */
  maxRequestBytes: 1024,
  /** 32 768 hex digests and the JSON around them. */
  maxAnswerBytes: 3 * 1024 * 1024,
  /** Chunks asked for at once on one stream: the asker must buffer them all. */
  maxChunksPerRequest: 8,
} as const

export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'invalid_sha256')

export const Manifest = z
  .strictObject({
    sha256: Sha256Hex,
    size: z
      .number()
      .int()
      .min(0)
      .max(contentLimits.maxChunks * contentLimits.maxChunkSize),
    chunkSize: z.number().int().min(contentLimits.minChunkSize).max(contentLimits.maxChunkSize),
    chunks: z.array(Sha256Hex).max(contentLimits.maxChunks),
  })
  .refine((m) => m.chunks.length === Math.ceil(m.size / m.chunkSize), { message: 'chunk_count', path: ['chunks'] })
export type Manifest = z.infer<typeof Manifest>

/** The bytes `manifestId` hashes: the manifest's canonical JSON (RFC 8785), UTF-8. */
export function manifestBytes(manifest: Manifest): Uint8Array {
  return new TextEncoder().encode(canonicalize(manifest) ?? '')
}

/** Byte range of chunk `i` in the file. */
export function chunkRange(manifest: Manifest, i: number): { offset: number; length: number } {
  const offset = i * manifest.chunkSize
  return { offset, length: Math.min(manifest.chunkSize, manifest.size - offset) }
}

export const ContentRequest = z.discriminatedUnion('want', [
  z.strictObject({ want: z.literal('manifest'), sha256: Sha256Hex }),
  z.strictObject({
    want: z.literal('chunks'),
    sha256: Sha256Hex,
    from: z
      .number()
      .int()
      .min(0)
      .max(contentLimits.maxChunks - 1),
    count: z.number().int().min(1).max(contentLimits.maxChunksPerRequest),
  }),
])
export type ContentRequest = z.infer<typeof ContentRequest>

/**
 * Why a provider does not answer: it does not hold that file (or will not give it to this
 * peer), the request is malformed (the stream then closes), the chunks lie past the file's
 * end, or it is serving as many streams as it will.
 */
export const ContentRefusal = z.enum(['unknown', 'invalid', 'range', 'busy'])
export type ContentRefusal = z.infer<typeof ContentRefusal>

export const ContentAnswer = z.union([
  z.strictObject({ ok: z.literal(true), manifest: Manifest }),
  /** Chunks follow, one binary frame each. */
  z.strictObject({ ok: z.literal(true) }),
  z.strictObject({ ok: z.literal(false), reason: ContentRefusal }),
])
export type ContentAnswer = z.infer<typeof ContentAnswer>

export function encodeContentMessage(message: ContentRequest | ContentAnswer): Uint8Array {
  return encodeJsonMessage(message)
}

/** A request, or `undefined` for anything that is not one. */
export const decodeContentRequest = (bytes: Uint8Array): ContentRequest | undefined =>
  decodeJsonMessage(ContentRequest, bytes)
/** An answer, or `undefined` for anything that is not one. */
export const decodeContentAnswer = (bytes: Uint8Array): ContentAnswer | undefined =>
  decodeJsonMessage(ContentAnswer, bytes)
