/**
 * Daily like tallies of a national activity, from a member's outbox to the hub's intake, each on
 * its own real LevelDB: a day is sent once it is over, the hub's sums equal the likes counted,
 * a replay changes nothing, a different count for a day already held is refused, a member
 * offline for days catches up, a day not over by the hub's clock waits, and forged tallies or a
 * stranger's are refused with nothing counted.
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CreateActivityRequest,
  TallyPush,
  type ActivityTally,
  type MemberEntry,
  type NetworkEntry,
  type TallyPushResponse,
} from '@shulin/protocol'
import { generateNodeKey, seal, type NodeKey } from '@shulin/federation'
import { openStorage, type Storage } from '../../storage/db.js'
import { tempDir } from '../../testing/temp-node.js'
import { ActivitiesService } from '../service.js'
import { HubTallies } from './hub-tallies.js'
import { dueDays, TallyPusher, type TallySource } from './tally-pusher.js'

const day = 86_400_000
/** Voting from 2026-12-01 to 2026-12-08, Asia/Shanghai. */
const voting = { from: '2026-11-30T16:00:00.000Z', to: '2026-12-07T16:00:00.000Z' }
/** 2026-12-01 10:00 in Shanghai. */
const t0 = Date.parse('2026-12-01T02:00:00Z')
let activity = ''

describe('activity tallies', () => {
  let dir: string
  let hubDb: Storage
  let memberDb: Storage
  let member: NodeKey
  let stranger: NodeKey
  let entry: MemberEntry
  let hub: HubTallies
  let activities: ActivitiesService
  const clock = { hub: t0, member: t0 }
  /** Likes per day per local entry, as the member's activities would count them. */
  const likes = new Map<string, Map<string, number>>()
  let online = true
  const pushes: TallyPushResponse[] = []

  const like = (d: string, entryId: string, n = 1) => {
    const m = likes.get(d) ?? new Map<string, number>()
    likes.set(d, m.set(entryId, (m.get(entryId) ?? 0) + n))
  }
  const source: TallySource = {
    national: async () => [{ id: activity, phases: { voting } }],
    entries: async () => ['e1', 'e2', 'e3'],
    likesOn: async (_a, d) =>
      [...(likes.get(d) ?? new Map<string, number>())].map(([e, count]) => ({ entry: e, count })),
    describe: async (a, e): Promise<NetworkEntry> => ({
      activity: a,
      id: `${member.nodeId}/${e}`,
      node: member.nodeId,
      title: `《静夜思》 ${e}`,
      text: null,
      author: { name: '李*', library: '临安县图书馆' },
      participant: 'p-0123456789abcdef',
      status: 'ready',
      duration: 31.5,
      audio: null,
      createdAt: '2026-12-01T01:00:00.000Z',
    }),
  }
  let pusher: TallyPusher

  beforeAll(async () => {
    dir = await tempDir('shulin-tallies-')
    hubDb = await openStorage(join(dir, 'hub'), { create: true, dataDir: dir })
    memberDb = await openStorage(join(dir, 'member'), { create: true, dataDir: dir })
    member = await generateNodeKey()
    stranger = await generateNodeKey()
    entry = {
      nodeId: member.nodeId,
      name: '临安县图书馆',
      region: '330185',
      level: 'county',
      http: [],
      p2p: [],
      status: 'active',
      seq: 1,
      issuedAt: '2026-11-01T00:00:00.000Z',
    }
    // The hub's own activities take what the intake accepts: its ranking is the national one.
    const hubKey = await generateNodeKey()
    activities = new ActivitiesService({
      storage: hubDb,
      nodeId: hubKey.nodeId,
      library: () => ({ name: '国家数字图书馆', region: '110000' }),
      now: () => clock.hub,
    })
    activity = (
      await activities.create(
        CreateActivityRequest.parse({
          kind: 'recitation',
          title: '全民诵读',
          audience: 'member-readers',
          phases: { voting: voting },
        }),
      )
    ).id
    hub = new HubTallies({
      storage: hubDb,
      member: (id) => (id === member.nodeId ? entry : undefined),
      national: async (id) => id === activity,
      sink: {
        take: ({ entries, tallies, ops }) =>
          activities
            .takeIntake({
              ops,
              tallies,
              entries: entries.map((e) => ({
                id: e.id,
                activity: e.activity,
                title: e.title,
                text: e.text,
                author: e.participant,
                authorName: e.author.name,
                library: e.node,
                libraryName: e.author.library,
                region: null,
                status: e.status,
                audio: null,
                duration: e.duration,
                createdAt: e.createdAt,
              })),
            })
            .then(() => undefined),
      },
      now: () => clock.hub,
    })
    pusher = new TallyPusher({
      storage: memberDb,
      key: member,
      source,
      now: () => clock.member,
      push: async (push) => {
        if (!online) throw new Error('cannot reach the hub')
        // As the exchange does: the schema first, then the intake, with the peer Noise proved.
        const res = await hub.receive(TallyPush.parse(push), member.nodeId)
        pushes.push(res)
        return res
      },
    })
  })
  afterAll(async () => {
    await hubDb?.close()
    await memberDb?.close()
    await rm(dir, { recursive: true, force: true })
  })

  /** The hub's ranking, by local entry id. */
  const national = async () =>
    Object.fromEntries(
      (await activities.ranking(activity, { scope: 'total', limit: 50 })).entries.map((r) => [
        r.id.split('/')[1]!,
        r.likes,
      ]),
    )

  it('a Shanghai day is due a minute after it ends, only inside the voting window', () => {
    expect(dueDays(voting, Date.parse('2026-12-01T16:00:30Z'))).toEqual([])
    expect(dueDays(voting, Date.parse('2026-12-01T16:01:00Z'))).toEqual(['2026-12-01'])
    expect(dueDays(voting, Date.parse('2027-01-01T00:00:00Z'))).toHaveLength(7)
    expect(dueDays(undefined, t0)).toEqual([])
  })

  it('sends a finished day once, and the hub sums it; a replay changes nothing', async () => {
    like('2026-12-01', 'e1', 3)
    like('2026-12-01', 'e2', 1)
    // The day is not over: no tally goes, but every entry is described, liked or not (e3 is
    // not): each reader's best go to judging at the hub either way.
    expect(await pusher.pushNow()).toMatchObject({ sent: 0, described: 3, pending: 0 })
    expect((await activities.entries(activity)).map((e) => e.id.split('/')[1]).sort()).toEqual(['e1', 'e2', 'e3'])
    expect(await pusher.pushNow()).toMatchObject({ sent: 0, described: 0, pending: 0 })
    clock.member = clock.hub = t0 + day
    expect(await pusher.pushNow()).toMatchObject({ sent: 1, pending: 0 })
    expect(await national()).toEqual({ e1: 3, e2: 1 })
    // The entries' descriptions went with it: no personal data, the library's name.
    const e1 = (await activities.ranking(activity, { scope: 'total', limit: 50 })).entries[0]!
    expect(e1).toMatchObject({
      id: `${member.nodeId}/e1`,
      title: '《静夜思》 e1',
      author: { name: '李*', library: '临安县图书馆' },
    })
    expect(await pusher.pushNow()).toMatchObject({ sent: 0, pending: 0 })

    // The same signed tally again (a replay, or a retry after a lost answer): a duplicate.
    const same: ActivityTally = {
      activity,
      node: member.nodeId,
      day: '2026-12-01',
      likes: [
        { entry: `${member.nodeId}/e2`, count: 1 },
        { entry: `${member.nodeId}/e1`, count: 3 },
      ],
    }
    const env = await seal(member, 'shulin/activity-tally', same)
    expect(await hub.receive({ tallies: [env, env], entries: [] }, member.nodeId)).toEqual({
      ok: true,
      tallies: ['duplicate', 'duplicate'],
      entries: [],
    })
    // A different count for a day already held: refused, the first one stands.
    const more = await seal(member, 'shulin/activity-tally', {
      ...same,
      likes: [{ entry: same.likes[1]!.entry, count: 99 }],
    })
    expect(await hub.receive({ tallies: [more], entries: [] }, member.nodeId)).toMatchObject({ tallies: ['conflict'] })
    expect(await national()).toEqual({ e1: 3, e2: 1 })
  })

  it('a member offline for days keeps its tallies and catches up when the hub is back', async () => {
    online = false
    like('2026-12-02', 'e1', 2)
    like('2026-12-03', 'e2', 5)
    like('2026-12-04', 'e1', 1)
    for (const n of [1, 2, 3]) {
      clock.member = clock.hub = t0 + (n + 1) * day
      const r = await pusher.pushNow()
      expect(r.error).toMatch(/cannot reach the hub/)
      expect(r.pending).toBe(n)
    }
    online = true
    expect(await pusher.pushNow()).toMatchObject({ sent: 3, pending: 0 })
    expect(await national()).toEqual({ e1: 6, e2: 6 })
    // Days without likes are reported too: the hub knows the member counted them.
    expect((await hub.reported(activity)).map((r) => r.day)).toEqual([
      '2026-12-01',
      '2026-12-02',
      '2026-12-03',
      '2026-12-04',
    ])
  })

  it('a day not over by the hub’s clock waits at the member; ten minutes of skew are tolerated', async () => {
    like('2026-12-05', 'e2', 4)
    // The member's clock runs a day ahead of the hub's.
    clock.member = t0 + 5 * day
    clock.hub = t0 + 3 * day
    expect(await pusher.pushNow()).toMatchObject({ sent: 0, refused: 0, pending: 1 })
    expect(pushes.at(-1)).toMatchObject({ tallies: ['future'] })
    expect(await national()).toEqual({ e1: 6, e2: 6 })
    // The hub's clock ten minutes behind the end of the member's day (00:01 in Shanghai): taken.
    clock.hub = Date.parse('2026-12-05T15:51:00Z')
    expect(await pusher.pushNow()).toMatchObject({ sent: 1, pending: 0 })
    expect(await national()).toEqual({ e1: 6, e2: 10 })
  })

  it('forged, mis-signed or a stranger’s tallies are refused and count nothing', async () => {
    clock.hub = t0 + 30 * day
    const tally: ActivityTally = {
      activity,
      node: member.nodeId,
      day: '2026-12-06',
      likes: [{ entry: `${member.nodeId}/e1`, count: 1000 }],
    }
    const good = await seal(member, 'shulin/activity-tally', tally)
    // Changed after signing.
    const forged = { ...good, payload: { ...tally, likes: [{ entry: tally.likes[0]!.entry, count: 1_000_000 }] } }
    // Signed by someone else, pushed by the member; signed by the member for another node.
    const bySomeoneElse = await seal(stranger, 'shulin/activity-tally', { ...tally, node: stranger.nodeId })
    const forAnother = await seal(member, 'shulin/activity-tally', { ...tally, node: stranger.nodeId })
    const unknown = await seal(member, 'shulin/activity-tally', { ...tally, activity: 'not-national' })
    expect(
      await hub.receive({ tallies: [forged, bySomeoneElse, forAnother, unknown], entries: [] }, member.nodeId),
    ).toEqual({ ok: true, tallies: ['malformed', 'wrong_signer', 'wrong_signer', 'unknown_activity'], entries: [] })
    // A node that is not a member, pushing its own.
    expect(await hub.receive({ tallies: [bySomeoneElse], entries: [] }, stranger.nodeId)).toEqual({
      ok: false,
      reason: 'not_member',
    })
    // A member describing another node's entry.
    const theirs = await seal(member, 'shulin/activity-entry', {
      ...(await source.describe(activity, 'e9'))!,
      id: `${stranger.nodeId}/e9`,
    })
    expect(await hub.receive({ tallies: [], entries: [theirs] }, member.nodeId)).toMatchObject({
      entries: ['wrong_signer'],
    })
    expect(await national()).toEqual({ e1: 6, e2: 10 })
  })

  it('takes one member’s push (20 entries and the day’s tally) in ONE synced write', async () => {
    // The same intake on a storage of its own that counts its synced writes.
    const db = await openStorage(join(dir, 'hub-counting'), { create: true, dataDir: dir })
    let synced = 0
    const counting: Storage = {
      ...db,
      commit: (ops, o) => {
        if (o.sync) synced++
        return db.commit(ops, o)
      },
    }
    const acts = new ActivitiesService({
      storage: counting,
      nodeId: 'hub-counting',
      library: () => ({ name: '国家数字图书馆', region: '110000' }),
      now: () => clock.hub,
    })
    const act = (
      await acts.create(
        CreateActivityRequest.parse({
          kind: 'recitation',
          title: '批量诵读',
          audience: 'member-readers',
          phases: { voting },
        }),
      )
    ).id
    const intake = new HubTallies({
      storage: counting,
      member: (id) => (id === member.nodeId ? entry : undefined),
      national: async (id) => id === act,
      sink: {
        take: ({ entries, tallies, ops }) =>
          acts
            .takeIntake({
              ops,
              tallies,
              entries: entries.map((e) => ({
                ...e,
                author: e.participant,
                authorName: e.author.name,
                library: e.node,
                libraryName: e.author.library,
                region: null,
                audio: null,
              })),
            })
            .then(() => undefined),
      },
      now: () => clock.hub,
    })
    const ids = Array.from({ length: 20 }, (_, i) => `b${i}`)
    const entries = await Promise.all(
      ids.map(async (e) => seal(member, 'shulin/activity-entry', { ...(await source.describe(act, e))! })),
    )
    const tally = await seal(member, 'shulin/activity-tally', {
      activity: act,
      node: member.nodeId,
      day: '2026-12-01',
      likes: ids.map((e, i) => ({ entry: `${member.nodeId}/${e}`, count: i + 1 })),
    })
    clock.hub = Math.max(clock.hub, t0 + day)
    synced = 0
    const res = await intake.receive(TallyPush.parse({ tallies: [tally], entries }), member.nodeId)
    expect(res).toMatchObject({ ok: true, tallies: ['stored'] })
    expect(synced).toBe(1)
    const ranking = await acts.ranking(act, { scope: 'total', limit: 50 })
    expect(ranking.entries.map((r) => r.likes)).toEqual(ids.map((_, i) => 20 - i))
    // A replay writes nothing.
    synced = 0
    expect(await intake.receive(TallyPush.parse({ tallies: [tally], entries }), member.nodeId)).toMatchObject({
      tallies: ['duplicate'],
    })
    expect(synced).toBe(0)
    await db.close()
  })
})
