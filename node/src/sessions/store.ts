/**
 * @module sessions/store
 * Server-side sessions. Owns `sessions` (id → record) and `sessions-by-account`
 * (`accountId!id` → '') so that every session of an account can be ended in one batch.
 * The id is the SHA-256 of the token; the token itself is never stored.
 */
import { delOp, putOp, type Storage, type Sublevel } from '../storage/db.js'

export interface SessionRecord {
  accountId: string
  kind: 'cookie' | 'bearer'
  remember: boolean
  csrfToken: string
  createdAt: number
  lastSeenAt: number
  expiresAt: number
  idleTimeoutMs: number
  userAgent: string
  address: string
}

export class SessionStore {
  readonly #sessions: Sublevel<SessionRecord>
  readonly #byAccount: Sublevel<string>

  constructor(private readonly storage: Storage) {
    this.#sessions = storage.sublevel<SessionRecord>('sessions')
    this.#byAccount = storage.sublevel<string>('sessions-by-account')
  }

  get(id: string): Promise<SessionRecord | undefined> {
    return this.#sessions.get(id)
  }

  /** Sessions are synced: a sign-in that was answered survives a machine crash. */
  async put(id: string, s: SessionRecord, opts: { sync: boolean }): Promise<void> {
    await this.storage.commit([putOp(this.#sessions, id, s), putOp(this.#byAccount, `${s.accountId}!${id}`, '')], {
      sync: opts.sync,
    })
  }

  async touch(id: string, s: SessionRecord): Promise<void> {
    await this.#sessions.put(id, s)
  }

  async delete(ids: Array<{ id: string; accountId: string }>): Promise<void> {
    if (ids.length === 0) return
    await this.storage.commit(
      ids.flatMap(({ id, accountId }) => [delOp(this.#sessions, id), delOp(this.#byAccount, `${accountId}!${id}`)]),
      { sync: true },
    )
  }

  async idsOf(accountId: string): Promise<string[]> {
    const out: string[] = []
    for await (const key of this.#byAccount.keys({ gt: `${accountId}!`, lt: `${accountId}!\uffff` }))
      out.push(key.slice(accountId.length + 1))
    return out
  }

  async *all(): AsyncGenerator<[string, SessionRecord]> {
    yield* this.#sessions.iterator()
  }
}
