/**
 * @module transfer/verify
 * The whole-file check that follows a download from its start: each chunk, once it is on disk,
 * is read back in order and fed to the file's SHA-256, so checking what is really on disk costs
 * no extra pass at the end. A chunk an earlier attempt claimed is also checked against its own
 * hash on the way; one that fails is given back to be fetched again.
 *
 * The reading and hashing run on a worker thread: they are a third of what a fetch costs, and
 * the main thread is busy decrypting what the providers send. The worker's code is a string so
 * the same file works from TypeScript sources (tests) and from `dist`.
 */
import { Worker } from 'node:worker_threads'
import { chunkRange, type Manifest } from '@shulin/protocol'
import { ChunkState, type ChunkQueue } from './schedule.js'

export interface TailResult {
  /** Claimed chunks that were on disk and good. */
  resumed: number
  /** Claimed chunks that were not, and went back to the queue. */
  rejected: number
}

/**
 * Messages: `{ i, offset, length, check? }` hashes chunk i into the file's hash (after checking it
 * against `check`, if given) and answers `{ i, ok }`; a message for any chunk but the next one is
 * stale (sent before a failed check) and ignored. `{ end: true }` answers `{ digest }`;
 * `{ reset: true }` starts over; `{ close: true }` closes the file and ends the thread.
 */
const workerCode = `
const { parentPort, workerData } = require('node:worker_threads')
const { createHash } = require('node:crypto')
const fs = require('node:fs')
const fd = fs.openSync(workerData.path, 'r')
const buf = Buffer.allocUnsafe(workerData.chunkSize)
let whole = createHash('sha256')
let next = 0
parentPort.on('message', (m) => {
  if (m.reset) { whole = createHash('sha256'); next = 0; return }
  if (m.end) { parentPort.postMessage({ digest: whole.digest('hex') }); return }
  if (m.close) { fs.closeSync(fd); parentPort.close(); return }
  if (m.i !== next) return
  let n = 0
  while (n < m.length) { const r = fs.readSync(fd, buf, n, m.length - n, m.offset + n); if (r === 0) break; n += r }
  const bytes = buf.subarray(0, n)
  if (n !== m.length || (m.check && createHash('sha256').update(bytes).digest('hex') !== m.check)) return parentPort.postMessage({ i: m.i, ok: false })
  whole.update(bytes)
  next++
  parentPort.postMessage({ i: m.i, ok: true })
})
`

type Reply = { i: number; ok: boolean } | { digest: string }

/** Chunks handed to the worker ahead of its answers. */
const ahead = 16

/**
 * Follows the queue until every chunk is on disk and hashed; resolves when the file's hash
 * matches the manifest, throws when it does not even after every chunk was re-checked once.
 */
export async function followAndVerify(manifest: Manifest, queue: ChunkQueue, partPath: string, signal: AbortSignal): Promise<TailResult> {
  const result: TailResult = { resumed: 0, rejected: 0 }
  const worker = new Worker(workerCode, { eval: true, workerData: { path: partPath, chunkSize: manifest.chunkSize } })
  const replies: Reply[] = []
  let wake: (() => void) | undefined
  let failed: Error | undefined
  worker.on('message', (r: Reply) => (replies.push(r), wake?.()))
  worker.on('error', (err) => ((failed = err), wake?.()))
  const onAbort = () => wake?.()
  signal.addEventListener('abort', onAbort)
  /** Resolves on a reply, a change in the queue, or an abort. */
  const event = () =>
    replies.length || failed || signal.aborted
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          wake = resolve
          void queue.changed().then(resolve)
        }).finally(() => (wake = undefined))
  try {
    for (let attempt = 0; ; attempt++) {
      let posted = 0
      let confirmed = 0
      while (confirmed < queue.length) {
        signal.throwIfAborted()
        if (failed) throw failed
        while (posted < queue.length && posted - confirmed < ahead) {
          const s = queue.state[posted]
          if (s !== ChunkState.Written && s !== ChunkState.Claimed) break
          worker.postMessage({ i: posted, ...chunkRange(manifest, posted), ...(s === ChunkState.Claimed ? { check: manifest.chunks[posted] } : {}) })
          posted++
        }
        await event()
        for (const r of replies.splice(0)) {
          if ('digest' in r) continue
          if (r.ok) {
            if (queue.state[r.i] === ChunkState.Claimed) {
              result.resumed++
              queue.written(r.i)
            }
            confirmed = r.i + 1
          } else {
            result.rejected++
            queue.giveBack(r.i, 1)
            posted = confirmed = r.i
          }
        }
      }
      worker.postMessage({ end: true })
      let digest: string | undefined
      while (digest === undefined) {
        await event()
        if (failed) throw failed
        signal.throwIfAborted()
        for (const r of replies.splice(0)) if ('digest' in r) digest = r.digest
      }
      if (digest === manifest.sha256) return result
      // Every chunk matched when it arrived, so the disk holds something else: check each again.
      if (attempt > 0) throw new Error('the file on disk does not match its manifest')
      worker.postMessage({ reset: true })
      for (let i = 0; i < queue.length; i++) queue.state[i] = ChunkState.Claimed
    }
  } finally {
    signal.removeEventListener('abort', onAbort)
    // The worker closes its file itself (a terminated thread would leak the descriptor).
    const exited = new Promise((resolve) => worker.once('exit', resolve))
    worker.postMessage({ close: true })
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000).unref())])
    await worker.terminate()
  }
}
