/**
 * The hub's registry service alone, as js-libp2p's ping test builds ping: a real LevelDB in a
 * temporary folder, the real registry, and a stub network (addresses to put in invites, no
 * host). A library is invited and admitted once; the same invite, an expired one and a revoked
 * member are refused; a status change and a move are new signed entries with the next seq.
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { open, seal } from '@shulin/federation/envelope'
import { generateNodeKey, type NodeKey } from '@shulin/federation/identity'
import { MemberEntry, registryInJoinMax, type Invite } from '@shulin/protocol'
import { openStorage, type Storage } from '../storage/db.js'
import { tempDir } from '../testing/temp-node.js'
import { HubAddress } from './hub-address.js'
import { MemberRegistry } from './registry.js'
import { registryHub, type RegistryHub } from './registry-hub.js'
import { parseInviteToken } from './registry-member.js'

const hubAddrs = ['/ip4/127.0.0.1/tcp/4001']
const library = { http: ['http://127.0.0.1:8091'], p2p: ['/ip4/127.0.0.1/tcp/4002'] }

describe('registry hub', () => {
  let dir: string
  let storage: Storage
  let key: NodeKey
  let registry: MemberRegistry
  let hub: RegistryHub
  const clock = { now: Date.parse('2026-12-03T09:00:00Z') }
  const hungUp: string[] = []
  let listening: string[] = []

  beforeEach(async () => {
    dir = await tempDir('shulin-registry-hub-')
    storage = await openStorage(join(dir, 'db'), { create: true, dataDir: dir })
    key = await generateNodeKey()
    const address = new HubAddress({ storage, role: 'hub', nodeId: key.nodeId })
    await address.load()
    hungUp.length = 0
    registry = new MemberRegistry({
      storage,
      hub: address,
      hangUp: async (id) => void hungUp.push(id),
      now: () => clock.now,
    })
    listening = hubAddrs
    const network = { whenHost: async () => {}, listenAddrs: () => listening }
    hub = registryHub()({ key, storage, registry, network, now: () => clock.now })
  })
  afterEach(async () => {
    await storage.close()
    await rm(dir, { recursive: true, force: true })
  })

  const inviteFor = async (name: string, validHours = 24) =>
    parseInviteToken((await hub.invite({ name, region: '110000', level: 'county', validHours })).invite)

  it('admits the library an invite names, once, and hands it the registry', async () => {
    const node = (await generateNodeKey()).nodeId
    const invite = await inviteFor('某县图书馆')
    const answer = await hub.admit({ invite, ...library }, node)
    expect(answer.ok).toBe(true)
    if (!answer.ok) return
    const entry = open(answer.entry, MemberEntry, { type: 'shulin/member', signer: key.nodeId })
    expect(entry).toMatchObject({
      nodeId: node,
      name: '某县图书馆',
      status: 'active',
      seq: 1,
      http: library.http,
      p2p: library.p2p,
    })
    expect(answer.registry).toHaveLength(1)
    expect(registry.entry(node)?.status).toBe('active')
    // An invite admits one node: any other key is refused.
    expect(await hub.admit({ invite, ...library }, (await generateNodeKey()).nodeId)).toEqual({
      ok: false,
      reason: 'used',
    })
  })

  it('answers the node an invite already admitted with its current entry (its first answer was lost)', async () => {
    const node = (await generateNodeKey()).nodeId
    const invite = await inviteFor('某镇图书馆')
    const first = await hub.admit({ invite, ...library }, node)
    expect(first.ok).toBe(true)
    // The same key with the same invite: the same entry, no new seq, and the registry.
    const again = await hub.admit({ invite, ...library }, node)
    expect(again).toEqual(first)
    expect(registry.entry(node)?.seq).toBe(1)
    // Past the invite's expiry too (it was admitted in time), and with its status as it now is.
    clock.now += 48 * 3_600_000
    await hub.setStatus(node, 'suspended')
    const later = await hub.admit({ invite, ...library }, node)
    expect(later.ok).toBe(true)
    if (!later.ok) return
    expect(open(later.entry, MemberEntry, { type: 'shulin/member', signer: key.nodeId })).toMatchObject({
      status: 'suspended',
      seq: 2,
    })
    // A revoked node stays out, whichever invite it shows.
    await hub.setStatus(node, 'revoked')
    expect(await hub.admit({ invite, ...library }, node)).toEqual({ ok: false, reason: 'revoked' })
  })

  it('refuses an expired invite by its own clock, and one it did not sign', async () => {
    const late = await inviteFor('迟到的图书馆', 1)
    clock.now += 2 * 3_600_000
    expect(await hub.admit({ invite: late, ...library }, (await generateNodeKey()).nodeId)).toEqual({
      ok: false,
      reason: 'expired',
    })
    // The same invite, signed by another key: the hub knows its id but not its signature.
    const real = await inviteFor('冒名')
    const forged = await seal(await generateNodeKey(), 'shulin/invite', real.payload as Invite)
    expect(await hub.admit({ invite: forged, ...library }, (await generateNodeKey()).nodeId)).toEqual({
      ok: false,
      reason: 'invalid',
    })
  })

  it('suspends and revokes a member with new entries, hangs up on it, and a revoked member stays out', async () => {
    const node = (await generateNodeKey()).nodeId
    await hub.admit({ invite: await inviteFor('某市图书馆'), ...library }, node)
    expect(await hub.setStatus(node, 'suspended')).toMatchObject({ status: 'suspended', seq: 2 })
    expect(hungUp).toEqual([node])
    expect(await hub.setStatus(node, 'active')).toMatchObject({ status: 'active', seq: 3 })
    await hub.setStatus(node, 'revoked')
    await expect(hub.setStatus(node, 'active')).rejects.toMatchObject({ reason: 'revoked' })
    expect(await hub.admit({ invite: await inviteFor('某市图书馆'), ...library }, node)).toEqual({
      ok: false,
      reason: 'revoked',
    })
    expect((await registry.members()).map((m) => [m.nodeId, m.status, m.seq])).toEqual([[node, 'revoked', 4]])
  })

  it('re-signs an active member that moved, and only then', async () => {
    const node = (await generateNodeKey()).nodeId
    await hub.admit({ invite: await inviteFor('某区图书馆'), ...library }, node)
    await hub.renew(library, node)
    expect(registry.entry(node)?.seq).toBe(1)
    const moved = { http: ['http://127.0.0.1:9000'], p2p: ['/ip4/127.0.0.1/tcp/4010'] }
    const answer = await hub.renew(moved, node)
    expect(answer.ok && open(answer.entry, MemberEntry, { type: 'shulin/member', signer: key.nodeId })).toMatchObject({
      ...moved,
      seq: 2,
    })
    expect(await hub.renew(moved, (await generateNodeKey()).nodeId)).toEqual({ ok: false, reason: 'not_member' })
  })

  it('checks each entry signature once per change, not on every read of the registry', async () => {
    const nodes = await Promise.all(Array.from({ length: 20 }, async () => (await generateNodeKey()).nodeId))
    for (const [i, node] of nodes.entries())
      await hub.admit({ invite: await inviteFor(`图书馆${i}`), ...library }, node)
    // The hub sealed these itself: held without a check.
    const admitted = registry.verifications
    // What the statistics routes, SUSHI and the members' sync rounds read, many times over.
    for (let i = 0; i < 50; i++) expect(await registry.members()).toHaveLength(20)
    for (let i = 0; i < 10; i++) {
      const res = await registry.answer({ have: {} }, nodes[i]!)
      expect(res.ok && res.entries).toHaveLength(20)
    }
    expect(await registry.signed()).toHaveLength(20)
    expect(registry.verifications).toBe(admitted)
    // A change is one new entry: one check, and the reads show it at once.
    await hub.setStatus(nodes[0]!, 'suspended')
    expect(registry.verifications).toBe(admitted + 1)
    expect((await registry.members()).find((m) => m.nodeId === nodes[0])?.status).toBe('suspended')
    // A member that has every entry is sent none.
    const have = Object.fromEntries(registry.entries().map((e) => [e.nodeId, e.seq]))
    expect(await registry.answer({ have }, nodes[1]!)).toEqual({ ok: true, entries: [] })

    // After a restart: one check per stored entry at load, none after; a forged entry is not held.
    const forged = await seal(await generateNodeKey(), 'shulin/member', { ...registry.entry(nodes[1]!)!, seq: 9 })
    await storage.commit([registry.putOp(nodes[1]!, forged)], { sync: true })
    await storage.close()
    storage = await openStorage(join(dir, 'db'), { create: false, dataDir: dir })
    const address = new HubAddress({ storage, role: 'hub', nodeId: key.nodeId })
    await address.load()
    const again = new MemberRegistry({ storage, hub: address, hangUp: async () => {}, now: () => clock.now })
    await again.load()
    expect(again.verifications).toBe(20)
    for (let i = 0; i < 50; i++) expect(await again.members()).toHaveLength(19)
    expect(again.entry(nodes[1]!)).toBeUndefined()
    expect(again.verifications).toBe(20)
  })

  it('answers a member by the newest issuedAt it holds, stamping each entry after the last even when the clock goes back', async () => {
    const nodes = await Promise.all(Array.from({ length: 5 }, async () => (await generateNodeKey()).nodeId))
    for (const [i, node] of nodes.entries())
      await hub.admit({ invite: await inviteFor(`图书馆${i}`), ...library }, node)
    // Five admissions within the same millisecond are still five distinct instants, in order.
    const stamps = nodes.map((n) => registry.entry(n)!.issuedAt)
    expect(new Set(stamps).size).toBe(5)
    expect([...stamps].sort()).toEqual(stamps)
    const all = await registry.answer({}, nodes[0]!)
    expect(all.ok && all.entries).toHaveLength(5)
    const upTo = stamps[2]!
    const after = await registry.answer({ since: upTo }, nodes[0]!)
    expect(after.ok && after.entries.map((e) => (e.payload as MemberEntry).nodeId)).toEqual(nodes.slice(3))
    // The hub's clock is set back an hour: the next entry is still stamped after every other,
    // so a member holding everything up to the last stamp is not left without it.
    clock.now -= 3_600_000
    await hub.setStatus(nodes[1]!, 'suspended')
    const suspended = registry.entry(nodes[1]!)!
    expect(Date.parse(suspended.issuedAt)).toBeGreaterThan(Date.parse(stamps[4]!))
    const next = await registry.answer({ since: stamps[4]! }, nodes[0]!)
    expect(next.ok && next.entries.map((e) => (e.payload as MemberEntry).nodeId)).toEqual([nodes[1]])
    expect(await registry.answer({ since: suspended.issuedAt }, nodes[0]!)).toEqual({ ok: true, entries: [] })
    clock.now += 3_600_000
  })

  it('answers a join with the registry while it is small, and without it beyond registryInJoinMax', async () => {
    const node = async () => (await generateNodeKey()).nodeId
    for (let i = 0; i < registryInJoinMax - 1; i++)
      await hub.admit({ invite: await inviteFor(`图书馆${i}`), ...library }, await node())
    const last = await hub.admit({ invite: await inviteFor('最后一个'), ...library }, await node())
    expect(last.ok && last.registry).toHaveLength(registryInJoinMax)
    const newcomer = await node()
    const beyond = await hub.admit({ invite: await inviteFor('又一个'), ...library }, newcomer)
    expect(beyond.ok && beyond.registry).toEqual([])
    // …and the new member is a member: its registry request is answered, with everything.
    const res = await registry.answer({}, newcomer)
    expect(res.ok && res.entries).toHaveLength(registryInJoinMax + 1)
  }, 60_000)

  it('issues no invite while the peer network is down (nowhere to join)', async () => {
    listening = []
    await expect(hub.invite({ name: 'x', region: '110000', level: 'county', validHours: 1 })).rejects.toMatchObject({
      reason: 'not_running',
    })
  })
})
