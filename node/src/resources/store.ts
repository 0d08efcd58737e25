/**
 * @module resources/store
 * Resource records. Owns four sublevels:
 *
 * - `resources`: id → record (ids are ULIDs: sortable by creation)
 * - `resource-ids`: canonical identifier → id (one record per ISBN/ISSN/URN on this node)
 * - `resource-changes`: `<updatedAt>!<id>` → id, the datestamp order OAI-PMH and feeds read
 * - `resource-tombstones`: id → deletion time, so harvesters learn of deletions (persistent)
 *
 * Every change to a record and its indexes is one batch, under a mutex.
 */
import { monotonicFactory } from 'ulid'
import type { Resource } from '@shulin/protocol'
import { delOp, putOp, type BatchOp, type Storage, type Sublevel } from '../storage/db.js'
import { Mutex } from '../storage/mutex.js'

export interface Tombstone {
  id: string
  deletedAt: string
  type: Resource['type']
}

/** Another record already holds one of the identifiers. */
export class IdentifierConflict extends Error {
  override readonly name = 'IdentifierConflict'
  constructor(
    readonly identifier: string,
    readonly ownerId: string,
  ) {
    super(`${identifier} already belongs to ${ownerId}`)
  }
}

const changeKey = (r: { updatedAt: string; id: string }) => `${r.updatedAt}!${r.id}`

export type ResourceChange =
  { kind: 'put'; resource: Resource; previous: Resource | undefined } | { kind: 'delete'; resource: Resource }

export class ResourceStore {
  readonly #resources: Sublevel<Resource>
  readonly #ids: Sublevel<string>
  readonly #changes: Sublevel<string>
  readonly #tombstones: Sublevel<Tombstone>
  readonly #mutex = new Mutex()
  readonly #ulid = monotonicFactory()
  readonly #listeners = new Set<(changes: ResourceChange[]) => void>()

  constructor(private readonly storage: Storage) {
    this.#resources = storage.sublevel<Resource>('resources')
    this.#ids = storage.sublevel<string>('resource-ids')
    this.#changes = storage.sublevel<string>('resource-changes')
    this.#tombstones = storage.sublevel<Tombstone>('resource-tombstones')
  }

  newId(): string {
    return this.#ulid()
  }

  /** Called after every committed change (the search index follows it). */
  onChange(listener: (changes: ResourceChange[]) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  get(id: string): Promise<Resource | undefined> {
    return this.#resources.get(id)
  }

  async getMany(ids: string[]): Promise<Array<Resource | undefined>> {
    return ids.length ? this.#resources.getMany(ids) : []
  }

  async findByIdentifier(identifier: string): Promise<Resource | undefined> {
    const id = await this.#ids.get(identifier)
    return id ? this.get(id) : undefined
  }

  /** Runs `fn` under the store's lock: read-check-write sequences cannot interleave. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.#mutex.run(fn)
  }

  /**
   * Writes records (new or changed) with their index entries in one batch (and `with`: another
   * module's operations that must land with them). Call inside {@link exclusive}. Throws
   * {@link IdentifierConflict} before writing anything.
   */
  async writeUnlocked(records: Resource[], opts: { sync: boolean; with?: readonly BatchOp[] }): Promise<void> {
    // Who holds each identifier once the batch is written: a record of the batch, or the
    // record that already held it (when that record is not part of the batch).
    const finalOwner = new Map<string, string>()
    for (const r of records) {
      for (const identifier of r.metadata.identifiers) {
        const other = finalOwner.get(identifier)
        if (other && other !== r.id) throw new IdentifierConflict(identifier, other)
        finalOwner.set(identifier, r.id)
      }
    }
    const inBatch = new Set(records.map((r) => r.id))
    const identifiers = [...finalOwner.keys()]
    const holders = await this.ownersOf(identifiers)
    identifiers.forEach((identifier, i) => {
      const holder = holders[i]
      if (holder && holder !== finalOwner.get(identifier) && !inBatch.has(holder))
        throw new IdentifierConflict(identifier, holder)
    })
    const ops: BatchOp[] = []
    const changes: ResourceChange[] = []
    const previous = await this.getMany(records.map((r) => r.id))
    for (const [i, record] of records.entries()) {
      const before = previous[i]
      const oldIds = new Set(before?.metadata.identifiers ?? [])
      const newIds = new Set(record.metadata.identifiers)
      // An identifier this record gives up is deleted only if no record of the batch takes it
      // (a batch applies in order: a later delete would undo another record's put).
      for (const id of oldIds) if (!newIds.has(id) && !finalOwner.has(id)) ops.push(delOp(this.#ids, id))
      for (const id of newIds) if (!oldIds.has(id)) ops.push(putOp(this.#ids, id, record.id))
      if (before) ops.push(delOp(this.#changes, changeKey(before)))
      ops.push(putOp(this.#changes, changeKey(record), record.id), putOp(this.#resources, record.id, record))
      changes.push({ kind: 'put', resource: record, previous: before })
    }
    await this.storage.commit([...ops, ...(opts.with ?? [])], { sync: opts.sync })
    this.#emit(changes)
  }

  /** The record holding each identifier, in order (undefined where none does). */
  async ownersOf(identifiers: string[]): Promise<Array<string | undefined>> {
    return identifiers.length ? this.#ids.getMany(identifiers) : []
  }

  /** Removes a record for good, leaving a tombstone for harvesters. Call inside {@link exclusive}. */
  async deleteUnlocked(record: Resource, deletedAt: string): Promise<void> {
    const ops: BatchOp[] = [
      delOp(this.#resources, record.id),
      delOp(this.#changes, changeKey(record)),
      ...record.metadata.identifiers.map((id) => delOp(this.#ids, id)),
      putOp(this.#tombstones, record.id, { id: record.id, deletedAt, type: record.type }),
      putOp(this.#changes, `${deletedAt}!${record.id}`, record.id),
    ]
    await this.storage.commit(ops, { sync: true })
    this.#emit([{ kind: 'delete', resource: record }])
  }

  #emit(changes: ResourceChange[]): void {
    for (const l of this.#listeners) l(changes)
  }

  tombstone(id: string): Promise<Tombstone | undefined> {
    return this.#tombstones.get(id)
  }

  /** The oldest change time still listed (a harvester's earliest datestamp). */
  async earliestChange(): Promise<string | undefined> {
    for await (const key of this.#changes.keys({ limit: 1 })) return key.split('!')[0]
    return undefined
  }

  /** The newest change's cursor (`<time>!<id>`), if any. */
  async latestChange(): Promise<string | undefined> {
    for await (const key of this.#changes.keys({ reverse: true, limit: 1 })) return key
    return undefined
  }

  /** Records (and tombstones) by change time, oldest first, from `after` (exclusive) up to `until` (inclusive). */
  async *changesSince(
    opts: { from?: string; until?: string; after?: string } = {},
  ): AsyncGenerator<Resource | Tombstone> {
    const range: { gt?: string; gte?: string; lte?: string } = {}
    if (opts.after) range.gt = opts.after
    else if (opts.from) range.gte = opts.from
    if (opts.until) range.lte = `${opts.until}!\uffff`
    for await (const [key, id] of this.#changes.iterator(range)) {
      const record = await this.get(id)
      if (record && changeKey(record) === key) yield record
      else if (!record) {
        const tomb = await this.#tombstones.get(id)
        if (tomb && `${tomb.deletedAt}!${id}` === key) yield tomb
      }
    }
  }

  /** All records by id (creation order), from `cursor` (exclusive). */
  async *all(cursor?: string): AsyncGenerator<Resource> {
    for await (const [, r] of this.#resources.iterator(cursor ? { gt: cursor } : {})) yield r
  }

  /** All records newest first (ids are creation-ordered), from `before` (exclusive). */
  async *newestFirst(before?: string): AsyncGenerator<Resource> {
    for await (const [, r] of this.#resources.iterator({ reverse: true, ...(before ? { lt: before } : {}) })) yield r
  }

  async count(): Promise<number> {
    let n = 0
    for await (const _ of this.#resources.keys()) n++
    return n
  }
}

/**
 * What other modules may read of the records: lookups, listings, the change feed and its
 * events. Writes go through `ResourceService`, which holds the lock and the rules.
 */
export type ResourceRecords = Pick<
  ResourceStore,
  | 'onChange'
  | 'get'
  | 'getMany'
  | 'findByIdentifier'
  | 'tombstone'
  | 'earliestChange'
  | 'latestChange'
  | 'changesSince'
  | 'all'
  | 'newestFirst'
  | 'count'
>

export const changeCursor = changeKey
