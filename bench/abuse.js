// npm run bench:abuse — issue 15's adversarial searches against a real node holding 100k Tang and
// Song poems (the bench:search corpus, imported with `shulin import` into the running node): repeated tokens, 1,500
// characters, the commonest bigrams, characters held by 10k records or more, two-letter pinyin,
// the empty query, and suggestions for the broad prefixes.
// Figures: each query alone (p50 / p99 / worst latency, and the node's own tookMs — a search is
// event-loop time from start to answer), then the same queries from 4 concurrent clients for
// ABUSE_SECONDS (default 20) while /api/health is polled: its p50 / p99 under attack beside the
// same poll on the idle node, measured in the same run. Aim (issue 15): every query ≤ 50 ms,
// health p99 within 2× of idle. Bounded: every request times out after 60 s, the run after 20 min.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureSearchDeps, depsDir, loadPoems, makeAbuseQueries } from './search-data.js'
import { freePort, killAll, median, percentile, run, shulinBin, spawnShulin, stop, table, waitHealthy } from './lib.js'

const N = Number(process.env.ABUSE_BENCH_N ?? 100_000)
const attackSeconds = Number(process.env.ABUSE_SECONDS ?? 20)
const attackers = 4
setTimeout(() => {
  process.stderr.write('bench:abuse did not finish in 20 minutes\n')
  killAll()
  process.exit(2)
}, 20 * 60_000).unref()

ensureSearchDeps()
const { fold } = await import('../node/dist/search/text/fold.js')
const work = await mkdtemp(join(tmpdir(), 'shulin-bench-abuse-'))
let node
try {
  const poems = loadPoems(join(depsDir, 'node_modules', 'chinese-poetry'), N)
  const queries = makeAbuseQueries(poems, { fold })
  // Control characters in a title or a name (a few real poems hold a tab) become a space.
  const line = (s) => s.replace(/[\p{Cc}\s]+/gu, ' ').trim() || '佚名'
  const jsonl = poems
    .map((p) =>
      JSON.stringify({
        title: line(p.title),
        creators: [line(p.author)],
        subjects: [p.dynasty],
        description: p.text,
        language: 'zh-Hant',
        status: 'published',
      }),
    )
    .join('\n')
  await writeFile(join(work, 'poems.jsonl'), jsonl + '\n')
  const data = join(work, 'data')
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  node = spawnShulin(data, port)
  await waitHealthy(`${url}/api/health`, performance.now(), 60_000)
  // Through the running node, as a librarian would.
  let t0 = performance.now()
  const imported = await run(process.execPath, [shulinBin, 'import', join(work, 'poems.jsonl'), '--data', data])
  if (!/ created/.test(imported.stdout)) throw new Error(`import failed: ${imported.stderr.slice(-500)}`)
  process.stderr.write(
    `${poems.length} poems imported in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${imported.stdout.trim().split('\n')[0]}\n`,
  )
  t0 = performance.now()
  // The first search waits for the index (built from the records at the first start).
  await get(`${url}/api/search?q=${encodeURIComponent('月')}&limit=1`, 600_000)
  process.stderr.write(
    `indexed in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${queries.length} adversarial queries\n`,
  )

  const requests = [
    ...queries.map(({ kind, q }) => ({ kind, path: `/api/search?q=${encodeURIComponent(q)}` })),
    ...queries
      .filter((q) => q.kind === '10k-hit prefix')
      .map(({ q }) => ({ kind: 'suggest, broad prefix', path: `/api/search/suggest?q=${encodeURIComponent(q)}` })),
  ]
  const kinds = [...new Set(requests.map((r) => r.kind))]

  const idle = await pollHealth(url, () => false, 400)

  // Alone: each query five times, one at a time (latency ≈ the event-loop time it takes).
  const alone = new Map(kinds.map((k) => [k, { ms: [], warm: [], took: [], statuses: new Set() }]))
  for (let round = 0; round < 5; round++) {
    for (const r of requests) {
      const s = await timed(url + r.path)
      const a = alone.get(r.kind)
      a.ms.push(s.ms)
      if (round > 0) a.warm.push(s.ms)
      if (s.took !== undefined) a.took.push(s.took)
      a.statuses.add(s.status)
    }
  }

  // Under attack: four clients loop over every query while health is polled.
  const attackEnd = performance.now() + attackSeconds * 1000
  const attackMs = []
  let attackRequests = 0
  const attack = async (offset) => {
    for (let i = offset; performance.now() < attackEnd; i++) {
      const s = await timed(url + requests[i % requests.length].path)
      attackMs.push(s.ms)
      attackRequests++
    }
  }
  const [busy] = await Promise.all([
    pollHealth(url, () => performance.now() < attackEnd),
    ...Array.from({ length: attackers }, (_, k) => attack(k * 7)),
  ])

  const f = (v) => (v === undefined ? '—' : `${v.toFixed(1)} ms`)
  // The first round is cold (a character's posting list is decoded once, then cached): its worst is shown apart.
  const rows = [
    [
      'adversarial query (alone, 5 rounds)',
      'n',
      'p50',
      'p99',
      'worst',
      'worst after round 1',
      'node tookMs worst',
      'status',
    ],
  ]
  for (const [kind, a] of alone)
    rows.push([
      kind,
      a.ms.length,
      f(median(a.ms)),
      f(percentile(a.ms, 99)),
      f(Math.max(...a.ms)),
      f(Math.max(...a.warm)),
      a.took.length ? f(Math.max(...a.took)) : '—',
      [...a.statuses].join(','),
    ])
  const all = [...alone.values()].flatMap((a) => a.ms)
  const warm = [...alone.values()].flatMap((a) => a.warm)
  rows.push([
    'all',
    all.length,
    f(median(all)),
    f(percentile(all, 99)),
    f(Math.max(...all)),
    f(Math.max(...warm)),
    '',
    '',
  ])
  process.stdout.write(table(rows) + '\n\n')
  const h = [
    ['/api/health', 'n', 'p50', 'p99', 'worst'],
    ['idle', idle.length, f(median(idle)), f(percentile(idle, 99)), f(Math.max(...idle))],
    [
      `under attack (${attackers} clients, ${attackSeconds} s, ${attackRequests} searches)`,
      busy.length,
      f(median(busy)),
      f(percentile(busy, 99)),
      f(Math.max(...busy)),
    ],
  ]
  process.stdout.write(table(h) + '\n')
  process.stdout.write(
    `\nhealth p99 under attack ÷ idle: ×${(percentile(busy, 99) / percentile(idle, 99)).toFixed(1)} (aim ≤ 2); adversarial searches under attack: p99 ${f(percentile(attackMs, 99))}, worst ${f(Math.max(...attackMs))}\n`,
  )
} finally {
  if (node) await stop(node)
  killAll()
  await rm(work, { recursive: true, force: true })
}

async function get(u, timeoutMs = 60_000) {
  const res = await fetch(u, { signal: AbortSignal.timeout(timeoutMs) })
  const body = await res.text()
  return { status: res.status, body }
}

/** One request: its latency, status, and the node's own `tookMs` when it says. */
async function timed(u) {
  const t = performance.now()
  const { status, body } = await get(u)
  const ms = performance.now() - t
  let took
  try {
    took = JSON.parse(body).tookMs
  } catch {}
  return { ms, status, took }
}

/** Polls /api/health every 10 ms while `more()` (or `count` times); the latencies. */
async function pollHealth(url, more, count = Infinity) {
  const out = []
  while (out.length < count && (count !== Infinity || more())) {
    const t = performance.now()
    const r = await get(`${url}/api/health`)
    if (r.status !== 200) throw new Error(`health answered ${r.status}`)
    out.push(performance.now() - t)
    await new Promise((r) => setTimeout(r, 10))
  }
  return out
}
