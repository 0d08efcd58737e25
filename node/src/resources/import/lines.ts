/**
 * @module resources/import/lines
 * Splits a byte stream into lines without trusting it: a line longer than the limit is
 * reported and skipped (never buffered whole), CRLF and a UTF-8 BOM are handled, and bytes
 * are decoded per line so a multi-byte character split between chunks stays whole.
 */
import type { Readable } from 'node:stream'

export type Line = { n: number; text: string } | { n: number; tooLong: true }

export async function* splitLines(input: Readable | AsyncIterable<Uint8Array>, maxLineBytes: number): AsyncGenerator<Line> {
  let parts: Buffer[] = []
  let size = 0
  let skipping = false
  let n = 0
  let first = true
  const finish = (): Line => {
    n++
    if (skipping) {
      skipping = false
      return { n, tooLong: true }
    }
    let buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size)
    if (first && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3)
    first = false
    const text = buf.toString('utf8')
    parts = []
    size = 0
    return { n, text: text.endsWith('\r') ? text.slice(0, -1) : text }
  }
  for await (const chunk of input) {
    let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)
    for (;;) {
      const nl = buf.indexOf(0x0a)
      const piece = nl === -1 ? buf : buf.subarray(0, nl)
      if (!skipping) {
        if (size + piece.length > maxLineBytes) {
          skipping = true
          parts = []
          size = 0
        } else if (piece.length) {
          parts.push(piece)
          size += piece.length
        }
      }
      if (nl === -1) break
      yield finish()
      buf = buf.subarray(nl + 1)
    }
  }
  if (size > 0 || skipping) yield finish()
}
