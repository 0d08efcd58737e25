/**
 * @module federation/doc-store
 * The replicated documents' update logs in LevelDB. Owns the `yjs-updates` sublevel:
 * `<doc>!<seq, 12 digits>` → update (base64). Compaction replaces a log with one merged update
 * in a single batch, so a crash leaves the old log or the new one.
 */
import type { DocStore } from '@shulin/federation'
import { delOp, putOp, type Storage, type Sublevel } from '../storage/db.js'

const pad = (n: number) => String(n).padStart(12, '0')

export class LevelDocStore implements DocStore {
  readonly #log: Sublevel<string>
  readonly #next = new Map<string, number>()

  constructor(private readonly storage: Storage) {
    this.#log = storage.sublevel('yjs-updates')
  }

  /** Every document with a log here (to reopen them at start). */
  async names(): Promise<string[]> {
    const names = new Set<string>()
    for await (const key of this.#log.keys()) names.add(key.slice(0, key.lastIndexOf('!')))
    return [...names]
  }

  async load(name: string): Promise<Uint8Array[]> {
    const out: Uint8Array[] = []
    let last = 0
    for await (const [key, value] of this.#log.iterator({ gt: `${name}!`, lt: `${name}!~` })) {
      out.push(Buffer.from(value, 'base64'))
      last = Number(key.slice(name.length + 1))
    }
    this.#next.set(name, last + 1)
    return out
  }

  async append(name: string, update: Uint8Array): Promise<void> {
    const seq = this.#next.get(name) ?? 1
    this.#next.set(name, seq + 1)
    await this.storage.commit([putOp(this.#log, `${name}!${pad(seq)}`, Buffer.from(update).toString('base64'))], {
      sync: false,
    })
  }

  async compact(name: string, merged: Uint8Array): Promise<void> {
    const ops = []
    for await (const key of this.#log.keys({ gt: `${name}!`, lt: `${name}!~` })) ops.push(delOp(this.#log, key))
    const seq = this.#next.get(name) ?? 1
    this.#next.set(name, seq + 1)
    ops.push(putOp(this.#log, `${name}!${pad(seq)}`, Buffer.from(merged).toString('base64')))
    await this.storage.commit(ops, { sync: true })
  }
}
