/**
 * @module shard-store
 * Where a sharded catalog keeps its shards: per shard, an ordered log of Yjs updates, each with
 * the state vector it reaches (so that "what does this shard hold?" is answered without reading
 * a single update). The node keeps it in LevelDB; {@link MemoryShardStore} serves tests.
 */

export interface ShardEntry {
  seq: number
  update: Uint8Array
  /** The entry's end clock per client (`Y.parseUpdateMeta(update).to`), encoded as a state vector. */
  sv: Uint8Array
}

export interface ShardStore {
  /** Every entry's state vector, per shard of `catalog`: what the catalog holds, without its updates. */
  states(catalog: string): Promise<Map<number, Array<{ seq: number; sv: Uint8Array }>>>
  /** One shard's entries, oldest first (from seq `from` on, when given). */
  entries(catalog: string, shard: number, from?: number): Promise<ShardEntry[]>
  /** Appends one entry (one atomic write) and returns its seq. */
  append(catalog: string, shard: number, update: Uint8Array, sv: Uint8Array): Promise<number>
  /** Replaces the entries up to `upTo` (inclusive) with one merged entry, atomically. */
  compact(catalog: string, shard: number, upTo: number, merged: Uint8Array, sv: Uint8Array): Promise<void>
}

/** Keeps everything in memory (tests, benchmarks of the protocol alone). */
export class MemoryShardStore implements ShardStore {
  readonly #shards = new Map<string, ShardEntry[]>()
  #seq = 0

  async states(catalog: string) {
    const out = new Map<number, Array<{ seq: number; sv: Uint8Array }>>()
    for (const [key, list] of this.#shards) {
      const [cat, shard] = key.split('\u0000') as [string, string]
      if (cat === catalog)
        out.set(
          Number(shard),
          list.map(({ seq, sv }) => ({ seq, sv })),
        )
    }
    return out
  }

  async entries(catalog: string, shard: number, from = 0) {
    return (this.#shards.get(`${catalog}\u0000${shard}`) ?? []).filter((e) => e.seq >= from)
  }

  async append(catalog: string, shard: number, update: Uint8Array, sv: Uint8Array) {
    const key = `${catalog}\u0000${shard}`
    const seq = ++this.#seq
    this.#shards.set(key, [...(this.#shards.get(key) ?? []), { seq, update, sv }])
    return seq
  }

  async compact(catalog: string, shard: number, upTo: number, merged: Uint8Array, sv: Uint8Array) {
    const key = `${catalog}\u0000${shard}`
    const rest = (this.#shards.get(key) ?? []).filter((e) => e.seq > upTo)
    this.#shards.set(key, [{ seq: upTo, update: merged, sv }, ...rest])
  }
}
