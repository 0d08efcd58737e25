// npm run bench:recommend — offline evaluation of recommendations (issue 21).
// A generated catalogue (22 中图法 top-level classes × RECOMMEND_PER_CLASS records, each with a
// sub-class, subjects, creators and a title drawn from its class's words) and a reading log with
// planted taste groups: each reader reads mostly (80 %) within one class, the rest from what is
// popular everywhere. The log is split by time (the first 80 % of events to learn from, the last
// 20 % to check against). Through the real services on a real LevelDB (ResourceService records,
// ReadingService history, RecommendService learning from each first read):
//   - precision@10 (held-out reads among the 10 recommended, mean over readers with both) and
//     coverage (share of the catalogue recommended to anyone), for 猜你喜欢 and for "most
//     popular" (the records most read in the training part, less the reader's own reads), same run;
//   - the time to learn 10k new reading events (from the first event to the queue settled).
// Aim (issue 21): precision ≥ 2× most popular's.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { table } from './lib.js'

const perClass = Number(process.env.RECOMMEND_PER_CLASS ?? 100)
const readers = Number(process.env.RECOMMEND_READERS ?? 2000)
const updateEvents = Number(process.env.RECOMMEND_UPDATE_EVENTS ?? 10_000)
setTimeout(() => {
  process.stderr.write('bench:recommend did not finish in 20 minutes\n')
  process.exit(2)
}, 20 * 60_000).unref()

// A small seeded generator (mulberry32): the same log every run.
let seed = 20261203
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
/** A rank 0..n-1, low ranks far likelier (Zipf-like, s ≈ 1). */
const zipf = (n) => Math.min(n - 1, Math.floor(Math.exp(random() * Math.log(n + 1)) - 1))
const pick = (xs) => xs[Math.floor(random() * xs.length)]

const classes = 'ABCDEFGHIJKNOPQRSTUVXZ'.split('')
const words =
  '山水 春秋 文明 历史 科学 技术 社会 经济 文化 艺术 自然 生命 城市 乡村 教育 思想 民族 世界 中国 时代 方法 原理 导论 研究 简史 故事 手册 概论'.split(
    ' ',
  )

const { openStorage } = await import('../node/dist/storage/db.js')
const { ResourceService } = await import('../node/dist/resources/service.js')
const { ReadingService } = await import('../node/dist/reading/service.js')
const { RecommendService } = await import('../node/dist/recommend/service.js')
const { ImportRecord } = await import('../protocol/dist/index.js')

const work = await mkdtemp(join(tmpdir(), 'shulin-bench-recommend-'))
try {
  const clock = { now: Date.parse('2026-01-01T00:00:00Z') }
  const now = () => clock.now
  const storage = await openStorage(join(work, 'db'), { create: true, dataDir: work })
  const resources = new ResourceService({ storage, nodeId: 'bench-node', now })
  const reading = new ReadingService(storage, now)

  // The catalogue: within a class, record k is the k-th most popular.
  const byClass = new Map()
  for (const c of classes) {
    const classWords = [pick(words), pick(words), pick(words)]
    const batch = Array.from({ length: perClass }, (_, k) =>
      ImportRecord.parse({
        title: `${pick(classWords)}${pick(words)}${pick(words)}（${c}${k}）`,
        creators: [`${c}作者${Math.floor(random() * 30)}`],
        subjects: [`${c}主题${Math.floor(random() * 8)}`],
        clc: `${c}${Math.floor(random() * 9) + 1}${Math.floor(random() * 10)}`,
        identifiers: [`local:${c}-${k}`],
      }),
    )
    const out = await resources.importBatch(batch)
    byClass.set(
      c,
      out.map((o) => o.id),
    )
  }
  const all = classes.flatMap((c) => byClass.get(c))
  // Global popularity: a shuffled order of the catalogue.
  const global = [...all].sort(() => random() - 0.5)

  // The reading log: readers in taste groups, events spread over 100 days.
  const log = []
  for (let r = 0; r < readers; r++) {
    const taste = byClass.get(pick(classes))
    const n = 15 + Math.floor(random() * 25)
    const seen = new Set()
    for (let i = 0; i < n * 3 && seen.size < n; i++) {
      const item = random() < 0.8 ? taste[zipf(taste.length)] : global[zipf(global.length)]
      if (seen.has(item)) continue
      seen.add(item)
      log.push({ reader: `reader-${r}`, item, at: clock.now + Math.floor(random() * 100 * 86_400_000) })
    }
  }
  log.sort((a, b) => a.at - b.at)
  const cut = Math.floor(log.length * 0.8)
  const train = log.slice(0, cut)
  const test = log.slice(cut)

  const recommend = new RecommendService({
    storage,
    records: resources.records,
    history: async (accountId, limit) => (await reading.history(accountId, { limit })).map((h) => h.resourceId),
    staffPicks: async () => [],
    now,
  })
  reading.onRead((a, r) => recommend.read(a, r))

  const feed = async (events) => {
    for (const e of events) {
      clock.now = e.at
      await reading.opened(e.reader, e.item)
    }
    await recommend.settled()
  }
  let t0 = performance.now()
  await feed(train)
  const learnMs = performance.now() - t0

  // Held-out reads of readers who also read something before the cut.
  const trainOf = new Map()
  for (const e of train) trainOf.set(e.reader, (trainOf.get(e.reader) ?? new Set()).add(e.item))
  const testOf = new Map()
  for (const e of test) if (trainOf.has(e.reader)) testOf.set(e.reader, (testOf.get(e.reader) ?? new Set()).add(e.item))
  const counts = new Map()
  for (const e of train) counts.set(e.item, (counts.get(e.item) ?? 0) + 1)
  const popularOrder = [...counts].sort((a, b) => b[1] - a[1]).map(([id]) => id)

  const score = { ours: { hits: 0, shown: new Set() }, popular: { hits: 0, shown: new Set() } }
  recommend.refresh()
  t0 = performance.now()
  for (const [reader, future] of testOf) {
    const ours = (await recommend.forReader(reader, { limit: 10, locale: 'zh-CN' })).map((r) => r.id)
    const read = trainOf.get(reader)
    const popular = popularOrder.filter((id) => !read.has(id)).slice(0, 10)
    for (const [name, list] of [
      ['ours', ours],
      ['popular', popular],
    ]) {
      score[name].hits += list.filter((id) => future.has(id)).length
      list.forEach((id) => score[name].shown.add(id))
    }
  }
  const askMs = (performance.now() - t0) / testOf.size

  // Time to learn 10k new first reads (new readers of the same tastes, after the log's end).
  const more = []
  for (let r = 0; more.length < updateEvents; r++) {
    const taste = byClass.get(classes[r % classes.length])
    for (let i = 0; i < 20 && more.length < updateEvents; i++)
      more.push({ reader: `new-${r}`, item: taste[i], at: clock.now + r * 1000 + i })
  }
  t0 = performance.now()
  await feed(more)
  const updateMs = performance.now() - t0

  const p = (s) => s.hits / (testOf.size * 10)
  const cov = (s) => `${((s.shown.size / all.length) * 100).toFixed(1)} %`
  console.log(
    `catalogue ${all.length} records in ${classes.length} classes; ${readers} readers, ${log.length} reads ` +
      `(${train.length} before the cut, ${test.length} after); ${testOf.size} readers evaluated`,
  )
  console.log(
    table([
      ['method', 'precision@10', 'coverage'],
      ['猜你喜欢 (recommend)', p(score.ours).toFixed(4), cov(score.ours)],
      ['most popular', p(score.popular).toFixed(4), cov(score.popular)],
    ]),
  )
  console.log(`precision ratio: ${(p(score.ours) / p(score.popular)).toFixed(2)}× (aim ≥ 2×)`)
  console.log(
    `learning the ${train.length} training reads (history writes included): ${(learnMs / 1000).toFixed(1)} s; ` +
      `one 猜你喜欢 answer: ${askMs.toFixed(1)} ms mean`,
  )
  console.log(
    `update after ${more.length} new reading events (history writes + co-reading learned): ` +
      `${(updateMs / 1000).toFixed(2)} s (${Math.round(more.length / (updateMs / 1000))} events/s)`,
  )
  await storage.close()
} finally {
  await rm(work, { recursive: true, force: true })
}
