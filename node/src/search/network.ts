/**
 * @module search/network
 * The whole network's catalogue from any node. The hub's own search is the union catalogue:
 * it takes in every channel it lists on the menu, so it holds them all. The hub answers
 * members' searches over `/shulin/search/1.0.0`; a member asks it and marks which hits it holds
 * itself (so a reader can open them here).
 */
import type { NetworkSearchAnswer, NetworkSearchRequest, SearchHit } from '@shulin/protocol'
import type { ChannelService } from '../channels/service.js'
import type { FederationService } from '../federation/service.js'
import { ProblemError } from '../http/problem.js'
import type { Logger } from '../logger.js'
import type { ResourceRecords } from '../resources/store.js'
import type { SearchService } from './service.js'

/** What network search needs of the federation: the host, the hub, membership and catalog holders. */
export type SearchFederation = Pick<
  FederationService,
  'whenHost' | 'entry' | 'catalogHolders' | 'hubNodeId' | 'peerHost' | 'peers'
>

export interface NetworkSearchOptions {
  role: 'node' | 'hub'
  search: SearchService
  resources: Pick<ResourceRecords, 'getMany'>
  federation: SearchFederation
  /** Which libraries hold which records (through the channels they are in). */
  channels: ChannelService
  logger?: Logger
}

export class NetworkSearch {
  constructor(private readonly opts: NetworkSearchOptions) {}

  /** The hub serves the union catalogue to its active members. */
  async start(): Promise<void> {
    if (this.opts.role !== 'hub') return
    await this.opts.federation.whenHost(async (host) => {
      const { serveNetworkSearch } = await import('@shulin/federation')
      await serveNetworkSearch(
        host,
        (req, from) => this.#answer(req, from),
        (msg, err) => this.opts.logger?.warn({ err }, msg),
      )
    })
  }

  async #answer(req: NetworkSearchRequest, from: string): Promise<NetworkSearchAnswer> {
    if (this.opts.federation.entry(from)?.status !== 'active') return { ok: false, reason: 'not_member' }
    return { ok: true, ...(await this.#searchHere(req)) }
  }

  async #searchHere(
    req: NetworkSearchRequest,
  ): Promise<{ total: number; hits: Array<SearchHit & { holders: string[] }> }> {
    const r = await this.opts.search.search(
      { q: req.q, limit: req.limit, offset: req.offset, sort: 'relevance', facets: false },
      { staff: false },
    )
    const holders = await this.opts.channels.holdersOf(
      r.hits.map((h) => h.id),
      (catalog) => this.opts.federation.catalogHolders(catalog),
    )
    // Thumbnails are this node's URLs: a member's reader could not load them.
    return {
      total: r.total,
      hits: r.hits.map(({ thumbnail: _t, ...h }, i) => ({ ...h, holders: holders[i]!.slice(0, 100) })),
    }
  }

  /** Searches the network: here on the hub, through the hub on a member. */
  async search(req: NetworkSearchRequest) {
    const fed = this.opts.federation
    const hubId = fed.hubNodeId()
    if (!hubId) throw new ProblemError('conflict', { detail: 'this library has not joined a network yet' })
    let found: { total: number; hits: Array<SearchHit & { holders: string[] }> }
    if (this.opts.role === 'hub') found = await this.#searchHere(req)
    else {
      const host = fed.peerHost()
      const hub = fed.peers().find((p) => p.id === hubId)
      if (!host || !hub) throw new ProblemError('peer_unreachable', { detail: 'the peer network is not running' })
      let answer: NetworkSearchAnswer
      try {
        const { askNetworkSearch } = await import('@shulin/federation')
        answer = await askNetworkSearch(host, hub.addrs, req)
      } catch (err) {
        throw new ProblemError('peer_unreachable', { detail: (err as Error).message })
      }
      if (!answer.ok) throw new ProblemError('peer_unreachable', { detail: `the hub refused: ${answer.reason}` })
      found = answer
    }
    const here = await this.opts.resources.getMany(found.hits.map((h) => h.id))
    return {
      query: req.q,
      total: found.total,
      hub: hubId,
      hits: found.hits.map((h, i) => ({ ...h, local: here[i]?.status === 'published' })),
    }
  }
}
