/**
 * @module channels/content
 * The files behind channel records, between libraries. A publisher names each file's manifest
 * (its 1 MiB chunks' hashes) in the signed record, so a subscriber checks every chunk it gets,
 * from whoever sends it. Every node serves the channel files it holds to the hub and the
 * active members (`/shulin/content/1.0.0`); a subscriber fetches a file from the publisher,
 * the hub and the other members at once — the first time a reader opens it (catalogue only),
 * or ahead of time within a byte rate (mirror). Partial fetches live in `DATA/fetch/` and
 * resume after a restart. When no peer can be reached over libp2p, the file comes by HTTP range
 * requests from the publisher's web address (the HTTP fallback, `@shulin/protocol`'s
 * `content-http`), under a content ticket this node signs; and this node answers such requests
 * for the files it shares ({@link ContentService.serveHttp}).
 *
 * Providers are found through records the hub keeps (`holders.ts`): every node tells the hub
 * the channel files it holds (at start, daily, after each fetch), and a fetch asks the members
 * the hub names first; with the hub out of reach it asks the members in registry order.
 *
 * Owns two sublevels: `content-manifests` (SHA-256 → the file's manifest, computed once) and
 * `content-shared` (SHA-256 → 1: files this node may give to members — those of channel
 * records, never a draft's upload); on the hub, `HolderIndex` owns `content-holders` and `content-holders-by-member`.
 */
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Context } from 'hono'
import { ContentTicket, Sha256Hex, TICKET_SCHEME, clockToleranceSeconds, holdersLimits, maxTicketSeconds, skewNote, type Manifest, type ResourceFile } from '@shulin/protocol'
import { EnvelopeError, open, seal } from '@shulin/federation/envelope'
import type { NodeKey } from '@shulin/federation/identity'
import type { BlobStore } from '../blobs/store.js'
import { serveBlob } from '../blobs/serve.js'
import { ProblemError } from '../http/problem.js'
import type { FederationService } from '../federation/service.js'
import type { Logger } from '../logger.js'
import { putOp, type Storage, type Sublevel } from '../storage/db.js'
import { HolderIndex } from './holders.js'

/** Providers asked at once for one file (the publisher and the hub first). */
const maxProviders = 12
/** How often a node tells the hub again which files it holds (the hub forgets after three days). */
const announceEveryMs = 24 * 3600_000
/** Waiting for the hub's list of holders before fetching without it. */
const whoTimeoutMs = 3000

export interface ContentServiceOptions {
  storage: Storage
  /** Signs content tickets (the HTTP fallback); checks that a ticket names this node. */
  key: NodeKey
  /** The hub keeps the provider records. */
  role?: 'node' | 'hub'
  /** The web address a publisher serves its files at, if known (its registry entry, or its channel's). */
  publisherHttp?: (publisher: string) => Promise<string | undefined>
  blobs: BlobStore
  dataDir: string
  /** The peer network (none in a command run while the node is stopped: manifests only). */
  federation?: FederationService
  /** Byte rate of mirroring, over all providers together (0 or none: no limit). */
  mirrorBytesPerSecond?: number
  /** Hours of the day mirroring runs, `FROM-TO` local time (`22-6` overnight). */
  mirrorHours?: string
  logger?: Logger
  /** The node's clock (content tickets are stamped and checked by it). */
  now?: () => number
}

export class ContentService {
  readonly #manifests: Sublevel<Manifest>
  readonly #shared: Sublevel<1>
  readonly #work: string
  readonly #fetching = new Map<string, Promise<void>>()
  readonly #mirrorQueue: Array<{ file: ResourceFile; publisher: string }> = []
  readonly #queued = new Set<string>()
  #mirroring = false
  #stopped = false
  readonly #abort = new AbortController()
  /** The hub's provider records (on the hub only). */
  readonly #holders: HolderIndex | undefined
  #announceTimer: NodeJS.Timeout | undefined
  readonly #now: () => number

  constructor(private readonly opts: ContentServiceOptions) {
    this.#manifests = opts.storage.sublevel('content-manifests')
    this.#shared = opts.storage.sublevel('content-shared')
    this.#work = join(opts.dataDir, 'fetch')
    this.#now = opts.now ?? Date.now
    this.#holders = opts.role === 'hub' ? new HolderIndex(opts.storage, this.#now) : undefined
  }

  /** Serves the shared files once the peer network runs. */
  async start(): Promise<void> {
    await mkdir(this.#work, { recursive: true })
    await this.opts.federation?.whenHost(async (host) => {
      const { serveContent } = await import('@shulin/federation')
      await serveContent(
        host,
        {
          path: async (sha256, from) => (this.#mayFetch(from) && (await this.#shared.get(sha256)) && (await this.opts.blobs.info(sha256)) ? this.opts.blobs.pathOf(sha256) : undefined),
          manifest: (sha256) => this.#manifests.get(sha256),
        },
        { log: (msg, err) => this.opts.logger?.warn({ err }, msg) },
      )
      const holders = this.#holders
      if (holders) {
        const { serveHolders } = await import('@shulin/federation')
        await serveHolders(host, async (req, from) => {
          if (!this.#mayFetch(from)) return { ok: false, reason: 'not_member' }
          if (req.op === 'have') return await holders.have(from, req.files), { ok: true }
          return { ok: true, holders: await holders.who(req.sha256, (m) => m !== from && this.#mayFetch(m)) }
        })
      } else {
        // Soon after start (the hub may be dialing in too), then daily.
        const tell = () => void this.#announceAll().catch((err: unknown) => this.opts.logger?.debug({ err }, 'could not tell the hub which files this node holds'))
        const again = () => {
          tell()
          this.#announceTimer = setTimeout(again, announceEveryMs).unref()
        }
        this.#announceTimer = setTimeout(again, 5000).unref()
      }
    })
  }

  stop(): void {
    this.#stopped = true
    this.#abort.abort()
    clearTimeout(this.#announceTimer)
  }

  /** Tells the hub this node holds `files` (in messages of at most a thousand). */
  async #announce(files: string[]): Promise<void> {
    const host = this.opts.federation?.peerHost()
    const hub = await this.opts.federation?.hubPeer()
    if (!host || !hub || !files.length) return
    const { askHolders } = await import('@shulin/federation')
    for (let i = 0; i < files.length; i += holdersLimits.maxFilesPerMessage) {
      const answer = await askHolders(host, hub.addrs, { op: 'have', files: files.slice(i, i + holdersLimits.maxFilesPerMessage) })
      if (!answer.ok) throw new Error(`the hub refused: ${answer.reason}`)
    }
  }

  /** Tells the hub every shared file this node holds now. */
  async #announceAll(): Promise<number> {
    const held: string[] = []
    for await (const sha256 of this.#shared.keys()) if (await this.opts.blobs.info(sha256)) held.push(sha256)
    await this.#announce(held)
    return held.length
  }

  #mayFetch(peer: string): boolean {
    const fed = this.opts.federation
    return !!fed && (peer === fed.hubNodeId() || fed.entry(peer)?.status === 'active')
  }

  /** Publisher: the manifest id of a file it puts in a channel (hashed once), and the file shared from now on. */
  async manifestIdOf(sha256: string): Promise<string> {
    const { manifestIdOf } = await import('@shulin/federation')
    const manifest = await this.#manifest(sha256)
    await this.opts.storage.commit([putOp(this.#shared, sha256, 1 as const)], { sync: false })
    return manifestIdOf(manifest)
  }

  /** A held blob's manifest: the one kept, or computed and kept now (the blob must hash to its name). */
  async #manifest(sha256: string): Promise<Manifest> {
    const kept = await this.#manifests.get(sha256)
    if (kept) return kept
    const { manifestOf } = await import('@shulin/federation')
    const manifest = await manifestOf(this.opts.blobs.pathOf(sha256))
    if (manifest.sha256 !== sha256) throw new Error(`blob ${sha256} does not hash to its name`)
    await this.opts.storage.commit([putOp(this.#manifests, sha256, manifest)], { sync: false })
    return manifest
  }

  /**
   * Makes sure a file of another library's record is here before it is served: fetched now if
   * not (a reader opened it), waiting up to `waitMs`. `'fetching'` means still on its way.
   */
  async ensureLocal(file: ResourceFile, publisher: string, waitMs = 15_000): Promise<'ready' | 'fetching'> {
    if (await this.has(file.blob)) return 'ready'
    const fetching = this.fetch(file, publisher)
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<'fetching'>((resolve) => (timer = setTimeout(() => resolve('fetching'), waitMs)))
    try {
      return await Promise.race([fetching.then(() => 'ready' as const), timeout])
    } finally {
      clearTimeout(timer)
      fetching.catch((err: unknown) => this.opts.logger?.warn({ err, sha256: file.blob }, 'fetching a channel file failed'))
    }
  }

  /** `Authorization` for fetching `sha256` from `to` over HTTP: a content ticket signed by this node. */
  async ticket(to: string, sha256: string): Promise<string> {
    const t: ContentTicket = { from: this.opts.key.nodeId, to, sha256, exp: this.#now() + maxTicketSeconds * 1000 }
    const env = await seal(this.opts.key, 'shulin/content-ticket', t)
    return `${TICKET_SCHEME} ${Buffer.from(JSON.stringify(env)).toString('base64url')}`
  }

  /** The node a request's content ticket speaks for, if it holds: signed by it, for this node and file, unexpired. */
  #ticketHolder(header: string | undefined, sha256: string): string {
    const refuse = (detail: string) => new ProblemError('unauthenticated', { detail })
    const m = new RegExp(`^${TICKET_SCHEME} ([A-Za-z0-9_-]{1,4096})$`).exec(header ?? '')
    if (!m) throw refuse('a content ticket is required (Authorization: Shulin-Ticket …)')
    let env: unknown
    try {
      env = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8'))
    } catch {
      throw refuse('the content ticket is not readable')
    }
    let t: ContentTicket
    try {
      t = open(env, ContentTicket, { type: 'shulin/content-ticket' })
    } catch (err) {
      if (err instanceof EnvelopeError) throw refuse(`the content ticket does not verify (${err.message})`)
      throw err
    }
    if (t.from !== (env as { signer: string }).signer) throw refuse('the content ticket is signed by another node than it names')
    if (t.to !== this.opts.key.nodeId) throw refuse('the content ticket is for another node')
    if (t.sha256 !== sha256) throw refuse('the content ticket is for another file')
    // Stamped by the signer's clock, checked by this one: README "Clocks" tolerates 15 minutes either way.
    const now = this.#now()
    const tolerance = clockToleranceSeconds * 1000
    if (t.exp <= now - tolerance || t.exp > now + maxTicketSeconds * 1000 + tolerance) {
      const why = `the content ticket runs until ${new Date(t.exp).toISOString()} (for ${maxTicketSeconds} s at most): ${skewNote(t.exp - maxTicketSeconds * 1000, now)}`
      this.opts.logger?.warn({ from: t.from, why }, 'clock skew: a content ticket refused')
      throw refuse(why)
    }
    if (!this.#mayFetch(t.from)) throw new ProblemError('forbidden', { detail: 'only the hub and active members fetch channel files' })
    return t.from
  }

  /**
   * `GET /api/federation/content/:sha256[/manifest]`: a shared file (by byte ranges) or its
   * manifest, to the hub and active members with a content ticket.
   */
  async serveHttp(c: Context, raw: string | undefined, what: 'bytes' | 'manifest'): Promise<Response> {
    const parsed = Sha256Hex.safeParse(raw)
    if (!parsed.success) throw new ProblemError('validation_failed', { errors: [{ pointer: '/sha256', detail: 'invalid_sha256' }] })
    const sha256 = parsed.data
    this.#ticketHolder(c.req.header('authorization'), sha256)
    const info = (await this.#shared.get(sha256)) ? await this.opts.blobs.info(sha256) : undefined
    if (!info) throw new ProblemError('not_found')
    if (what === 'manifest') {
      const manifest = await this.#manifest(sha256)
      return c.json(manifest, 200, { 'cache-control': 'private, no-store' })
    }
    return serveBlob(c, this.opts.blobs, { sha256, mediaType: 'application/octet-stream', size: info.size, audience: 'private' })
  }

  /** Whether this node holds the file. */
  async has(sha256: string): Promise<boolean> {
    return !!(await this.opts.blobs.info(sha256))
  }

  /**
   * The publisher first, then the members the hub says hold the file, then the hub and the other
   * members (a holder the hub has not heard of yet still serves a share).
   */
  async #providers(publisher: string, sha256: string): Promise<Array<{ id: string; addrs: string[] }>> {
    const peers = this.opts.federation?.peers() ?? []
    const holders = await this.#whoHolds(sha256).catch((err: unknown) => {
      this.opts.logger?.debug({ err, sha256 }, 'the hub could not say who holds a file; asking members in registry order')
      return []
    })
    const rank = new Map<string, number>()
    // The first place a node earns is its place (the publisher may be the hub, or a holder).
    for (const id of [publisher, ...holders, this.opts.federation?.hubNodeId() ?? '']) if (!rank.has(id)) rank.set(id, rank.size)
    const at = (id: string) => rank.get(id) ?? rank.size
    return peers
      .map((p, i) => ({ p, i }))
      .sort((a, b) => at(a.p.id) - at(b.p.id) || a.i - b.i)
      .map(({ p }) => p)
      .slice(0, maxProviders)
  }

  /** The members holding `sha256`, as the hub's provider records say (the hub reads its own). */
  async #whoHolds(sha256: string): Promise<string[]> {
    if (this.#holders) return this.#holders.who(sha256, (m) => this.#mayFetch(m))
    const host = this.opts.federation?.peerHost()
    const hub = await this.opts.federation?.hubPeer()
    if (!host || !hub) return []
    const { askHolders } = await import('@shulin/federation')
    const answer = await Promise.race([askHolders(host, hub.addrs, { op: 'who', sha256 }), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the hub did not answer in time')), whoTimeoutMs).unref())])
    return answer.ok ? (answer.holders ?? []) : []
  }

  /**
   * Fetches a channel file into the blob store (once, however many readers ask at the same
   * time); resolves when it is here.
   */
  fetch(file: ResourceFile, publisher: string, opts: { maxBytesPerSecond?: number } = {}): Promise<void> {
    let running = this.#fetching.get(file.blob)
    if (!running) {
      running = this.#fetch(file, publisher, opts).finally(() => this.#fetching.delete(file.blob))
      this.#fetching.set(file.blob, running)
    }
    return running
  }

  async #fetch(file: ResourceFile, publisher: string, opts: { maxBytesPerSecond?: number }): Promise<void> {
    if (await this.has(file.blob)) return
    if (!file.manifest) throw new Error('the publisher named no manifest for this file')
    const { fetchContent } = await import('@shulin/federation')
    const host = this.opts.federation?.peerHost()
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
    } catch (err) {
      // Nobody answered on the peer network: the publisher's web address, resuming what came.
      const url = (err as { code?: string }).code === 'no_provider' ? await this.opts.publisherHttp?.(publisher) : undefined
      if (!url) throw err
      this.opts.logger?.info({ sha256: file.blob, publisher, url }, 'no peer could give a channel file; fetching it from the publisher over HTTP')
      result = await fetchContent(host, { ...target, providers: [{ id: publisher, addrs: [], http: { url, authorization: await this.ticket(publisher, file.blob) } }] })
    }
    await this.opts.blobs.adopt(dest, file.blob, file.size, file.mediaType)
    await this.opts.storage.commit([putOp(this.#manifests, file.blob, result.manifest), putOp(this.#shared, file.blob, 1 as const)], { sync: false })
    await rm(work, { recursive: true, force: true })
    // The hub's provider records: the next fetcher may ask this node.
    void this.#announce([file.blob]).catch((err: unknown) => this.opts.logger?.debug({ err }, 'could not tell the hub this node holds a file'))
    this.opts.logger?.info({ sha256: file.blob, bytes: file.size, providers: result.providers.map((p) => ({ id: p.id, chunks: p.chunks, corrupt: p.corrupt, dropped: p.dropped })) }, 'fetched a channel file')
  }

  /** Mirror: queues files to fetch ahead, one at a time, within the mirror's byte rate. */
  mirror(files: Array<{ file: ResourceFile; publisher: string }>): void {
    for (const f of files) {
      if (this.#queued.has(f.file.blob)) continue
      this.#queued.add(f.file.blob)
      this.#mirrorQueue.push(f)
    }
    if (!this.#mirroring) void this.#drain()
  }

  async #drain(): Promise<void> {
    this.#mirroring = true
    try {
      while (!this.#stopped) {
        if (!inWindow(this.opts.mirrorHours ?? '0-24', new Date(this.#now()))) {
          await new Promise((r) => setTimeout(r, 60_000).unref())
          continue
        }
        const next = this.#mirrorQueue.shift()
        if (!next) break
        this.#queued.delete(next.file.blob)
        try {
          await this.fetch(next.file, next.publisher, this.opts.mirrorBytesPerSecond ? { maxBytesPerSecond: this.opts.mirrorBytesPerSecond } : {})
        } catch (err) {
          this.opts.logger?.warn({ err, sha256: next.file.blob }, 'mirroring a channel file failed; it is tried again at the next start or when opened')
        }
      }
    } finally {
      this.#mirroring = false
    }
  }
}

/** Whether `at` falls within `FROM-TO` (local hours; a window past midnight wraps). */
export function inWindow(hours: string, at: Date): boolean {
  const [from, to] = hours.split('-').map(Number) as [number, number]
  const h = at.getHours()
  if (from === to || (from === 0 && to === 24)) return true
  return from < to ? h >= from && h < to : h >= from || h < to
}
