// npm run bench:subscribe — subscribing to a 100k-record channel until it is searchable:
//   a hub publishes the records (Tang and Song poems of `chinese-poetry` as catalogue records)
//   in a channel; a member runs `shulin subscribe` and we time until sample records from all
//   over the channel answer its search and it counts every record. Beside it, in the same run,
//   the floor: a fresh node importing the same records from a local file (`shulin import`)
//   until the same samples answer. Each node is its own process; its peak RSS is VmHWM.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, killAll, run, shulinBin, spawnTracked, stop, table, waitHealthy } from './lib.js'
import { loadPoems } from './search-data.js'

const N = Number(process.env.SUBSCRIBE_BENCH_N ?? 100_000)
const depsDir = join(process.cwd(), 'bench', '.sync-deps')
if (!existsSync(join(depsDir, 'node_modules', 'chinese-poetry', 'package.json'))) {
  mkdirSync(depsDir, { recursive: true })
  writeFileSync(
    join(depsDir, 'package.json'),
    JSON.stringify({ private: true, dependencies: { 'chinese-poetry': '2.0.1' } }),
  )
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', depsDir], { stdio: 'inherit' })
}
const peakRss = (pid) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
const json = async (url) => (await fetch(url)).json()
const cli = async (args) => {
  const r = await run(process.execPath, [shulinBin, ...args])
  if (r.code !== 0) throw new Error(`shulin ${args[0]}: ${r.stderr}`)
  return r.stdout
}
async function node(dir, extra = [], profile = false) {
  const port = await freePort()
  const p2p = await freePort()
  // SUBSCRIBE_BENCH_PROFILE=DIR writes the member's CPU profile there.
  const prof =
    profile && process.env.SUBSCRIBE_BENCH_PROFILE
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SUBSCRIBE_BENCH_PROFILE}`]
      : []
  // SUBSCRIBE_BENCH_LOG=FILE: the member's debug log goes there.
  const log = profile && process.env.SUBSCRIBE_BENCH_LOG
  const child = spawnTracked(process.execPath, [
    ...prof,
    shulinBin,
    'start',
    '--data',
    dir,
    '--port',
    String(port),
    '--p2p-port',
    String(p2p),
    '--host',
    '127.0.0.1',
    '--log-level',
    log ? 'debug' : 'warn',
    ...extra,
  ])
  if (log) child.stdout.pipe((await import('node:fs')).createWriteStream(log))
  const url = `http://127.0.0.1:${port}`
  await waitHealthy(`${url}/api/health`, performance.now(), 30_000)
  return { child, url }
}
/** Polls until every sample title answers the node's search; returns the milliseconds since t0. */
async function searchable(url, samples, t0, extra = async () => true) {
  for (;;) {
    const found = await Promise.all(
      samples.map(async (s) =>
        (await json(`${url}/api/search?q=${encodeURIComponent(s)}&limit=50`)).hits.some((h) => h.title === s),
      ),
    )
    if (found.every(Boolean) && (await extra())) return performance.now() - t0
    if (performance.now() - t0 > 300_000) throw new Error('not searchable after 300 s')
    await new Promise((r) => setTimeout(r, 250))
  }
}

const work = mkdtempSync(join(tmpdir(), 'shulin-bench-subscribe-'))
try {
  // A few titles of the corpus carry control characters, which an import refuses: cleaned
  // first, as a librarian would, so that every record goes in.
  const clean = (s, empty) =>
    s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '').trim() || empty
  const poems = loadPoems(join(depsDir, 'node_modules', 'chinese-poetry'), N).map((p) => ({
    ...p,
    title: clean(p.title, '無題'),
    author: clean(p.author, '佚名'),
  }))
  const file = join(work, 'records.jsonl')
  writeFileSync(
    file,
    poems
      .map((p) =>
        JSON.stringify({
          title: p.title,
          creators: [p.author],
          subjects: [`${p.dynasty}詩`],
          description: [...p.text].slice(0, 160).join(''),
          access: 'member-readers',
        }),
      )
      .join('\n'),
  )
  // Titles that occur once, from all over the set.
  const counts = new Map()
  for (const p of poems) counts.set(p.title, (counts.get(p.title) ?? 0) + 1)
  const unique = poems.filter((p) => counts.get(p.title) === 1 && p.title.length >= 4)
  const samples = [0, 0.25, 0.5, 0.75, 0.999].map((f) => unique[Math.floor(f * (unique.length - 1))].title)

  const hubDir = join(work, 'hub')
  const hub = await node(hubDir, ['--role', 'hub'], process.env.SUBSCRIBE_BENCH_PROFILE_WHO === 'hub')
  const t1 = performance.now()
  const out = await cli(['import', file, '--channel', '全唐诗与全宋诗', '--data', hubDir])
  const [, channel, published] = /\(([0-9a-f]{8}-[0-9a-f]{10})\): (\d+) records published/.exec(out)
  if (Number(published) !== N) throw new Error(`the hub published ${published} of ${N} records`)
  process.stderr.write(
    `hub published ${N} records in channel ${channel} in ${((performance.now() - t1) / 1000).toFixed(1)} s\n`,
  )

  const memberDir = join(work, 'member')
  const member = await node(memberDir, [], process.env.SUBSCRIBE_BENCH_PROFILE_WHO !== 'hub')
  const invite = (
    await cli(['invite', '--data', hubDir, '--name', '临安县图书馆', '--region', '330185', '--level', 'county'])
  ).trim()
  await cli(['join', invite, '--data', memberDir])
  const t0 = performance.now()
  await cli(['subscribe', channel, '--data', memberDir])
  const allCounted = async () =>
    (await json(`${member.url}/api/channels`)).channels.find((c) => c.id === channel)?.records === N
  const subscribeMs = await searchable(member.url, samples, t0, allCounted)
  const subscribeRss = peakRss(member.child.pid)

  // The floor: the same records imported from a file into a fresh node.
  const localDir = join(work, 'local')
  const local = await node(localDir)
  const t2 = performance.now()
  await cli(['import', file, '--data', localDir])
  const importMs = await searchable(local.url, samples, t2)
  const importRss = peakRss(local.child.pid)
  for (const n of [hub, member, local]) await stop(n.child)

  const s = (ms) => `${(ms / 1000).toFixed(1)} s`
  process.stdout.write(
    table([
      ['measure', 'subscribe to the channel', 'import the same file locally', 'ratio', 'aim'],
      [
        `${N / 1000}k records until searchable`,
        s(subscribeMs),
        s(importMs),
        `×${(subscribeMs / importMs).toFixed(2)}`,
        '≤ 30 s',
      ],
      ['node peak RSS', `${subscribeRss.toFixed(0)} MB`, `${importRss.toFixed(0)} MB`, '', ''],
    ]) + '\n',
  )
} finally {
  // The nodes go first: a node still writing its folder would make the removal fail and hide
  // whatever went wrong.
  killAll()
  await new Promise((r) => setTimeout(r, 500))
  rmSync(work, { recursive: true, force: true, maxRetries: 5 })
}
