/**
 * @module live/store
 * The live lectures' records. Owns the sublevel `live`: `<id>` → {@link LiveRecord}, and
 * `live-remind`: `<due ms, base36 fixed width>!<live id>!<account id>` → the reminder, so the
 * reminders that are due are one key range in order and survive a restart.
 *
 * A stream key is never stored: only its SHA-256 (the key is 32 random bytes, so a plain hash is
 * as strong as a slow one would be, and the ingest compares it in constant time).
 */
import type { AccessPolicy, LiveStatus } from '@shulin/protocol'
import { getOrUndefined, putOp, delOp, type BatchOp, type Storage, type Sublevel } from '../storage/db.js'

export interface LiveRecord {
  id: string
  title: string
  description?: string
  start: string
  speakers: Array<{ name: string; bio?: string }>
  course: string | null
  access: AccessPolicy
  status: LiveStatus
  startedAt: string | null
  endedAt: string | null
  /** SHA-256 of the stream key (base64url); null for a mirror (no encoder pushes to it). */
  keyHash: string | null
  /** Null: this node's own lecture; else the hub whose lecture this node relays. */
  origin: { nodeId: string; name: string } | null
  /** The lecture (resource id) the recording became. */
  replay: string | null
  /** Why the replay could not be made, when it could not. */
  replayError?: string
  createdAt: string
}

export interface Reminder {
  liveId: string
  accountId: string
  /** When the notice is due (ms since the epoch). */
  due: number
}

const dueKey = (r: Reminder) => `${r.due.toString(36).padStart(10, '0')}!${r.liveId}!${r.accountId}`

export class LiveStore {
  readonly #lectures: Sublevel<LiveRecord>
  readonly #reminders: Sublevel<Reminder>

  constructor(private readonly storage: Storage) {
    this.#lectures = storage.sublevel('live')
    this.#reminders = storage.sublevel('live-remind')
  }

  get(id: string): Promise<LiveRecord | undefined> {
    return getOrUndefined(this.#lectures, id)
  }

  async put(record: LiveRecord): Promise<void> {
    await this.storage.commit([putOp(this.#lectures, record.id, record)], { sync: true })
  }

  async all(): Promise<LiveRecord[]> {
    return this.#lectures.values().all()
  }

  async addReminder(r: Reminder): Promise<void> {
    await this.storage.commit([putOp(this.#reminders, dueKey(r), r)], { sync: true })
  }

  /** Reminders due at or before `now`, oldest first. */
  async dueReminders(now: number, limit = 500): Promise<Reminder[]> {
    return this.#reminders.values({ lte: `${now.toString(36).padStart(10, '0')}!\uffff`, limit }).all()
  }

  async dropReminders(rs: Reminder[]): Promise<void> {
    const ops: BatchOp[] = rs.map((r) => delOp(this.#reminders, dueKey(r)))
    if (ops.length) await this.storage.commit(ops, { sync: true })
  }

  /** The next due time, to sleep until it. */
  async nextDue(): Promise<number | undefined> {
    const [first] = await this.#reminders.values({ limit: 1 }).all()
    return first?.due
  }
}
