/**
 * @module accounts/store
 * Accounts (readers and staff) and their sign-in indexes. Owns the `accounts` and
 * `account-index` sublevels. Every change to a record and its indexes is one synced batch,
 * made under a mutex so that uniqueness checks and writes cannot interleave.
 */
import { randomUUID } from 'node:crypto'
import type { AccountView, IdentifierKind, StaffRole } from '@shulin/protocol'
import { delOp, putOp, type BatchOp, type Storage, type Sublevel } from '../storage/db.js'
import { Mutex } from '../storage/mutex.js'

export interface AccountRecord {
  id: string
  kind: 'reader' | 'staff'
  roles: StaffRole[]
  cardNo: string | null
  username: string | null
  phone: string | null
  name: string | null
  /** Keyed hash (HMAC-SHA-256 with the node's identifier key) of the resident ID number. */
  idNumberHash: string | null
  idNumberMasked: string | null
  realNameVerified: boolean
  passwordHash: string | null
  mustChangePassword: boolean
  status: 'active' | 'disabled'
  /** `sip2`: a reader held by the library's ILS, linked by card number; the ILS checks the PIN. */
  source: 'register' | 'import' | 'setup' | 'staff' | 'visiting' | 'sip2'
  /** A visiting reader: signed in through their home library, which stays the authority for them. */
  home?: VisitingHome
  createdAt: string
  updatedAt: string
}

/**
 * A new account record: every field not given takes its default — no identifiers, no
 * password, not verified, active, created now. One place, so a field added to accounts is
 * added to every way one is made (registration, import, staff, visiting, third-party).
 */
export function newAccountRecord(
  fields: Pick<AccountRecord, 'id' | 'kind' | 'source'> & Partial<Omit<AccountRecord, 'createdAt' | 'updatedAt'>>,
  now: string,
): AccountRecord {
  return {
    roles: [],
    cardNo: null,
    username: null,
    phone: null,
    name: null,
    idNumberHash: null,
    idNumberMasked: null,
    realNameVerified: false,
    passwordHash: null,
    mustChangePassword: false,
    status: 'active',
    ...fields,
    createdAt: now,
    updatedAt: now,
  }
}

export interface VisitingHome {
  nodeId: string
  /** The reader's id at home (the ID token's `sub`). */
  sub: string
  /** The home library's name as the registry had it at the last sign-in. */
  name: string
}

/** Which unique value of another account a write collided with. */
export class AccountConflict extends Error {
  override readonly name = 'AccountConflict'
  constructor(readonly field: IdentifierKind) {
    super(`${field} already in use`)
  }
}

const indexPrefix: Record<IdentifierKind, string> = {
  card: 'card:',
  phone: 'phone:',
  username: 'user:',
  idNumber: 'idn:',
}
const adminPrefix = 'admin:'
const cardSeqKey = '#card-seq'

function indexKeys(a: AccountRecord): Array<[IdentifierKind, string]> {
  const out: Array<[IdentifierKind, string]> = []
  if (a.cardNo) out.push(['card', indexPrefix.card + a.cardNo])
  if (a.phone) out.push(['phone', indexPrefix.phone + a.phone])
  if (a.username) out.push(['username', indexPrefix.username + a.username])
  if (a.idNumberHash) out.push(['idNumber', indexPrefix.idNumber + a.idNumberHash])
  return out
}

export function toAccountView(a: AccountRecord): AccountView {
  return {
    id: a.id,
    kind: a.kind,
    roles: a.roles,
    cardNo: a.cardNo,
    username: a.username,
    phone: a.phone,
    name: a.name,
    realNameVerified: a.realNameVerified,
    idNumberMasked: a.idNumberMasked,
    status: a.status,
    hasPassword: a.passwordHash !== null,
    mustChangePassword: a.mustChangePassword,
    createdAt: a.createdAt,
    ...(a.home
      ? { home: { nodeId: a.home.nodeId, name: a.home.name, federatedId: `${a.home.sub}@${a.home.nodeId}` } }
      : {}),
  }
}

export interface AccountListOptions {
  kind?: 'reader' | 'staff' | undefined
  status?: 'active' | 'disabled' | undefined
  q?: string | undefined
  limit: number
  cursor?: string | undefined
}

export class AccountStore {
  readonly #accounts: Sublevel<AccountRecord>
  readonly #index: Sublevel<string>
  readonly #mutex = new Mutex()

  constructor(private readonly storage: Storage) {
    this.#accounts = storage.sublevel<AccountRecord>('accounts')
    this.#index = storage.sublevel<string>('account-index')
  }

  newId(): string {
    return randomUUID()
  }

  async get(id: string): Promise<AccountRecord | undefined> {
    return this.#accounts.get(id)
  }

  async findBy(kind: IdentifierKind, value: string): Promise<AccountRecord | undefined> {
    const id = await this.#index.get(indexPrefix[kind] + value)
    return id ? this.get(id) : undefined
  }

  async hasAdmin(): Promise<boolean> {
    for await (const _ of this.#index.keys({ gte: adminPrefix, lt: adminPrefix + '\uffff', limit: 1 })) return true
    return false
  }

  /** Creates an account. `build` runs under the lock and may draw a card number. */
  async create(
    build: (tx: { nextCardNo: () => Promise<string> }) => Promise<AccountRecord> | AccountRecord,
  ): Promise<AccountRecord> {
    return this.#mutex.run(async () => {
      let seq: number | undefined
      const nextCardNo = async () => {
        seq ??= Number((await this.#index.get(cardSeqKey)) ?? '0')
        for (;;) {
          seq += 1
          const card = `8${String(seq).padStart(9, '0')}`
          if (!(await this.#index.get(indexPrefix.card + card))) return card
        }
      }
      const record = await build({ nextCardNo })
      await this.#assertFree(record)
      const ops: BatchOp[] = [
        putOp(this.#accounts, record.id, record),
        ...indexKeys(record).map(([, key]) => putOp(this.#index, key, record.id)),
      ]
      if (record.roles.includes('admin')) ops.push(putOp(this.#index, adminPrefix + record.id, record.id))
      if (seq !== undefined) ops.push(putOp(this.#index, cardSeqKey, String(seq)))
      await this.storage.commit(ops, { sync: true })
      return record
    })
  }

  /**
   * Changes an account. `change` gets the current record and returns the new one (or `null`
   * for no change); index entries follow in the same batch.
   */
  /** `alongside`: other modules' writes that must land in the same batch (an audit entry). */
  async update(
    id: string,
    change: (current: AccountRecord) => AccountRecord | null,
    alongside?: (updated: AccountRecord) => BatchOp[],
  ): Promise<AccountRecord | undefined> {
    return this.#mutex.run(async () => {
      const current = await this.#accounts.get(id)
      if (!current) return undefined
      const next = change(current)
      if (!next) return current
      const updated: AccountRecord = { ...next, id, updatedAt: new Date().toISOString() }
      await this.#assertFree(updated)
      const oldKeys = new Set(indexKeys(current).map(([, k]) => k))
      const newKeys = new Set(indexKeys(updated).map(([, k]) => k))
      const ops: BatchOp[] = [putOp(this.#accounts, id, updated)]
      for (const k of oldKeys) if (!newKeys.has(k)) ops.push(delOp(this.#index, k))
      for (const k of newKeys) if (!oldKeys.has(k)) ops.push(putOp(this.#index, k, id))
      const wasAdmin = current.roles.includes('admin')
      const isAdmin = updated.roles.includes('admin')
      if (wasAdmin !== isAdmin) {
        ops.push(isAdmin ? putOp(this.#index, adminPrefix + id, id) : delOp(this.#index, adminPrefix + id))
      }
      if (alongside) ops.push(...alongside(updated))
      await this.storage.commit(ops, { sync: true })
      return updated
    })
  }

  async #assertFree(record: AccountRecord): Promise<void> {
    for (const [field, key] of indexKeys(record)) {
      const owner = await this.#index.get(key)
      if (owner && owner !== record.id) throw new AccountConflict(field)
    }
  }

  /** Lists accounts by id order; `q` matches card, phone, username or name (a scan: fine for a library's readers). */
  async list(opts: AccountListOptions): Promise<{ accounts: AccountRecord[]; nextCursor: string | null }> {
    const q = opts.q?.toLowerCase()
    const out: AccountRecord[] = []
    const range = opts.cursor ? { gt: opts.cursor } : {}
    for await (const [, a] of this.#accounts.iterator(range)) {
      if (opts.kind && a.kind !== opts.kind) continue
      if (opts.status && a.status !== opts.status) continue
      if (q && ![a.cardNo, a.phone, a.username, a.name].some((v) => v?.toLowerCase().includes(q))) continue
      if (out.length === opts.limit) return { accounts: out, nextCursor: out[out.length - 1]!.id }
      out.push(a)
    }
    return { accounts: out, nextCursor: null }
  }
}

/** What other modules may read of the accounts: lookups and the staff's list. Changes go through `AccountService`. */
export type AccountRecords = Pick<AccountStore, 'get' | 'findBy' | 'hasAdmin' | 'list'>
