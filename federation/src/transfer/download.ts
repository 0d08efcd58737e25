/**
 * @module transfer/download
 * One download once its manifest is known: each provider's lanes take chunks from the shared
 * queue and hand them to the {@link ChunkSink}, which checks and writes them; its answers score
 * the provider and mark the chunk; the progress record is rewritten as chunks land.
 * {@link fetchContent} sets it up and waits for the sink's whole-file check.
 */
import { chunkRange, type Manifest } from '@shulin/protocol'
import { requestTimeoutMs } from './constants.js'
import type { TokenBucket } from './bucket.js'
import type { PartialFile } from './partial.js'
import type { ChunkSink, SinkEvents } from './verify.js'
import { ProviderFault, type ChunkReader, type ContentLink } from './peer.js'
import { ChunkQueue, ChunkState } from './schedule.js'

export type DropReason = 'unreachable' | 'unknown' | 'corrupt' | 'bad_manifest' | 'failing' | 'busy'

export interface ProviderReport {
  id: string
  chunks: number
  bytes: number
  /** Chunks it served that did not match their hash. */
  corrupt: number
  /** Requests that failed (streams cut, timeouts, refusals). */
  failures: number
  /** Why it was given up on, if it was. */
  dropped?: DropReason
  error?: string
}

export interface FetchProgress {
  chunks: number
  /** Chunks on disk and checked. */
  have: number
  /** Chunks and bytes that came over the network in this call. */
  fetchedChunks: number
  fetchedBytes: number
}

/** Corrupt chunks after which a provider is dropped; consecutive failures and busy answers likewise. */
const maxCorrupt = 2
const maxFailures = 3
const maxBusy = 30
/** The progress record is rewritten after this many chunks, or this long. */
const recordEvery = 32
const recordMs = 2000

/** A chunk that did not match its hash (scored as corrupt, not as a failure in a row). */
class CorruptChunk extends ProviderFault {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export class Provider {
  readonly report: ProviderReport
  failuresInRow = 0
  busy = 0
  constructor(readonly link: ContentLink) {
    this.report = { id: link.provider.id, chunks: 0, bytes: 0, corrupt: 0, failures: 0 }
  }
  get alive(): boolean {
    return !this.report.dropped
  }
  drop(reason: DropReason, err?: unknown): void {
    this.report.dropped ??= reason
    if (err !== undefined) this.report.error ??= err instanceof Error ? err.message : String(err)
  }
}

export interface DownloadInit {
  manifest: Manifest
  part: PartialFile
  providers: Provider[]
  perRequest: number
  bucket?: TokenBucket
  signal: AbortSignal
  /** Ends the whole fetch with this error. */
  fail: (reason: string) => void
}

export class Download implements SinkEvents {
  readonly queue: ChunkQueue
  /** Set once the sink exists (it answers into this download). */
  sink: ChunkSink | undefined
  /** Who sent each chunk the sink has not answered yet. */
  private readonly sender = new Map<number, Provider>()
  readonly progress: FetchProgress
  private recording: Promise<void> = Promise.resolve()
  private sinceRecord = 0
  private lastRecord = performance.now()

  constructor(private readonly d: DownloadInit) {
    this.queue = new ChunkQueue(d.manifest.chunks.length, d.part.claimed)
    this.progress = { chunks: d.manifest.chunks.length, have: 0, fetchedChunks: 0, fetchedBytes: 0 }
  }

  /** Rewrites the progress record (one write at a time; no lane waits for it). */
  record(): void {
    this.sinceRecord = 0
    this.lastRecord = performance.now()
    const done = Array.from(this.queue.state, (s) => s === ChunkState.Claimed || s === ChunkState.Written)
    this.recording = this.recording.then(() => this.d.part.record(done)).catch(() => {})
  }

  recorded(): Promise<void> {
    return this.recording
  }

  /** Fails the fetch when some chunk is left that no live provider may serve. */
  checkServable(): void {
    const alive = this.d.providers.filter((p) => p.alive).map((p) => p.report.id)
    const stuck = this.queue.unservable(alive)
    if (stuck !== undefined)
      this.d.fail(alive.length ? `no provider left can serve chunk ${stuck}` : 'no provider left can serve it')
  }

  snapshot(): FetchProgress {
    this.progress.have = this.queue.state.reduce((n, s) => n + (s === ChunkState.Written ? 1 : 0), 0)
    return { ...this.progress }
  }

  /** One of `p`'s lanes: from the moment its manifest answer checks out until nothing is left or it is dropped. */
  async lane(p: Provider, ready: Promise<Manifest | undefined>): Promise<void> {
    if (!(await ready.catch(() => undefined))) return this.checkServable()
    const { signal, manifest, perRequest } = this.d
    let s: ChunkReader | undefined
    while (p.alive && !signal.aborted) {
      const batch = this.queue.take(p.report.id, perRequest)
      if (!batch) {
        await this.queue.changed()
        continue
      }
      const end = batch.from + batch.count
      let next = batch.from
      try {
        s ??= await p.link.open(manifest.chunkSize, perRequest, signal)
        const last = chunkRange(manifest, end - 1)
        await this.d.bucket?.take(last.offset + last.length - chunkRange(manifest, batch.from).offset, signal)
        const ans = await s.ask(
          { want: 'chunks', sha256: manifest.sha256, from: batch.from, count: batch.count },
          requestTimeoutMs,
          signal,
        )
        if (!ans.ok) {
          this.queue.giveBack(batch.from, batch.count)
          await s.close()
          s = undefined
          if (ans.reason !== 'busy')
            p.drop(ans.reason === 'unknown' ? 'unknown' : 'failing', new Error(`refused: ${ans.reason}`))
          else if (++p.busy > maxBusy) p.drop('busy')
          else await sleep(1000)
          this.checkServable()
          continue
        }
        for (; next < end; next++) await this.receive(p, s, next)
        p.failuresInRow = 0
      } catch (err) {
        if (next < end) this.queue.giveBack(next, end - next)
        s?.abort('transfer failed')
        s = undefined
        if (signal.aborted) break
        p.report.failures++
        // A corrupt chunk is scored as such, not also as a failure in a row.
        if (!(err instanceof CorruptChunk) && ++p.failuresInRow >= maxFailures) p.drop('failing', err)
        this.checkServable()
        if (p.alive) await sleep(100 * p.failuresInRow)
      }
    }
    await s?.close()
  }

  /** Reads chunk `i` from `s` and hands it to the sink (which checks it: {@link onPut}). */
  private async receive(p: Provider, s: ChunkReader, i: number): Promise<void> {
    const frame = await s.frame(this.d.signal)
    const { length } = chunkRange(this.d.manifest, i)
    if (frame.byteLength !== length) {
      this.corrupt(p, i)
      throw new CorruptChunk(`chunk ${i} from ${p.report.id} has ${frame.byteLength} bytes, not ${length}`)
    }
    this.sender.set(i, p)
    await this.sink!.put(i, frame, length)
  }

  /** A chunk that did not match: never to `p` again, and `p` dropped after {@link maxCorrupt}. */
  private corrupt(p: Provider, i: number): void {
    p.report.corrupt++
    this.queue.giveBack(i, 1, p.report.id)
    if (p.report.corrupt >= maxCorrupt) p.drop('corrupt')
    this.checkServable()
  }

  onPut(i: number, ok: boolean): void {
    const p = this.sender.get(i)
    this.sender.delete(i)
    if (!p) return
    if (!ok) return this.corrupt(p, i)
    const { length } = chunkRange(this.d.manifest, i)
    this.queue.written(i)
    p.report.chunks++
    p.report.bytes += length
    this.progress.fetchedChunks++
    this.progress.fetchedBytes += length
    if (++this.sinceRecord >= recordEvery || performance.now() - this.lastRecord > recordMs) this.record()
  }

  onClaimed(i: number, ok: boolean): void {
    if (ok) this.queue.written(i)
    else {
      this.queue.giveBack(i, 1)
      this.checkServable()
    }
  }
}
