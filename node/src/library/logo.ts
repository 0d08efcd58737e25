/**
 * @module library/logo
 * A logo staff upload in the console: checked to be a raster image by its bytes (PNG, JPEG or
 * WebP — never SVG, which can carry script), capped in size, decoded once under a pixel limit,
 * and made into the square PNG icons an installed web app needs (192 and 512 px, the logo
 * centred on transparency). The original and the icons are blobs like any upload.
 */
import { withCheckedUpload } from '../blobs/checked-upload.js'
import { Readable } from 'node:stream'
import type { BlobStore } from '../blobs/store.js'
import { ProblemError } from '../http/problem.js'
import type { RawUpload } from '../http/raw-body.js'

/** A logo is a small picture: 1 MiB is generous for one (our choice). */
export const maxLogoBytes = 1024 * 1024
/** Sizes of the installed app's icons (the ones browsers ask a manifest for). */
export const iconSizes = [192, 512] as const
const logoTypes = ['image/png', 'image/jpeg', 'image/webp']

export interface StoredLogo {
  sha256: string
  mediaType: string
  size: number
  /** `192` and `512`: PNG icons' blobs. */
  icons: Record<string, string>
}

/** Stores an uploaded logo and its icons; refuses what is not a readable raster image. */
export async function storeLogo(blobs: BlobStore, upload: RawUpload): Promise<StoredLogo> {
  const opts = { maxBytes: maxLogoBytes, accepted: logoTypes, tooLarge: `a logo is at most ${maxLogoBytes} bytes` }
  return withCheckedUpload(blobs, upload, opts, async (staged, type) => {
    const { default: sharp } = await import('sharp')
    const icons: Record<string, string> = {}
    for (const size of iconSizes) {
      let png: Buffer
      try {
        // 40 megapixels: a logo needs far fewer; a decompression bomb needs far more.
        png = await sharp(staged.path, { limitInputPixels: 40_000_000 })
          .rotate()
          .resize(size, size, { fit: 'contain', background: { r: 0, g: 0, b: 0, alpha: 0 } })
          .png()
          .toBuffer()
      } catch (err) {
        throw new ProblemError('file_rejected', { detail: `the image cannot be read: ${(err as Error).message}` })
      }
      icons[String(size)] = (await (await blobs.stage(Readable.from([png]), png.length)).commit('image/png')).sha256
    }
    const info = await staged.commit(type)
    return { sha256: info.sha256, mediaType: type, size: info.size, icons }
  })
}
