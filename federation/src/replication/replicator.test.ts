/**
 * Replication between real libp2p hosts on loopback: the first exchange, live updates both
 * ways, catching up after being away, the write rule, and malformed streams.
 */
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { generateNodeKey } from '../identity/node-key.js'
import { createHost, type Host } from '../host/host.js'
import { SYNC_PROTOCOL } from '@shulin/protocol'
import { MemoryDocStore, Replicator, type DocRules } from './replicator.js'

const open: Array<{ host: Host; r: Replicator }> = []
async function peer(rules: Partial<DocRules> = {}, store = new MemoryDocStore()) {
  const key = await generateNodeKey()
  const host = await createHost({ privateKey: key.privateKey, listen: ['/ip4/127.0.0.1/tcp/0'] })
  const logs: string[] = []
  const r = new Replicator(
    host,
    store,
    { canRead: () => true, canWrite: () => true, ...rules },
    { compactEvery: 5, log: (m) => logs.push(m) },
  )
  await r.start()
  const p = { host, r, store, logs, id: key.nodeId, addrs: () => host.getMultiaddrs().map(String) }
  open.push(p)
  return p
}
afterEach(async () => {
  for (const p of open.splice(0)) {
    await p.r.close()
    await p.host.stop()
  }
})
const until = async (fn: () => boolean) => {
  const t0 = Date.now()
  while (!fn()) {
    if (Date.now() - t0 > 5000) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('replicator', () => {
  it('exchanges what each lacks, then pushes live updates both ways, and persists them', async () => {
    const a = await peer()
    const b = await peer()
    const da = await a.r.open('catalog/test')
    da.getMap('records').set('r1', '静夜思')
    const db = await b.r.open('catalog/test')
    db.getMap('records').set('r2', '春晓')
    await b.r.sync('catalog/test', a.addrs())
    await until(() => da.getMap('records').size === 2 && db.getMap('records').size === 2)
    da.getMap('records').set('r3', '登鹳雀楼')
    await until(() => db.getMap('records').get('r3') === '登鹳雀楼')
    db.getMap('records').delete('r1')
    await until(() => !da.getMap('records').has('r1'))
    // The log was compacted and still holds the whole document.
    const replay = new Y.Doc()
    Y.applyUpdate(replay, Y.mergeUpdates(await b.store.load('catalog/test')))
    expect(replay.getMap('records').toJSON()).toEqual({ r2: '春晓', r3: '登鹳雀楼' })
  })

  it('catches up after being away, from its own log and the peer', async () => {
    const store = new MemoryDocStore()
    const a = await peer()
    let b = await peer({}, store)
    const da = await a.r.open('registry')
    await b.r.sync('registry', a.addrs())
    da.getMap('m').set('x', 1)
    await until(() => store.logs.get('registry')?.length === 1)
    await b.r.close()
    await b.host.stop()
    open.splice(open.indexOf(b), 1)
    da.getMap('m').set('y', 2) // while b is away
    b = await peer({}, store)
    const db = await b.r.open('registry')
    expect(db.getMap('m').get('x')).toBe(1) // from its log
    await b.r.sync('registry', a.addrs())
    await until(() => db.getMap('m').get('y') === 2)
  })

  it('drops updates from a peer that may not write, and serves it reads', async () => {
    const reader = await peer()
    const strict = await peer({ canWrite: (_doc, p) => p !== reader.id })
    const ds = await strict.r.open('channels/hub')
    ds.getMap('c').set('official', true)
    const dr = await reader.r.open('channels/hub')
    dr.getMap('c').set('forged', true)
    await reader.r.sync('channels/hub', strict.addrs())
    await until(() => dr.getMap('c').get('official') === true)
    await new Promise((r) => setTimeout(r, 200))
    expect(ds.getMap('c').has('forged')).toBe(false)
    expect(strict.logs).toContain('dropped an update from a peer that may not write')
  })

  it('closes malformed streams and keeps serving', async () => {
    const a = await peer()
    const bad = await peer()
    await a.r.open('catalog/x')
    const send = async (frames: Uint8Array[]) => {
      const stream = await bad.host.dialProtocol(multiaddr(a.addrs()[0]!), SYNC_PROTOCOL)
      const lp = lpStream(stream)
      for (const f of frames) await lp.write(f).catch(() => {})
      await new Promise((r) => setTimeout(r, 100))
    }
    await send([new TextEncoder().encode('not json')])
    await send([new TextEncoder().encode(JSON.stringify({ doc: '../../etc' }))])
    await send([new TextEncoder().encode(JSON.stringify({ doc: 'catalog/x' })), new Uint8Array([9, 9, 9])])
    await send([new TextEncoder().encode(JSON.stringify({ doc: 'catalog/x' })), new Uint8Array([2, 200, 1, 5])])
    await until(() => a.logs.filter((l) => /bad header|sync stream closed/.test(l)).length >= 3)
    const good = await peer()
    const dg = await good.r.open('catalog/x')
    ;(await a.r.open('catalog/x')).getMap('m').set('ok', 1)
    await good.r.sync('catalog/x', a.addrs())
    await until(() => dg.getMap('m').get('ok') === 1)
  })
})
