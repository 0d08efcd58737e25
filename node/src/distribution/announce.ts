/**
 * @module distribution/announce
 * Who holds which channel file, through the hub (`/shulin/holders/1.0.0`): every member tells
 * the hub the shared files it holds — soon after start, then daily, and after each fetch — and
 * asks it who holds a file before fetching. The hub keeps the records ({@link HolderIndex}) and
 * answers its active members.
 *
 * @example
 * ```ts
 * const announce = announcer()({ network, files, holders: role === 'hub' ? new HolderIndex(storage, now) : undefined })
 * await announce.start()
 * const first = await announce.whoHolds(sha256)
 * ```
 */
import { holdersLimits } from '@shulin/protocol'
import type { Logger } from '../logger.js'
import { mayFetch, type DistributionNetwork } from './components.js'
import type { HolderIndex } from './holders.js'
import type { SharedFiles } from './shared-files.js'

/** How often a node tells the hub again which files it holds (the hub forgets after three days). */
const announceEveryMs = 24 * 3600_000
/** Waiting for the hub's list of holders before fetching without it. */
const whoTimeoutMs = 3000

export interface Announcer {
  /** Hub: answers members once the host runs. Member: tells the hub what it holds, then daily. */
  start(): Promise<void>
  stop(): void
  /** Tells the hub this node holds `files` (in messages of at most a thousand). */
  announce(files: string[]): Promise<void>
  /** The members holding `sha256`, as the hub's records say (the hub reads its own). */
  whoHolds(sha256: string): Promise<string[]>
}

export type AnnouncerInit = Record<string, never>

export interface AnnouncerComponents {
  network: DistributionNetwork
  files: Pick<SharedFiles, 'all'>
  /** The hub's provider records: given on the hub only. */
  holders?: HolderIndex | undefined
  logger?: Logger | undefined
}

export function announcer(_init: AnnouncerInit = {}): (components: AnnouncerComponents) => Announcer {
  return (components) => new DefaultAnnouncer(components)
}

class DefaultAnnouncer implements Announcer {
  #timer: NodeJS.Timeout | undefined

  constructor(private readonly c: AnnouncerComponents) {}

  async start(): Promise<void> {
    await this.c.network.whenHost(async (host) => {
      const holders = this.c.holders
      if (holders) {
        const { serveHolders } = await import('@shulin/federation')
        const may = (peer: string) => mayFetch(this.c.network, peer)
        await serveHolders(host, async (req, from) => {
          if (!may(from)) return { ok: false, reason: 'not_member' }
          if (req.op === 'have') return (await holders.have(from, req.files), { ok: true })
          return { ok: true, holders: await holders.who(req.sha256, (m) => m !== from && may(m)) }
        })
        return
      }
      // Soon after start (the hub may be dialing in too), then daily.
      const tell = () =>
        void this.#announceAll().catch((err: unknown) =>
          this.c.logger?.debug({ err }, 'could not tell the hub which files this node holds'),
        )
      const again = () => {
        tell()
        this.#timer = setTimeout(again, announceEveryMs).unref()
      }
      this.#timer = setTimeout(again, 5000).unref()
    })
  }

  stop(): void {
    clearTimeout(this.#timer)
  }

  async announce(files: string[]): Promise<void> {
    const host = this.c.network.peerHost()
    const hub = await this.c.network.hubPeer()
    if (!host || !hub || !files.length) return
    const { askHolders } = await import('@shulin/federation')
    for (let i = 0; i < files.length; i += holdersLimits.maxFilesPerMessage) {
      const answer = await askHolders(host, hub.addrs, {
        op: 'have',
        files: files.slice(i, i + holdersLimits.maxFilesPerMessage),
      })
      if (!answer.ok) throw new Error(`the hub refused: ${answer.reason}`)
    }
  }

  async #announceAll(): Promise<void> {
    await this.announce(await this.c.files.all())
  }

  async whoHolds(sha256: string): Promise<string[]> {
    if (this.c.holders) return this.c.holders.who(sha256, (m) => mayFetch(this.c.network, m))
    const host = this.c.network.peerHost()
    const hub = await this.c.network.hubPeer()
    if (!host || !hub) return []
    const { askHolders } = await import('@shulin/federation')
    const answer = await Promise.race([
      askHolders(host, hub.addrs, { op: 'who', sha256 }),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('the hub did not answer in time')), whoTimeoutMs).unref(),
      ),
    ])
    return answer.ok ? (answer.holders ?? []) : []
  }
}
