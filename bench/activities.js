// npm run bench:activities — the recitation campaign's last evening on one node:
//   1. a burst of 10,000 likes paced over a minute (BENCH_BURST_SECONDS) on an activity with
//      50,000 ready entries (BENCH_ENTRIES), popular entries liked most (a skewed pick), each by
//      a different voter from one of 2,000 addresses, while a reader asks for the top 50 every
//      10 ms: likes/s accepted, like latency, ranking p95 during the burst (aim ≤ 20 ms);
//   2. the same 10,000 likes unpaced (32 at a time): the most likes/s the service accepts;
//   3. beside it, in the same run and database, a plain LevelDB counter increment (get, put
//      synced) at the same concurrency: what one like costs over the bare minimum.
// The likes go through ActivitiesService.like (the one-a-day key, the counts and the sorted
// ranking indexes in one synced batch, the fair-play windows), not through HTTP: the HTTP layer
// is the same for every route and is measured by bench:foundation. The hub's intake of 1,000
// nodes' daily tallies belongs to the network part (ActivitiesService.applyTally is its hook).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { percentile, median, table } from './lib.js'

const entries = Number(process.env.BENCH_ENTRIES ?? 50_000)
const likes = Number(process.env.BENCH_LIKES ?? 10_000)
const burstSeconds = Number(process.env.BENCH_BURST_SECONDS ?? 60)
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32)

const { openStorage, putOp } = await import('../node/dist/storage/db.js')
const { ActivitiesService } = await import('../node/dist/activities/service.js')
const { invertedUnits } = await import('../node/dist/activities/store.js')
const { CreateActivityRequest } = await import('../protocol/dist/index.js')

const work = await mkdtemp(join(tmpdir(), 'shulin-bench-activities-'))
const storage = await openStorage(join(work, 'db'), { create: true, dataDir: work })
const nodeId = 'bench-node'
const activities = new ActivitiesService({
  storage,
  nodeId,
  library: () => ({ name: '基准图书馆', region: '440100' }),
  // Many voters share a few addresses here; the limits stay as they are, far from these rates.
})
const now = Date.now()
const iso = (ms) => new Date(ms).toISOString()
const window = { from: iso(now - 3_600_000), to: iso(now + 86_400_000) }

async function seed(activityId, tag) {
  // 50,000 ready entries, written as the service's own keys (its store layout) in large batches:
  // submitting each through ffmpeg is not what this measures.
  const t0 = performance.now()
  const s = activities.store
  for (let i = 0; i < entries; i += 5000) {
    const ops = []
    for (let j = i; j < Math.min(entries, i + 5000); j++) {
      const id = `${tag}${String(j).padStart(6, '0')}`
      ops.push(
        putOp(s.entries, id, {
          id,
          activity: activityId,
          title: `作品 ${j}`,
          text: null,
          author: `reader-${j % 20_000}`,
          authorName: '读*',
          library: nodeId,
          libraryName: '基准图书馆',
          region: '440100',
          status: 'ready',
          source: null,
          audio: { blob: '0'.repeat(64), mediaType: 'audio/mp4', size: 1 },
          duration: 60,
          createdAt: iso(now),
        }),
        putOp(s.entriesBy, `${activityId}!e!${id}`, ''),
        putOp(s.entriesBy, `${activityId}!a!reader-${j % 20_000}!${id}`, ''),
      )
      for (const scope of ['t', `l!${nodeId}`, 'r!44', 'r!4401', 'r!440100'])
        ops.push(putOp(s.rank, `${activityId}!${scope}!${invertedUnits(0)}!${id}`, ''))
    }
    await storage.commit(ops, { sync: false })
  }
  return performance.now() - t0
}

/** A skewed pick: a few entries get most likes, as in a real campaign. */
const pick = (tag) => `${tag}${String(Math.floor(entries * Math.random() ** 3)).padStart(6, '0')}`

/** Asks for the top 50 every 10 ms until `done`; @returns the latencies. */
function rankingReader(activityId, done) {
  const lat = []
  const loop = (async () => {
    while (!done.value) {
      const t0 = performance.now()
      await activities.ranking(activityId, { scope: 'total', limit: 50 })
      lat.push(performance.now() - t0)
      await new Promise((r) => setTimeout(r, 10))
    }
  })()
  return { lat, loop }
}

async function burst(activityId, tag, label, paced) {
  const done = { value: false }
  const reader = rankingReader(activityId, done)
  const likeLat = []
  let accepted = 0
  let refused = 0
  let next = 0
  const t0 = performance.now()
  const worker = async () => {
    for (;;) {
      const i = next++
      if (i >= likes) return
      if (paced) {
        const due = t0 + (i * burstSeconds * 1000) / likes
        const wait = due - performance.now()
        if (wait > 0) await new Promise((r) => setTimeout(r, wait))
      }
      const s = performance.now()
      try {
        await activities.like({
          activityId,
          entryId: pick(tag),
          voter: { key: `${label}-voter-${i}`, account: null, createdAt: null },
          address: `10.0.${(i % 2000) >> 8}.${i % 256}`,
        })
        accepted++
      } catch (err) {
        if (!refused)
          console.log(`${label}: first refusal: ${err.code ?? ''} ${err.message} ${err.extra?.detail ?? ''}`)
        refused++
      }
      likeLat.push(performance.now() - s)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  const seconds = (performance.now() - t0) / 1000
  done.value = true
  await reader.loop
  return {
    label,
    seconds,
    accepted,
    refused,
    perSecond: accepted / seconds,
    likeP50: median(likeLat),
    likeP95: percentile(likeLat, 95),
    rankP50: median(reader.lat),
    rankP95: percentile(reader.lat, 95),
    rankMax: Math.max(...reader.lat),
    rankReads: reader.lat.length,
  }
}

async function plainCounter() {
  const counter = storage.sublevel('bench-counter')
  let next = 0
  const lat = []
  const t0 = performance.now()
  const worker = async () => {
    for (;;) {
      const i = next++
      if (i >= likes) return
      const key = pick('c')
      const s = performance.now()
      const n = (await counter.get(key)) ?? 0
      await storage.commit([putOp(counter, key, n + 1)], { sync: true })
      lat.push(performance.now() - s)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  const seconds = (performance.now() - t0) / 1000
  return { seconds, perSecond: likes / seconds, p50: median(lat), p95: percentile(lat, 95) }
}

try {
  const make = (title) =>
    activities.create(
      CreateActivityRequest.parse({
        kind: 'recitation',
        title,
        phases: { submission: window, voting: window },
        newAccountLikes: 'count',
      }),
    )
  const paced = await make('基准：节奏')
  const unpaced = await make('基准：全速')
  const seedMs = (await seed(paced.id, 'p')) + (await seed(unpaced.id, 'u'))
  console.log(`seeded 2 × ${entries} entries in ${(seedMs / 1000).toFixed(1)} s`)

  const a = await burst(paced.id, 'p', 'paced', true)
  const b = await burst(unpaced.id, 'u', 'unpaced', false)
  const c = await plainCounter()
  const top = await activities.ranking(paced.id, { scope: 'total', limit: 3 })
  const sum = async (id) => {
    let n = 0
    for await (const [k, v] of activities.store.counts.iterator({ gt: `${id}!t!`, lt: `${id}!t!\uffff` })) n += v / 2
    return n
  }
  const f = (n) => n.toFixed(1)
  console.log(
    table([
      [
        'run',
        'likes',
        'accepted',
        'seconds',
        'likes/s',
        'like p50 ms',
        'like p95 ms',
        'ranking p50 ms',
        'ranking p95 ms',
        'ranking max ms',
        'ranking reads',
      ],
      ...[a, b].map((r) => [
        r.label,
        likes,
        r.accepted,
        f(r.seconds),
        f(r.perSecond),
        f(r.likeP50),
        f(r.likeP95),
        f(r.rankP50),
        f(r.rankP95),
        f(r.rankMax),
        r.rankReads,
      ]),
      [
        'plain LevelDB counter (get+put, synced)',
        likes,
        likes,
        f(c.seconds),
        f(c.perSecond),
        f(c.p50),
        f(c.p95),
        '',
        '',
        '',
        '',
      ],
    ]),
  )
  console.log(
    `entries ${entries}, concurrency ${concurrency}; top of the paced ranking: ${top.entries.map((e) => `${e.id}=${e.likes}`).join(', ')}; ` +
      `counted likes paced ${await sum(paced.id)} / unpaced ${await sum(unpaced.id)} (each must equal its accepted)`,
  )
  console.log(
    `aim: ranking p95 ≤ 20 ms during the 10,000-a-minute burst — ${a.rankP95 <= 20 ? 'met' : 'NOT met'} (${f(a.rankP95)} ms; unpaced, far past that rate: ${f(b.rankP95)} ms)`,
  )
} finally {
  await storage.close()
  await rm(work, { recursive: true, force: true })
}
