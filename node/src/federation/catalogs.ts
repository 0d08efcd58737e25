/**
 * @module federation/catalogs
 * The network's large catalogs on this node (channel catalogs and the like): sharded Yjs
 * documents in LevelDB ({@link LevelShardStore}), served to members and the hub, and pulled
 * from each reachable one every round — only the shards that differ travel. A peer that
 * fails is tried again after a growing wait ({@link Backoff}). Catalogs open without the
 * peer network too (a command run while the node is stopped writes to them); they travel
 * once the network is attached.
 */
import { createHash } from 'node:crypto'
import type { CatalogRule, Host, LargePullLimit, ShardedCatalog } from '@shulin/federation'
import type { Storage } from '../storage/db.js'
import type { Logger } from '../logger.js'
import { Backoff } from './backoff.js'
import { LevelShardStore } from './shard-store.js'
import { shuffled } from './random-pick.js'

export interface CatalogPeer {
  id: string
  addrs: string[]
  /** This node's hub: asked after the others each round (see {@link NetworkCatalogs.pullRound}). */
  hub?: boolean
}

export interface NetworkCatalogsOptions {
  storage: Storage
  nodeId: string
  now: () => number
  logger?: Logger
  /** How many first copies of a catalog this node sends at once (tests set fewer; see `LargePullLimit`). */
  largePulls?: LargePullLimit
}

export interface CatalogNetwork {
  host: Host
  /** Whom to pull from this round (the hub and the active members, this node excepted). */
  peers: () => CatalogPeer[]
  /** Who may pull from this node. */
  mayRead: (peer: string) => boolean
}

export class NetworkCatalogs {
  readonly #store: LevelShardStore
  readonly #open = new Map<string, ShardedCatalog>()
  readonly #pulling = new Set<string>()
  readonly #lastPull = new Map<string, string>()
  /** Per catalog, the peers that answered a pull of it: those that hold it (learnt anew each round). */
  readonly #holders = new Map<string, Set<string>>()
  readonly #backoff: Backoff
  #net: CatalogNetwork | undefined
  #rules: ((name: string) => CatalogRule | undefined) | undefined

  constructor(private readonly opts: NetworkCatalogsOptions) {
    this.#store = new LevelShardStore(opts.storage)
    this.#backoff = new Backoff(Date.now)
  }

  /** Serves the open catalogs to peers and pulls them each round from now on. */
  async attach(net: CatalogNetwork): Promise<void> {
    const { serveCatalogs } = await import('@shulin/federation')
    this.#net = net
    await serveCatalogs(
      net.host,
      (name, from) => {
        const cat = this.#open.get(name)
        return !cat ? undefined : net.mayRead(from) ? cat : 'not_allowed'
      },
      (msg, err) => this.opts.logger?.warn({ err }, msg),
      this.opts.largePulls,
    )
  }

  /** What peers may write to each catalog (see {@link CatalogRule}); set before catalogs open. */
  setRules(rules: (name: string) => CatalogRule | undefined): void {
    this.#rules = rules
  }

  /** The catalog `name`, kept in step with the network from now on. */
  async open(name: string): Promise<ShardedCatalog> {
    let cat = this.#open.get(name)
    if (!cat) {
      // Loaded with the first catalog: a node that keeps none never pays for Yjs. Only the catalog
      // module: the package's root would bring libp2p (~50 MB of RSS) into a node never joined.
      const { ShardedCatalog } = await import('@shulin/federation/catalog')
      cat = this.#open.get(name)
      if (cat) return cat
      // A stable Yjs client id per node and catalog: shards then know one writer per node.
      const clientId = createHash('sha256').update(`${this.opts.nodeId}\n${name}`).digest().readUInt32BE(0)
      const accept = this.#rules?.(name)
      cat = new ShardedCatalog(name, this.#store, { clientId, accept })
      this.#open.set(name, cat)
      // A catalog just opened is pulled now, not at the next round.
      void this.pullRound()
    }
    return cat
  }

  /**
   * Pulls every open catalog from the peers that are due (see {@link pullTargets}); pulls still
   * running are left alone. The hub is asked after the others have answered, so it sends only
   * what they did not: a new subscriber of the hub's channel takes most of it from members that
   * hold it, where asking everyone at once from an empty state had each of them, the hub too,
   * send a whole copy (issue 25). The hub sends a first copy to a few at a time and answers the
   * rest `busy`; a busy peer stays a holder and is asked again next round, not backed off.
   */
  async pullRound(): Promise<void> {
    const net = this.#net
    if (!net) return
    const { pullCatalog, CatalogPullError } = await import('@shulin/federation')
    const jobs: Promise<void>[] = []
    const peers = net.peers()
    const byId = new Map(peers.map((p) => [p.id, p]))
    for (const [name, cat] of this.#open) {
      const due = (peer: CatalogPeer) => {
        const key = `${name} ${peer.id}`
        return !this.#pulling.has(key) && this.#backoff.ready(key) && peer.addrs.length > 0
      }
      const pull = (peer: CatalogPeer): Promise<void> => {
        const key = `${name} ${peer.id}`
        return pullCatalog(net.host, peer.addrs, cat)
          .then((r) => {
            this.#backoff.succeeded(key)
            this.#holders.set(name, (this.#holders.get(name) ?? new Set()).add(peer.id))
            this.#lastPull.set(name, new Date(this.opts.now()).toISOString())
            if (r.shards)
              this.opts.logger?.debug(
                { catalog: name, peer: peer.id, shards: r.shards, bytes: r.bytes },
                'pulled catalog changes',
              )
            if (r.refused)
              this.opts.logger?.warn(
                { catalog: name, peer: peer.id, shards: r.refused },
                'a peer sent catalog changes that are not allowed (records not signed by whom they must be); left out',
              )
          })
          .catch((err: unknown) => {
            const reason = err instanceof CatalogPullError ? err.reason : 'failed'
            if (reason === 'refused') this.#holders.get(name)?.delete(peer.id)
            // Busy is a holder speaking: it is asked again next round, as one that answered, and
            // the peers it names as having taken a copy lately are asked as holders.
            if (reason === 'busy') {
              const held = this.#holders.get(name) ?? new Set()
              for (const id of [peer.id, ...(err as InstanceType<typeof CatalogPullError>).holders])
                if (id !== this.opts.nodeId) held.add(id)
              this.#holders.set(name, held)
            } else this.#backoff.failed(key)
            this.opts.logger?.debug({ err, catalog: name, peer: peer.id }, 'catalog pull failed')
          })
          .finally(() => this.#pulling.delete(key))
      }
      const targets = pullTargets(peers, due, this.#holders.get(name), byId)
      for (const peer of targets) this.#pulling.add(`${name} ${peer.id}`)
      const hub = targets.filter((p) => p.hub)
      const others = targets.filter((p) => !p.hub)
      jobs.push(Promise.all(others.map(pull)).then(() => Promise.all(hub.map(pull)).then(() => {})))
    }
    await Promise.all(jobs)
  }

  /** The peers known to hold catalog `name` (each answered its last pull). */
  holders(name: string): string[] {
    return [...(this.#holders.get(name) ?? [])]
  }

  async status(): Promise<Array<{ name: string; shards: number; filled: number; lastPull: string | null }>> {
    return Promise.all(
      [...this.#open].map(async ([name, cat]) => ({
        name,
        shards: cat.shards,
        filled: await cat.filledShards(),
        lastPull: this.#lastPull.get(name) ?? null,
      })),
    )
  }
}

/** Peers one catalog is pulled from in one round once its holders are known (see {@link pullTargets}). */
export const pullFanout = 6
/** Peers one catalog is pulled from in one round while nobody is known to hold it. */
export const discoveryFanout = 64

/**
 * Whom to pull one catalog from this round, of the node's `peers` (its hub first) that are
 * `due`: every one of them in a small network. In a larger one, while nobody is known to hold
 * it: the hub and up to 63 others at random (peers that do not hold it fall out by their backoff,
 * so a catalog only its publisher holds is found among 3,000 members within a few minutes). Once
 * holders are known: the hub, three of the holders and two others at random — a change then
 * spreads from holder to holder within a few rounds, and a node asks six peers a round, not every
 * member (3,000 pulls a catalog every three seconds at 3,000 members, issue 25). The cost is that
 * of the peers it looks at, not of the whole network: the hub pulls dozens of catalogs a round.
 */
export function pullTargets(
  peers: CatalogPeer[],
  due: (peer: CatalogPeer) => boolean,
  holders: ReadonlySet<string> | undefined,
  /** `peers` by id, made once a round for all catalogs (made here when not given). */
  byId?: ReadonlyMap<string, CatalogPeer>,
): CatalogPeer[] {
  const want = holders?.size ? pullFanout : discoveryFanout
  if (peers.length <= want) return peers.filter(due)
  const out: CatalogPeer[] = []
  const looked = new Set<string>()
  const consider = (peer: CatalogPeer | undefined, pick: (p: CatalogPeer) => boolean = () => true) => {
    if (!peer || looked.has(peer.id) || !pick(peer)) return
    looked.add(peer.id)
    if (due(peer)) out.push(peer)
  }
  consider(peers[0])
  if (holders?.size) {
    const held = (p: CatalogPeer) => holders.has(p.id)
    const enough = () => out.length >= 4
    if (holders.size <= 64) {
      const peer = byId ?? new Map(peers.map((p) => [p.id, p]))
      for (const id of shuffled([...holders])) {
        if (enough()) break
        consider(peer.get(id), held)
      }
    } else for (let tries = 0; tries < 64 && !enough(); tries++) consider(peers[randomIndex(peers.length)], held)
  }
  for (let tries = 0; tries < want * 4 && out.length < want; tries++) consider(peers[randomIndex(peers.length)])
  return out
}

const randomIndex = (n: number) => Math.floor(Math.random() * n)
