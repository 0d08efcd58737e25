/**
 * Activity phase notices on a real LevelDB, with the node's clock moved: voting opening tells
 * each reader with an entry once (a second look and a restart tell nobody again), an event's
 * phase that began while the node was down is told after it comes back, and a phase already
 * over is not told at all.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CreateActivityRequest } from '@shulin/protocol'
import { newAccountRecord } from '../accounts/store.js'
import { ActivitiesService } from '../activities/index.js'
import { InboxService } from '../inbox/service.js'
import { openStorage, type Storage } from '../storage/db.js'
import { Client, signedInAdmin, startTempNode } from '../testing/temp-node.js'
import { ActivityPhaseWatcher } from './activity-phases.js'
import { Notifier } from './notifier.js'

const hour = 3_600_000
const start = Date.parse('2026-06-01T02:00:00Z')
const iso = (ms: number) => new Date(ms).toISOString()

let dir: string
let storage: Storage
const clock = { now: start }

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shulin-activity-phases-'))
  storage = await openStorage(join(dir, 'db'), { create: true, dataDir: dir })
  clock.now = start
})
afterEach(async () => {
  await storage.close()
  await rm(dir, { recursive: true, force: true })
})

/** The node's parts the watcher uses, over `storage` (built again after a "restart"). */
function node(signups: Record<string, string[]> = {}) {
  const activities = new ActivitiesService({
    storage,
    nodeId: 'node-a',
    library: () => ({ name: '甲图书馆', region: '440106' }),
    now: () => clock.now,
  })
  const inbox = new InboxService(storage, () => clock.now)
  const notifier = new Notifier({ storage, inbox, now: () => clock.now })
  const watcher = new ActivityPhaseWatcher({
    storage,
    activities,
    signedUp: async (id) => signups[id] ?? [],
    notifier,
    nodeId: 'node-a',
    now: () => clock.now,
  })
  const phaseNotices = async (account: string) =>
    (await inbox.list(account, { limit: 50 })).items.filter((n) => n.kind === 'activity-phase')
  return { activities, watcher, phaseNotices }
}

const reader = (id: string) =>
  newAccountRecord({ id, kind: 'reader', source: 'register', name: '王小明' }, iso(start - 100 * hour))

describe('activity phase notices', () => {
  it('tells each participant once when voting opens, also across a restart', async () => {
    let n = node()
    const act = await n.activities.create(
      CreateActivityRequest.parse({
        kind: 'recitation',
        title: '诵读《静夜思》',
        phases: {
          submission: { from: iso(start - hour), to: iso(start + 48 * hour) },
          voting: { from: iso(start + 2 * hour), to: iso(start + 48 * hour) },
        },
      }),
    )
    for (const author of ['r1', 'r2'])
      await n.activities.submitEntry({
        activityId: act.id,
        account: reader(author),
        source: { blob: 'a'.repeat(64), mediaType: 'audio/wav' },
        duration: 2,
      })
    // Voting has not begun: nobody hears of it.
    expect(await n.watcher.tick()).toBe(0)
    expect(await n.phaseNotices('r1')).toHaveLength(0)

    clock.now = start + 3 * hour
    expect(await n.watcher.tick()).toBe(2)
    for (const r of ['r1', 'r2']) {
      const got = await n.phaseNotices(r)
      expect(got).toHaveLength(1)
      expect(got[0]).toMatchObject({ link: `/activities/${act.id}` })
      expect(got[0]!.title).toContain('投票开始了')
    }
    // A reader without an entry is not concerned.
    expect(await n.phaseNotices('r9')).toHaveLength(0)
    expect(await n.watcher.tick()).toBe(0)

    // Restart: the phase is remembered as told.
    await storage.close()
    storage = await openStorage(join(dir, 'db'), { dataDir: dir })
    n = node()
    clock.now = start + 4 * hour
    expect(await n.watcher.tick()).toBe(0)
    expect(await n.phaseNotices('r1')).toHaveLength(1)
  })

  it('tells a phase that began while the node was down, but not one already over', async () => {
    const signups: Record<string, string[]> = {}
    let n = node(signups)
    const event = (title: string, results: { from: number; to: number }) =>
      n.activities.create(
        CreateActivityRequest.parse({
          kind: 'event',
          title,
          eventKind: 'reading-club',
          capacity: 10,
          phases: {
            signup: { from: iso(start - hour), to: iso(start + 24 * hour) },
            results: { from: iso(results.from), to: iso(results.to) },
          },
        }),
      )
    const club = await event('《红楼梦》读书会', { from: start + 30 * hour, to: start + 90 * hour })
    const past = await event('旧书交换', { from: start + 30 * hour, to: start + 31 * hour })
    signups[club.id] = ['r3']
    signups[past.id] = ['r3']
    expect(await n.watcher.tick()).toBe(0)

    // Down from now until well into the club's results phase (and past the other's end).
    await storage.close()
    clock.now = start + 40 * hour
    storage = await openStorage(join(dir, 'db'), { dataDir: dir })
    n = node(signups)
    expect(await n.watcher.tick()).toBe(1)
    const got = await n.phaseNotices('r3')
    expect(got.map((x) => x.link)).toEqual([`/activities/${club.id}`])
    expect(await n.watcher.tick()).toBe(0)
  })

  it('on a running node, tells a reader with a seat in their inbox when the clock reaches the phase', async () => {
    const t = await startTempNode()
    try {
      const staff = await signedInAdmin(t)
      const at = (h: number) => iso(t.clock.now + h * hour)
      const created = await staff.post('/api/staff/activities', {
        kind: 'event',
        title: '《红楼梦》读书会',
        eventKind: 'reading-club',
        capacity: 5,
        phases: { signup: { from: at(-1), to: at(24) }, results: { from: at(30), to: at(90) } },
      })
      expect(created.status).toBe(201)
      const id = created.body.id as string
      const a = new Client(t.node.url, { 'accept-language': 'en' })
      expect(
        (await a.post('/api/auth/register', { mode: 'quick', phone: '13600137001', password: 'reading2026' })).status,
      ).toBe(201)
      expect((await a.post(`/api/activities/${id}/signup`)).status).toBe(201)
      const phaseNotices = async () =>
        ((await a.get('/api/me/inbox')).body.items as Array<{ kind: string; link: string }>).filter(
          (x) => x.kind === 'activity-phase',
        )
      expect(await t.node.activityPhases.tick()).toBe(0)
      t.clock.now += 31 * hour
      expect(await t.node.activityPhases.tick()).toBe(1)
      // A day and more later the session has lapsed: the reader signs in again to look.
      expect((await a.post('/api/auth/login', { identifier: '13600137001', password: 'reading2026' })).status).toBe(200)
      expect(await phaseNotices()).toEqual([expect.objectContaining({ link: `/activities/${id}` })])
    } finally {
      await t.close()
    }
  }, 60_000)
})
