/**
 * A member's registry round when its hub does not answer, over a real libp2p host and real
 * sockets: it asks a few other members picked at random, not every member in the registry's
 * order (forty members' addresses are TCP listeners that count who dials them and hang up); and
 * it hangs up on a hub that holds the connection but stopped answering.
 */
import { rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createHost, type Host } from '@shulin/federation'
import { seal } from '@shulin/federation/envelope'
import { generateNodeKey, type NodeKey } from '@shulin/federation/identity'
import { REGISTRY_PROTOCOL_V1_1, type MemberEntry } from '@shulin/protocol'
import { peerIdFromString } from '@libp2p/peer-id'
import { openStorage, type Storage } from '../storage/db.js'
import { tempDir } from '../testing/temp-node.js'
import { HubAddress } from './hub-address.js'
import { MemberRegistry } from './registry.js'
import { hubSilencesBeforeRedial, peersAskedPerRound, registryMember, type RegistryMember } from './registry-member.js'

const OTHERS = 40

describe('registry member, hub away', () => {
  let dir: string
  let storage: Storage
  let host: Host
  let member: RegistryMember
  const servers: Server[] = []
  /** Which of the others was dialled in the current round (by index). */
  let dialled = new Set<number>()
  const clock = { now: Date.parse('2026-12-07T09:00:00Z') }

  const listen = (onConnection: () => void) =>
    new Promise<number>((resolve) => {
      const server = createServer((socket) => {
        onConnection()
        socket.destroy()
      })
      servers.push(server)
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port))
    })

  beforeAll(async () => {
    dir = await tempDir('shulin-registry-member-')
    storage = await openStorage(join(dir, 'db'), { create: true, dataDir: dir })
    const hubKey: NodeKey = await generateNodeKey()
    const key = await generateNodeKey()
    // The hub's address: a port nobody listens on any more.
    const closed = await listen(() => {})
    await new Promise((r) => servers.pop()!.close(r))
    const address = new HubAddress({ storage, role: 'node', nodeId: key.nodeId })
    await address.load()
    const state = {
      hub: hubKey.nodeId,
      hubAddrs: [`/ip4/127.0.0.1/tcp/${closed}/p2p/${hubKey.nodeId}`],
      joinedAt: new Date(clock.now).toISOString(),
    }
    await storage.commit([address.joinOp(state)], { sync: true })
    address.joined(state)
    const registry = new MemberRegistry({ storage, hub: address, hangUp: async () => {}, now: () => clock.now })
    const envs = []
    for (let i = 0; i < OTHERS; i++) {
      const other = await generateNodeKey()
      const port = await listen(() => dialled.add(i))
      const entry: MemberEntry = {
        nodeId: other.nodeId,
        name: `某县图书馆 ${i}`,
        region: '110000',
        level: 'county',
        http: [`http://127.0.0.1:${port}`],
        p2p: [`/ip4/127.0.0.1/tcp/${port}/p2p/${other.nodeId}`],
        status: 'active',
        seq: 1,
        issuedAt: new Date(clock.now - 60_000 + i).toISOString(),
      }
      envs.push(await seal(hubKey, 'shulin/member', entry))
    }
    expect(await registry.accept(envs)).toBe(OTHERS)
    host = await createHost({ privateKey: key.privateKey, listen: [] })
    member = registryMember({ httpUrl: () => 'http://127.0.0.1:1', p2pPort: 0 })({
      key,
      storage,
      hub: address,
      registry,
      network: { start: async () => {}, peerHost: () => host, listenAddrs: () => [], hangUp: async () => {} },
      now: () => clock.now,
    })
  })
  afterAll(async () => {
    await host?.stop()
    for (const s of servers) await new Promise((r) => s.close(r))
    await storage?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('asks a few other members a round, picked at random, not the registry’s first', async () => {
    const everyRound: number[][] = []
    for (let round = 0; round < 10; round++) {
      dialled = new Set()
      clock.now += 3_600_000 // past the next ask, whatever the network's size makes it
      const t0 = Date.now()
      expect(await member.syncOnce()).toBe(0)
      expect(Date.now() - t0).toBeLessThan(15_000)
      everyRound.push([...dialled])
    }
    // Each round: the hub (refused), then exactly this many others, each once.
    for (const asked of everyRound) expect(asked).toHaveLength(peersAskedPerRound)
    // Over ten rounds the asks spread over the network (30 picks of 40: about 22 distinct), where
    // the registry's order would have asked members 0, 1 and 2 every time.
    const distinct = new Set(everyRound.flat())
    expect(distinct.size).toBeGreaterThanOrEqual(10)
  }, 120_000)
})

/**
 * A hub connection that died without a word: the hub's host holds the connection and takes the
 * registry stream but never answers (as a peer behind a NAT that forgot the mapping looks from
 * the member's side). The member hangs up after two such asks, so its next round dials afresh,
 * instead of waiting for libp2p's liveness pings (every five minutes) to close it.
 */
describe('registry member, hub silent on a live connection', () => {
  let dir: string
  let storage: Storage
  let host: Host
  let hub: Host
  let member: RegistryMember
  const clock = { now: Date.parse('2026-12-07T09:00:00Z') }

  beforeAll(async () => {
    dir = await tempDir('shulin-registry-member-silent-')
    storage = await openStorage(join(dir, 'db'), { create: true, dataDir: dir })
    const hubKey = await generateNodeKey()
    const key = await generateNodeKey()
    hub = await createHost({ privateKey: hubKey.privateKey, listen: ['/ip4/127.0.0.1/tcp/0'] })
    await hub.handle(REGISTRY_PROTOCOL_V1_1, () => {}) // takes the ask, never answers
    const address = new HubAddress({ storage, role: 'node', nodeId: key.nodeId })
    await address.load()
    const state = {
      hub: hubKey.nodeId,
      hubAddrs: hub.getMultiaddrs().map(String),
      joinedAt: new Date(clock.now).toISOString(),
    }
    await storage.commit([address.joinOp(state)], { sync: true })
    address.joined(state)
    const registry = new MemberRegistry({ storage, hub: address, hangUp: async () => {}, now: () => clock.now })
    host = await createHost({ privateKey: key.privateKey, listen: [] })
    member = registryMember({ httpUrl: () => 'http://127.0.0.1:1', p2pPort: 0 })({
      key,
      storage,
      hub: address,
      registry,
      network: {
        start: async () => {},
        peerHost: () => host,
        listenAddrs: () => [],
        hangUp: (id) => host.hangUp(peerIdFromString(id)),
      },
      now: () => clock.now,
    })
  })
  afterAll(async () => {
    await host?.stop()
    await hub?.stop()
    await storage?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it(`hangs up after ${hubSilencesBeforeRedial} asks the hub did not answer`, async () => {
    const connected = () => host.getConnections(hub.peerId).length
    for (let round = 1; round <= hubSilencesBeforeRedial; round++) {
      clock.now += 3_600_000
      expect(await member.syncOnce()).toBe(0)
      // Held through the first silences, closed at the last.
      expect(connected()).toBe(round < hubSilencesBeforeRedial ? 1 : 0)
    }
    // The next round dials afresh (its ask then ended by stopping the hub, not waited out).
    clock.now += 3_600_000
    const third = member.syncOnce()
    await vi.waitFor(() => expect(connected()).toBe(1), { timeout: 5_000 })
    await hub.stop()
    expect(await third).toBe(0)
  }, 60_000)
})
