/**
 * @module http/raw-body
 * A request whose body is a file (uploads, imports): its stream, claimed type, declared
 * length and file name, checked before a byte is stored. The body is never buffered.
 */
import { pipeline, Readable, Transform } from 'node:stream'
import type { Context } from 'hono'
import { hasControlChars } from '@shulin/protocol'
import { ProblemError } from './problem.js'

export interface RawUpload {
  stream: Readable
  /** The media type the client claims (to be checked against the bytes). */
  claimedType: string
  /** `Content-Length`, when sent: a shorter body is a truncated upload. */
  declaredLength: number | undefined
  /** The uploader's file name (base name only), when given. */
  name: string | undefined
}

/** The base name from `Content-Disposition: …; filename*=UTF-8''…` or `filename="…"`, or `?name=`. */
function fileName(c: Context): string | undefined {
  const cd = c.req.header('content-disposition') ?? ''
  let name: string | undefined
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(cd)
  if (star?.[1]) {
    try {
      name = decodeURIComponent(star[1].trim())
    } catch {
      name = undefined
    }
  }
  name ??= /filename\s*=\s*"([^"]*)"/i.exec(cd)?.[1] ?? c.req.query('name')
  if (!name) return undefined
  const base = name.split(/[/\\]/).pop()!.normalize('NFC').trim()
  if (!base || base === '.' || base === '..' || hasControlChars(base) || base.length > 255) {
    throw new ProblemError('validation_failed', { errors: [{ pointer: '/name', detail: 'invalid_file_name' }] })
  }
  return base
}

export function rawUpload(c: Context, maxBytes: number): RawUpload {
  const claimedType = c.req.header('content-type')?.trim()
  if (
    !claimedType ||
    claimedType.startsWith('multipart/') ||
    claimedType.startsWith('application/x-www-form-urlencoded')
  ) {
    throw new ProblemError('unsupported_media_type', {
      detail: 'send the file itself as the body, with its media type as Content-Type',
    })
  }
  const lengthHeader = c.req.header('content-length')
  const declaredLength = lengthHeader !== undefined && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined
  if (declaredLength !== undefined && declaredLength > maxBytes)
    throw new ProblemError('payload_too_large', { detail: `at most ${maxBytes} bytes` })
  if (declaredLength === 0) throw new ProblemError('validation_failed', { detail: 'the body is empty' })
  return {
    stream: bodyStream(c, declaredLength === undefined ? maxBytes : undefined),
    claimedType,
    declaredLength,
    name: fileName(c),
  }
}

/**
 * The body as a Node stream. On Node the socket's own IncomingMessage is read directly:
 * converting it to a web stream and back costs about half the upload throughput. A body
 * without a declared length (chunked) is counted as it streams: past `countTo` bytes it fails
 * with `payload_too_large` (a declared length was checked already, and Node's parser reads no
 * more than it).
 */
function bodyStream(c: Context, countTo: number | undefined): Readable {
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming
  let stream: Readable
  if (incoming instanceof Readable && !incoming.readableDidRead) stream = incoming
  else {
    const body = c.req.raw.body
    if (!body) throw new ProblemError('validation_failed', { detail: 'the body is empty' })
    stream = Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>)
  }
  if (countTo === undefined) return stream
  let size = 0
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length
      if (size > countTo) return done(new ProblemError('payload_too_large', { detail: `at most ${countTo} bytes` }))
      done(null, chunk)
    },
  })
  // Errors of the socket (a client gone mid-body) reach the reader through the counter.
  pipeline(stream, counter, () => {})
  return counter
}

/** True for errors that mean the client went away mid-body. */
export function isAbortedBody(err: unknown): boolean {
  const e = err as { code?: string; name?: string; message?: string } | undefined
  return (
    !!e &&
    (e.code === 'ECONNRESET' ||
      e.code === 'ERR_STREAM_PREMATURE_CLOSE' ||
      e.name === 'AbortError' ||
      /aborted|terminated|premature/i.test(e.message ?? ''))
  )
}
