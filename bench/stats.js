// npm run bench:stats — usage statistics:
//   1. event capture cost per request: GET /api/resources/:id with capture on and off, the same
//      node in the same run, rounds alternated (medians, ratio); and the capture call alone;
//   2. daily aggregation of 1M events (COUNTER rules in memory, and from LevelDB);
//   3. the hub's intake of 3,000 members' daily roll-ups (signature check, LevelDB, sums).
// Each phase runs in its own process so its peak RSS is its own. Machines are shared and
// noisy: read the ratios.
import { fork } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { median, table } from './lib.js'

const here = fileURLToPath(import.meta.url)
const seconds = Number(process.env.BENCH_SECONDS ?? 5)
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const events = Number(process.env.BENCH_EVENTS ?? 1_000_000)
const members = Number(process.env.BENCH_MEMBERS ?? 3000)
const peakMiB = () => Math.round(process.resourceUsage().maxRSS / 1024)

function phase(name, work) {
  return new Promise((resolve, reject) => {
    const child = fork(here, [name, work], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: ['--max-old-space-size=4096'],
    })
    child.on('message', resolve)
    child.on('exit', (code) => code && reject(new Error(`${name} exited with ${code}`)))
  })
}

async function inTemp(fn) {
  const work = await mkdtemp(join(tmpdir(), 'shulin-bench-stats-'))
  try {
    return await fn(work)
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

async function capture(work) {
  const { default: autocannon } = await import('autocannon')
  const { startNode } = await import('../node/dist/server.js')
  const node = await startNode(
    { dataDir: work, host: '127.0.0.1', port: 0, p2pPort: 0, logLevel: 'silent' },
    { print: () => {} },
  )
  const { CreateResourceRequest } = await import('../protocol/dist/index.js')
  const record = await node.services.resources.create(
    CreateResourceRequest.parse({ type: 'book', metadata: { title: '红楼梦' } }),
  )
  await node.services.resources.publish(record.id)
  const url = `${node.url}/api/resources/${record.id}`
  const load = () =>
    new Promise((resolve, reject) =>
      autocannon(
        { url, connections: 10, duration: seconds, headers: { 'user-agent': 'Mozilla/5.0 (iPhone) Mobile' } },
        (err, r) => (err ? reject(err) : resolve({ rps: r.requests.average, p50: r.latency.p50 })),
      ),
    )
  const capture = node.stats.service.capture
  const on = []
  const off = []
  await load() // warm-up
  for (let i = 0; i < rounds; i++) {
    capture.enabled = true
    on.push(await load())
    capture.enabled = false
    off.push(await load())
  }
  capture.enabled = true
  // The capture call alone: a million records, then the batched writes.
  const n = 1_000_000
  let t = performance.now()
  for (let i = 0; i < n; i++) capture.record({ k: 'view', r: record.id, d: 'mobile', m: 'web' }, `s:${i % 5000}`)
  const recordNs = ((performance.now() - t) * 1e6) / n
  t = performance.now()
  await capture.flush()
  const flushNs = ((performance.now() - t) * 1e6) / n
  await node.close()
  return { on, off, recordNs, flushNs, peak: peakMiB() }
}

function makeEvents(day, n) {
  const t0 = Date.parse(`${day}T00:00:00Z`) - 8 * 3_600_000
  const kinds = ['view', 'content', 'search', 'view', 'content', 'sign_in', 'no_license']
  const out = new Array(n)
  for (let i = 0; i < n; i++) {
    const k = kinds[i % kinds.length]
    out[i] = {
      t: t0 + Math.floor((i * 86_400_000) / n),
      k,
      s: `sess${(i * 7919) % 40_000}`,
      r: `r${(i * 104729) % 20_000}`,
      d: i % 3 ? 'mobile' : 'desktop',
      m: 'web',
      ...(k === 'search' ? { q: `q${i % 3000}` } : {}),
    }
  }
  return out
}

const statsDay = '2026-11-30'
const statsOpts = (storage, StatsService) =>
  new StatsService({
    storage,
    resources: { getMany: async (ids) => ids.map(() => undefined) },
    nodeId: '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo',
    now: () => Date.parse('2026-12-01T04:00:00Z'),
  })

async function aggregate() {
  const { aggregateDay } = await import('../protocol/dist/index.js')
  const evs = makeEvents(statsDay, events)
  const t = performance.now()
  const agg = aggregateDay(statsDay, evs, { utcOffsetMinutes: 480 })
  return {
    ms: performance.now() - t,
    peak: peakMiB(),
    requests: agg.totals.Total_Item_Requests,
    titles: Object.keys(agg.titles).length,
  }
}

/** Writes the day as the capture does: one record per flushed batch of 1,000 events. */
async function write(work) {
  const { openStorage, putOp } = await import('../node/dist/storage/db.js')
  const { StatsService } = await import('../node/dist/stats/service.js')
  const storage = await openStorage(join(work, 'db'), { create: true, dataDir: work })
  const stats = statsOpts(storage, StatsService)
  const all = makeEvents(statsDay, events)
  const t = performance.now()
  for (let i = 0; i < all.length; i += 1000) {
    const batch = all.slice(i, i + 1000)
    await storage.commit(
      [putOp(stats.store.events, `${statsDay} ${String(batch[0].t).padStart(14, '0')} b.${i.toString(36)}`, batch)],
      { sync: false },
    )
  }
  const ms = performance.now() - t
  await storage.close()
  return { ms }
}

async function aggregateDb(work) {
  const { openStorage } = await import('../node/dist/storage/db.js')
  const { StatsService } = await import('../node/dist/stats/service.js')
  const storage = await openStorage(join(work, 'db'), { create: false, dataDir: work })
  const before = peakMiB()
  const stats = statsOpts(storage, StatsService)
  const t = performance.now()
  const agg = await stats.aggregate(statsDay)
  const ms = performance.now() - t
  await storage.close()
  return { ms, before, peak: peakMiB(), requests: agg.totals.Total_Item_Requests }
}

async function hub(work) {
  const { aggregateDay } = await import('../protocol/dist/index.js')
  const { generateNodeKey } = await import('../federation/dist/identity/node-key.js')
  const { seal } = await import('../federation/dist/envelope/envelope.js')
  const { openStorage } = await import('../node/dist/storage/db.js')
  const { HubStats } = await import('../node/dist/stats/hub.js')
  const day = '2026-11-30'
  const now = Date.parse('2026-12-01T04:00:00Z')
  const registry = new Map()
  const pushes = []
  const agg = aggregateDay(day, makeEvents(day, 500), { utcOffsetMinutes: 480 })
  const top = Object.keys(agg.titles)
    .slice(0, 20)
    .map((id) => ({
      id,
      title: `书名${id}`,
      investigations: agg.titles[id].Total_Item_Investigations,
      requests: agg.titles[id].Total_Item_Requests,
    }))
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
    const rollup = {
      v: 1,
      node: key.nodeId,
      day,
      revision: 1,
      generatedAt: new Date(now).toISOString(),
      totals: agg.totals,
      hours: agg.hours,
      devices: agg.devices,
      methods: agg.methods,
      top,
    }
    pushes.push({ from: key.nodeId, push: { rollups: [await seal(key, 'shulin/rollup', rollup)] } })
  }
  const before = peakMiB()
  const storage = await openStorage(join(work, 'db'), { create: true, dataDir: work })
  const intake = new HubStats({ storage, member: (id) => registry.get(id), now: () => now })
  const t = performance.now()
  for (const p of pushes) {
    const r = await intake.receive(p.push, p.from)
    if (!r.ok || r.outcomes[0] !== 'stored') throw new Error(JSON.stringify(r))
  }
  const ms = performance.now() - t
  const nation = await intake.summary('all', day, day)
  if (nation.reports !== members || nation.totals.Total_Item_Requests !== members * agg.totals.Total_Item_Requests)
    throw new Error('national sum is off')
  await storage.close()
  return { ms, before, peak: peakMiB() }
}

const phases = { capture, aggregate, write, 'aggregate-db': aggregateDb, hub }
if (process.argv[2] in phases) {
  process.send(await phases[process.argv[2]](process.argv[3]))
  process.exit(0)
}

const c = await inTemp((w) => phase('capture', w))
const onRps = median(c.on.map((r) => r.rps))
const offRps = median(c.off.map((r) => r.rps))
const a = await inTemp((w) => phase('aggregate', w))
const d = await inTemp(async (w) => {
  const written = await phase('write', w)
  return { ...(await phase('aggregate-db', w)), writeMs: written.ms }
})
if (d.requests !== a.requests) throw new Error('the two aggregations differ')
const h = await inTemp((w) => phase('hub', w))
const fmt = (n, d = 0) => n.toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d })
console.log(
  table([
    ['measure', 'value', 'beside', 'ratio'],
    [
      'GET /api/resources/:id, capture on (req/s, median)',
      fmt(onRps),
      `off: ${fmt(offRps)}`,
      `${fmt(onRps / offRps, 3)}×`,
    ],
    ['  latency p50 on / off (ms)', `${median(c.on.map((r) => r.p50))}`, `${median(c.off.map((r) => r.p50))}`, ''],
    ['  cost per request (µs, from the medians)', fmt(1e6 / onRps - 1e6 / offRps, 1), '', ''],
    ['capture.record() alone (ns/event)', fmt(c.recordNs), `batched write: ${fmt(c.flushNs)} ns/event`, ''],
    [
      `aggregate ${fmt(events)} events, in memory (ms)`,
      fmt(a.ms),
      `${fmt(a.titles)} titles`,
      `peak RSS ${a.peak} MiB (events included)`,
    ],
    [
      `aggregate ${fmt(events)} events from LevelDB (ms)`,
      fmt(d.ms),
      `writing them: ${fmt(d.writeMs)} ms`,
      `peak RSS ${d.peak} MiB (${d.before} before)`,
    ],
    [
      `hub intake, ${fmt(members)} members' roll-ups (ms)`,
      fmt(h.ms),
      `${fmt(h.ms / members, 2)} ms each`,
      `peak RSS ${h.peak} MiB (${h.before} before)`,
    ],
  ]),
)
