/**
 * @module activities/events/store
 * Event sign-ups in the sublevel `activity-signups` (this module's alone):
 *
 * - `s!<activity>!<sign-up>` → the sign-up record
 * - `r!<activity>!<account>` → the reader's current sign-up there (one per reader)
 * - `m!<account>!<activity>` → the same, listed from the reader's side ("my sign-ups")
 * - `w!<activity>!<seq>` → a waiting sign-up, in the order they came (seq zero-padded)
 * - `t!<activity>` → the event's totals and its last seq
 *
 * Every change is one synced batch built by the service under the activity's lock, so the
 * totals, the waiting list and the records never disagree, even after a crash.
 */
import type { SignupStatus } from '@shulin/protocol'
import { putOp, delOp, type BatchOp, type Storage, type Sublevel } from '../../storage/db.js'

export interface SignupRecord {
  /** Opaque, random: the id in the check-in code. */
  id: string
  activity: string
  account: string
  status: SignupStatus
  /** Order of arrival in the activity (the waiting list's order). */
  seq: number
  createdAt: string
  updatedAt: string
  checkedInAt: string | null
  cancelledAt: string | null
}

export interface SignupTotals {
  /** Seats held: confirmed and checked in. */
  seated: number
  waitlisted: number
  checkedIn: number
  /** The last seq given out. */
  seq: number
}

type Value = SignupRecord | SignupTotals | string

const emptyTotals: SignupTotals = { seated: 0, waitlisted: 0, checkedIn: 0, seq: 0 }
const seqKey = (seq: number) => String(seq).padStart(12, '0')

export class SignupStore {
  readonly #db: Sublevel<Value>

  constructor(private readonly storage: Storage) {
    this.#db = storage.sublevel<Value>('activity-signups')
  }

  async get(activity: string, signup: string): Promise<SignupRecord | undefined> {
    return (await this.#db.get(`s!${activity}!${signup}`)) as SignupRecord | undefined
  }

  /** The reader's current sign-up for an activity (the latest, cancelled or not). */
  async ofReader(activity: string, account: string): Promise<SignupRecord | undefined> {
    const id = (await this.#db.get(`r!${activity}!${account}`)) as string | undefined
    return id ? this.get(activity, id) : undefined
  }

  async totals(activity: string): Promise<SignupTotals> {
    return ((await this.#db.get(`t!${activity}`)) as SignupTotals | undefined) ?? { ...emptyTotals }
  }

  /** The first `limit` waiting sign-up ids, in order. */
  async waiting(activity: string, limit: number): Promise<string[]> {
    if (limit <= 0) return []
    return (await this.#db.values({ gt: `w!${activity}!`, lt: `w!${activity}!~`, limit }).all()) as string[]
  }

  /** Place on the waiting list, 1 first. */
  async position(record: SignupRecord): Promise<number> {
    const ahead = await this.#db
      .keys({ gt: `w!${record.activity}!`, lt: `w!${record.activity}!${seqKey(record.seq)}` })
      .all()
    return ahead.length + 1
  }

  /** Every sign-up of an activity, in order of arrival. */
  async all(activity: string): Promise<SignupRecord[]> {
    const rows = (await this.#db.values({ gt: `s!${activity}!`, lt: `s!${activity}!~` }).all()) as SignupRecord[]
    return rows.sort((a, b) => a.seq - b.seq)
  }

  /** A reader's sign-ups, one per activity (the latest). */
  async ofAccount(account: string): Promise<SignupRecord[]> {
    const pairs = (await this.#db.iterator({ gt: `m!${account}!`, lt: `m!${account}!~` }).all()) as Array<
      [string, string]
    >
    const records = await Promise.all(pairs.map(([k, id]) => this.get(k.slice(`m!${account}!`.length), id)))
    return records.filter((r): r is SignupRecord => r !== undefined)
  }

  /** Ops writing a sign-up: the record, its indexes, and its place on the waiting list or off it. */
  put(record: SignupRecord, was?: SignupRecord): BatchOp[] {
    const ops: BatchOp[] = [putOp(this.#db, `s!${record.activity}!${record.id}`, record)]
    if (!was) {
      ops.push(putOp(this.#db, `r!${record.activity}!${record.account}`, record.id))
      ops.push(putOp(this.#db, `m!${record.account}!${record.activity}`, record.id))
    }
    const waitKey = `w!${record.activity}!${seqKey(record.seq)}`
    if (record.status === 'waitlisted' && was?.status !== 'waitlisted') ops.push(putOp(this.#db, waitKey, record.id))
    if (record.status !== 'waitlisted' && was?.status === 'waitlisted') ops.push(delOp(this.#db, waitKey))
    return ops
  }

  putTotals(activity: string, totals: SignupTotals): BatchOp {
    return putOp(this.#db, `t!${activity}`, totals)
  }

  commit(ops: BatchOp[]): Promise<void> {
    return this.storage.commit(ops, { sync: true })
  }
}
