/**
 * @module identity
 * Unified identity on one node: the provider for its own readers, the relying party for
 * readers of other members, and the timer that re-checks visitors with their home libraries.
 *
 * @example
 * ```ts
 * const identity = createIdentity({ key, storage, accounts: accounts.store, sessions, federation })
 * identityRoutes(app, api, { ...identity, auth, baseUrl, isTls })
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

/** ≤ 5 minutes between checks of a visitor with their home library (RELIABILITY: "at the next check"). */
export const defaultCheckSeconds = 300

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
  const common = { ...(opts.now ? { now: opts.now } : {}) }
  const provider = new IdentityProvider({ key: opts.key, storage: opts.storage, accounts: opts.accounts, network, ...common })
  const visitors = new VisitorStore(opts.storage, opts.accounts)
  const relyingParty = new RelyingParty({
    key: opts.key,
    network,
    sessions: opts.sessions,
    visitors,
    ...common,
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  })
  let timer: NodeJS.Timeout | undefined
  let running = false
  const round = () => {
    if (running) return
    running = true
    relyingParty
      .checkVisits()
      .then((r) => r.ended && opts.logger?.info(r, 'visiting sessions ended by their home libraries'))
      .catch((err: unknown) => opts.logger?.warn({ err }, 'visitor check failed'))
      .finally(() => (running = false))
  }
  return {
    network,
    provider,
    relyingParty,
    visitors,
    start(): void {
      timer = setInterval(round, (opts.checkSeconds ?? defaultCheckSeconds) * 1000)
      timer.unref()
    },
    stop(): void {
      clearInterval(timer)
    },
  }
}
export type Identity = ReturnType<typeof createIdentity>
