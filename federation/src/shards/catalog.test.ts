/**
 * Sharded catalogs between real libp2p hosts on loopback: a first pull, pulls that bring only
 * what changed, writes on both sides converging, a pull cut off halfway that resumes, random
 * writes and pulls among three peers, and peers that send garbage.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { deflateRawSync } from 'node:zlib'
import * as Y from 'yjs'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { generateNodeKey } from '../identity/node-key.js'
import { createHost, type Host } from '../host/host.js'
import { CatalogError, ShardedCatalog, shardOf, TailCache, type CatalogRule } from './catalog.js'
import { CATALOG_PROTOCOL } from '@shulin/protocol'
import {
  CatalogPullError,
  encodeShardFrame,
  lengthPrefixed,
  pullCatalog,
  serveCatalogs,
  type LargePullLimit,
} from './catalog-sync.js'
import { MemoryShardStore } from './shard-store.js'
import { decodeClocks as decodeStateVector, encodeClocks as encodeStateVector, structRange } from './state-vector.js'

const hosts: Host[] = []
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.stop()
})

let nextClient = 1
async function peer(
  store = new MemoryShardStore(),
  name = 'books',
  accept?: CatalogRule,
  opts: { tailCache?: TailCache; largePulls?: LargePullLimit } = {},
) {
  const key = await generateNodeKey()
  const host = await createHost({ privateKey: key.privateKey, listen: ['/ip4/127.0.0.1/tcp/0'] })
  hosts.push(host)
  const { largePulls, ...catalogOpts } = opts
  const cat = new ShardedCatalog(name, store, {
    clientId: nextClient++,
    shards: 64,
    compactAfter: 4,
    accept,
    ...catalogOpts,
  })
  const logs: string[] = []
  await serveCatalogs(
    host,
    (n) => (n === cat.name ? cat : undefined),
    (m) => logs.push(m),
    largePulls,
  )
  return { host, cat, store, logs, addrs: () => host.getMultiaddrs().map(String) }
}
const record = (i: number, edition = 1) => [`r${i}`, { title: `书名 ${i}`, creators: ['佚名'], edition }] as const
const all = async (cat: ShardedCatalog) => {
  const out: Record<string, unknown> = {}
  for await (const [id, v] of cat.records()) out[id] = v
  return out
}

describe('sharded catalog', () => {
  it('pulls everything once, then only the shards that changed, and writes meet from both sides', async () => {
    const a = await peer()
    const b = await peer()
    await a.cat.put(Array.from({ length: 2000 }, (_, i) => record(i)))
    const first = await pullCatalog(b.host, a.addrs(), b.cat)
    expect(first.shards).toBe(64)
    expect(await all(b.cat)).toEqual(await all(a.cat))
    expect(await pullCatalog(b.host, a.addrs(), b.cat)).toEqual({ shards: 0, bytes: 0, refused: 0 })

    // Three records changed: three shards at most travel, and far fewer bytes than the first time.
    await a.cat.put([record(5, 2), record(77, 2), record(1500, 2)])
    const changed = new Set([5, 77, 1500].map((i) => shardOf(`r${i}`, 64)))
    const second = await pullCatalog(b.host, a.addrs(), b.cat)
    expect(second.shards).toBe(changed.size)
    expect(second.bytes).toBeLessThan(first.bytes / 50)
    expect(await b.cat.get('r77')).toEqual(record(77, 2)[1])

    // B writes and withdraws; A pulls from B; both sides hold the same.
    await b.cat.put([record(2000), ['r3', null]])
    await pullCatalog(a.host, b.addrs(), a.cat)
    expect(await a.cat.get('r3')).toBeNull()
    expect(await all(a.cat)).toEqual(await all(b.cat))
    // Setting what is already there writes nothing.
    expect(await a.cat.put([record(10)])).toBe(0)
    // However many writes, a shard knows two writers (A and B), not one per write.
    for (let i = 0; i < 5; i++) await a.cat.put([record(5, 10 + i)])
    expect(Y.decodeStateVector((await a.cat.stateVectors())[shardOf('r5', 64)]!).size).toBeLessThanOrEqual(2)
  })

  it('answers a pull of a recent change from memory, reading nothing of its store (and the store once the change is evicted)', async () => {
    /** Counts the reads of shard logs (a load for a write, or a diff for a peer). */
    class CountingStore extends MemoryShardStore {
      reads = 0
      override async entries(...args: Parameters<MemoryShardStore['entries']>) {
        this.reads++
        return super.entries(...args)
      }
    }
    for (const tailCache of [new TailCache(1024 * 1024), new TailCache(0)]) {
      const store = new CountingStore()
      const a = await peer(store, 'books', undefined, { tailCache })
      const b = await peer()
      await a.cat.put(Array.from({ length: 2000 }, (_, i) => record(i)))
      await pullCatalog(b.host, a.addrs(), b.cat)
      // A librarian's change of 1k records: every shard changes.
      await a.cat.put(Array.from({ length: 1000 }, (_, i) => record(i, 2)))
      store.reads = 0
      const pulled = await pullCatalog(b.host, a.addrs(), b.cat)
      // With the tail cache: no read at all; without it: one per changed shard, as before.
      expect(store.reads).toBe(tailCache.budgetBytes ? 0 : 64)
      expect(tailCache.bytes).toBeLessThanOrEqual(tailCache.budgetBytes)
      expect(pulled.shards).toBe(64)
      expect(await all(b.cat)).toEqual(await all(a.cat))
    }
  })

  it('sends a cached change as it is to a peer that lacks all of it, and only the rest to one that holds part', async () => {
    const cat = new ShardedCatalog('books', new MemoryShardStore(), {
      clientId: 5,
      shards: 4,
      tailCache: new TailCache(1 << 20),
    })
    const shard = shardOf('r1', 4)
    const ids = Array.from({ length: 40 }, (_, k) => `r${k}`).filter((id) => shardOf(id, 4) === shard)
    await cat.put(ids.map((id) => [id, { title: id }]))
    const before = (await cat.stateVectors())[shard]!
    const first = await cat.diffFor(shard, new Uint8Array([0]))
    await cat.put(ids.map((id) => [id, { title: id, edition: 2 }]))
    const whole = await cat.diffFor(shard, before)
    // One change behind: the change as it is (no decode and re-encode), taken by a peer at `before`.
    const meta = Y.parseUpdateMeta(whole!)
    expect(meta.from.get(5)).toBe(decodeStateVector(before).get(5))
    const peerCat = new ShardedCatalog('books', new MemoryShardStore(), { clientId: 6, shards: 4 })
    await peerCat.receive(shard, first!)
    expect(await peerCat.receive(shard, whole!)).toBe(true)
    expect(await peerCat.shardRecords(shard)).toEqual(await cat.shardRecords(shard))
    // A peer holding the change's first struct gets the rest only.
    const mid = new Map([[5, meta.from.get(5)! + 1]])
    const rest = await cat.diffFor(shard, encodeStateVector(mid))
    expect(Y.parseUpdateMeta(rest!).from.get(5)).toBe(meta.from.get(5)! + 1)
    expect(Y.parseUpdateMeta(rest!).to).toEqual(meta.to)
  })

  it("reads an update's range per client as Y.parseUpdateMeta does, from the one decode", () => {
    const docs = [1, 2, 3].map((id) => Object.assign(new Y.Doc(), { clientID: id }))
    for (const [i, d] of docs.entries()) for (let k = 0; k < 5; k++) d.getMap('r').set(`r${k}`, { i, k })
    const merged = Y.mergeUpdates(docs.map((d) => Y.encodeStateAsUpdate(d)))
    const later = Y.encodeStateAsUpdate(docs[1]!, Y.encodeStateVector(docs[1]!))
    docs[1]!.getMap('r').set('r9', 'x')
    const diff = Y.encodeStateAsUpdate(docs[1]!, Y.encodeStateVector(new Y.Doc()))
    for (const u of [merged, later, diff, Y.diffUpdate(merged, encodeStateVector(new Map([[2, 2]])))])
      expect(structRange(Y.decodeUpdate(u).structs)).toEqual(Y.parseUpdateMeta(u))
  })

  it('keeps one tail-cache budget for all the catalogs that share it, newest entries kept', async () => {
    const tail = new TailCache(16 * 1024)
    const cats = [1, 2, 3].map(
      (i) => new ShardedCatalog(`books-${i}`, new MemoryShardStore(), { clientId: i, shards: 64, tailCache: tail }),
    )
    for (const [i, cat] of cats.entries()) await cat.put(Array.from({ length: 500 }, (_, k) => record(k, i + 1)))
    expect(tail.bytes).toBeGreaterThan(0)
    expect(tail.bytes).toBeLessThanOrEqual(16 * 1024)
    // The last catalog written is the one still cached; what was evicted is read from the store.
    const latest = await cats[2]!.diffFor(shardOf('r7', 64), new Uint8Array([0]))
    const evicted = await cats[0]!.diffFor(shardOf('r7', 64), new Uint8Array([0]))
    const doc = (u: Uint8Array) => {
      const d = new Y.Doc()
      Y.applyUpdate(d, u)
      return d.getMap('r').get('r7')
    }
    expect(doc(latest!)).toEqual(record(7, 3)[1])
    expect(doc(evicted!)).toEqual(record(7, 1)[1])
  })

  it('refuses the shards of a peer whose changes its rule does not allow, keeping the good values and taking the rest', async () => {
    // The rule: no forged values, and never an older edition over a newer one.
    const edition = (v: unknown) =>
      typeof v === 'object' && v !== null && 'edition' in v ? (v as { edition: number }).edition : undefined
    const rule: CatalogRule = (_id, next, prev) =>
      edition(next) !== undefined &&
      !(next as object as { forged?: true }).forged &&
      edition(next)! >= (edition(prev) ?? 0)
    const honest = await peer()
    const guarded = await peer(new MemoryShardStore(), 'books', rule)
    const rogue = await peer()
    await honest.cat.put(Array.from({ length: 200 }, (_, i) => record(i, 2)))
    expect(await pullCatalog(guarded.host, honest.addrs(), guarded.cat)).toMatchObject({ shards: 64, refused: 0 })
    await pullCatalog(rogue.host, honest.addrs(), rogue.cat)
    // The rogue overwrites r7 with a forgery and r8 with an older edition, and adds a good record
    // in a shard of its own.
    const bad = new Set([shardOf('r7', 64), shardOf('r8', 64)])
    const fresh = Array.from({ length: 400 }, (_, i) => `r${1000 + i}`).find((id) => !bad.has(shardOf(id, 64)))!
    await rogue.cat.put([
      ['r7', { title: '伪造', forged: true, edition: 9 }],
      record(8, 1),
      [fresh, { title: '新书', edition: 1 }],
    ])
    const r = await pullCatalog(guarded.host, rogue.addrs(), guarded.cat)
    expect(r).toMatchObject({ shards: 1, refused: bad.size })
    expect(await guarded.cat.get('r7')).toEqual(record(7, 2)[1])
    expect(await guarded.cat.get('r8')).toEqual(record(8, 2)[1])
    expect(await guarded.cat.get(fresh)).toEqual({ title: '新书', edition: 1 })
    // The honest writer's next edition still arrives (from it, not through the rogue).
    await honest.cat.put([record(7, 3)])
    expect(await pullCatalog(guarded.host, honest.addrs(), guarded.cat)).toMatchObject({ shards: 1, refused: 0 })
    expect(await guarded.cat.get('r7')).toEqual(record(7, 3)[1])
  })

  it('keeps what arrived before a pull was cut off and asks only for the rest', async () => {
    const a = await peer()
    await a.cat.put(Array.from({ length: 1000 }, (_, i) => record(i)))
    let appends = 0
    class FailingStore extends MemoryShardStore {
      override async append(...args: Parameters<MemoryShardStore['append']>) {
        if (++appends > 20) throw new Error('disk full')
        return super.append(...args)
      }
    }
    const store = new FailingStore()
    const b = await peer(store)
    await expect(pullCatalog(b.host, a.addrs(), b.cat)).rejects.toThrow(/disk full/)
    expect((await store.states('books')).size).toBe(20)
    appends = -1e9
    // A new catalog object over the same store (as after a restart) resumes from the store.
    const again = new ShardedCatalog('books', store, { clientId: 99, shards: 64 })
    expect((await pullCatalog(b.host, a.addrs(), again)).shards).toBe(64 - 20)
    expect(await all(again)).toEqual(await all(a.cat))
  })

  it('sends a first copy to so many askers at once and answers the next one busy, while changes still go to all', async () => {
    const a = await peer(new MemoryShardStore(), 'books', undefined, { largePulls: { largePull: 500, atOnce: 1 } })
    await a.cat.put(Array.from({ length: 1000 }, (_, i) => record(i)))
    expect(await a.cat.lackedBy([])).toBe(1000)
    // One that already holds it, and lacks only a change of three records.
    const steady = await peer()
    await pullCatalog(steady.host, a.addrs(), steady.cat)
    await a.cat.put([record(1), record(2), record(3)].map(([id, v]) => [id, { ...v, edition: 2 }] as const))
    expect(await a.cat.lackedBy(await steady.cat.stateVectors())).toBe(3)

    // The first asker stores nothing until the test lets it: its copy is still being taken.
    let open!: () => void
    const gate = new Promise<void>((r) => (open = r))
    let stored = 0
    class HeldStore extends MemoryShardStore {
      override async append(...args: Parameters<MemoryShardStore['append']>) {
        stored++
        await gate
        return super.append(...args)
      }
    }
    const first = await peer(new HeldStore())
    const firstPull = pullCatalog(first.host, a.addrs(), first.cat)
    await expect.poll(() => stored, { timeout: 10_000 }).toBeGreaterThan(0)
    // A second first copy while the first is being sent: busy, and nothing stored.
    const second = await peer()
    const busy = await pullCatalog(second.host, a.addrs(), second.cat).catch((err: unknown) => err)
    expect(busy).toBeInstanceOf(CatalogPullError)
    expect((busy as CatalogPullError).reason).toBe('busy')
    // It names the peers that took a first copy, the one taking it now last: the asker may ask them.
    expect((busy as CatalogPullError).holders).toEqual([steady.host.peerId.toString(), first.host.peerId.toString()])
    expect(await second.cat.filledShards()).toBe(0)
    // The change goes to the one that lacks only it.
    expect((await pullCatalog(steady.host, a.addrs(), steady.cat)).shards).toBeLessThanOrEqual(3)
    expect(await all(steady.cat)).toEqual(await all(a.cat))
    // Once the first copy is stored, the next one may start.
    open()
    expect((await firstPull).shards).toBe(64)
    expect((await pullCatalog(second.host, a.addrs(), second.cat)).shards).toBe(64)
    expect(await all(second.cat)).toEqual(await all(a.cat))
  })

  it('never overruns a receiver that stores slowly (credit in bytes)', async () => {
    const a = await peer()
    // ~36 MB that hardly compresses: more than the asker's read buffer (the credit and a frame).
    await a.cat.put(
      Array.from({ length: 6000 }, (_, i) => [`r${i}`, { blob: randomBytes(4500).toString('base64') }] as const),
    )
    class SlowStore extends MemoryShardStore {
      override async append(...args: Parameters<MemoryShardStore['append']>) {
        await new Promise((r) => setTimeout(r, 100))
        return super.append(...args)
      }
    }
    const b = await peer(new SlowStore())
    expect((await pullCatalog(b.host, a.addrs(), b.cat)).shards).toBe(64)
    expect(await all(b.cat)).toEqual(await all(a.cat))
  })

  it('three peers writing and pulling in a random order end up identical (seeded)', async () => {
    let seed = 20261201
    const rand = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n
    const peers = [await peer(), await peer(), await peer()]
    for (let round = 0; round < 30; round++) {
      const p = peers[rand(3)]!
      if (rand(2)) await p.cat.put(Array.from({ length: 1 + rand(20) }, () => record(rand(300), rand(5))))
      else {
        const from = peers[rand(3)]!
        if (from !== p) await pullCatalog(p.host, from.addrs(), p.cat)
      }
    }
    for (let i = 0; i < 2; i++)
      for (const p of peers) for (const q of peers) if (p !== q) await pullCatalog(p.host, q.addrs(), p.cat)
    const [x, y, z] = await Promise.all(peers.map((p) => all(p.cat)))
    expect(y).toEqual(x)
    expect(z).toEqual(x)
    // In step: nothing more to pull anywhere.
    for (const p of peers)
      for (const q of peers) if (p !== q) expect((await pullCatalog(p.host, q.addrs(), p.cat)).shards).toBe(0)
  })

  it('reads frames however the bytes are cut, and refuses a length it cannot take before reading the frame', async () => {
    const src = await peer()
    await src.cat.put(Array.from({ length: 300 }, (_, i) => record(i)))
    const frames = [new TextEncoder().encode('{"ok":true}')]
    for (let k = 0; k < 64; k++) {
      const diff = await src.cat.diffFor(k, new Uint8Array([0]))
      if (diff) frames.push(await encodeShardFrame(k, diff))
    }
    const answer = Buffer.concat([...frames.map(lengthPrefixed), Buffer.from([0])])
    /** A peer that answers `bytes` in pieces of 1 to 7 bytes, each its own write. */
    const answering = async (bytes: Uint8Array) => {
      const p = await peer()
      await p.host.unhandle(CATALOG_PROTOCOL)
      await p.host.handle(CATALOG_PROTOCOL, async (stream) => {
        await lpStream(stream).read()
        for (let at = 0, n = 1; at < bytes.byteLength; at += n, n = (n % 7) + 1) {
          stream.send(bytes.subarray(at, at + n))
          await new Promise((r) => setImmediate(r))
        }
        await stream.close()
      })
      return p
    }
    const b = await peer()
    expect((await pullCatalog(b.host, (await answering(answer)).addrs(), b.cat)).shards).toBe(64)
    expect(await all(b.cat)).toEqual(await all(src.cat))
    // A length past 8 MiB, a length of endless varint bytes, an answer cut inside a frame.
    for (const [bad, reason] of [
      [Buffer.concat([lengthPrefixed(frames[0]!), Buffer.from([0x81, 0x80, 0x80, 0x05])]), 'malformed'],
      [Buffer.concat([lengthPrefixed(frames[0]!), Buffer.alloc(16, 0xff)]), 'malformed'],
      [answer.subarray(0, 200), 'failed'],
    ] as const) {
      const victim = await peer()
      await expect(pullCatalog(victim.host, (await answering(bad)).addrs(), victim.cat)).rejects.toMatchObject({
        reason,
      })
      // What arrived whole before the cut is kept, as from any pull cut off.
      expect((await victim.store.states('books')).size).toBeLessThanOrEqual(reason === 'failed' ? 1 : 0)
    }
  })

  it('refuses updates that do not decode or leave a gap, and keeps serving after garbage', async () => {
    const a = await peer()
    await a.cat.put([record(1)])
    await expect(
      a.cat.receive(0, new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])),
    ).rejects.toThrow(CatalogError)
    await expect(a.cat.receive(9999, new Uint8Array([0, 0]))).rejects.toThrow(/no shard/)

    // A shard update that starts past what this peer has (a gap) is refused, and nothing stored.
    const src = await peer()
    const k = shardOf('r1', 64)
    await src.cat.put([record(1, 1)])
    const afterFirst = (await src.cat.stateVectors())[k]!
    await src.cat.put([record(1, 2)])
    const tail = (await src.cat.diffFor(k, afterFirst))!
    const fresh = await peer()
    await expect(fresh.cat.receive(k, tail)).rejects.toThrow(/starts at/)
    expect((await fresh.store.states('books')).size).toBe(0)
    // The whole shard is taken.
    expect(await fresh.cat.receive(k, (await src.cat.diffFor(k, new Uint8Array([0])))!)).toBe(true)
    expect(await fresh.cat.get('r1')).toEqual(record(1, 2)[1])

    // A peer that answers with a frame of garbage: the pull fails, nothing is stored.
    const liar = await peer()
    await liar.host.unhandle(CATALOG_PROTOCOL)
    await liar.host.handle(CATALOG_PROTOCOL, async (stream) => {
      const lp = lpStream(stream)
      await lp.read()
      await lp.write(new TextEncoder().encode('{"ok":true}'))
      await lp.write(await encodeShardFrame(3, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])))
      await stream.close()
    })
    const victim = await peer()
    await expect(pullCatalog(victim.host, liar.addrs(), victim.cat)).rejects.toThrow()
    expect((await victim.store.states('books')).size).toBe(0)
    // A compressed frame that would inflate past the 8 MiB cap, and an unknown codec: the same.
    for (const frame of [
      Buffer.concat([Buffer.from([3, 1]), deflateRawSync(Buffer.alloc(9 * 1024 * 1024))]),
      Buffer.from([3, 7, 1, 2, 3]),
    ]) {
      await liar.host.unhandle(CATALOG_PROTOCOL)
      await liar.host.handle(CATALOG_PROTOCOL, async (stream) => {
        const lp = lpStream(stream)
        await lp.read()
        await lp.write(new TextEncoder().encode('{"ok":true}'))
        await lp.write(frame)
        await stream.close()
      })
      await expect(pullCatalog(victim.host, liar.addrs(), victim.cat)).rejects.toThrow(/could not pull/)
      expect((await victim.store.states('books')).size).toBe(0)
    }

    // Requests that are not one: answered `invalid` or closed; the peer still serves others.
    for (const bad of [
      'not json',
      '{"catalog":"books","shards":64,"have":[]}',
      '{"catalog":"../x","shards":1,"have":["AA=="]}',
    ]) {
      const stream = await victim.host.dialProtocol(multiaddr(a.addrs()[0]!), CATALOG_PROTOCOL)
      const lp = lpStream(stream)
      await lp.write(new TextEncoder().encode(bad))
      expect(new TextDecoder().decode((await lp.read()).subarray())).toBe('{"ok":false,"reason":"invalid"}')
      await stream.close().catch(() => {})
    }
    expect((await pullCatalog(victim.host, a.addrs(), victim.cat)).shards).toBe(1)
  })
})
