// npm run bench:sync-profile — where an incremental catalog pull spends its time, both sides in
// one process (LevelDB stores in a temp folder, libp2p on loopback). A sender holds N records
// (SYNC_PROFILE_N, 20k by default), a receiver pulls them once, then the sender changes 1k
// records and the receiver pulls the change, ROUNDS times (SYNC_PROFILE_ROUNDS, 8). Each round
// prints the wall time, the process's CPU time, and per step the calls and their time summed
// (steps overlap: the pull works on several shards at once, so sums exceed the wall time).
// Set SYNC_PROFILE_CPU=DIR to also write a V8 CPU profile of each pull there.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHost, generateNodeKey, ShardedCatalog, serveCatalogs, pullCatalog } from '../federation/dist/index.js'
import { openStorage } from '../node/dist/storage/db.js'
import { LevelShardStore } from '../node/dist/federation/shard-store.js'
import { median } from './lib.js'

const N = Number(process.env.SYNC_PROFILE_N ?? 20_000)
const ROUNDS = Number(process.env.SYNC_PROFILE_ROUNDS ?? 8)
const cpuDir = process.env.SYNC_PROFILE_CPU
const work = mkdtempSync(join(tmpdir(), 'shulin-sync-profile-'))
let timing = false

/** Wraps `obj[name]` to count its calls and their time while a pull is being timed. */
function count(obj, name, label) {
  const orig = obj[name].bind(obj)
  const agg = { label, n: 0, ms: 0 }
  obj[name] = async (...args) => {
    const t = performance.now()
    try {
      return await orig(...args)
    } finally {
      if (timing) (agg.n++, (agg.ms += performance.now() - t))
    }
  }
  return agg
}

async function side(name, clientId, listen) {
  const dir = join(work, name)
  const storage = await openStorage(join(dir, 'db'), { create: true, dataDir: dir })
  const store = new LevelShardStore(storage)
  const cat = new ShardedCatalog('bench-books', store, { clientId })
  const host = await createHost({ privateKey: (await generateNodeKey()).privateKey, listen })
  return { storage, store, cat, host }
}

const record = (i, edition) => [
  `01JD${String(i).padStart(10, '0')}BENCH`,
  { type: 'book', title: `书名 ${i} 第${edition}版`, creators: ['佚名'], description: '古典文學 '.repeat(20) + i },
]

try {
  const s = await side('sender', 1, ['/ip4/127.0.0.1/tcp/0'])
  const r = await side('receiver', 2, [])
  for (let i = 0; i < N; i += 10_000)
    await s.cat.put(Array.from({ length: Math.min(10_000, N - i) }, (_, k) => record(i + k, 0)))
  await serveCatalogs(s.host, (name) => (name === s.cat.name ? s.cat : undefined))
  const addr = s.host.getMultiaddrs()[0].toString()
  await pullCatalog(r.host, [addr], r.cat)
  const steps = [
    count(s.cat, 'diffFor', 'sender: diffFor (what the peer lacks of a shard)'),
    count(s.store, 'entries', 'sender: store.entries (log read from LevelDB)'),
    count(r.cat, 'stateVectors', 'receiver: stateVectors'),
    count(r.cat, 'receive', 'receiver: receive (check and store a shard update)'),
    count(r.store, 'append', 'receiver: store.append (LevelDB write)'),
  ]
  const session = new Session()
  session.connect()
  if (cpuDir) (mkdirSync(cpuDir, { recursive: true }), await session.post('Profiler.enable'))
  const walls = []
  const cpus = []
  for (let round = 1; round <= ROUNDS; round++) {
    await s.cat.put(Array.from({ length: 1000 }, (_, k) => record(k, round)))
    for (const a of steps) ((a.n = 0), (a.ms = 0))
    if (cpuDir) await session.post('Profiler.start')
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    timing = true
    const res = await pullCatalog(r.host, [addr], r.cat)
    timing = false
    const wall = performance.now() - t0
    const cpu = process.cpuUsage(cpu0)
    if (cpuDir) {
      const { profile } = await session.post('Profiler.stop')
      writeFileSync(join(cpuDir, `pull-${round}.cpuprofile`), JSON.stringify(profile))
    }
    walls.push(wall)
    cpus.push((cpu.user + cpu.system) / 1000)
    process.stdout.write(
      `round ${round}: ${wall.toFixed(0)} ms wall, ${cpus.at(-1).toFixed(0)} ms CPU, ${res.shards} shards, ${res.bytes} bytes\n`,
    )
    for (const a of steps) process.stdout.write(`  ${a.label}: ${a.n} calls, ${a.ms.toFixed(0)} ms summed\n`)
  }
  process.stdout.write(
    `${N} records, 1k changed: median ${median(walls).toFixed(0)} ms wall, ${median(cpus).toFixed(0)} ms CPU ` +
      `(both sides, one process); load average ${loadavg()[0].toFixed(1)}\n`,
  )
  await s.host.stop()
  await r.host.stop()
  await s.storage.close()
  await r.storage.close()
} finally {
  rmSync(work, { recursive: true, force: true })
}
process.exit(0)
