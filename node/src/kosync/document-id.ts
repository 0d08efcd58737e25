/**
 * @module kosync/document-id
 * KOReader's two ways of naming a document to its sync server, so the node can tell which of
 * its files a device means: the "binary" id, an MD5 over 1 KiB samples taken at 0 and at
 * 1 KiB · 4^i (i = 0…10) until the file ends, and the "filename" id, an MD5 of the file's name.
 *
 * @example
 * await koreaderBinaryId('/data/blobs/ab/cd…') // 'a0c3…' (32 hex digits)
 * koreaderFilenameId('三体.epub')
 */
import { createHash } from 'node:crypto'
import { open } from 'node:fs/promises'

const sampleBytes = 1024
/** KOReader samples at i = -1…10; LuaJIT's lshift(1024, -2) wraps to 0, so the first is the file's start. */
const sampleOffsets = [0, ...Array.from({ length: 11 }, (_, i) => sampleBytes * 4 ** i)]

/** KOReader's partial MD5 of a file ("binary" document matching). */
export async function koreaderBinaryId(path: string): Promise<string> {
  const hash = createHash('md5')
  const file = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(sampleBytes)
    for (const offset of sampleOffsets) {
      const { bytesRead } = await file.read(buffer, 0, sampleBytes, offset)
      // Lua's file:read returns nil at the end of the file: sampling stops there.
      if (bytesRead === 0) break
      hash.update(buffer.subarray(0, bytesRead))
    }
  } finally {
    await file.close()
  }
  return hash.digest('hex')
}

/** KOReader's "filename" document id: the MD5 of the file's name (without its folder). */
export function koreaderFilenameId(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? name
  return createHash('md5').update(base, 'utf8').digest('hex')
}
