/**
 * National activities travel like channel records: the hub signs its member-readers activities
 * into the `activities` catalog, a member pulls it over real libp2p and lists them as national,
 * organised by the hub; a newer version (withdrawn) replaces the older. A member that signs an
 * "activity" itself and offers it is refused by the catalog's rule, and nothing of it is listed.
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { CreateActivityRequest, NATIONAL_ACTIVITIES_CATALOG, type NationalActivity } from '@shulin/protocol'
import { createHost, generateNodeKey, seal, type Host, type NodeKey } from '@shulin/federation'
import { openStorage, type Storage } from '../../storage/db.js'
import { tempDir } from '../../testing/temp-node.js'
import { NetworkCatalogs } from '../../federation/catalogs.js'
import { ActivitiesService } from '../service.js'
import { NationalActivities } from './national.js'

interface Side {
  key: NodeKey
  host: Host
  storage: Storage
  catalogs: NetworkCatalogs
  activities: ActivitiesService
  national: NationalActivities
  /** Whom this side pulls from in the next round. */
  from: Array<{ id: string; addrs: string[] }>
}

const cleanups: Array<() => Promise<void>> = []
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

let hubId = ''
async function side(role: 'hub' | 'node'): Promise<Side> {
  const dir = await tempDir('shulin-national-')
  const storage = await openStorage(join(dir, 'db'), { create: true, dataDir: dir })
  const key = await generateNodeKey()
  const host = await createHost({ privateKey: key.privateKey, listen: ['/ip4/127.0.0.1/tcp/0'] })
  const catalogs = new NetworkCatalogs({ storage, nodeId: key.nodeId, now: Date.now })
  const activities = new ActivitiesService({
    storage,
    nodeId: key.nodeId,
    library: () => ({ name: role === 'hub' ? '国家数字图书馆' : '临安县图书馆', region: null }),
  })
  const national = new NationalActivities({
    role,
    key,
    activities,
    catalog: (name) => catalogs.open(name),
    hubId: () => hubId || undefined,
  })
  catalogs.setRules((name) => national.catalogRule(name))
  await catalogs.open(NATIONAL_ACTIVITIES_CATALOG)
  const from: Side['from'] = []
  await catalogs.attach({ host, peers: () => from, mayRead: () => true })
  cleanups.push(async () => {
    national.stop()
    await host.stop()
    await storage.close()
    await rm(dir, { recursive: true, force: true })
  })
  return { key, host, storage, catalogs, activities, national, from }
}

const pullFrom = async (to: Side, from: Side) => {
  to.from.splice(0, to.from.length, { id: from.key.nodeId, addrs: from.host.getMultiaddrs().map(String) })
  await to.catalogs.pullRound()
}

const request = (title: string, audience: 'member-readers' | 'node-readers') =>
  CreateActivityRequest.parse({
    kind: 'recitation',
    title,
    audience,
    phases: { voting: { from: '2026-12-01T00:00:00Z', to: '2026-12-08T00:00:00Z' } },
  })

describe('national activities', () => {
  it('reach a member signed by the hub; a member’s forgery does not', { timeout: 60_000 }, async () => {
    const hub = await side('hub')
    hubId = hub.key.nodeId
    const member = await side('node')
    const forger = await side('node')

    const recite = await hub.activities.create(request('全民诵读', 'member-readers'))
    await hub.activities.create(request('馆内读书会', 'node-readers'))
    expect(await hub.national.publish()).toBe(1)
    expect(await hub.national.publish()).toBe(0)

    await pullFrom(member, hub)
    expect(await member.national.applyAll()).toBe(1)
    const listed = await member.activities.list()
    expect(listed).toHaveLength(1)
    expect(await member.activities.view(listed[0]!)).toMatchObject({
      id: recite.id,
      title: '全民诵读',
      scope: 'national',
      organiser: { nodeId: hub.key.nodeId, name: '国家数字图书馆' },
    })

    // A newer version travels: the hub withdraws it.
    await hub.activities.setStatus(recite.id, 'withdrawn')
    expect(await hub.national.publish()).toBe(1)
    await pullFrom(member, hub)
    await member.national.applyAll()
    expect(await member.activities.list()).toHaveLength(0)
    expect((await member.activities.get(recite.id)).status).toBe('withdrawn')

    // A member signs an "activity" of its own, and one over the hub's id, and offers them.
    const fake = (id: string): NationalActivity => ({
      id,
      organiser: { nodeId: hub.key.nodeId, name: '国家数字图书馆' },
      activity: request('假活动', 'member-readers'),
      status: 'published',
      createdAt: '2026-12-01T00:00:00.000Z',
      updatedAt: '2030-01-01T00:00:00.000Z',
    })
    const forgerCat = await forger.catalogs.open(NATIONAL_ACTIVITIES_CATALOG)
    // Written locally (a node writes its own catalog as it likes); peers check what they pull.
    await forgerCat.put([
      ['fake-1', await seal(forger.key, 'shulin/activity', fake('fake-1'))],
      [recite.id, await seal(forger.key, 'shulin/activity', fake(recite.id))],
    ])
    await pullFrom(member, forger)
    // The member's catalog still holds the hub's own version; nothing of the forger's went in.
    const held = await member.catalogs.open(NATIONAL_ACTIVITIES_CATALOG)
    expect(await held.get('fake-1')).toBeUndefined()
    expect(await held.get(recite.id)).toMatchObject({ signer: hub.key.nodeId, payload: { status: 'withdrawn' } })
    await member.national.applyAll()
    expect((await member.activities.list({ all: true })).map((a) => [a.id, a.status])).toEqual([
      [recite.id, 'withdrawn'],
    ])
  })
})
