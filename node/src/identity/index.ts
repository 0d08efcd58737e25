/**
 * @module identity
 * Unified identity on one node: the provider for its own readers, the relying party for
 * readers of other members, and the timer that re-checks visitors with their home libraries.
 *
 * @example
 * ```ts
 * const identity = createIdentity({ key, storage, accounts: accounts.store, sessions, federation })
 * identityRoutes(app, api, { ...identity, auth, baseUrl, origins, isTls })
 * identity.start()
 * ```
 */
import type { NodeKey } from '@shulin/federation/identity'
import type { AccountStore } from '../accounts/store.js'
import type { SessionService } from '../sessions/service.js'
import type { Storage } from '../storage/db.js'
import type { Logger } from '../logger.js'
import type { FederationService } from '../federation/service.js'
import type { Network } from './network.js'
import { IdentityProvider } from './provider.js'
import { RelyingParty } from './relying-party.js'
import { VisitorStore } from './visitors.js'
import { DirectoryMember } from './directory-member.js'
import { DirectoryHub } from './directory-hub.js'
import type { PhoneRoute } from './phone-route.js'

/** ≤ 5 minutes between checks of a visitor with their home library (RELIABILITY: "at the next check"). */
export const defaultCheckSeconds = 300
/** How often the hub pulls members' phone hashes and reader counts. */
export const defaultPullSeconds = 60

export interface IdentityOptions {
  key: NodeKey
  storage: Storage
  accounts: AccountStore
  sessions: SessionService
  federation: Pick<FederationService, 'entry' | 'entries' | 'hubNodeId'>
  logger?: Logger
  now?: () => number
  checkSeconds?: number
  fetch?: typeof fetch
  role: 'node' | 'hub'
  /** This node's HTTP address (the hub hands it to members with each directory pull). */
  selfUrl: () => string
  pullSeconds?: number
}

export function networkOf(key: NodeKey, federation: IdentityOptions['federation']): Network {
  return {
    selfId: key.nodeId,
    entry: (id) => federation.entry(id),
    entries: () => federation.entries(),
    hubId: () => federation.hubNodeId(),
  }
}

export function createIdentity(opts: IdentityOptions) {
  const network = networkOf(opts.key, opts.federation)
  const { now, fetch, logger } = opts
  const directory = new DirectoryMember({
    key: opts.key,
    storage: opts.storage,
    accounts: opts.accounts,
    sessions: opts.sessions,
    network,
    now,
    fetch,
  })
  const provider = new IdentityProvider({
    key: opts.key,
    storage: opts.storage,
    accounts: opts.accounts,
    network,
    hubUrl: () => directory.hubUrl(),
    now,
    logger,
  })
  const visitors = new VisitorStore(opts.storage, opts.accounts)
  const relyingParty = new RelyingParty({
    key: opts.key,
    network,
    sessions: opts.sessions,
    visitors,
    now,
    logger,
    fetch,
  })
  const hub =
    opts.role === 'hub'
      ? new DirectoryHub({ key: opts.key, storage: opts.storage, network, selfUrl: opts.selfUrl, now, fetch, logger })
      : undefined
  const phones: PhoneRoute = hub ?? directory
  // "Sign out everywhere else", a new password, a disabled account: other libraries too, at their next check.
  opts.sessions.onEndAll((accountId) => provider.endGrants(accountId))
  const timers: NodeJS.Timeout[] = []
  /** A background round that never overlaps itself. */
  const every = (seconds: number, what: string, run: () => Promise<unknown>) => {
    let running = false
    const t = setInterval(() => {
      if (running) return
      running = true
      run()
        .catch((err: unknown) => opts.logger?.warn({ err }, `${what} failed`))
        .finally(() => (running = false))
    }, seconds * 1000)
    t.unref()
    timers.push(t)
  }
  return {
    network,
    provider,
    relyingParty,
    visitors,
    directory,
    hub,
    phones,
    start(): void {
      every(opts.checkSeconds ?? defaultCheckSeconds, 'visitor check', async () => {
        const r = await relyingParty.checkVisits()
        if (r.ended) opts.logger?.info(r, 'visiting sessions ended by their home libraries')
      })
      if (hub) every(opts.pullSeconds ?? defaultPullSeconds, 'directory pull', () => hub.pullAll())
    },
    stop(): void {
      for (const t of timers) clearInterval(t)
    },
  }
}
export type Identity = ReturnType<typeof createIdentity>
