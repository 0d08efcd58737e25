/**
 * The LevelDB shard store: appends that come together are committed together (one batch for
 * the group, each append still atomic in it), and a pull of a change to every shard of a
 * catalog over libp2p is stored in a few batches, not one per shard.
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createHost, generateNodeKey, pullCatalog, serveCatalogs, ShardedCatalog, type Host } from '@shulin/federation'
import { openStorage, type Storage } from '../storage/db.js'
import { tempDir } from '../testing/temp-node.js'
import { LevelShardStore } from './shard-store.js'

const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f()
})

/** A real LevelDB in a temp folder, with its batches counted. */
async function level() {
  const dir = await tempDir('shulin-shard-store-')
  const storage: Storage = await openStorage(join(dir, 'db'), { create: true, dataDir: dir })
  cleanup.push(
    () => rm(dir, { recursive: true, force: true }),
    () => storage.close(),
  )
  const counted = { batches: 0 }
  const commit = storage.commit.bind(storage)
  storage.commit = (ops, opts) => (counted.batches++, commit(ops, opts))
  return { storage, store: new LevelShardStore(storage), counted }
}

async function host(): Promise<Host> {
  const h = await createHost({ privateKey: (await generateNodeKey()).privateKey, listen: ['/ip4/127.0.0.1/tcp/0'] })
  cleanup.push(() => h.stop())
  return h
}

const record = (i: number, edition = 1) => [`r${i}`, { title: `书名 ${i}`, creators: ['佚名'], edition }] as const

describe('LevelShardStore', () => {
  it('commits appends that come together in one batch, each still whole', async () => {
    const { store, counted } = await level()
    const update = (i: number) => new Uint8Array([i % 251, 1, 2, 3])
    const sv = (i: number) => Y.encodeStateVector(new Map([[7, i + 1]]))
    // Each shard's first append looks up its next seq; the second appends come all at once.
    for (let s = 0; s < 256; s++) await store.append('books', s, update(s), sv(s))
    counted.batches = 0
    const seqs = await Promise.all(
      Array.from({ length: 256 }, (_, s) => store.append('books', s, update(s + 1), sv(s + 1))),
    )
    expect(seqs.every((q) => q === 2)).toBe(true)
    // One batch per append before; now the group waits for at most one batch ahead of it.
    expect(counted.batches).toBeLessThanOrEqual(2)
    const states = await store.states('books')
    expect(states.size).toBe(256)
    for (const s of [0, 100, 255]) {
      const entries = await store.entries('books', s)
      expect(entries.map((e) => [e.seq, [...e.update], Y.decodeStateVector(e.sv).get(7)])).toEqual([
        [1, [...update(s)], s + 1],
        [2, [...update(s + 1)], s + 2],
      ])
    }
  })

  it('stores a pulled change to all 256 shards in far fewer batches than shards', async () => {
    const sender = new ShardedCatalog('books', (await level()).store, { clientId: 1 })
    const { store, counted } = await level()
    const receiver = new ShardedCatalog('books', store, { clientId: 2 })
    const [a, b] = [await host(), await host()]
    await serveCatalogs(a, (n) => (n === sender.name ? sender : undefined))
    const addrs = a.getMultiaddrs().map(String)
    await sender.put(Array.from({ length: 4000 }, (_, i) => record(i)))
    await pullCatalog(b, addrs, receiver)
    await sender.put(Array.from({ length: 1000 }, (_, i) => record(i, 2)))
    counted.batches = 0
    expect((await pullCatalog(b, addrs, receiver)).shards).toBe(256)
    // One batch per shard before; then eight shards stored at a time made groups of eight at
    // most (32 batches); small frames are now stored many at a time.
    expect(counted.batches).toBeLessThan(32)
    expect(await receiver.get('r999')).toEqual(record(999, 2)[1])
  })
})
