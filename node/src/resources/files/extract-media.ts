/**
 * @module resources/files/extract-media
 * Durations and chapters of audio (music-metadata, streaming from disk), the duration of MP4
 * video (its `mvhd` box: music-metadata reports only audio tracks), and PDF page counts.
 */
import { open } from 'node:fs/promises'
import type { Chapter } from '@shulin/protocol'

export async function audioInfo(
  path: string,
): Promise<{ durationSeconds?: number; chapters: Chapter[]; title?: string }> {
  const { parseFile } = await import('music-metadata')
  const m = await parseFile(path, { duration: true, includeChapters: true, skipCovers: true })
  const chapters: Chapter[] = (m.format.chapters ?? []).slice(0, 2000).map((c) => ({
    title: String(c.title ?? '').slice(0, 500),
    start: c.timeScale ? c.start / c.timeScale : c.start / 1000,
  }))
  return {
    ...(m.format.duration !== undefined ? { durationSeconds: Math.round(m.format.duration * 100) / 100 } : {}),
    chapters,
    ...(m.common.title ? { title: m.common.title } : {}),
  }
}

/** Seconds from the movie header of an ISO-BMFF file, found by walking box headers (no full read). */
export async function mp4Duration(path: string): Promise<number | undefined> {
  const fh = await open(path, 'r')
  try {
    const { size } = await fh.stat()
    const head = Buffer.alloc(16)
    const walk = async (start: number, end: number, want: string[]): Promise<number | undefined> => {
      let pos = start
      for (let i = 0; i < 10_000 && pos + 8 <= end; i++) {
        await fh.read(head, 0, 16, pos)
        let boxSize = head.readUInt32BE(0)
        const type = head.toString('latin1', 4, 8)
        let headerSize = 8
        if (boxSize === 1) {
          boxSize = Number(head.readBigUInt64BE(8))
          headerSize = 16
        } else if (boxSize === 0) boxSize = end - pos
        if (boxSize < headerSize) return undefined
        if (type === want[0]) {
          if (want.length > 1) return walk(pos + headerSize, pos + boxSize, want.slice(1))
          const body = Buffer.alloc(32)
          await fh.read(body, 0, 32, pos + headerSize)
          const v1 = body[0] === 1
          const timescale = v1 ? body.readUInt32BE(20) : body.readUInt32BE(12)
          const duration = v1 ? Number(body.readBigUInt64BE(24)) : body.readUInt32BE(16)
          return timescale ? Math.round((duration / timescale) * 100) / 100 : undefined
        }
        pos += boxSize
      }
      return undefined
    }
    return await walk(0, size, ['moov', 'mvhd'])
  } finally {
    await fh.close()
  }
}

/** PDFs above this are not opened for a page count (pdf.js reads the whole file). */
const maxPdfBytes = 256 * 1024 ** 2

export async function pdfPages(path: string, size: number): Promise<number | undefined> {
  if (size > maxPdfBytes) return undefined
  const { readFile } = await import('node:fs/promises')
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs')
  const task = pdfjs.getDocument({
    data: new Uint8Array(await readFile(path)),
    isEvalSupported: false,
    useSystemFonts: false,
    verbosity: 0,
  })
  try {
    const doc = await task.promise
    return doc.numPages
  } finally {
    await task.destroy()
  }
}

/** A 320-px-wide WebP thumbnail (sharp is loaded only when needed: it is large). */
export async function thumbnail(input: Buffer | string): Promise<Buffer> {
  const { default: sharp } = await import('sharp')
  return sharp(input, { limitInputPixels: 100_000_000 })
    .rotate()
    .resize({ width: 320, withoutEnlargement: true })
    .webp({ quality: 80 })
    .toBuffer()
}
