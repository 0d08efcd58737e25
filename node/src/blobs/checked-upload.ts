/**
 * @module blobs/checked-upload
 * An uploaded image or file staged and checked before anything records it: the whole body
 * arrived (a client gone mid-body is the user's problem, never a 500), it is no larger than
 * allowed, and its bytes are of a type the caller accepts (an "image" that is HTML or SVG is
 * refused, whatever it claims). The caller commits it; the staging file is discarded whatever
 * happens, so a refused upload leaves nothing behind.
 */
import { ProblemError } from '../http/problem.js'
import { isAbortedBody, type RawUpload } from '../http/raw-body.js'
import { checkFileType } from '../resources/files/media-types.js'
import type { BlobStore, StagedBlob } from './store.js'

export interface CheckedUploadOptions {
  maxBytes: number
  /** The media types the bytes may show. */
  accepted: readonly string[]
  /** Said when the upload is too large (default: the bare problem). */
  tooLarge?: string
}

/**
 * Stages `upload`, checks it, and hands the staged blob and the type its bytes show to `use`
 * (which commits it, or throws to refuse it).
 */
export async function withCheckedUpload<T>(
  blobs: Pick<BlobStore, 'stage'>,
  upload: RawUpload,
  opts: CheckedUploadOptions,
  use: (staged: StagedBlob, type: string) => Promise<T>,
): Promise<T> {
  let staged: StagedBlob
  try {
    staged = await blobs.stage(upload.stream, opts.maxBytes)
  } catch (err) {
    if (isAbortedBody(err))
      throw new ProblemError('file_rejected', { detail: 'the upload ended before the whole file arrived' })
    if ((err as Error).name === 'BlobTooLarge')
      throw new ProblemError('payload_too_large', opts.tooLarge ? { detail: opts.tooLarge } : undefined)
    throw err
  }
  try {
    if (upload.declaredLength !== undefined && staged.size !== upload.declaredLength)
      throw new ProblemError('file_rejected', { detail: 'the upload ended early' })
    const checked = await checkFileType(staged.path, upload.claimedType, opts.accepted)
    if ('refused' in checked) throw new ProblemError('file_rejected', { detail: checked.refused })
    return await use(staged, checked.type)
  } finally {
    await staged.discard()
  }
}
