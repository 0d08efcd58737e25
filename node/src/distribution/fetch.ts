/**
 * @module distribution/fetch
 * Fetching another library's channel file into the blob store: from the publisher, the hub and
 * the other members at once over libp2p (`/shulin/content/1.0.0`), every chunk checked against
 * the manifest the publisher named in its signed record. Partial fetches live in `DATA/fetch/`
 * and resume after a restart. When no peer can be reached, the file comes by HTTP range requests
 * from the publisher's web address under a content ticket this node signs (the HTTP fallback).
 * A fetched file is shared from then on, and the hub told.
 *
 * @example
 * ```ts
 * const fetcher = contentFetcher({ dataDir })({ key, storage, blobs, network, files, announce, now: Date.now })
 * await fetcher.start()
 * await fetcher.ensureLocal(file, publisherId) // 'ready' or 'fetching'
 * ```
 */
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { ResourceFile } from '@shulin/protocol'
import type { NodeKey } from '@shulin/federation/identity'
import type { BlobStore } from '../blobs/store.js'
import type { Storage } from '../storage/db.js'
import type { Logger } from '../logger.js'
import type { DistributionNetwork } from './components.js'
import type { SharedFiles } from './shared-files.js'
import type { Announcer } from './announce.js'
import { ProviderMemory, rankProviders, type Peer, type ProviderOutcome } from './providers.js'
import { signTicket } from './tickets.js'

export interface ContentFetcher {
  /** Makes the folder partial fetches live in. */
  start(): Promise<void>
  /** Aborts the fetches under way (they resume at the next start). */
  stop(): void
  /** Whether this node holds the file. */
  has(sha256: string): Promise<boolean>
  /** Fetches a channel file (once, however many readers ask at the same time); resolves when it is here. */
  fetch(file: ResourceFile, publisher: string, opts?: { maxBytesPerSecond?: number }): Promise<void>
  /** The file fetched now if not here (a reader opened it), waiting up to `waitMs`; `'fetching'`: still on its way. */
  ensureLocal(file: ResourceFile, publisher: string, waitMs?: number): Promise<'ready' | 'fetching'>
}

export interface ContentFetcherInit {
  dataDir: string
}

export interface ContentFetcherComponents {
  /** Signs content tickets (the HTTP fallback). */
  key: NodeKey
  storage: Storage
  blobs: BlobStore
  /** The peer network (none in a command run while the node is stopped: nothing is fetched). */
  network?: DistributionNetwork | undefined
  files: Pick<SharedFiles, 'fetchedOps'>
  announce: Pick<Announcer, 'announce' | 'whoHolds'>
  /** The web address a publisher serves its files at, if known (its registry entry, or its channel's). */
  publisherHttp?: ((publisher: string) => Promise<string | undefined>) | undefined
  now: () => number
  logger?: Logger | undefined
}

export function contentFetcher(init: ContentFetcherInit): (components: ContentFetcherComponents) => ContentFetcher {
  return (components) => new DefaultContentFetcher(init, components)
}

class DefaultContentFetcher implements ContentFetcher {
  readonly #work: string
  readonly #fetching = new Map<string, Promise<void>>()
  readonly #abort = new AbortController()
  /** Who answered and who failed in the last fetches: the next fetch asks in that light. */
  readonly #memory: ProviderMemory

  constructor(
    init: ContentFetcherInit,
    private readonly c: ContentFetcherComponents,
  ) {
    this.#work = join(init.dataDir, 'fetch')
    this.#memory = new ProviderMemory(c.now)
  }

  async start(): Promise<void> {
    await mkdir(this.#work, { recursive: true })
  }

  stop(): void {
    this.#abort.abort()
  }

  async has(sha256: string): Promise<boolean> {
    return !!(await this.c.blobs.info(sha256))
  }

  async ensureLocal(file: ResourceFile, publisher: string, waitMs = 15_000): Promise<'ready' | 'fetching'> {
    if (await this.has(file.blob)) return 'ready'
    const fetching = this.fetch(file, publisher)
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<'fetching'>((resolve) => (timer = setTimeout(() => resolve('fetching'), waitMs)))
    try {
      return await Promise.race([fetching.then(() => 'ready' as const), timeout])
    } finally {
      clearTimeout(timer)
      fetching.catch((err: unknown) =>
        this.c.logger?.warn({ err, sha256: file.blob }, 'fetching a channel file failed'),
      )
    }
  }

  fetch(file: ResourceFile, publisher: string, opts: { maxBytesPerSecond?: number } = {}): Promise<void> {
    let running = this.#fetching.get(file.blob)
    if (!running) {
      running = this.#fetch(file, publisher, opts).finally(() => this.#fetching.delete(file.blob))
      this.#fetching.set(file.blob, running)
    }
    return running
  }

  /** The providers of a file: the hub's holders first (or, without the hub, the registry's order). */
  async #providers(publisher: string, sha256: string): Promise<Peer[]> {
    const holders = await this.c.announce.whoHolds(sha256).catch((err: unknown) => {
      this.c.logger?.debug({ err, sha256 }, 'the hub could not say who holds a file; asking members in registry order')
      return []
    })
    return rankProviders(this.c.network?.peers() ?? [], publisher, holders, this.c.network?.hubNodeId(), (id) =>
      this.#memory.standing(id),
    )
  }

  async #fetch(file: ResourceFile, publisher: string, opts: { maxBytesPerSecond?: number }): Promise<void> {
    if (await this.has(file.blob)) return
    if (!file.manifest) throw new Error('the publisher named no manifest for this file')
    const { fetchContent } = await import('@shulin/federation')
    const host = this.c.network?.peerHost()
    if (!host) throw new Error('the peer network is not running')
    const work = join(this.#work, file.blob)
    const dest = join(this.#work, `${file.blob}.done`)
    const target = {
      sha256: file.blob,
      size: file.size,
      manifestId: file.manifest,
      dest,
      work,
      signal: this.#abort.signal,
      ...(opts.maxBytesPerSecond ? { maxBytesPerSecond: opts.maxBytesPerSecond } : {}),
    }
    let result
    try {
      result = await fetchContent(host, { ...target, providers: await this.#providers(publisher, file.blob) })
      this.#memory.note(result.providers)
    } catch (err) {
      // A failed fetch still says who was down (ContentFetchError carries the reports).
      const reports = (err as { providers?: unknown }).providers
      if (Array.isArray(reports)) this.#memory.note(reports as ProviderOutcome[])
      // Nobody answered on the peer network: the publisher's web address, resuming what came.
      const url =
        (err as { code?: string }).code === 'no_provider' ? await this.c.publisherHttp?.(publisher) : undefined
      if (!url) throw err
      this.c.logger?.info(
        { sha256: file.blob, publisher, url },
        'no peer could give a channel file; fetching it from the publisher over HTTP',
      )
      const authorization = await signTicket(this.c.key, this.c.now(), publisher, file.blob)
      result = await fetchContent(host, {
        ...target,
        providers: [{ id: publisher, addrs: [], http: { url, authorization } }],
      })
    }
    await this.c.blobs.adopt(dest, file.blob, file.size, file.mediaType)
    await this.c.storage.commit(this.c.files.fetchedOps(file.blob, result.manifest), { sync: false })
    await rm(work, { recursive: true, force: true })
    // The hub's provider records: the next fetcher may ask this node.
    void this.c.announce
      .announce([file.blob])
      .catch((err: unknown) => this.c.logger?.debug({ err }, 'could not tell the hub this node holds a file'))
    this.c.logger?.info(
      {
        sha256: file.blob,
        bytes: file.size,
        providers: result.providers.map((p) => ({
          id: p.id,
          chunks: p.chunks,
          corrupt: p.corrupt,
          dropped: p.dropped,
        })),
      },
      'fetched a channel file',
    )
  }
}
