/**
 * @module catalog
 * A large replicated collection of records (a channel's catalog: 100k records and more) split
 * into shard documents so that no node ever holds it in memory at once. Each shard is a Yjs
 * document (one map, record id → record) kept as an update log in a {@link ShardStore}; a
 * shard is loaded only to read or write it and dropped right after.
 *
 * Peers compare catalogs by their shards' state vectors, kept beside the logs: a shard whose
 * vector the other side already covers costs nothing, and a changed shard sends only the log
 * entries the other side lacks, cut with `Y.diffUpdate` without building a document. That
 * needs one discipline: records are only ever set, never deleted (a withdrawn record is set to
 * `null`), so every change creates a struct and shows in the state vector.
 *
 * @example
 * ```ts
 * const cat = new ShardedCatalog('channel-hub-books', store, { clientId: 7 })
 * await cat.put([['r1', { title: '静夜思' }]])
 * await cat.get('r1') // { title: '静夜思' }
 * ```
 */
import * as Y from 'yjs'
import { catalogName } from '@shulin/protocol'
import { covers, decodeClocks, encodeClocks, lacksAll, raise, structRange, type Clocks } from './state-vector.js'
import type { ShardStore } from './shard-store.js'

/** Shards per catalog, network-wide: 100k records → ~390 per shard. */
export const CATALOG_SHARDS = 256
const ROOT = 'r'

export class CatalogError extends Error {
  override readonly name = 'CatalogError'
  constructor(
    readonly reason: 'malformed' | 'gap' | 'too_large' | 'refused',
    message: string,
  ) {
    super(message)
  }
}

/** FNV-1a over the id's UTF-16 code units: stable on every node, spreads ULIDs evenly. */
export function shardOf(id: string, shards = CATALOG_SHARDS): number {
  let h = 0x811c9dc5
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193)
  return (h >>> 0) % shards
}

export interface CatalogOptions {
  shards?: number
  /** This node's Yjs client id for the catalog (stable, so shards do not collect a client per write). */
  clientId: number
  /** Merge a shard's log once it has this many entries. */
  compactAfter?: number
  /** Largest update a peer may send for one shard. */
  maxUpdateBytes?: number
  /**
   * Where the newest log entries are kept in memory beside their state vectors, so that a peer
   * asking for a recent change is answered without reading the store (see
   * {@link ShardedCatalog.diffFor}); one cache for every catalog of the process by default.
   */
  tailCache?: TailCache
  /**
   * What a peer may write: called for every record a peer's update would change, with the new
   * value and the one it replaces; one refusal refuses the whole update (nothing is stored).
   * Without it any peer allowed to sync may overwrite any record. Local writes are not checked.
   */
  accept?: CatalogRule | undefined
}

/** Whether a peer may set record `id` to `next` (over `prev`, `undefined` if it is new). */
export type CatalogRule = (id: string, next: unknown, prev: unknown) => boolean | Promise<boolean>

export interface LogEntry {
  seq: number
  clocks: Clocks
  /** The entry's update, while it is in the tail cache… */
  update?: Uint8Array | undefined
  /** …and where it starts per client (a peer that lacks all of it is sent it as it is). */
  from?: Clocks | undefined
}

/**
 * The newest small log entries of every catalog that shares it, oldest evicted first, within a
 * byte budget for the whole process: a hub holds thousands of channel catalogs, and a budget per
 * catalog would have grown with their number.
 */
export class TailCache {
  /** Larger entries (a whole shard's first copy) are not kept: peers ask for small changes next. */
  static readonly maxEntryBytes = 64 * 1024
  readonly #entries = new Set<LogEntry>()
  #bytes = 0

  constructor(readonly budgetBytes: number) {}

  /** Bytes held now. */
  get bytes(): number {
    return this.#bytes
  }

  add(entry: LogEntry, update: Uint8Array, from?: Clocks): void {
    if (update.byteLength > Math.min(this.budgetBytes, TailCache.maxEntryBytes)) return
    // A copy: a peer's update is often a view into a larger network buffer it would keep alive.
    entry.update = update.slice()
    entry.from = from
    this.#entries.add(entry)
    this.#bytes += update.byteLength
    while (this.#bytes > this.budgetBytes) this.drop(this.#entries.values().next().value!)
  }

  drop(entry: LogEntry): void {
    if (!entry.update) return
    this.#bytes -= entry.update.byteLength
    entry.update = undefined
    entry.from = undefined
    this.#entries.delete(entry)
  }
}

/** Every catalog's tail cache unless it is given one: 32 MiB for the process. */
const sharedTailCache = new TailCache(32 * 1024 * 1024)

interface ShardState {
  clocks: Clocks
  entries: LogEntry[]
}

export class ShardedCatalog {
  readonly shards: number
  readonly #clientId: number
  readonly #compactAfter: number
  readonly #maxUpdate: number
  readonly #accept: CatalogRule | undefined
  readonly #tail: TailCache
  #states: Promise<Map<number, ShardState>> | undefined
  readonly #locks = new Map<number, Promise<unknown>>()
  readonly #listeners = new Set<(shard: number) => void>()

  constructor(
    readonly name: string,
    private readonly store: ShardStore,
    opts: CatalogOptions,
  ) {
    if (!catalogName.test(name)) throw new CatalogError('malformed', `bad catalog name ${JSON.stringify(name)}`)
    this.shards = opts.shards ?? CATALOG_SHARDS
    this.#clientId = opts.clientId
    this.#compactAfter = opts.compactAfter ?? 32
    this.#maxUpdate = opts.maxUpdateBytes ?? 8 * 1024 * 1024
    this.#accept = opts.accept
    this.#tail = opts.tailCache ?? sharedTailCache
  }

  /** Per shard, what it holds (read once from the store's state vectors, then kept current). */
  #state(): Promise<Map<number, ShardState>> {
    this.#states ??= this.store.states(this.name).then((stored) => {
      const out = new Map<number, ShardState>()
      for (const [shard, list] of stored) {
        const entries = list.map((e) => ({ seq: e.seq, clocks: decodeClocks(e.sv) }))
        out.set(shard, { entries, clocks: entries.reduce((acc, e) => raise(acc, e.clocks), new Map<number, number>()) })
      }
      return out
    })
    return this.#states
  }

  /** Runs `fn` alone on `shard` (writes to one shard never interleave). */
  #locked<T>(shard: number, fn: () => Promise<T>): Promise<T> {
    const prev = this.#locks.get(shard) ?? Promise.resolve()
    const next = prev.then(fn, fn)
    const tail = next.catch(() => undefined)
    this.#locks.set(shard, tail)
    void tail.then(() => this.#locks.get(shard) === tail && this.#locks.delete(shard))
    return next
  }

  async #load(shard: number): Promise<Y.Doc> {
    const entries = await this.store.entries(this.name, shard)
    const doc = new Y.Doc({ gc: true })
    if (entries.length)
      Y.applyUpdate(doc, entries.length === 1 ? entries[0]!.update : Y.mergeUpdates(entries.map((e) => e.update)))
    // Only now: Yjs gives a document a new client id when a remote update brings structs of its
    // own, which our stored ones are; writes then continue this node's clock in the shard.
    doc.clientID = this.#clientId
    return doc
  }

  /** Called after a shard took something new (a local write or a peer's update). */
  onChange(listener: (shard: number) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Appends `update`, which runs `from`…`clocks` per client, to the shard's log. */
  async #append(shard: number, update: Uint8Array, clocks: Clocks, from: Clocks): Promise<void> {
    const seq = await this.store.append(this.name, shard, update, encodeClocks(clocks))
    queueMicrotask(() => this.#listeners.forEach((l) => l(shard)))
    const states = await this.#state()
    const st: ShardState = states.get(shard) ?? { clocks: new Map(), entries: [] }
    states.set(shard, st)
    const entry: LogEntry = { seq, clocks }
    st.entries.push(entry)
    this.#tail.add(entry, update, from)
    raise(st.clocks, clocks)
    if (st.entries.length >= this.#compactAfter) {
      for (const e of st.entries) this.#tail.drop(e)
      const entries = await this.store.entries(this.name, shard)
      const last = entries.at(-1)!
      await this.store.compact(
        this.name,
        shard,
        last.seq,
        Y.mergeUpdates(entries.map((e) => e.update)),
        encodeClocks(st.clocks),
      )
      st.entries = [{ seq: last.seq, clocks: new Map(st.clocks) }]
    }
  }

  /** Sets records (`null` marks a withdrawn one); unchanged values write nothing. */
  async put(records: Iterable<readonly [string, unknown]>): Promise<number> {
    const byShard = new Map<number, Array<readonly [string, unknown]>>()
    for (const r of records) {
      const k = shardOf(r[0], this.shards)
      byShard.set(k, [...(byShard.get(k) ?? []), r])
    }
    let changed = 0
    for (const [shard, list] of byShard) {
      changed += await this.#locked(shard, async () => {
        const doc = await this.#load(shard)
        try {
          const map = doc.getMap<unknown>(ROOT)
          const before = Y.encodeStateVector(doc)
          let n = 0
          doc.transact(() => {
            for (const [id, value] of list) {
              if (map.has(id) && JSON.stringify(map.get(id)) === JSON.stringify(value)) continue
              map.set(id, value)
              n++
            }
          })
          if (!n) return 0
          const update = Y.encodeStateAsUpdate(doc, before)
          const meta = Y.parseUpdateMeta(update)
          await this.#append(shard, update, meta.to, meta.from)
          return n
        } finally {
          doc.destroy()
        }
      })
    }
    return changed
  }

  async get(id: string): Promise<unknown> {
    const doc = await this.#load(shardOf(id, this.shards))
    try {
      return doc.getMap<unknown>(ROOT).get(id)
    } finally {
      doc.destroy()
    }
  }

  /** Every record, one shard in memory at a time. */
  async *records(): AsyncGenerator<[string, unknown]> {
    for (let shard = 0; shard < this.shards; shard++)
      if ((await this.#state()).has(shard)) yield* await this.shardRecords(shard)
  }

  /** One shard's records. */
  async shardRecords(shard: number): Promise<Array<[string, unknown]>> {
    const doc = await this.#load(shard)
    try {
      return [...doc.getMap<unknown>(ROOT).entries()]
    } finally {
      doc.destroy()
    }
  }

  /** How many shards hold something (how far a first pull has come). */
  async filledShards(): Promise<number> {
    return (await this.#state()).size
  }

  /** Each shard's state vector (empty for an empty shard), to send to a peer. */
  async stateVectors(): Promise<Uint8Array[]> {
    const states = await this.#state()
    return Array.from({ length: this.shards }, (_, k) => encodeClocks(states.get(k)?.clocks ?? new Map()))
  }

  /**
   * How many items (record versions written) a peer with these state vectors, one per shard,
   * lacks of this catalog: from the clocks alone, nothing read from the store. Tells a first
   * copy from a change before anything is sent. A state vector that does not decode throws.
   */
  async lackedBy(remote: readonly Uint8Array[]): Promise<number> {
    let lacked = 0
    for (const [shard, st] of await this.#state()) {
      const theirs = remote[shard] ? decodeClocks(remote[shard]) : new Map<number, number>()
      for (const [client, clock] of st.clocks) lacked += Math.max(0, clock - (theirs.get(client) ?? 0))
    }
    return lacked
  }

  /**
   * What a peer with state vector `remote` lacks of `shard`, or nothing. Entries still in the
   * tail cache are answered from memory: reading them back from the store cost two LevelDB
   * iterators per changed shard, most of an incremental pull's time (256 shards changed by 1k
   * records took ~1.1 s of iterator time summed over the pull's window of eight). A cached
   * entry the peer lacks all of (a peer one change behind) goes as it is: `Y.diffUpdate` would
   * decode and re-encode it whole, a fifth of the answering side's work for such a pull.
   */
  async diffFor(shard: number, remote: Uint8Array): Promise<Uint8Array | undefined> {
    const st = (await this.#state()).get(shard)
    const theirs = decodeClocks(remote)
    if (!st || covers(theirs, st.clocks)) return undefined
    // Under the shard's lock, the entries read match the state (no append or compaction between).
    return this.#locked(shard, async () => {
      const missing = st.entries.filter((e) => !covers(theirs, e.clocks))
      const lacking = missing.map((e) => e.seq)
      // Usually the tail of the log: read from its first entry on, never the base before it.
      const entries: Array<{ update: Uint8Array; from?: Clocks | undefined }> = missing.every((e) => e.update)
        ? missing.map((e) => ({ update: e.update!, from: e.from }))
        : (await this.store.entries(this.name, shard, lacking[0])).filter((e) => lacking.includes(e.seq))
      // A peer that has nothing of this shard, or nothing of an entry, gets it as it is.
      const diffs = entries.map((e) =>
        !theirs.size || (e.from && lacksAll(theirs, e.from)) ? e.update : Y.diffUpdate(e.update, remote),
      )
      return diffs.length === 1 ? diffs[0] : Y.mergeUpdates(diffs)
    })
  }

  /**
   * Takes what a peer sent for `shard`. The update must decode, carry structs, and start no
   * later than this shard's clocks (a gap would leave structs waiting forever); nothing is
   * stored otherwise. Returns whether anything was new.
   */
  async receive(shard: number, update: Uint8Array): Promise<boolean> {
    if (!Number.isInteger(shard) || shard < 0 || shard >= this.shards)
      throw new CatalogError('malformed', `no shard ${shard}`)
    if (update.byteLength > this.#maxUpdate) throw new CatalogError('too_large', `update of ${update.byteLength} bytes`)
    let meta: { from: Clocks; to: Clocks }
    try {
      // Decoded whole (structs and delete set) to check it, once: the range comes from the same pass.
      meta = structRange(Y.decodeUpdate(update).structs)
    } catch (err) {
      throw new CatalogError('malformed', `update does not decode: ${(err as Error).message}`)
    }
    if (!meta.to.size) return false
    return this.#locked(shard, async () => {
      const have = (await this.#state()).get(shard)?.clocks ?? new Map<number, number>()
      for (const [client, from] of meta.from)
        if (from > (have.get(client) ?? 0))
          throw new CatalogError(
            'gap',
            `shard ${shard}: client ${client} starts at ${from}, this node has ${have.get(client) ?? 0}`,
          )
      if (covers(have, meta.to)) return false
      if (this.#accept) await this.#check(shard, update)
      await this.#append(shard, update, meta.to, meta.from)
      return true
    })
  }

  /** Applies `update` to a copy of the shard and asks the rule about every record it changes. */
  async #check(shard: number, update: Uint8Array): Promise<void> {
    const doc = await this.#load(shard)
    try {
      const map = doc.getMap<unknown>(ROOT)
      const changes: Array<{ id: string; prev: unknown; action: string }> = []
      map.observe((e) => {
        for (const [id, c] of e.changes.keys) changes.push({ id, prev: c.oldValue, action: c.action })
      })
      Y.applyUpdate(doc, update)
      // All at once: a rule that checks signatures spreads them over the thread pool.
      const verdicts = await Promise.all(
        changes.map(
          async ({ id, prev, action }) => action !== 'delete' && (await this.#accept!(id, map.get(id), prev)),
        ),
      )
      // Records are never deleted (withdrawn is a value), so a deletion breaks the rule too.
      const bad = verdicts.indexOf(false)
      if (bad >= 0)
        throw new CatalogError(
          'refused',
          `shard ${shard}: a peer's change to record ${JSON.stringify(changes[bad]!.id).slice(0, 80)} is not allowed`,
        )
    } finally {
      doc.destroy()
    }
  }
}
