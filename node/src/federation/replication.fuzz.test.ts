/**
 * Fuzzing the Yjs sync exchange (`/shulin/sync/1.0.0`) over a real libp2p stream to a replicator
 * whose documents live in a real LevelDB. A peer sends valid sync messages made wrong: garbage,
 * cut updates, endless varints, huge length prefixes, updates with missing dependencies and
 * future clocks. Whatever it sends, the node applies a whole update or none of it, keeps no
 * structs waiting for dependencies that may never come, stores exactly what it applied, and
 * keeps serving: another peer syncs the document afterwards.
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as syncProtocol from 'y-protocols/sync'
import * as encoding from 'lib0/encoding'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { SYNC_PROTOCOL } from '@shulin/protocol'
import { createHost, generateNodeKey, MemoryDocStore, Replicator, type Host } from '@shulin/federation'
import { openStorage, type Storage } from '../storage/db.js'
import { tempDir } from '../testing/temp-node.js'
import { LevelDocStore } from './doc-store.js'
import { dumpLevel, fc, fuzzParams, hostileBytes } from '../../../test/fuzz/fuzz.js'

const DOC = 'shared/fuzz'
const allowAll = { canRead: () => true, canWrite: () => true }
const msg = (write: (enc: encoding.Encoder) => void) => {
  const enc = encoding.createEncoder()
  write(enc)
  return encoding.toUint8Array(enc)
}
const until = async (fn: () => boolean | Promise<boolean>, ms = 3000) => {
  const t0 = Date.now()
  while (!(await fn())) {
    if (Date.now() - t0 > ms) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 10))
  }
}
/** A document's state vector and content, keys sorted (two replicas may list a map's keys in other orders). */
const state = (doc: Y.Doc) => ({
  sv: [...Y.decodeStateVector(Y.encodeStateVector(doc))].sort(),
  json: Object.fromEntries(Object.entries(doc.getMap('m').toJSON()).sort()),
})

/** Valid sync messages a peer could send: step 2 with everything, live updates, a delete, step 1. */
function validMessages(): Uint8Array[] {
  const peer = new Y.Doc()
  const out: Uint8Array[] = []
  peer.on('update', (u: Uint8Array) => out.push(msg((e) => syncProtocol.writeUpdate(e, u))))
  peer.getMap('m').set('a', '静夜思')
  peer.getMap('m').set('b', { n: 1, list: [1, 2, 3] })
  const text = new Y.Text()
  peer.getMap('m').set('t', text)
  text.insert(0, '床前明月光')
  text.delete(1, 2)
  peer.getMap('m').delete('a')
  out.push(msg((e) => syncProtocol.writeSyncStep2(e, peer)))
  out.push(msg((e) => syncProtocol.writeSyncStep1(e, peer)))
  return out
}

describe('replication fuzz', () => {
  let dir: string
  let storage: Storage
  let store: LevelDocStore
  const hosts: Host[] = []
  const replicators: Replicator[] = []
  let node: { host: Host; r: Replicator; doc: Y.Doc; addr: string }
  let attacker: Host

  beforeAll(async () => {
    dir = await tempDir('shulin-sync-fuzz-')
    storage = await openStorage(join(dir, 'db'), { create: true, dataDir: dir })
    store = new LevelDocStore(storage)
    const key = await generateNodeKey()
    const host = await createHost({ privateKey: key.privateKey, listen: ['/ip4/127.0.0.1/tcp/0'] })
    hosts.push(host)
    const r = new Replicator(host, store, allowAll, {
      compactEvery: 8,
      log: (m, d) => process.env.FUZZ_DEBUG && console.log('node:', m, d),
    })
    replicators.push(r)
    await r.start()
    const doc = await r.open(DOC)
    doc.getMap('m').set('kept', '春晓')
    node = { host, r, doc, addr: host.getMultiaddrs()[0]!.toString() }
    attacker = await createHost({ privateKey: (await generateNodeKey()).privateKey, listen: [] })
    hosts.push(attacker)
  })
  afterAll(async () => {
    for (const r of replicators) await r.close()
    for (const h of hosts) await h.stop()
    await storage.close()
    await rm(dir, { recursive: true, force: true })
  })

  /**
   * Sends `frame` on a fresh sync stream, then a step 1: the node's step 2 in answer shows it
   * read the frame and carried on; the stream ending first shows it refused the frame.
   */
  async function send(frame: Uint8Array): Promise<'refused' | 'taken'> {
    const stream = await attacker.dialProtocol(multiaddr(node.addr), SYNC_PROTOCOL, {
      signal: AbortSignal.timeout(5000),
    })
    const lp = lpStream(stream, { maxDataLength: 16 * 1024 * 1024 })
    try {
      await lp.write(new TextEncoder().encode(JSON.stringify({ doc: DOC })))
      await lp.read({ signal: AbortSignal.timeout(5000) }) // the node's step 1
      await lp.write(frame)
      await lp.write(msg((e) => syncProtocol.writeSyncStep1(e, new Y.Doc())))
      for (;;) {
        const answer = (await lp.read({ signal: AbortSignal.timeout(5000) })).subarray()
        if (answer[0] === syncProtocol.messageYjsSyncStep2) return 'taken'
      }
    } catch (err) {
      if (process.env.FUZZ_DEBUG) console.log('refused', err)
      return 'refused'
    } finally {
      await stream.close().catch(() => stream.abort(new Error('done')))
    }
  }

  async function storedState() {
    const replay = new Y.Doc()
    const log = await store.load(DOC)
    if (log.length) Y.applyUpdate(replay, Y.mergeUpdates(log))
    return { pending: !!(replay.store.pendingStructs || replay.store.pendingDs), ...state(replay) }
  }

  it('an update whose structs decode but whose delete set is cut is refused whole: not applied, not stored', async () => {
    const peer = new Y.Doc()
    peer.getMap('m').set('forged', 1)
    const update = Y.encodeStateAsUpdate(peer)
    // The delete set (last byte, 0 = empty) claims five clients and stops.
    const broken = Uint8Array.from([...update.subarray(0, -1), 5, 1])
    const before = await dumpLevel(storage.db)
    expect(await send(msg((e) => syncProtocol.writeUpdate(e, broken)))).toBe('refused')
    await new Promise((r) => setTimeout(r, 100))
    expect(node.doc.getMap('m').has('forged')).toBe(false)
    expect(await dumpLevel(storage.db)).toEqual(before)
  })

  it('an update with a missing dependency (a future clock) leaves nothing waiting in memory', async () => {
    const peer = new Y.Doc()
    peer.getMap('m').set('x', 1)
    const sv = Y.encodeStateVector(peer)
    peer.getMap('m').set('y', 2)
    const tail = Y.encodeStateAsUpdate(peer, sv) // starts at clock 1: clock 0 never comes
    await send(msg((e) => syncProtocol.writeUpdate(e, tail)))
    expect(node.doc.store.pendingStructs).toBeNull()
    expect(node.doc.store.pendingDs).toBeNull()
    expect(node.doc.getMap('m').has('y')).toBe(false)
  })

  it('a peer that sends a good header and ends its side sees the stream end (70 times: more than the 64 inbound streams)', async () => {
    // The node once left its side open, so each such stream stayed for the connection's life.
    for (let i = 0; i < 70; i++) {
      const stream = await attacker.dialProtocol(multiaddr(node.addr), SYNC_PROTOCOL, {
        signal: AbortSignal.timeout(5000),
      })
      const lp = lpStream(stream)
      await lp.write(new TextEncoder().encode(JSON.stringify({ doc: DOC })))
      await stream.close()
      const signal = AbortSignal.timeout(5000)
      await expect(
        (async () => {
          for (;;) await lp.read({ signal })
        })(),
      ).rejects.toThrow(/end of|EOF|closed/i)
      expect(signal.aborted).toBe(false)
    }
    expect(await send(msg((e) => syncProtocol.writeSyncStep1(e, new Y.Doc())))).toBe('taken')
  })

  it('any sync message made wrong: a whole update or nothing, nothing waiting, the log replays to the document', async () => {
    const valid = validMessages()
    let taken = 0
    await fc.assert(
      fc.asyncProperty(hostileBytes(valid), async (frame) => {
        const before = { db: await dumpLevel(storage.db), doc: state(node.doc) }
        const outcome = await send(frame)
        expect(node.doc.store.pendingStructs).toBeNull()
        expect(node.doc.store.pendingDs).toBeNull()
        if (outcome === 'refused') {
          expect(state(node.doc)).toEqual(before.doc)
        } else taken++
        // What is stored replays to exactly the document in memory (persisting is asynchronous).
        await until(
          async () => JSON.stringify(await storedState()) === JSON.stringify({ pending: false, ...state(node.doc) }),
        )
        expect(node.doc.getMap('m').get('kept')).toBe('春晓')
      }),
      fuzzParams(120),
    )
    expect(taken).toBeGreaterThan(0)
    // …and the node still serves the document to a well-behaved peer.
    const key = await generateNodeKey()
    const good = await createHost({ privateKey: key.privateKey, listen: [] })
    hosts.push(good)
    const r = new Replicator(good, new MemoryDocStore(), allowAll)
    replicators.push(r)
    const mine = await r.open(DOC)
    await r.sync(DOC, [node.addr])
    await until(() => mine.getMap('m').get('kept') === '春晓')
    expect(state(mine).json).toEqual(state(node.doc).json)
  })
})
