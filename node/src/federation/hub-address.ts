/**
 * @module federation/hub-address
 * The one place that knows this node's hub: its id (this node's own on a hub) and, on a member,
 * the peer addresses it joined at. Every network service asks it; nobody works the hub out
 * again from the role.
 *
 * Owns two sublevels: `fed-state` (`hub`: the hub this node joined, written once at join) and
 * `fed-role` (`this`: `hub` once the folder has been a hub's).
 */
import { putOp, type BatchOp, type Storage, type Sublevel } from '../storage/db.js'
import { FederationError } from './errors.js'

export interface HubState {
  hub: string
  hubAddrs: string[]
  joinedAt: string
}

export interface HubAddressInit {
  storage: Storage
  role: 'node' | 'hub'
  /** This node's id (the hub's id when it is the hub). */
  nodeId: string
}

export class HubAddress {
  readonly role: 'node' | 'hub'
  readonly #state: Sublevel<HubState>
  readonly #role: Sublevel<'hub'>
  #joined: HubState | undefined

  constructor(private readonly init: HubAddressInit) {
    this.role = init.role
    this.#state = init.storage.sublevel('fed-state')
    this.#role = init.storage.sublevel('fed-role')
  }

  /**
   * Reads what the folder says. A hub's folder stays a hub's: started without --role hub it would
   * silently leave every member without its hub.
   */
  async load(): Promise<void> {
    const wasHub = (await this.#role.get('this')) === 'hub'
    if (wasHub && this.role !== 'hub')
      throw new FederationError('not_hub', 'this data folder belongs to a hub: start it with --role hub')
    if (!wasHub && this.role === 'hub')
      await this.init.storage.commit([putOp(this.#role, 'this', 'hub' as const)], { sync: true })
    this.#joined = await this.#state.get('hub')
  }

  /** Whether this node is a hub. */
  get isHub(): boolean {
    return this.role === 'hub'
  }

  /** The hub's node id once known (this node's own when it is the hub). */
  id(): string | undefined {
    return this.isHub ? this.init.nodeId : this.#joined?.hub
  }

  /** Member: the hub's id and peer addresses (undefined on the hub and before joining). */
  peer(): { hub: string; addrs: string[] } | undefined {
    return !this.isHub && this.#joined ? { hub: this.#joined.hub, addrs: this.#joined.hubAddrs } : undefined
  }

  /** Member: when it joined (undefined on the hub and before joining). */
  joinedAt(): string | undefined {
    return this.isHub ? undefined : this.#joined?.joinedAt
  }

  /** Member: the write that records its hub, to commit with the registry it was handed. */
  joinOp(state: HubState): BatchOp {
    return putOp(this.#state, 'hub', state)
  }

  /** Member: the hub recorded by {@link joinOp} has been committed. */
  joined(state: HubState): void {
    this.#joined = state
  }
}
