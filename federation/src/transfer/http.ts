/**
 * @module transfer/http
 * The HTTP fallback: a provider reached by range requests on its web address instead of the
 * peer network (see `@shulin/protocol`'s `content-http`). To a download it is one more
 * provider: it gives the manifest and chunks, each checked against the signed manifest like
 * any other; a refusal, a wrong status or a short body counts against it the same way.
 */
import {
  Manifest,
  contentHttpPath,
  contentLimits,
  readCappedJson,
  type ContentAnswer,
  type ContentRequest,
} from '@shulin/protocol'
import { chunkTimeoutMs } from './constants.js'
import { ProviderFault, type ChunkReader, type ContentLink, type ContentProvider } from './peer.js'

type HttpProvider = ContentProvider & { http: { url: string; authorization: string } }

const refusal = (status: number): (ContentAnswer & { ok: false }) | undefined =>
  status === 401 || status === 403 || status === 404
    ? { ok: false, reason: 'unknown' }
    : status === 416
      ? { ok: false, reason: 'range' }
      : status === 429 || status === 503
        ? { ok: false, reason: 'busy' }
        : undefined

const withTimeout = (ms: number, signal?: AbortSignal) =>
  signal ? AbortSignal.any([signal, AbortSignal.timeout(ms)]) : AbortSignal.timeout(ms)

export class HttpProviderLink implements ContentLink {
  constructor(readonly provider: HttpProvider) {}

  url(sha256: string, tail = ''): string {
    return new URL(contentHttpPath(sha256) + tail, this.provider.http.url).toString()
  }

  get headers(): Record<string, string> {
    return { authorization: this.provider.http.authorization }
  }

  /** Nothing to dial: the first request says whether the address answers. */
  async connection(): Promise<void> {}

  async manifest(sha256: string, signal?: AbortSignal): Promise<Manifest | (ContentAnswer & { ok: false })> {
    let res: Response
    try {
      res = await fetch(this.url(sha256, '/manifest'), {
        headers: this.headers,
        signal: withTimeout(chunkTimeoutMs, signal),
      })
    } catch (err) {
      signal?.throwIfAborted()
      throw new ProviderFault(`cannot reach ${this.provider.http.url} (${(err as Error).message})`)
    }
    const refused = refusal(res.status)
    if (refused || !res.ok) {
      await res.body?.cancel()
      if (refused) return refused
      throw new ProviderFault(`${this.provider.http.url} answered ${res.status}`)
    }
    const m = Manifest.safeParse(await readCappedJson(res, contentLimits.maxAnswerBytes).catch(() => undefined))
    if (!m.success) throw new ProviderFault('not a manifest')
    return m.data
  }

  async open(chunkSize: number): Promise<ChunkReader> {
    return new HttpChunkReader(this, chunkSize)
  }
}

/** One range request per `ask`; its body read chunk by chunk. */
class HttpChunkReader implements ChunkReader {
  private reader: ReadableStreamDefaultReader<Uint8Array> | undefined
  private left: Uint8Array | undefined
  private ended = false

  constructor(
    private readonly link: HttpProviderLink,
    private readonly chunkSize: number,
  ) {}

  async ask(req: ContentRequest, timeoutMs: number, signal?: AbortSignal): Promise<ContentAnswer> {
    if (req.want !== 'chunks') throw new ProviderFault('only chunks are asked for over HTTP')
    await this.release()
    const start = req.from * this.chunkSize
    // The last chunk may be shorter: the server cuts a range at the file's end (RFC 9110).
    const end = (req.from + req.count) * this.chunkSize - 1
    let res: Response
    try {
      res = await fetch(this.link.url(req.sha256), {
        headers: { ...this.link.headers, range: `bytes=${start}-${end}` },
        signal: withTimeout(timeoutMs, signal),
      })
    } catch (err) {
      signal?.throwIfAborted()
      throw new ProviderFault(`range request failed (${(err as Error).message})`)
    }
    const refused = refusal(res.status)
    if (refused) {
      await res.body?.cancel()
      return refused
    }
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(res.headers.get('content-range') ?? '')
    if (res.status !== 206 || !range || Number(range[1]) !== start || !res.body) {
      await res.body?.cancel()
      throw new ProviderFault(
        `answered ${res.status} ${res.headers.get('content-range') ?? ''} to bytes=${start}-${end}`,
      )
    }
    this.reader = res.body.getReader()
    this.ended = false
    return { ok: true }
  }

  async frame(signal?: AbortSignal): Promise<Iterable<Uint8Array> & { byteLength: number }> {
    const pieces: Uint8Array[] = []
    let n = 0
    const deadline = withTimeout(chunkTimeoutMs, signal)
    const take = (b: Uint8Array) => {
      const want = this.chunkSize - n
      if (b.byteLength > want) {
        this.left = b.subarray(want)
        b = b.subarray(0, want)
      }
      pieces.push(b)
      n += b.byteLength
    }
    if (this.left) {
      const l = this.left
      this.left = undefined
      take(l)
    }
    // One listener for the whole frame (a chunk arrives in many reads).
    const stalled = new Promise<never>((_, reject) =>
      deadline.addEventListener('abort', () => reject(deadline.reason as Error), { once: true }),
    )
    stalled.catch(() => {})
    while (n < this.chunkSize && !this.ended && this.reader) {
      deadline.throwIfAborted()
      const { value, done } = await Promise.race([this.reader.read(), stalled])
      if (done) this.ended = true
      else take(value)
    }
    return Object.assign(pieces, { byteLength: n })
  }

  private async release(): Promise<void> {
    const r = this.reader
    this.reader = undefined
    this.left = undefined
    await r?.cancel().catch(() => {})
  }

  async close(): Promise<void> {
    await this.release()
  }

  abort(): void {
    void this.release()
  }
}
