/**
 * @module blobs/serve
 * Serves a stored blob over HTTP the way readers' apps and browsers expect: a single byte
 * range (206, or 416 past the end), a strong ETag (the content's SHA-256) with
 * If-None-Match (304) and If-Range, caching headers by audience, and a safe
 * Content-Disposition. Multiple ranges are answered with the whole file, as RFC 9110 allows.
 */
import { Readable } from 'node:stream'
import type { Context } from 'hono'
import { ProblemError } from '../http/problem.js'
import { etagMatches } from '../http/etag.js'
import type { BlobStore } from './store.js'

export interface ServedFile {
  sha256: string
  mediaType: string
  size: number
  /** A download name (shown to the reader; never a path). */
  name?: string | undefined
  /** `public`: anyone may cache it; `private`: only the reader's own browser. */
  audience: 'public' | 'private'
}

export type ByteRange = { start: number; end: number }

/**
 * Reads a `Range` header against a file size.
 * @returns a range, `unsatisfiable`, or `undefined` to send the whole file (no header, a
 *   syntax it cannot use, or several ranges).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!m || (m[1] === '' && m[2] === '')) return undefined
  if (m[1] === '') {
    const suffix = Number(m[2])
    if (suffix === 0 || size === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(m[1])
  const end = m[2] === '' ? size - 1 : Number(m[2])
  if (!Number.isSafeInteger(start)) return undefined
  if (start >= size) return 'unsatisfiable'
  if (!Number.isSafeInteger(end) || end < start) return undefined
  return { start, end: Math.min(end, size - 1) }
}

/** `inline; filename="ascii"; filename*=UTF-8''…` (RFC 6266 / 8187). */
export function contentDisposition(name: string, kind: 'inline' | 'attachment' = 'inline'): string {
  const clean = name.replace(/[\u0000-\u001f\u007f"\\/]/g, '_').slice(0, 200)
  const ascii = clean.replace(/[^\x20-\x7e]/g, '_')
  const encoded = encodeURIComponent(clean).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  )
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`
}

const etagOf = (sha: string) => `"${sha}"`

export function serveBlob(c: Context, blobs: BlobStore, file: ServedFile): Response {
  const etag = etagOf(file.sha256)
  const headers = new Headers({
    etag,
    'accept-ranges': 'bytes',
    'cache-control': file.audience === 'public' ? 'public, max-age=300' : 'private, max-age=300',
    'x-content-type-options': 'nosniff',
  })
  if (file.audience === 'private') headers.set('vary', 'Cookie, Authorization')
  if (etagMatches(c.req.header('if-none-match'), etag)) return new Response(null, { status: 304, headers })

  let range = parseRange(c.req.header('range'), file.size)
  const ifRange = c.req.header('if-range')
  if (range && ifRange !== undefined && ifRange.trim() !== etag) range = undefined
  if (range === 'unsatisfiable') {
    throw new ProblemError('range_not_satisfiable', {
      detail: `the file has ${file.size} bytes`,
      headers: { 'content-range': `bytes */${file.size}`, 'accept-ranges': 'bytes' },
    })
  }
  headers.set('content-type', file.mediaType)
  if (file.name) headers.set('content-disposition', contentDisposition(file.name))
  const length = range ? range.end - range.start + 1 : file.size
  headers.set('content-length', String(length))
  if (range) headers.set('content-range', `bytes ${range.start}-${range.end}/${file.size}`)
  const status = range ? 206 : 200
  // HEAD is routed to GET handlers by Hono: answer it without opening the file.
  if (c.req.raw.method === 'HEAD' || length === 0) return new Response(null, { status, headers })
  const stream = blobs.read(file.sha256, range ?? undefined)
  return new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, { status, headers })
}
