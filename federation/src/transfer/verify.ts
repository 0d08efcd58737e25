/**
 * @module transfer/verify
 * Where fetched chunks go: a worker thread that checks each chunk against its hash, writes it at
 * its offset in the part file, and feeds the file's SHA-256 in order as the file fills from its
 * start. The main thread only decrypts what the providers send and hands each chunk over (one
 * copy into a buffer of its own, moved to the worker without another); hashing and writing were
 * half of the main thread's time per byte, and a fetch is limited by that thread.
 *
 * A checked chunk waits in memory for the file's hash (up to {@link holdBytes} of chunks that
 * arrived ahead of it), so the hash does not read it back; past that it is read back from the disk
 * when its turn comes. A chunk an earlier attempt claimed (its progress record) is read back and
 * checked before it counts; one that fails goes back to be fetched. If the whole file's hash does
 * not match at the end although every chunk matched its own, every chunk on disk is checked once
 * more (what fails is fetched again); a second mismatch fails the fetch.
 *
 * The worker's code is a string so the same file works from TypeScript sources (tests) and from
 * `dist`.
 */
import { Worker } from 'node:worker_threads'
import { chunkRange, type Manifest } from '@shulin/protocol'

export interface TailResult {
  /** Claimed chunks that were on disk and good. */
  resumed: number
  /** Claimed chunks that were not, and went back to be fetched. */
  rejected: number
}

/** Checked chunks kept in memory ahead of the file's hash. */
export const holdBytes = 64 * 1024 * 1024
/** Chunk bytes handed to the worker and not yet answered, past which {@link ChunkSink.put} waits. */
export const inFlightBytes = 32 * 1024 * 1024

/**
 * In: `{ put: i, buf }` (check, write, answer `{ i, ok, put: true }`), `{ claimed: i }` (read back
 * and check when its turn comes; answer `{ i, ok, claimed: true }`), `{ recheck: true }` (every
 * chunk is claimed again, the hash starts over), `{ start: true }` (nothing else), `{ close: true }`. Out, besides those answers:
 * `{ digest }` once the hash has every chunk, `{ error }` when the disk fails.
 */
const workerCode = `
const { parentPort, workerData } = require('node:worker_threads')
const { createHash } = require('node:crypto')
const fs = require('node:fs')
const { path, chunkSize, size, chunks, holdBytes } = workerData
const n = chunks.length
const fd = fs.openSync(path, 'r+')
const state = new Uint8Array(n) // 0 missing, 1 claimed (unchecked), 2 good on disk
const held = new Map()
let heldBytes = 0
let whole = createHash('sha256')
let next = 0
let ended = false
const range = (i) => [i * chunkSize, Math.min(chunkSize, size - i * chunkSize)]
const sha = (b) => createHash('sha256').update(b).digest('hex')
function readBack(i) {
  const [offset, length] = range(i)
  const buf = Buffer.allocUnsafe(length)
  let got = 0
  while (got < length) { const r = fs.readSync(fd, buf, got, length - got, offset + got); if (r === 0) break; got += r }
  return got === length ? buf : undefined
}
function advance() {
  while (next < n) {
    let buf = held.get(next)
    if (buf) { held.delete(next); heldBytes -= buf.byteLength }
    else if (state[next] === 2) buf = readBack(next)
    else if (state[next] === 1) {
      buf = readBack(next)
      const ok = buf !== undefined && sha(buf) === chunks[next]
      parentPort.postMessage({ i: next, ok, claimed: true })
      if (!ok) { state[next] = 0; return }
      state[next] = 2
    } else return
    if (!buf) { state[next] = 0; parentPort.postMessage({ i: next, ok: false, claimed: true }); return }
    whole.update(buf)
    next++
  }
  if (!ended) { ended = true; parentPort.postMessage({ digest: whole.digest('hex') }) }
}
parentPort.on('message', (m) => {
  try {
    if (m.close) { fs.closeSync(fd); parentPort.close(); return }
    if (m.recheck) {
      held.clear(); heldBytes = 0; whole = createHash('sha256'); next = 0; ended = false
      for (let i = 0; i < n; i++) if (state[i] === 2) state[i] = 1
    } else if (m.claimed !== undefined) {
      if (state[m.claimed] === 0) state[m.claimed] = 1
    } else if (m.put !== undefined) {
      const i = m.put
      const buf = Buffer.from(m.buf.buffer, m.buf.byteOffset, m.buf.byteLength)
      const [offset, length] = range(i)
      // A chunk already good on disk is not written again.
      const ok = state[i] === 2 || (buf.byteLength === length && sha(buf) === chunks[i])
      if (ok && state[i] !== 2) {
        let done = 0
        while (done < length) done += fs.writeSync(fd, buf, done, length - done, offset + done)
        state[i] = 2
        // Kept for the file's hash (which takes it at once if it is the next chunk).
        if (i >= next && heldBytes + length <= holdBytes) { held.set(i, buf); heldBytes += length }
      }
      parentPort.postMessage({ i, ok, put: true })
    }
    advance()
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message || err) })
  }
})
`

type Reply = { i: number; ok: boolean; put?: true; claimed?: true } | { digest: string } | { error: string }

export interface SinkEvents {
  /** A fetched chunk was checked: written if `ok`, refused (did not match its hash) if not. */
  onPut(i: number, ok: boolean): void
  /** A claimed chunk was read back: good, or to be fetched again. */
  onClaimed(i: number, ok: boolean): void
}

/** The worker that takes fetched chunks to disk, and the whole-file check that follows them. */
export class ChunkSink {
  private readonly worker: Worker
  private readonly result: TailResult = { resumed: 0, rejected: 0 }
  private inFlight = 0
  private waiting: Array<() => void> = []
  private failed: Error | undefined
  private finish: { resolve: (r: TailResult) => void; reject: (e: Error) => void } | undefined
  private readonly finished: Promise<TailResult>
  private rechecked = false
  private closed = false

  constructor(
    private readonly manifest: Manifest,
    partPath: string,
    claimed: Uint8Array,
    private readonly events: SinkEvents,
  ) {
    this.worker = new Worker(workerCode, {
      eval: true,
      workerData: {
        path: partPath,
        chunkSize: manifest.chunkSize,
        size: manifest.size,
        chunks: manifest.chunks,
        holdBytes,
      },
    })
    this.finished = new Promise<TailResult>((resolve, reject) => (this.finish = { resolve, reject }))
    this.finished.catch(() => {})
    this.worker.on('message', (r: Reply) => this.onReply(r))
    this.worker.on('error', (err) => this.fail(err))
    this.worker.on('exit', () => this.fail(new Error('the checking thread ended')))
    for (let i = 0; i < claimed.length; i++) if (claimed[i]) this.worker.postMessage({ claimed: i })
    // Every message moves the hash on as far as it can; this one only does that (a file of no
    // chunks is done at once).
    this.worker.postMessage({ start: true })
  }

  /** Hands chunk `i` (as the pieces it arrived in) to the worker; waits while too much is in flight. */
  async put(i: number, pieces: Iterable<Uint8Array>, length: number): Promise<void> {
    if (this.failed) throw this.failed
    // One copy, into a buffer the worker then owns (the pieces share the transport's buffers).
    const buf = new Uint8Array(new ArrayBuffer(length))
    let at = 0
    for (const p of pieces) {
      buf.set(p, at)
      at += p.byteLength
    }
    this.inFlight += length
    this.worker.postMessage({ put: i, buf }, [buf.buffer])
    while (this.inFlight > inFlightBytes && !this.failed) await new Promise<void>((r) => this.waiting.push(r))
    if (this.failed) throw this.failed
  }

  /** Resolves when every chunk is on disk and the file's hash matches; rejects when it cannot. */
  done(signal: AbortSignal): Promise<TailResult> {
    if (signal.aborted) return Promise.reject(signal.reason)
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason)
      signal.addEventListener('abort', onAbort, { once: true })
      this.finished.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
    })
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    // The worker closes its file itself (a terminated thread would leak the descriptor).
    const exited = new Promise((resolve) => this.worker.once('exit', resolve))
    this.worker.postMessage({ close: true })
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000).unref())])
    await this.worker.terminate()
  }

  private onReply(r: Reply): void {
    if ('error' in r) return this.fail(new Error(r.error))
    if ('digest' in r) {
      if (r.digest === this.manifest.sha256) return this.finish?.resolve(this.result)
      // Every chunk matched when it arrived, so the disk holds something else: check each again.
      if (this.rechecked) return this.fail(new Error('the file on disk does not match its manifest'))
      this.rechecked = true
      this.worker.postMessage({ recheck: true })
      return
    }
    if (r.put) {
      this.inFlight -= chunkRange(this.manifest, r.i).length
      if (this.inFlight <= inFlightBytes) for (const w of this.waiting.splice(0)) w()
      this.events.onPut(r.i, r.ok)
    } else {
      if (r.ok) this.result.resumed++
      else this.result.rejected++
      this.events.onClaimed(r.i, r.ok)
    }
  }

  private fail(err: Error): void {
    if (this.closed && !this.failed) return
    this.failed ??= err
    for (const w of this.waiting.splice(0)) w()
    this.finish?.reject(this.failed)
  }
}
