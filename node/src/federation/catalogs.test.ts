/**
 * Which peers a node counts as holding a catalog: one that refuses a pull stops being one, one
 * that merely fails (down, timed out) stays one. Two nodes' catalogs over real LevelDB and real
 * libp2p hosts.
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createHost, generateNodeKey, type Host } from '@shulin/federation'
import { openStorage, type Storage } from '../storage/db.js'
import { tempDir } from '../testing/temp-node.js'
import { pino, type Logger } from 'pino'
import { discoveryFanout, NetworkCatalogs, pullFanout, pullTargets } from './catalogs.js'

interface Side {
  id: string
  host: Host
  storage: Storage
  catalogs: NetworkCatalogs
}

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function side(name: string, logger?: Logger): Promise<Side> {
  const dir = await tempDir('shulin-catalogs-')
  const storage = await openStorage(join(dir, 'db'), { create: true, dataDir: dir })
  const key = await generateNodeKey()
  const host = await createHost({ privateKey: key.privateKey, listen: ['/ip4/127.0.0.1/tcp/0'] })
  const catalogs = new NetworkCatalogs({ storage, nodeId: host.peerId.toString(), now: Date.now, logger })
  // Opened before the network is attached, so no pull starts behind the test's back.
  await catalogs.open(name)
  cleanups.push(async () => {
    await host.stop()
    await storage.close()
    await rm(dir, { recursive: true, force: true })
  })
  return { id: host.peerId.toString(), host, storage, catalogs }
}

describe('NetworkCatalogs holders', () => {
  it('forgets a holder that refuses a pull', { timeout: 30_000 }, async () => {
    const a = await side('letters')
    const b = await side('letters')
    let mayRead = true
    await a.catalogs.attach({ host: a.host, peers: () => [], mayRead: () => mayRead })
    await b.catalogs.attach({
      host: b.host,
      peers: () => [{ id: a.id, addrs: a.host.getMultiaddrs().map(String) }],
      mayRead: () => true,
    })
    await b.catalogs.pullRound()
    expect(b.catalogs.holders('letters')).toEqual([a.id])
    mayRead = false
    await b.catalogs.pullRound()
    expect(b.catalogs.holders('letters')).toEqual([])
  })

  it(
    'keeps a holder whose pull fails without a refusal, whatever the catalog is called',
    { timeout: 30_000 },
    async () => {
      // The catalog's name is in the error's message: telling a refusal by its text took this
      // failure for one.
      const a = await side('refused-letters')
      const b = await side('refused-letters')
      const addrs = a.host.getMultiaddrs().map(String)
      await a.catalogs.attach({ host: a.host, peers: () => [], mayRead: () => true })
      await b.catalogs.attach({ host: b.host, peers: () => [{ id: a.id, addrs }], mayRead: () => true })
      await b.catalogs.pullRound()
      expect(b.catalogs.holders('refused-letters')).toEqual([a.id])
      await a.host.stop()
      await b.catalogs.pullRound()
      expect(b.catalogs.holders('refused-letters')).toEqual([a.id])
    },
  )
})

describe('NetworkCatalogs pull order', () => {
  it(
    'asks the hub after the others: a new subscriber takes what a member holds from the member, and only the rest from the hub',
    { timeout: 30_000 },
    async () => {
      const pulled: Array<{ peer: string; shards: number; bytes: number }> = []
      const logger = pino({ level: 'debug' }, { write: (line: string) => void pulled.push(JSON.parse(line)) })
      const hub = await side('national')
      const member = await side('national')
      const subscriber = await side('national', logger)
      const addrs = (s: Side) => s.host.getMultiaddrs().map(String)
      const national = await hub.catalogs.open('national')
      await national.put(Array.from({ length: 3000 }, (_, i) => [`r${i}`, { title: `中华经典第${i + 1}册` }] as const))
      await hub.catalogs.attach({ host: hub.host, peers: () => [], mayRead: () => true })
      await member.catalogs.attach({
        host: member.host,
        peers: () => [{ id: hub.id, addrs: addrs(hub), hub: true }],
        mayRead: () => true,
      })
      await member.catalogs.pullRound()
      // Since the member's copy, the hub has a change of five records.
      await national.put(
        Array.from({ length: 5 }, (_, i) => [`r${i}`, { title: `中华经典第${i + 1}册（修订）` }] as const),
      )
      // The hub is listed first, as a node's peers list it.
      await subscriber.catalogs.attach({
        host: subscriber.host,
        peers: () => [
          { id: hub.id, addrs: addrs(hub), hub: true },
          { id: member.id, addrs: addrs(member) },
        ],
        mayRead: () => true,
      })
      await subscriber.catalogs.pullRound()
      const from = (s: Side) => pulled.filter((l) => l.peer === s.id)
      expect(from(member)).toHaveLength(1)
      expect(from(hub)).toHaveLength(1)
      expect(from(hub)[0]!.shards).toBeLessThanOrEqual(5)
      expect(from(hub)[0]!.bytes).toBeLessThan(from(member)[0]!.bytes / 50)
      const got = await subscriber.catalogs.open('national')
      expect(await got.get('r0')).toEqual({ title: '中华经典第1册（修订）' })
      expect(await got.get('r2999')).toEqual({ title: '中华经典第3000册' })
      expect(subscriber.catalogs.holders('national').sort()).toEqual([hub.id, member.id].sort())
    },
  )
})

describe('pullTargets', () => {
  const peers = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ id: `p${i}`, addrs: [`/ip4/127.0.0.1/tcp/${4000 + i}`] }))
  const always = () => true

  it('asks every due peer in a small network; while nobody is known to hold the catalog, the hub and others up to the discovery fanout', () => {
    expect(pullTargets(peers(pullFanout), always, new Set(['p1']))).toHaveLength(pullFanout)
    expect(pullTargets(peers(discoveryFanout), always, undefined)).toHaveLength(discoveryFanout)
    const notDue = new Set(['p2', 'p3'])
    expect(pullTargets(peers(10), (p) => !notDue.has(p.id), undefined).map((p) => p.id)).not.toContain('p2')
    for (const none of [undefined, new Set<string>()]) {
      const asked = pullTargets(peers(3000), always, none).map((p) => p.id)
      expect(asked.length).toBeGreaterThan(discoveryFanout / 2)
      expect(asked.length).toBeLessThanOrEqual(discoveryFanout)
      expect(new Set(asked).size).toBe(asked.length)
      expect(asked[0]).toBe('p0')
    }
  })

  it('in a large network asks the hub, three holders and two others, not every member', () => {
    for (const holders of [
      new Set(Array.from({ length: 500 }, (_, i) => `p${i * 2 + 1}`)),
      new Set(['p17', 'p2900', 'p1234', 'p5', 'p77']),
    ]) {
      for (let round = 0; round < 20; round++) {
        const asked = pullTargets(peers(3000), always, holders).map((p) => p.id)
        expect(asked.length).toBeLessThanOrEqual(pullFanout)
        expect(asked.length).toBeGreaterThanOrEqual(4)
        expect(new Set(asked).size).toBe(asked.length)
        expect(asked[0]).toBe('p0')
        expect(asked.slice(1, 4).every((id) => holders.has(id))).toBe(true)
      }
    }
    // A hub not due (backing off) is not asked.
    const holders = new Set(['p17', 'p2900', 'p1234', 'p5', 'p77'])
    expect(pullTargets(peers(3000), (p) => p.id !== 'p0', holders).map((p) => p.id)).not.toContain('p0')
  })
})
