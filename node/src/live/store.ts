/**
 * @module live/store
 * The live lectures' records. Owns the sublevel `live`: `<id>` → {@link LiveRecord}, and
 * `live-remind`: `<due ms, base36 fixed width>!<live id>!<account id>` → the reminder, so the
 * reminders that are due are one key range in order and survive a restart; and
 * `live-reminded`: `<live id>!<account id>` → the due time of that reader's one reminder, so a
 * reader's page can say "已设提醒", cancel it, and asking twice keeps one reminder.
 *
 * A stream key is never stored: only its SHA-256 (the key is 32 random bytes, so a plain hash is
 * as strong as a slow one would be, and the ingest compares it in constant time).
 */
import type { AccessPolicy, LiveStatus } from '@shulin/protocol'
import { getOrUndefined, putOp, delOp, type BatchOp, type Storage, type Sublevel } from '../storage/db.js'
import { Mutex } from '../storage/mutex.js'

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
const whoKey = (liveId: string, accountId: string) => `${liveId}!${accountId}`

export class LiveStore {
  readonly #lectures: Sublevel<LiveRecord>
  readonly #reminders: Sublevel<Reminder>
  /** `<live id>!<account id>` → its reminder's due time (one per reader and lecture). */
  readonly #reminded: Sublevel<number>
  /** Reminders' read-then-write (a reader pressing twice at once still leaves one). */
  readonly #remindMutex = new Mutex()

  constructor(private readonly storage: Storage) {
    this.#lectures = storage.sublevel('live')
    this.#reminders = storage.sublevel('live-remind')
    this.#reminded = storage.sublevel('live-reminded')
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

  /** Files a reader's reminder, replacing the one they had for this lecture (asking twice keeps one). */
  addReminder(r: Reminder): Promise<void> {
    return this.#remindMutex.run(async () => {
      const who = whoKey(r.liveId, r.accountId)
      const old = await getOrUndefined(this.#reminded, who)
      const ops: BatchOp[] = [putOp(this.#reminders, dueKey(r), r), putOp(this.#reminded, who, r.due)]
      if (old !== undefined && old !== r.due) ops.unshift(delOp(this.#reminders, dueKey({ ...r, due: old })))
      await this.storage.commit(ops, { sync: true })
    })
  }

  /** When this reader's reminder for this lecture is due, if they have one not yet sent. */
  async reminderDue(liveId: string, accountId: string): Promise<number | undefined> {
    return getOrUndefined(this.#reminded, whoKey(liveId, accountId))
  }

  /** Cancels a reader's reminder; false when there was none. */
  cancelReminder(liveId: string, accountId: string): Promise<boolean> {
    return this.#remindMutex.run(async () => {
      const who = whoKey(liveId, accountId)
      const due = await getOrUndefined(this.#reminded, who)
      if (due === undefined) return false
      await this.storage.commit(
        [delOp(this.#reminders, dueKey({ liveId, accountId, due })), delOp(this.#reminded, who)],
        {
          sync: true,
        },
      )
      return true
    })
  }

  /** Reminders due at or before `now`, oldest first. */
  async dueReminders(now: number, limit = 500): Promise<Reminder[]> {
    return this.#reminders.values({ lte: `${now.toString(36).padStart(10, '0')}!\uffff`, limit }).all()
  }

  /** Drops reminders that were sent (and their reader's entry, unless it was filed again meanwhile). */
  dropReminders(rs: Reminder[]): Promise<void> {
    return this.#remindMutex.run(async () => {
      const ops: BatchOp[] = []
      for (const r of rs) {
        ops.push(delOp(this.#reminders, dueKey(r)))
        const who = whoKey(r.liveId, r.accountId)
        if ((await getOrUndefined(this.#reminded, who)) === r.due) ops.push(delOp(this.#reminded, who))
      }
      if (ops.length) await this.storage.commit(ops, { sync: true })
    })
  }

  /** The next due time, to sleep until it. */
  async nextDue(): Promise<number | undefined> {
    const [first] = await this.#reminders.values({ limit: 1 }).all()
    return first?.due
  }
}
