/**
 * @module transfer/manifest
 * A file's manifest, computed by streaming it once (never holding it in memory), and the
 * `manifestId` a publisher signs into a channel record.
 *
 * @example
 * ```ts
 * const manifest = await manifestOf('/srv/shulin/data/blobs/ab/ab12…')
 * manifestIdOf(manifest) // '5e0c…' (64 hex digits)
 * ```
 */
import { createHash } from 'node:crypto'
import { open } from 'node:fs/promises'
import { Manifest, contentLimits, manifestBytes } from '@shulin/protocol'
import { defaultChunkSize } from './constants.js'

/** The SHA-256 (hex) of a manifest's canonical JSON. */
export function manifestIdOf(manifest: Manifest): string {
  return createHash('sha256').update(manifestBytes(manifest)).digest('hex')
}

/** 1 MiB chunks, doubled until the chunk list fits the protocol's cap. */
export function chunkSizeFor(size: number): number {
  let chunkSize = defaultChunkSize
  while (Math.ceil(size / chunkSize) > contentLimits.maxChunks && chunkSize < contentLimits.maxChunkSize) chunkSize *= 2
  return chunkSize
}

/**
 * Reads the file once, hashing it whole and chunk by chunk. With the default chunk size every
 * node computes the same manifest for the same bytes, so a provider that hashes a file itself
 * agrees with its publisher; a manifest made with another `chunkSize` has to be kept beside the
 * file and handed out through `ContentSource.manifest`.
 */
export async function manifestOf(
  path: string,
  opts: { chunkSize?: number; signal?: AbortSignal } = {},
): Promise<Manifest> {
  const fh = await open(path, 'r')
  try {
    const { size } = await fh.stat()
    const chunkSize = opts.chunkSize ?? chunkSizeFor(size)
    const whole = createHash('sha256')
    const chunks: string[] = []
    // Two buffers: the next chunk is read while this one is hashed.
    const bufs = [Buffer.allocUnsafe(chunkSize), Buffer.allocUnsafe(chunkSize)]
    const readAt = async (i: number) => {
      const length = Math.min(chunkSize, size - i * chunkSize)
      const { bytesRead } = await fh.read(bufs[i % 2]!, 0, length, i * chunkSize)
      if (bytesRead !== length) throw new Error(`${path} changed while it was read`)
      return bufs[i % 2]!.subarray(0, length)
    }
    const n = Math.ceil(size / chunkSize)
    let next = n > 0 ? readAt(0) : undefined
    for (let i = 0; i < n; i++) {
      opts.signal?.throwIfAborted()
      const chunk = await next!
      next = i + 1 < n ? readAt(i + 1) : undefined
      whole.update(chunk)
      chunks.push(createHash('sha256').update(chunk).digest('hex'))
    }
    return Manifest.parse({ sha256: whole.digest('hex'), size, chunkSize, chunks })
  } finally {
    await fh.close()
  }
}
