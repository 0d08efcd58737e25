/**
 * @module identity/visitors
 * Visiting readers on this node: a local account per (home node, reader at home), found again
 * by its federated id `reader@node`, and the visits — one per local session — with the access
 * token that lets this node ask the home library, now and then, whether the reader still stands.
 *
 * Owns `identity-visitors` (`<home>:<sub>` → account id) and `identity-visits` (session id →
 * visit). The accounts themselves are the accounts module's.
 */
import { newAccountRecord, type AccountRecord, type AccountStore } from '../accounts/store.js'
import { delOp, putOp, type Storage, type Sublevel } from '../storage/db.js'
import type { IdTokenClaims } from '@shulin/protocol'

export interface Visit {
  accountId: string
  home: string
  accessToken: string
  createdAt: number
  checkedAt: number
}

export class VisitorStore {
  readonly #visitors: Sublevel<string>
  readonly #visits: Sublevel<Visit>

  constructor(
    private readonly storage: Storage,
    private readonly accounts: AccountStore,
  ) {
    this.#visitors = storage.sublevel<string>('identity-visitors')
    this.#visits = storage.sublevel<Visit>('identity-visits')
  }

  /** The local account of a reader vouched for by `home`, created or brought up to date. */
  async upsert(home: { nodeId: string; name: string }, claims: IdTokenClaims): Promise<AccountRecord> {
    const key = `${home.nodeId}:${claims.sub}`
    const id = await this.#visitors.get(key)
    const name = claims.name ?? claims.preferred_username ?? null
    const visiting = { nodeId: home.nodeId, sub: claims.sub, name: home.name }
    const realNameVerified = claims.real_name_verified ?? false
    if (id) {
      const updated = await this.accounts.update(id, (a) =>
        a.name === name && a.home?.name === home.name && a.realNameVerified === realNameVerified
          ? null
          : { ...a, name, realNameVerified, home: visiting },
      )
      if (updated) return updated
    }
    const now = new Date().toISOString()
    // No password: a visitor signs in only through the home library.
    const created = await this.accounts.create(() =>
      newAccountRecord(
        { id: this.accounts.newId(), kind: 'reader', source: 'visiting', name, realNameVerified, home: visiting },
        now,
      ),
    )
    await this.storage.commit([putOp(this.#visitors, key, created.id)], { sync: true })
    return created
  }

  async addVisit(sessionId: string, visit: Visit): Promise<void> {
    await this.storage.commit([putOp(this.#visits, sessionId, visit)], { sync: true })
  }

  async endVisit(sessionId: string): Promise<void> {
    await this.storage.commit([delOp(this.#visits, sessionId)], { sync: true })
  }

  async touch(sessionId: string, visit: Visit): Promise<void> {
    await this.#visits.put(sessionId, visit)
  }

  async *visits(): AsyncGenerator<[string, Visit]> {
    yield* this.#visits.iterator()
  }
}
