/**
 * @module transfer/fetch
 * Fetching a file by its hash from several providers at once. The manifest (from the work
 * folder, or from the first provider that has it) must hash to the `manifestId` the publisher
 * signed; then every provider gets a few lanes (streams) that take chunks from one shared
 * queue and hand them to a worker thread that checks each against the manifest and writes it at
 * its offset in the part file (`verify.ts`). The progress record is rewritten every 32 chunks and
 * every 2 s, so after a kill the next call resumes (re-reading and re-checking what it claims).
 * The whole file's SHA-256 follows the file as it fills from its start; at the end it must
 * match, and the file is synced and renamed into `dest`.
 *
 * A provider that serves a corrupt chunk is scored down and never gets that chunk again (which
 * goes to another provider); after two it is dropped. Unreachable providers, providers without
 * the file and providers that keep failing are dropped too; when none is left, the fetch fails
 * with {@link ContentFetchError} (code `no_provider`), keeping what it has for the next call.
 *
 * @example
 * ```ts
 * const r = await fetchContent(host, { sha256, size, manifestId, providers: [{ id: hubId, addrs }], dest: blobPath, work: tmpDir })
 * r.fetchedChunks // chunks that came over the network this time
 * ```
 */
import { mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import { setMaxListeners } from 'node:events'
import { z } from 'zod'
import { Sha256Hex, contentLimits, type Manifest } from '@shulin/protocol'
import type { Host } from '../host/host.js'
import { TokenBucket } from './bucket.js'
import { manifestIdOf } from './manifest.js'
import { PartialFile, keepManifest, partialPaths, readKeptManifest } from './partial.js'
import { ProviderLink, type ContentProvider } from './peer.js'
import { HttpProviderLink } from './http.js'
import { Download, Provider, type FetchProgress, type ProviderReport } from './download.js'
import { ChunkSink } from './verify.js'

export type { ContentProvider, FetchProgress, ProviderReport }
export type { DropReason } from './download.js'

export interface FetchContentOptions {
  sha256: string
  size: number
  manifestId: string
  providers: ContentProvider[]
  /** Where the finished file goes (renamed from the work folder: keep both on one filesystem). */
  dest: string
  /** A folder for the part file and its progress record; the same folder resumes. */
  work: string
  signal?: AbortSignal
  /** Byte rate over all providers together (a mirror's limit); none by default. */
  maxBytesPerSecond?: number
  onProgress?: (p: FetchProgress) => void
  /**
   * Streams per provider (default 2) and chunks asked for at once on each (default 4): 8 MiB in
   * flight per provider covers a long path's round trip; more streams only cost CPU (each has
   * its own Yamux window to grow).
   */
  lanesPerProvider?: number
  chunksPerRequest?: number
  /** A manifest the caller already holds (still checked against `manifestId`). */
  manifest?: Manifest
}

export interface FetchContentResult {
  path: string
  manifest: Manifest
  chunks: number
  /** Chunks fetched in this call; chunks an earlier call left that were good, and that were not. */
  fetchedChunks: number
  resumedChunks: number
  rejectedChunks: number
  fetchedBytes: number
  ms: number
  providers: ProviderReport[]
}

export class ContentFetchError extends Error {
  override readonly name = 'ContentFetchError'
  constructor(
    readonly code: 'no_provider' | 'mismatch' | 'aborted' | 'invalid',
    message: string,
    readonly providers: ProviderReport[] = [],
  ) {
    super(message)
  }
}

const FetchTarget = z.object({
  sha256: Sha256Hex,
  size: z
    .number()
    .int()
    .min(0)
    .max(contentLimits.maxChunks * contentLimits.maxChunkSize),
  manifestId: Sha256Hex,
  providers: z
    .array(
      z.object({
        id: z.string().min(1).max(128),
        addrs: z.array(z.string().max(300)).max(16),
        http: z
          .object({ url: z.url({ protocol: /^https?$/ }).max(300), authorization: z.string().min(1).max(4096) })
          .optional(),
      }),
    )
    .max(64),
  dest: z.string().min(1),
  work: z.string().min(1),
  maxBytesPerSecond: z.number().positive().optional(),
  lanesPerProvider: z.number().int().min(1).max(16).optional(),
  chunksPerRequest: z.number().int().min(1).max(contentLimits.maxChunksPerRequest).optional(),
})

function validManifest(m: Manifest, opts: FetchContentOptions): boolean {
  return m.sha256 === opts.sha256 && m.size === opts.size && manifestIdOf(m) === opts.manifestId
}

/**
 * Dials `p` and asks it for the manifest: every provider is asked (in parallel), which tells
 * which of them hold the file and has each one hash it, if it must, before chunks are asked for.
 * Resolves with its manifest if it is the right one; otherwise drops the provider.
 */
async function askManifest(p: Provider, opts: FetchContentOptions, signal: AbortSignal): Promise<Manifest | undefined> {
  try {
    await p.link.connection(signal)
  } catch (err) {
    signal.throwIfAborted()
    return void p.drop('unreachable', err)
  }
  try {
    const ans = await p.link.manifest(opts.sha256, signal)
    if ('ok' in ans) return void p.drop(ans.reason === 'busy' ? 'busy' : 'unknown')
    if (validManifest(ans, opts)) return ans
    p.report.corrupt++
    p.drop('bad_manifest')
  } catch (err) {
    signal.throwIfAborted()
    p.drop('failing', err)
  }
  return undefined
}

/** The first of `answers` that is a manifest, or `undefined` once all are in without one. */
function firstManifest(answers: Array<Promise<Manifest | undefined>>): Promise<Manifest | undefined> {
  return new Promise((resolve, reject) => {
    let left = answers.length
    if (!left) resolve(undefined)
    for (const a of answers) a.then((m) => (m ? resolve(m) : --left === 0 && resolve(undefined)), reject)
  })
}

export async function fetchContent(host: Host, opts: FetchContentOptions): Promise<FetchContentResult> {
  const t0 = performance.now()
  const parsed = FetchTarget.safeParse(opts)
  if (!parsed.success)
    throw new ContentFetchError(
      'invalid',
      `invalid fetch: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    )
  const self = host.peerId.toString()
  const providers = opts.providers
    .filter((p) => p.id !== self)
    .map((p) => new Provider(p.http ? new HttpProviderLink({ ...p, http: p.http }) : new ProviderLink(host, p)))
  const reports = () => providers.map((p) => ({ ...p.report }))
  // One controller ends everything: the caller's abort, a fatal error, or success.
  const ctl = new AbortController()
  // Every lane and every request listens to it.
  setMaxListeners(0, ctl.signal)
  const onAbort = () => ctl.abort(new ContentFetchError('aborted', 'the fetch was aborted'))
  opts.signal?.addEventListener('abort', onAbort, { once: true })
  if (opts.signal?.aborted) onAbort()
  const signal = ctl.signal

  let part: PartialFile | undefined
  try {
    const paths = partialPaths(opts.work, opts.sha256)
    const answers = providers.map((p) => askManifest(p, opts, signal))
    answers.forEach((a) => a.catch(() => {}))
    const known =
      opts.manifest && validManifest(opts.manifest, opts)
        ? opts.manifest
        : await readKeptManifest(paths, (m) => validManifest(m, opts))
    const manifest = known ?? (await firstManifest(answers))
    if (!manifest)
      throw new ContentFetchError('no_provider', `no provider could give the manifest of ${opts.sha256}`, reports())
    if (!known) {
      await mkdir(opts.work, { recursive: true })
      await keepManifest(paths, manifest)
    }
    await mkdir(dirname(opts.dest), { recursive: true })
    part = await PartialFile.open(opts.work, paths, manifest, opts.manifestId)
    const download = new Download({
      manifest,
      part,
      providers,
      perRequest: opts.chunksPerRequest ?? 4,
      signal,
      fail: (reason) => ctl.abort(new ContentFetchError('no_provider', `${opts.sha256}: ${reason}`, reports())),
      ...(opts.maxBytesPerSecond
        ? { bucket: new TokenBucket(opts.maxBytesPerSecond, Math.max(opts.maxBytesPerSecond, manifest.chunkSize)) }
        : {}),
    })
    const sink = (download.sink = new ChunkSink(manifest, paths.part, part.claimed, download))
    const lanes = providers.flatMap((p, i) =>
      Array.from({ length: opts.lanesPerProvider ?? 2 }, () => download.lane(p, answers[i]!)),
    )
    const ticker = setInterval(() => {
      // Also catches a resumed chunk found bad when no provider is left to fetch it again.
      download.checkServable()
      opts.onProgress?.(download.snapshot())
    }, 250)
    let tail
    try {
      tail = await sink.done(signal)
    } catch (err) {
      if (!signal.aborted)
        ctl.abort(new ContentFetchError('mismatch', `${opts.sha256}: ${(err as Error).message}`, reports()))
      throw signal.reason
    } finally {
      clearInterval(ticker)
      // Whatever ended the tail ends the lanes; if it was not success, what they wrote is recorded.
      if (!signal.aborted) ctl.abort(new Error('finished'))
      download.queue.notify()
      await Promise.all(lanes)
      await sink.close()
      if (!tail) download.record()
      await download.recorded()
    }
    const progress = download.snapshot()
    opts.onProgress?.(progress)
    await part.finish(opts.dest)
    part = undefined
    return {
      path: opts.dest,
      manifest,
      chunks: manifest.chunks.length,
      fetchedChunks: progress.fetchedChunks,
      resumedChunks: tail.resumed,
      rejectedChunks: tail.rejected,
      fetchedBytes: progress.fetchedBytes,
      ms: performance.now() - t0,
      providers: reports(),
    }
  } catch (err) {
    if (err instanceof ContentFetchError) throw err
    if (signal.reason instanceof ContentFetchError) throw signal.reason
    throw new ContentFetchError('no_provider', `could not fetch ${opts.sha256}: ${(err as Error).message}`, reports())
  } finally {
    opts.signal?.removeEventListener('abort', onAbort)
    await part?.close()
  }
}
