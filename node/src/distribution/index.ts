/**
 * @module distribution
 * The files behind channel records, between libraries. A publisher names each file's manifest
 * in the signed record, so a subscriber checks every chunk it gets, from whoever sends it.
 * Built from one service per job, each from the narrow parts it needs:
 * - {@link SharedFiles}: which files this node gives out, and their manifests;
 * - {@link ContentServer}: gives them to the hub and active members (libp2p, and HTTP with a ticket);
 * - {@link Announcer}: tells the hub what this node holds; the hub's {@link HolderIndex} answers who holds what;
 * - {@link ContentFetcher}: fetches a file from the best-ranked providers ({@link rankProviders});
 * - {@link ContentMirror}: fetches a mirrored channel's files ahead, within a rate and hours;
 * - {@link LectureOnPlay}: fetches a catalogue-only subscriber's lecture when a reader plays it.
 *
 * @example
 * ```ts
 * const distribution = createDistribution({ storage, key, blobs, dataDir, network: federation, role: 'node', now: Date.now })
 * await distribution.start()
 * await distribution.ensureLocal(file, publisher)
 * ```
 */
import type { NodeKey } from '@shulin/federation/identity'
import type { ResourceFile } from '@shulin/protocol'
import type { BlobStore } from '../blobs/store.js'
import type { Storage } from '../storage/db.js'
import type { Logger } from '../logger.js'
import type { DistributionNetwork } from './components.js'
import { SharedFiles } from './shared-files.js'
import { HolderIndex } from './holders.js'
import { announcer, type Announcer } from './announce.js'
import { contentFetcher, type ContentFetcher } from './fetch.js'
import { contentMirror, type ContentMirror } from './mirror.js'
import { contentServer, type ContentServer } from './serve.js'
import { lectureOnPlay, type LectureOnPlay } from './on-play.js'
import { signTicket } from './tickets.js'

export type { DistributionNetwork } from './components.js'
export { inWindow } from './mirror.js'

export interface DistributionInit {
  storage: Storage
  /** Signs content tickets (the HTTP fallback); a ticket must name this node. */
  key: NodeKey
  /** The hub keeps the provider records. */
  role?: 'node' | 'hub'
  blobs: BlobStore
  dataDir: string
  /** The peer network (none in a command run while the node is stopped: manifests only). */
  network?: DistributionNetwork
  /** The web address a publisher serves its files at, if known (its registry entry, or its channel's). */
  publisherHttp?: (publisher: string) => Promise<string | undefined>
  /** Byte rate of mirroring, over all providers together (0 or none: no limit). */
  mirrorBytesPerSecond?: number
  /** Hours of the day mirroring runs, `FROM-TO` local time (`22-6` overnight). */
  mirrorHours?: string
  logger?: Logger
  /** The node's clock (content tickets are stamped and checked by it). */
  now?: () => number
}

export interface Distribution {
  readonly files: SharedFiles
  readonly server: ContentServer
  readonly announce: Announcer
  readonly fetcher: ContentFetcher
  readonly mirror: ContentMirror
  readonly onPlay: LectureOnPlay
  start(): Promise<void>
  stop(): void
  /** Publisher: the manifest id of a file it puts in a channel; the file is shared from now on. */
  manifestIdOf(sha256: string): Promise<string>
  /** A file of another library's record, fetched now if it is not here (see {@link ContentFetcher.ensureLocal}). */
  ensureLocal(file: ResourceFile, publisher: string, waitMs?: number): Promise<'ready' | 'fetching'>
  /** `Authorization` for fetching `sha256` from `to` over HTTP: a content ticket signed by this node. */
  ticket(to: string, sha256: string): Promise<string>
}

export function createDistribution(init: DistributionInit): Distribution {
  const now = init.now ?? Date.now
  const { logger, network, publisherHttp } = init
  const files = new SharedFiles(init.storage, init.blobs)
  const holders = init.role === 'hub' ? new HolderIndex(init.storage, now) : undefined
  const server = contentServer()({ nodeId: init.key.nodeId, blobs: init.blobs, files, now, network, logger })
  const announce = announcer()({ network: network ?? offline, files, holders, logger })
  const fetcher = contentFetcher({ dataDir: init.dataDir })({
    key: init.key,
    storage: init.storage,
    blobs: init.blobs,
    files,
    announce,
    now,
    network,
    logger,
    publisherHttp,
  })
  // An empty --mirror-hours means all day, as leaving it out does.
  const mirror = contentMirror({
    bytesPerSecond: init.mirrorBytesPerSecond,
    ...(init.mirrorHours ? { hours: init.mirrorHours } : {}),
  })({ fetcher, now, logger })
  return {
    files,
    server,
    announce,
    fetcher,
    mirror,
    onPlay: lectureOnPlay({ fetcher, logger }),
    async start() {
      await fetcher.start()
      await server.start()
      await announce.start()
    },
    stop() {
      mirror.stop()
      fetcher.stop()
      announce.stop()
    },
    manifestIdOf: (sha256) => files.manifestIdOf(sha256),
    ensureLocal: (file, publisher, waitMs) => fetcher.ensureLocal(file, publisher, waitMs),
    ticket: (to, sha256) => signTicket(init.key, now(), to, sha256),
  }
}

/** A stopped node's network: nobody to tell, nobody to ask. */
const offline: DistributionNetwork = {
  whenHost: async () => {},
  peerHost: () => undefined,
  peers: () => [],
  hubPeer: async () => undefined,
  hubNodeId: () => undefined,
  entry: () => undefined,
}
