/**
 * A member's registry round when its hub does not answer, over a real libp2p host and real
 * sockets: it asks a few other members picked at random, not every member in the registry's
 * order. Forty members' addresses are TCP listeners that count who dials them and hang up.
 */
import { rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHost, type Host } from '@shulin/federation'
import { seal } from '@shulin/federation/envelope'
import { generateNodeKey, type NodeKey } from '@shulin/federation/identity'
import type { MemberEntry } from '@shulin/protocol'
import { openStorage, type Storage } from '../storage/db.js'
import { tempDir } from '../testing/temp-node.js'
import { HubAddress } from './hub-address.js'
import { MemberRegistry } from './registry.js'
import { peersAskedPerRound, registryMember, type RegistryMember } from './registry-member.js'

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
