/**
 * The hub's intake at national scale: 1,000 member libraries (each its own Ed25519 key) push
 * three days of roll-ups made from generated reader events by the COUNTER pipeline, with lost
 * answers retried, duplicates, re-sent days with a higher revision, and a hub restart (LevelDB
 * closed and opened again) in the middle. The national figures, and each province's and
 * level's, equal the sums of what was generated, exactly. Bad roll-ups are refused.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  aggregateDay,
  type MemberEntry,
  type MetricCounts,
  type Rollup,
  type SignedEnvelope,
  type UsageEvent,
} from '@shulin/protocol'
import { generateNodeKey, type NodeKey } from '@shulin/federation/identity'
import { seal } from '@shulin/federation/envelope'
import { openStorage, type Storage } from '../../node/src/storage/db.js'
import { HubStats } from '../../node/src/stats/hub.js'

const days = ['2026-11-28', '2026-11-29', '2026-11-30']
const now = Date.parse('2026-12-01T04:00:00Z')
const levels = ['province', 'city', 'county'] as const

/** A small deterministic random source (replayable). */
function rng(seed: number) {
  return () => (seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32
}

interface Member {
  key: NodeKey
  entry: MemberEntry
}

function events(day: string, random: () => number, n: number): UsageEvent[] {
  const t0 = Date.parse(`${day}T00:00:00Z`) - 8 * 3_600_000
  const kinds = ['view', 'content', 'search', 'sign_in', 'no_license'] as const
  // Each event a minute apart: no double clicks, so each one counts.
  return Array.from({ length: n }, (_, i) => ({
    t: t0 + i * 60_000,
    k: kinds[Math.floor(random() * kinds.length)]!,
    s: `s${Math.floor(random() * 5)}`,
    r: `r${Math.floor(random() * 7)}`,
    d: 'mobile' as const,
    m: 'web' as const,
    q: 'q',
  }))
}

describe('hub intake: 1,000 members', () => {
  let dir: string
  let storage: Storage
  afterAll(async () => {
    await storage?.close().catch(() => {})
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it(
    'national totals equal the sum of the events generated, through retries, duplicates and a restart',
    { timeout: 90_000 },
    async () => {
      dir = await mkdtemp(join(tmpdir(), 'shulin-hub-stats-'))
      const random = rng(20261201)
      const members: Member[] = []
      for (let i = 0; i < 1000; i++) {
        const key = await generateNodeKey()
        const province = String(11 + (i % 30))
        const region = `${province}${String(1 + (i % 7)).padStart(2, '0')}${String(1 + (i % 13)).padStart(2, '0')}`
        members.push({
          key,
          entry: {
            nodeId: key.nodeId,
            name: `图书馆${i}`,
            region,
            level: levels[i % 3]!,
            http: [],
            p2p: [],
            status: 'active',
            seq: 1,
            issuedAt: new Date(now).toISOString(),
          },
        })
      }
      const registry = new Map(members.map((m) => [m.key.nodeId, m.entry]))
      const open = async () => {
        storage = await openStorage(join(dir, 'db'), { create: true, dataDir: dir })
        return new HubStats({ storage, member: (id) => registry.get(id), now: () => now })
      }
      let hub = await open()

      // What each member generated, and the pushes it will make.
      const expected = new Map<string, number>()
      const byProvince = new Map<string, number>()
      const byLevel = new Map<string, number>()
      const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v)
      const pushes: Array<{ member: Member; rollups: SignedEnvelope[] }> = []
      for (const member of members) {
        const envs: SignedEnvelope[] = []
        for (const day of days) {
          const all = events(day, random, 5 + Math.floor(random() * 20))
          const final = aggregateDay(day, all, { utcOffsetMinutes: 480 })
          expect(final.totals.Total_Item_Investigations).toBe(
            all.filter((e) => e.k === 'view' || e.k === 'content').length,
          )
          const rollup = (revision: number, totals: MetricCounts): Rollup => ({
            v: 1,
            node: member.key.nodeId,
            day,
            revision,
            generatedAt: new Date(now).toISOString(),
            totals,
            hours: final.hours,
            devices: final.devices,
            methods: final.methods,
            top: [],
          })
          // One in five members re-sends a day: revision 1 had part of the events, revision 2 all.
          if (random() < 0.2)
            envs.push(
              await seal(
                member.key,
                'shulin/rollup',
                rollup(1, aggregateDay(day, all.slice(0, 3), { utcOffsetMinutes: 480 }).totals),
              ),
            )
          envs.push(await seal(member.key, 'shulin/rollup', rollup(2, final.totals)))
          for (const e of all) {
            const metric = {
              view: 'Total_Item_Investigations',
              content: 'Total_Item_Requests',
              search: 'Searches_Regular',
              sign_in: 'Sign_Ins',
              no_license: 'No_License',
            }[e.k as 'view']
            add(expected, metric, 1)
            if (e.k === 'content') add(expected, 'Total_Item_Investigations', 1)
            if (metric === 'Total_Item_Requests') {
              add(byProvince, member.entry.region.slice(0, 2), 1)
              add(byLevel, member.entry.level, 1)
            }
          }
        }
        pushes.push({ member, rollups: envs })
      }

      let stored = 0
      let duplicates = 0
      const send = async (p: (typeof pushes)[number], rollups: SignedEnvelope[]) => {
        const res = await hub.receive({ rollups }, p.member.key.nodeId)
        expect(res.ok).toBe(true)
        if (!res.ok) return
        stored += res.outcomes.filter((o) => o === 'stored').length
        duplicates += res.outcomes.filter((o) => o === 'duplicate').length
        expect(res.outcomes.every((o) => o === 'stored' || o === 'duplicate')).toBe(true)
      }
      for (const [i, p] of pushes.entries()) {
        if (i === 500) {
          // The hub restarts; the cached sums go with it.
          await storage.close()
          hub = await open()
        }
        // Some pushes carry each day separately, some all at once.
        if (i % 2) for (const env of p.rollups) await send(p, [env])
        else await send(p, p.rollups)
        // One in ten answers is "lost": the member pushes everything again.
        if (i % 10 === 3) await send(p, p.rollups)
        // Some members replay an old revision after the new one: it must not win.
        if (i % 17 === 0) await send(p, [p.rollups[0]!])
      }
      expect(duplicates).toBeGreaterThan(100)
      expect(stored).toBeGreaterThanOrEqual(3000)

      // Restart again before reading: the figures come from disk.
      await storage.close()
      hub = await open()
      const nation = await hub.summary('all', days[0]!, days[2]!)
      expect(nation.reports).toBe(3000)
      for (const [metric, n] of expected) expect(nation.totals[metric as keyof MetricCounts], metric).toBe(n)
      for (const [p, n] of byProvince)
        expect((await hub.summary(`p:${p}`, days[0]!, days[2]!)).totals.Total_Item_Requests).toBe(n)
      for (const [l, n] of byLevel)
        expect((await hub.summary(`l:${l}`, days[0]!, days[2]!)).totals.Total_Item_Requests).toBe(n)
      const years = await hub.years('2026')
      expect(years.size).toBe(1000)
      expect([...years.values()].reduce((a, y) => a + y.totals.Total_Item_Requests, 0)).toBe(
        expected.get('Total_Item_Requests'),
      )
      expect([...years.values()].every((y) => y.days === 3 && y.lastDay === days[2])).toBe(true)
    },
  )

  it('refuses future-dated, negative, malformed, foreign and non-member roll-ups', async () => {
    await storage.close()
    storage = await openStorage(join(dir, 'db2'), { create: true, dataDir: dir })
    const a = await generateNodeKey()
    const hub = new HubStats({ storage, member: (id) => (id === a.nodeId ? entry : undefined), now: () => now })
    const b = await generateNodeKey()
    const entry: MemberEntry = {
      nodeId: a.nodeId,
      name: '临安县图书馆',
      region: '330185',
      level: 'county',
      http: [],
      p2p: [],
      status: 'active',
      seq: 1,
      issuedAt: new Date(now).toISOString(),
    }
    const totals = aggregateDay(days[0]!, [], { utcOffsetMinutes: 480 }).totals
    const good: Rollup = {
      v: 1,
      node: a.nodeId,
      day: days[0]!,
      revision: 1,
      generatedAt: new Date(now).toISOString(),
      totals,
      hours: new Array(24).fill(0),
      devices: { mobile: 0, tablet: 0, desktop: 0, other: 0 },
      methods: { web: 0, opds: 0, api: 0 },
      top: [],
    }
    const res = await hub.receive(
      {
        rollups: [
          await seal(a, 'shulin/rollup', { ...good, day: '2026-12-03' }), // the future, anywhere on Earth
          await seal(a, 'shulin/rollup', { ...good, totals: { ...totals, Sign_Ins: -5 } }),
          await seal(a, 'shulin/rollup', { ...good, totals: { ...totals, Total_Item_Requests: 3 } }), // requests without investigations
          await seal(a, 'shulin/rollup', { ...good, node: b.nodeId }), // for someone else
          await seal(b, 'shulin/rollup', good), // signed by someone else
          { ...(await seal(a, 'shulin/rollup', good)), payload: { ...good, revision: 9 } }, // tampered
          await seal(a, 'shulin/rollup', { ...good, day: '2020-01-01' }),
          await seal(a, 'shulin/rollup', good),
        ],
      },
      a.nodeId,
    )
    expect(res).toEqual({
      ok: true,
      outcomes: ['future', 'malformed', 'malformed', 'wrong_signer', 'wrong_signer', 'malformed', 'too_old', 'stored'],
    })
    expect(
      await hub.receive({ rollups: [await seal(b, 'shulin/rollup', { ...good, node: b.nodeId })] }, b.nodeId),
    ).toEqual({ ok: false, reason: 'not_member' })
    entry.status = 'suspended'
    expect(
      await hub.receive({ rollups: [await seal(a, 'shulin/rollup', { ...good, revision: 2 })] }, a.nodeId),
    ).toEqual({ ok: false, reason: 'not_member' })
  })
})
