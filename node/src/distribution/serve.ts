/**
 * @module distribution/serve
 * Giving this node's shared files to the hub and the active members: over libp2p
 * (`/shulin/content/1.0.0`) once the peer network runs, and over HTTP to a node holding a
 * content ticket (the fallback; the route answers with what {@link ContentServer.forTicket}
 * found). Nobody else gets a byte, and never a file that is not shared.
 */
import { Sha256Hex, type Manifest } from '@shulin/protocol'
import type { BlobStore } from '../blobs/store.js'
import { ProblemError } from '../http/problem.js'
import type { Logger } from '../logger.js'
import { mayFetch, type DistributionNetwork } from './components.js'
import type { SharedFiles } from './shared-files.js'
import { ticketHolder } from './tickets.js'

/** What the HTTP fallback answers with: a file's bytes (by the route, from the blob store) or its manifest. */
export type TicketedContent = { what: 'bytes'; sha256: string; size: number } | { what: 'manifest'; manifest: Manifest }

export interface ContentServer {
  /** Serves the shared files once the peer network runs. */
  start(): Promise<void>
  /** A shared file (or its manifest) for the node whose content ticket `authorization` carries; a problem if none. */
  forTicket(
    raw: string | undefined,
    authorization: string | undefined,
    what: 'bytes' | 'manifest',
  ): Promise<TicketedContent>
  /** Bytes of shared files sent to peers over libp2p since start (`/metrics`). */
  sentBytes(): number
}

export interface ContentServerComponents {
  nodeId: string
  blobs: BlobStore
  files: Pick<SharedFiles, 'held' | 'kept' | 'manifest'>
  network?: DistributionNetwork | undefined
  now: () => number
  logger?: Logger | undefined
}

export function contentServer(): (components: ContentServerComponents) => ContentServer {
  return (components) => new DefaultContentServer(components)
}

class DefaultContentServer implements ContentServer {
  #served: { readonly sent: { bytes: number } } | undefined

  constructor(private readonly c: ContentServerComponents) {}

  sentBytes(): number {
    return this.#served?.sent.bytes ?? 0
  }

  #mayFetch = (peer: string) => mayFetch(this.c.network, peer)

  async start(): Promise<void> {
    await this.c.network?.whenHost(async (host) => {
      const { serveContent } = await import('@shulin/federation')
      this.#served = await serveContent(
        host,
        {
          path: async (sha256, from) =>
            this.#mayFetch(from) && (await this.c.files.held(sha256)) ? this.c.blobs.pathOf(sha256) : undefined,
          manifest: (sha256) => this.c.files.kept(sha256),
        },
        { log: (msg, err) => this.c.logger?.warn({ err }, msg) },
      )
    })
  }

  async forTicket(
    raw: string | undefined,
    authorization: string | undefined,
    what: 'bytes' | 'manifest',
  ): Promise<TicketedContent> {
    const parsed = Sha256Hex.safeParse(raw)
    if (!parsed.success)
      throw new ProblemError('validation_failed', { errors: [{ pointer: '/sha256', detail: 'invalid_sha256' }] })
    const sha256 = parsed.data
    ticketHolder(authorization, sha256, {
      nodeId: this.c.nodeId,
      now: this.c.now(),
      mayFetch: this.#mayFetch,
      logger: this.c.logger,
    })
    const info = await this.c.files.held(sha256)
    if (!info) throw new ProblemError('not_found')
    if (what === 'manifest') return { what, manifest: await this.c.files.manifest(sha256) }
    return { what, sha256, size: info.size }
  }
}
