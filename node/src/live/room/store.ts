/**
 * @module live/room/store
 * The rooms' log, in the sublevel `live-room` (one per node, every lecture's room in it):
 * - `msg!<liveId>!<id>` → a question or comment as broadcast, with whether it is hidden; ids are
 *   time-ordered (ULID), so a room's messages are one key range in the order they were said;
 * - `vote!<liveId>!<id>!<author>` → 1: who upvoted what (once per reader per question);
 * - `mute!<liveId>!<author>` → until (ms): kept, so a muted reader reconnecting stays muted;
 * - `slow!<liveId>` → seconds of slow mode;
 * - `mod!<liveId>!<ulid>` → a moderator's act (hide, answered, mute, unmute, slow), by whom;
 * - `keywords` → the node's keyword filter (staff-edited; empty by default).
 */
import type { RoomComment, RoomQuestion } from '@shulin/protocol'
import { putOp, type BatchOp, type Storage, type Sublevel } from '../../storage/db.js'

export type RoomEntry = (RoomQuestion | RoomComment) & { hidden: boolean }

export interface ModerationAct {
  type: 'hide' | 'answered' | 'mute' | 'unmute' | 'slow'
  /** The moderator's author id (`account@node`), or `relay` for an act of the hub's room. */
  by: string
  at: string
  id?: string
  author?: string
  minutes?: number
  seconds?: number
}

type Value = RoomEntry | ModerationAct | number | string[]

const sep = '!'
const upper = '\uffff'

export class RoomStore {
  readonly #db: Sublevel<Value>

  constructor(private readonly storage: Storage) {
    this.#db = storage.sublevel('live-room')
  }

  async entry(liveId: string, id: string): Promise<RoomEntry | undefined> {
    return (await this.#db.get(`msg${sep}${liveId}${sep}${id}`)) as RoomEntry | undefined
  }

  putEntry(liveId: string, entry: RoomEntry): BatchOp {
    return putOp(this.#db, `msg${sep}${liveId}${sep}${entry.id}`, entry as Value)
  }

  /** The newest `limit` messages, oldest first (`limit` omitted: all of them). */
  async entries(liveId: string, limit?: number): Promise<RoomEntry[]> {
    const prefix = `msg${sep}${liveId}${sep}`
    const out: RoomEntry[] = []
    for await (const value of this.#db.values({
      gt: prefix,
      lt: prefix + upper,
      reverse: limit !== undefined,
      ...(limit !== undefined ? { limit } : {}),
    })) {
      out.push(value as RoomEntry)
    }
    return limit !== undefined ? out.reverse() : out
  }

  async voted(liveId: string, id: string, author: string): Promise<boolean> {
    return (await this.#db.get(`vote${sep}${liveId}${sep}${id}${sep}${author}`)) !== undefined
  }

  putVote(liveId: string, id: string, author: string): BatchOp {
    return putOp(this.#db, `vote${sep}${liveId}${sep}${id}${sep}${author}`, 1)
  }

  async mutedUntil(liveId: string, author: string): Promise<number> {
    return ((await this.#db.get(`mute${sep}${liveId}${sep}${author}`)) as number | undefined) ?? 0
  }

  putMute(liveId: string, author: string, until: number): BatchOp {
    return putOp(this.#db, `mute${sep}${liveId}${sep}${author}`, until)
  }

  async slow(liveId: string): Promise<number> {
    return ((await this.#db.get(`slow${sep}${liveId}`)) as number | undefined) ?? 0
  }

  putSlow(liveId: string, seconds: number): BatchOp {
    return putOp(this.#db, `slow${sep}${liveId}`, seconds)
  }

  putAct(liveId: string, key: string, act: ModerationAct): BatchOp {
    return putOp(this.#db, `mod${sep}${liveId}${sep}${key}`, act)
  }

  async acts(liveId: string): Promise<ModerationAct[]> {
    const prefix = `mod${sep}${liveId}${sep}`
    const out: ModerationAct[] = []
    for await (const value of this.#db.values({ gt: prefix, lt: prefix + upper })) out.push(value as ModerationAct)
    return out
  }

  async keywords(): Promise<string[]> {
    return ((await this.#db.get('keywords')) as string[] | undefined) ?? []
  }

  async setKeywords(words: string[]): Promise<void> {
    await this.storage.commit([putOp(this.#db, 'keywords', words)], { sync: true })
  }

  /** `sync` for a moderator's act (a mute must survive a machine crash); chat is written without. */
  commit(ops: BatchOp[], sync = false): Promise<void> {
    return this.storage.commit(ops, { sync })
  }
}
