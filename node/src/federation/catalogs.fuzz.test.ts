/**
 * Fuzzing what a peer's catalog pull brings (`/shulin/catalog/1.0.0`): shard frames and the Yjs
 * updates inside them, taken into a catalog kept in a real LevelDB. Whatever arrives: a
 * `CatalogPullError` / `CatalogError` and nothing stored, or an update stored whose shard still
 * loads and whose recorded state matches what was stored.
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { lpStream } from '@libp2p/utils'
import { CATALOG_PROTOCOL } from '@shulin/protocol'
import {
  CatalogError,
  CatalogPullError,
  createHost,
  decodeShardFrame,
  encodeShardFrame,
  generateNodeKey,
  MemoryShardStore,
  pullCatalog,
  ShardedCatalog,
  shardOf,
  type Host,
} from '@shulin/federation'
import { openStorage, type Storage } from '../storage/db.js'
import { tempDir } from '../testing/temp-node.js'
import { LevelShardStore } from './shard-store.js'
import { dumpLevel, fc, fuzzParams, hostileBytes, hostileJsonBytes, mutatedBytes } from '../../../test/fuzz/fuzz.js'

const SHARDS = 8
const record = (i: number, edition = 1) => [`r${i}`, { title: `书名 ${i}`, creators: ['佚名'], edition }] as const

describe('catalog sync fuzz', () => {
  let dir: string
  let storage: Storage
  let store: LevelShardStore
  let cat: ShardedCatalog
  /** Valid updates a peer could send, per shard: everything, and only a later change. */
  const valid: Array<{ shard: number; update: Uint8Array }> = []

  beforeAll(async () => {
    dir = await tempDir('shulin-catalog-fuzz-')
    storage = await openStorage(join(dir, 'db'), { create: true, dataDir: dir })
    store = new LevelShardStore(storage)
    cat = new ShardedCatalog('books', store, { clientId: 1, shards: SHARDS })
    await cat.put(Array.from({ length: 20 }, (_, i) => record(i)))
    const peer = new ShardedCatalog('books', new MemoryShardStore(), { clientId: 2, shards: SHARDS })
    await peer.put(Array.from({ length: 40 }, (_, i) => record(100 + i)))
    const mid = await peer.stateVectors()
    await peer.put([record(100, 2), record(101, 2), record(150)])
    for (let s = 0; s < SHARDS; s++) {
      const all = await peer.diffFor(s, new Uint8Array([0]))
      if (all) valid.push({ shard: s, update: all })
      const later = await peer.diffFor(s, mid[s]!)
      if (later) valid.push({ shard: s, update: later })
    }
  })
  afterAll(async () => {
    await storage.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('a shard frame decodes to a shard and an update, or is refused with a CatalogPullError', async () => {
    const frames = await Promise.all([
      ...valid.map((v) => encodeShardFrame(v.shard, v.update)),
      encodeShardFrame(3, new Uint8Array(4096).fill(7)),
    ])
    await fc.assert(
      fc.asyncProperty(hostileBytes(frames), async (frame) => {
        try {
          const { shard, update } = await decodeShardFrame(frame)
          expect(Number.isSafeInteger(shard) && shard >= 0).toBe(true)
          expect(update).toBeInstanceOf(Uint8Array)
        } catch (err) {
          expect(err).toBeInstanceOf(CatalogPullError)
        }
      }),
      fuzzParams(400),
    )
  })

  it('an empty frame and a frame of endless varint bytes are refused as malformed frames', async () => {
    // Both once escaped as lib0's bare "Unexpected end of array" / "Integer out of Range".
    await expect(decodeShardFrame(new Uint8Array(0))).rejects.toThrow(CatalogPullError)
    await expect(decodeShardFrame(new Uint8Array(16).fill(0xff))).rejects.toThrow(CatalogPullError)
    await expect(decodeShardFrame(Uint8Array.of(1, 1, 0xde, 0xad))).rejects.toThrow(CatalogPullError)
  })

  it(
    'a pull from a peer that answers with frames made wrong, over libp2p: a refusal or new shards, and the catalog still loads and agrees with its store',
    { timeout: 60_000 },
    async () => {
      const hosts: Host[] = []
      try {
        const server = await createHost({
          privateKey: (await generateNodeKey()).privateKey,
          listen: ['/ip4/127.0.0.1/tcp/0'],
        })
        const me = await createHost({ privateKey: (await generateNodeKey()).privateKey, listen: [] })
        hosts.push(server, me)
        let script: { header: Uint8Array; frames: Uint8Array[] } = { header: new Uint8Array(), frames: [] }
        await server.handle(CATALOG_PROTOCOL, async (stream) => {
          const lp = lpStream(stream, { maxDataLength: 16 * 1024 * 1024 })
          try {
            await lp.read()
            await lp.write(script.header)
            for (const f of script.frames) await lp.write(f)
            await stream.close()
          } catch {
            stream.abort(new Error('done'))
          }
        })
        const frames = await Promise.all(valid.map((v) => encodeShardFrame(v.shard, v.update)))
        const addrs = server.getMultiaddrs().map(String)
        await fc.assert(
          fc.asyncProperty(
            fc.oneof(
              { arbitrary: fc.constant(new TextEncoder().encode('{"ok":true}')), weight: 4 },
              { arbitrary: hostileJsonBytes([{ ok: true }, { ok: false, reason: 'unknown' }]), weight: 1 },
            ),
            fc.array(fc.oneof(fc.constantFrom(...frames), mutatedBytes(frames), fc.constant(new Uint8Array(0))), {
              maxLength: 5,
            }),
            async (header, sent) => {
              script = { header, frames: sent }
              try {
                const r = await pullCatalog(me, addrs, cat)
                expect(r.shards).toBeGreaterThanOrEqual(0)
              } catch (err) {
                expect(err, String(err)).toBeInstanceOf(CatalogPullError)
              }
              for (let s = 0; s < SHARDS; s++) await cat.shardRecords(s)
              const again = new ShardedCatalog('books', store, { clientId: 1, shards: SHARDS })
              expect((await again.stateVectors()).map((sv) => [...Y.decodeStateVector(sv)].sort())).toEqual(
                (await cat.stateVectors()).map((sv) => [...Y.decodeStateVector(sv)].sort()),
              )
            },
          ),
          fuzzParams(40),
        )
      } finally {
        for (const h of hosts) await h.stop()
      }
    },
  )

  it("a peer's update, however mangled: refused and nothing stored, or stored and the shard still loads", async () => {
    const shardArb = fc.oneof(fc.constantFrom(...valid.map((v) => v.shard)), fc.integer({ min: -2, max: SHARDS + 2 }))
    await fc.assert(
      fc.asyncProperty(shardArb, mutatedBytes(valid.map((v) => v.update)), async (shard, update) => {
        const before = await dumpLevel(storage.db)
        let stored: boolean
        try {
          stored = await cat.receive(shard, update)
        } catch (err) {
          if (!(err instanceof CatalogError)) throw err
          expect(await dumpLevel(storage.db)).toEqual(before)
          return
        }
        if (!stored) expect(await dumpLevel(storage.db)).toEqual(before)
        // Whatever was taken loads, and a fresh look at the store agrees with the catalog.
        await cat.shardRecords(shard)
        const again = new ShardedCatalog('books', store, { clientId: 1, shards: SHARDS })
        expect((await again.stateVectors()).map((sv) => [...Y.decodeStateVector(sv)].sort())).toEqual(
          (await cat.stateVectors()).map((sv) => [...Y.decodeStateVector(sv)].sort()),
        )
        expect(await again.get('r1')).toEqual(record(1)[1])
        expect(shardOf('r1', SHARDS)).toBeGreaterThanOrEqual(0)
      }),
      fuzzParams(300),
    )
  })
})
