// npm run bench:activity-tallies — issue 20's "hub intake of daily tallies from 1,000 nodes":
// each member's signed tally of one day (likes on its ENTRIES entries) and the signed
// descriptions of those entries, taken by the hub's real intake (signature checks, the
// (activity, node, day) key, the hub's activities: remote entries, counts and ranking indexes)
// on a real LevelDB. Then the same pushes again (a replay: every one a duplicate, nothing
// changed), and the national ranking read. Beside it, in the same run: a plain LevelDB counter
// increment (get + put with sync, one at a time) for every entry line the intake counted.
// Bounded: the run stops after 10 minutes.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { median, percentile, table } from './lib.js'

const members = Number(process.env.BENCH_MEMBERS ?? 1000)
const entriesPer = Number(process.env.BENCH_ENTRIES ?? 20)
/** BENCH_TALLY_WRITES=per-entry: the intake as it wrote before (a synced write per entry), to compare. */
const perEntry = process.env.BENCH_TALLY_WRITES === 'per-entry'
setTimeout(() => {
  process.stderr.write('bench:activity-tallies did not finish in 10 minutes\n')
  process.exit(2)
}, 10 * 60_000).unref()

const { CreateActivityRequest, TallyPush } = await import('../protocol/dist/index.js')
const { generateNodeKey } = await import('../federation/dist/identity/node-key.js')
const { seal } = await import('../federation/dist/envelope/envelope.js')
const { openStorage, putOp } = await import('../node/dist/storage/db.js')
const { ActivitiesService } = await import('../node/dist/activities/service.js')
const { HubTallies } = await import('../node/dist/activities/network/hub-tallies.js')

const work = await mkdtemp(join(tmpdir(), 'shulin-bench-tallies-'))
const peakMiB = () => Math.round(process.resourceUsage().maxRSS / 1024)
const fmt = (n, d = 0) => n.toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d })
try {
  const day = '2026-12-01'
  const now = Date.parse('2026-12-02T04:00:00Z')
  const opened = await openStorage(join(work, 'db'), { create: true, dataDir: work })
  // The intake's synced writes, counted.
  let synced = 0
  const storage = {
    ...opened,
    commit: (ops, o) => {
      if (o.sync) synced++
      return opened.commit(ops, o)
    },
  }
  const hubKey = await generateNodeKey()
  const activities = new ActivitiesService({
    storage,
    nodeId: hubKey.nodeId,
    library: () => ({ name: '国家数字图书馆', region: '110000' }),
    now: () => now,
  })
  const act = await activities.create(
    CreateActivityRequest.parse({
      kind: 'recitation',
      title: '全民诵读',
      audience: 'member-readers',
      phases: { voting: { from: '2026-11-30T16:00:00Z', to: '2026-12-07T16:00:00Z' } },
    }),
  )
  const registry = new Map()
  const pushes = []
  let likesSent = 0
  const tSign = performance.now()
  for (let i = 0; i < members; i++) {
    const key = await generateNodeKey()
    registry.set(key.nodeId, {
      nodeId: key.nodeId,
      name: `图书馆${i}`,
      region: `${11 + (i % 30)}0${1 + (i % 9)}${String(1 + (i % 20)).padStart(2, '0')}`,
      level: ['province', 'city', 'county'][i % 3],
      http: [],
      p2p: [],
      status: 'active',
      seq: 1,
      issuedAt: new Date(now).toISOString(),
    })
    const likes = []
    const entries = []
    for (let e = 0; e < entriesPer; e++) {
      const id = `${key.nodeId}/e${e}`
      const count = 1 + ((i * 7 + e * 13) % 50)
      likesSent += count
      likes.push({ entry: id, count })
      entries.push(
        await seal(key, 'shulin/activity-entry', {
          activity: act.id,
          id,
          node: key.nodeId,
          title: `静夜思 ${i}-${e}`,
          text: null,
          author: { name: '李*', library: `图书馆${i}` },
          participant: `participant-${String(e).padStart(8, '0')}`,
          status: 'ready',
          duration: 30,
          audio: null,
          createdAt: '2026-12-01T01:00:00.000Z',
        }),
      )
    }
    const tally = await seal(key, 'shulin/activity-tally', { activity: act.id, node: key.nodeId, day, likes })
    // As the exchange parses it before the intake.
    pushes.push({ from: key.nodeId, push: TallyPush.parse({ tallies: [tally], entries }) })
  }
  const signMs = performance.now() - tSign
  const intake = new HubTallies({
    storage,
    member: (id) => registry.get(id),
    national: async (id) => id === act.id,
    sink: {
      take: async ({ entries, tallies, ops }) => {
        const remote = entries.map((e) => ({
          id: e.id,
          activity: e.activity,
          title: e.title,
          text: e.text,
          author: e.participant,
          authorName: e.author.name,
          library: e.node,
          libraryName: e.author.library,
          region: registry.get(e.node)?.region ?? null,
          status: e.status,
          audio: null,
          duration: e.duration,
          createdAt: e.createdAt,
        }))
        if (perEntry) {
          // Close to the intake's old writes, for comparison: a synced write per entry, per tally
          // and for the intake's records (22 a push; the old code also wrote each tally line apart).
          for (const e of remote) await activities.upsertRemoteEntry(e)
          for (const t of tallies) await activities.applyTally(t)
          await storage.commit(ops, { sync: true })
        } else await activities.takeIntake({ ops, tallies, entries: remote })
      },
    },
    now: () => now,
  })
  const before = peakMiB()
  const perPush = []
  const t0 = performance.now()
  for (const p of pushes) {
    const t = performance.now()
    const r = await intake.receive(p.push, p.from)
    perPush.push(performance.now() - t)
    if (!r.ok || r.tallies[0] !== 'stored') throw new Error(JSON.stringify(r))
  }
  const intakeMs = performance.now() - t0
  const intakeSynced = synced
  const t1 = performance.now()
  for (const p of pushes) {
    const r = await intake.receive(p.push, p.from)
    if (!r.ok || r.tallies[0] !== 'duplicate') throw new Error(JSON.stringify(r))
  }
  const replayMs = performance.now() - t1
  const rankMs = []
  let top
  for (let i = 0; i < 20; i++) {
    const t = performance.now()
    top = await activities.ranking(act.id, { scope: 'total', limit: 50 })
    rankMs.push(performance.now() - t)
  }
  const all = await activities.ranking(act.id, { scope: 'total', limit: 500 })
  const maxCount = 50
  if (top.entries[0].likes !== maxCount) throw new Error(`ranking top is ${top.entries[0].likes}, not ${maxCount}`)
  if (all.entries.length !== 500) throw new Error('ranking is short')
  // Beside it: a plain LevelDB counter increment per entry line, synced, one at a time.
  const counters = storage.sublevel('bench-counters')
  const lines = members * entriesPer
  const t2 = performance.now()
  for (let i = 0; i < lines; i++) {
    const k = `c${i % 5000}`
    const v = (await counters.get(k)) ?? 0
    await storage.commit([putOp(counters, k, v + 1)], { sync: true })
  }
  const counterMs = performance.now() - t2
  await opened.close()
  console.log(
    table([
      ['measure', 'value', 'beside'],
      [
        `hub intake: ${fmt(members)} members' daily tallies (${entriesPer} entries each, with descriptions)`,
        `${fmt(intakeMs)} ms`,
        `${fmt((members / intakeMs) * 1000, 1)} tallies/s, ${fmt((lines / intakeMs) * 1000)} entry lines/s`,
      ],
      [
        '  per push (one member): p50 / p95 / max',
        `${fmt(median(perPush), 2)} / ${fmt(percentile(perPush, 95), 2)} / ${fmt(Math.max(...perPush), 2)} ms`,
        `${fmt(likesSent)} likes summed`,
      ],
      [
        `  synced writes${perEntry ? ' (BENCH_TALLY_WRITES=per-entry)' : ''}`,
        `${fmt(intakeSynced)}`,
        `${fmt(intakeSynced / members, 1)} per push`,
      ],
      ['the same pushes again (replays: all duplicates)', `${fmt(replayMs)} ms`, 'nothing changed'],
      [
        `national ranking, top 50 of ${fmt(lines)} entries: p50 / p95`,
        `${fmt(median(rankMs), 2)} / ${fmt(percentile(rankMs, 95), 2)} ms`,
        '',
      ],
      [
        `plain LevelDB counter increment ×${fmt(lines)} (get + synced put)`,
        `${fmt(counterMs)} ms`,
        `${fmt((lines / counterMs) * 1000)} increments/s`,
      ],
      ['signing the pushes (members’ side, not the hub’s)', `${fmt(signMs)} ms`, ''],
      ['peak RSS', `${peakMiB()} MiB`, `${before} MiB before the intake`],
    ]),
  )
} finally {
  await rm(work, { recursive: true, force: true })
}
