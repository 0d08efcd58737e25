/**
 * @module transfer/verify
 * The whole-file check that follows a download from its start: it reads back, in order, each
 * chunk once it is on disk and feeds it to the file's SHA-256, so the check of what is really
 * on disk costs no extra pass at the end. A chunk an earlier attempt claimed is also checked
 * against its own hash on the way; one that fails is given back to be fetched again.
 */
import { createHash } from 'node:crypto'
import { chunkRange, type Manifest } from '@shulin/protocol'
import type { PartialFile } from './partial.js'
import { ChunkState, type ChunkQueue } from './schedule.js'

export interface TailResult {
  /** Claimed chunks that were on disk and good. */
  resumed: number
  /** Claimed chunks that were not, and went back to the queue. */
  rejected: number
}

/**
 * Follows the queue until every chunk is on disk and hashed; resolves when the file's hash
 * matches the manifest, throws when it does not even after every chunk was re-checked once.
 */
export async function followAndVerify(manifest: Manifest, queue: ChunkQueue, part: PartialFile, signal: AbortSignal): Promise<TailResult> {
  const result: TailResult = { resumed: 0, rejected: 0 }
  const buf = Buffer.allocUnsafe(manifest.chunkSize)
  for (let attempt = 0; ; attempt++) {
    const whole = createHash('sha256')
    for (let i = 0; i < queue.length; ) {
      signal.throwIfAborted()
      const s = queue.state[i]
      if (s !== ChunkState.Written && s !== ChunkState.Claimed) {
        await queue.changed()
        continue
      }
      const { offset, length } = chunkRange(manifest, i)
      const bytes = await part.read(offset, length, buf)
      if (s === ChunkState.Claimed) {
        if (createHash('sha256').update(bytes).digest('hex') !== manifest.chunks[i]) {
          result.rejected++
          queue.giveBack(i, 1)
          continue
        }
        result.resumed++
        queue.written(i)
      }
      whole.update(bytes)
      i++
    }
    if (whole.digest('hex') === manifest.sha256) return result
    // Every chunk matched when it arrived, so the disk holds something else: check each again.
    if (attempt > 0) throw new Error('the file on disk does not match its manifest')
    for (let i = 0; i < queue.length; i++) queue.state[i] = ChunkState.Claimed
  }
}
