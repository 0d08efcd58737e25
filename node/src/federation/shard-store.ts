/**
 * @module federation/shard-store
 * Sharded catalogs' update logs in LevelDB. Owns two sublevels, written together in one batch:
 * `catalog-updates` (`<catalog>!<shard, 4 digits>!<seq, 12 digits>` → update, base64) and
 * `catalog-svs` (the same key → the state vector that entry reaches), so that comparing a
 * catalog with a peer reads only the small vectors, never the updates.
 *
 * Appends are committed in groups: those that come while a batch is being written go together
 * in the next one (each append's two writes stay in one batch, so each is still atomic). A pull
 * of a 1k-record change appends to 256 shards at once; one LevelDB batch each made the
 * receiver's writes most of the pull's time.
 */
import type { ShardEntry, ShardStore } from '@shulin/federation'
import { delOp, putOp, type BatchOp, type Storage, type Sublevel } from '../storage/db.js'

const pad = (n: number, w: number) => String(n).padStart(w, '0')
const prefix = (catalog: string, shard: number) => `${catalog}!${pad(shard, 4)}!`
const b64 = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('base64')

export class LevelShardStore implements ShardStore {
  readonly #updates: Sublevel<string>
  readonly #svs: Sublevel<string>
  readonly #next = new Map<string, number>()
  /** The group of appends waiting for the batch being written, and that batch. */
  #group: { ops: BatchOp[]; done: Promise<void> } | undefined
  #writing: Promise<unknown> = Promise.resolve()

  constructor(private readonly storage: Storage) {
    this.#updates = storage.sublevel('catalog-updates')
    this.#svs = storage.sublevel('catalog-svs')
  }

  async states(catalog: string) {
    const out = new Map<number, Array<{ seq: number; sv: Uint8Array }>>()
    for await (const [key, sv] of this.#svs.iterator({ gt: `${catalog}!`, lt: `${catalog}!~` })) {
      const [, shard, seq] = key.split('!') as [string, string, string]
      const list = out.get(Number(shard)) ?? []
      list.push({ seq: Number(seq), sv: Buffer.from(sv, 'base64') })
      out.set(Number(shard), list)
    }
    return out
  }

  async entries(catalog: string, shard: number, from = 0): Promise<ShardEntry[]> {
    const p = prefix(catalog, shard)
    const range = { gte: p + pad(from, 12), lt: `${p}~` }
    const svs = new Map<string, string>()
    for await (const [key, sv] of this.#svs.iterator(range)) svs.set(key, sv)
    const out: ShardEntry[] = []
    for await (const [key, update] of this.#updates.iterator(range)) {
      out.push({
        seq: Number(key.slice(p.length)),
        update: Buffer.from(update, 'base64'),
        sv: Buffer.from(svs.get(key) ?? '', 'base64'),
      })
    }
    return out
  }

  async #seq(catalog: string, shard: number): Promise<number> {
    const p = prefix(catalog, shard)
    let next = this.#next.get(p)
    if (next === undefined) {
      next = 1
      for await (const key of this.#svs.keys({ gt: p, lt: `${p}~`, reverse: true, limit: 1 }))
        next = Number(key.slice(p.length)) + 1
    }
    this.#next.set(p, next + 1)
    return next
  }

  async append(catalog: string, shard: number, update: Uint8Array, sv: Uint8Array): Promise<number> {
    const seq = await this.#seq(catalog, shard)
    const key = prefix(catalog, shard) + pad(seq, 12)
    await this.#commit([putOp(this.#updates, key, b64(update)), putOp(this.#svs, key, b64(sv))])
    return seq
  }

  /** Joins the group waiting for the current batch, or starts one written right after it. */
  #commit(ops: BatchOp[]): Promise<void> {
    if (!this.#group) {
      const group: { ops: BatchOp[]; done: Promise<void> } = { ops: [], done: Promise.resolve() }
      // Written after the current turn of the event loop at the earliest: the frames of one
      // network read start their appends in the same turn, and all join this group.
      group.done = this.#writing
        .then(() => new Promise((resolve) => setImmediate(resolve)))
        .then(() => {
          this.#group = undefined
          return this.storage.commit(group.ops, { sync: false })
        })
      this.#group = group
      this.#writing = group.done.catch(() => undefined)
    }
    this.#group.ops.push(...ops)
    return this.#group.done
  }

  async compact(catalog: string, shard: number, upTo: number, merged: Uint8Array, sv: Uint8Array): Promise<void> {
    const p = prefix(catalog, shard)
    const ops = []
    for await (const key of this.#svs.keys({ gt: p, lte: p + pad(upTo, 12) }))
      ops.push(delOp(this.#updates, key), delOp(this.#svs, key))
    const key = p + pad(upTo, 12)
    ops.push(putOp(this.#updates, key, b64(merged)), putOp(this.#svs, key, b64(sv)))
    await this.storage.commit(ops, { sync: false })
  }
}
