/**
 * @module resources/import/lines
 * Splits a byte stream at a delimiter byte (newline for JSON Lines and CSV, 0x1D for ISO 2709
 * records) without trusting it: a piece longer than the limit is reported and skipped (never
 * buffered whole), and bytes are kept as bytes so a multi-byte character split between
 * chunks stays whole.
 */
import type { Readable } from 'node:stream'

/** A piece of the stream; `terminated` is false for bytes after the last delimiter. */
export type Piece = { n: number; bytes: Buffer; terminated: boolean } | { n: number; tooLong: true }

export async function* splitAt(
  input: Readable | AsyncIterable<Uint8Array>,
  delimiter: number,
  maxBytes: number,
): AsyncGenerator<Piece> {
  let parts: Buffer[] = []
  let size = 0
  let skipping = false
  let n = 0
  const finish = (terminated: boolean): Piece => {
    n++
    const bytes = Buffer.concat(parts, size)
    parts = []
    size = 0
    if (skipping) {
      skipping = false
      return { n, tooLong: true }
    }
    return { n, bytes, terminated }
  }
  for await (const chunk of input) {
    let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)
    for (;;) {
      const end = buf.indexOf(delimiter)
      const piece = end === -1 ? buf : buf.subarray(0, end)
      if (!skipping) {
        if (size + piece.length > maxBytes) {
          skipping = true
          parts = []
          size = 0
        } else if (piece.length) {
          parts.push(piece)
          size += piece.length
        }
      }
      if (end === -1) break
      yield finish(true)
      buf = buf.subarray(end + 1)
    }
  }
  if (size > 0 || skipping) yield finish(false)
}

export type Line = { n: number; text: string } | { n: number; tooLong: true }

/** Lines of UTF-8 text: CRLF and a leading BOM handled. */
export async function* splitLines(
  input: Readable | AsyncIterable<Uint8Array>,
  maxLineBytes: number,
): AsyncGenerator<Line> {
  for await (const piece of splitAt(input, 0x0a, maxLineBytes)) {
    if ('tooLong' in piece) {
      yield piece
      continue
    }
    let buf = piece.bytes
    if (piece.n === 1 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3)
    const text = buf.toString('utf8')
    yield { n: piece.n, text: text.endsWith('\r') ? text.slice(0, -1) : text }
  }
}
