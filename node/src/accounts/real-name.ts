/**
 * @module accounts/real-name
 * Real-name verification at the desk: a librarian who has seen a reader's ID card marks the
 * account verified (or takes it back), and every such change leaves an audit entry — who and
 * when — written in the same batch as the account, so neither exists without the other.
 * Owns the `real-name-audit` sublevel: `account!<time>!<n>` → entry.
 */
import type { RealNameAuditEntry } from '@shulin/protocol'
import { ProblemError } from '../http/problem.js'
import { putOp, type Storage, type Sublevel } from '../storage/db.js'
import type { AccountRecord, AccountStore } from './store.js'

export class RealNameDesk {
  readonly #audit: Sublevel<RealNameAuditEntry>
  readonly #listeners = new Set<() => void>()
  #seq = 0

  constructor(
    storage: Storage,
    private readonly accounts: AccountStore,
    private readonly now: () => number = Date.now,
  ) {
    this.#audit = storage.sublevel('real-name-audit')
  }

  /**
   * Marks a reader of this library verified or not, as `staff` saw at the desk.
   * A visiting reader's home library is the authority for them: refused here.
   */
  async set(readerId: string, verified: boolean, staff: AccountRecord): Promise<AccountRecord> {
    const reader = await this.accounts.get(readerId)
    if (!reader || reader.kind !== 'reader') throw new ProblemError('not_found')
    if (reader.home) {
      throw new ProblemError('forbidden', {
        detail: `A visiting reader is verified by their home library (${reader.home.name}).`,
      })
    }
    const at = new Date(this.now()).toISOString()
    const entry: RealNameAuditEntry = {
      verified,
      by: { id: staff.id, name: staff.name ?? staff.username ?? staff.id },
      at,
    }
    // The counter keeps two changes in one millisecond apart and in order.
    const key = `${readerId}!${at}!${String(this.#seq++ % 1e6).padStart(6, '0')}`
    const updated = await this.accounts.update(
      readerId,
      (a) => ({ ...a, realNameVerified: verified }),
      () => [putOp(this.#audit, key, entry)],
    )
    if (!updated) throw new ProblemError('not_found')
    for (const l of this.#listeners) l()
    return updated
  }

  /** The reader's audit trail, oldest first. */
  async audit(readerId: string): Promise<RealNameAuditEntry[]> {
    const entries: RealNameAuditEntry[] = []
    for await (const [, e] of this.#audit.iterator({ gt: `${readerId}!`, lt: `${readerId}!\uffff` })) entries.push(e)
    return entries
  }

  /** Told after any change (the library's reader counts are recounted). Listeners must not throw. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
}
