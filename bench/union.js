// npm run bench:union — the union catalogue at the hub at growing record counts: the embedded
// engine's memory (V8 heap + buffers after GC, and process RSS) and search p50/p95, from
// synthetic records made of the 100k Tang and Song poems of `npm run bench:search` (record i
// is poem i mod 100k as published by member ⌊i/100k⌋, with another poem as its description).
// Each size runs in its own process, bounded in time (UNION_BENCH_TIMEOUT_S, default 600 s);
// a size that does not finish is reported as such and the larger ones are skipped. The figures
// at 3M records are extrapolated linearly from the largest two sizes measured, and say so.
// Also, at the first size, which of the engine's pieces holds the memory (`parts`).
//   UNION_BENCH_SIZES=100000,300000,1000000  UNION_BENCH_POEMS=100000  UNION_BENCH_QUERIES=200
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { depsDir, ensureSearchDeps, loadPoems, makeQueries } from './search-data.js'
import { table } from './lib.js'

const sizes = (process.env.UNION_BENCH_SIZES ?? '100000,300000,1000000').split(',').map(Number)
const timeoutMs = Number(process.env.UNION_BENCH_TIMEOUT_S ?? 600) * 1000
const nPoems = Number(process.env.UNION_BENCH_POEMS ?? 100_000)
const nQueries = Number(process.env.UNION_BENCH_QUERIES ?? 200)
ensureSearchDeps()
const { fold } = await import('../node/dist/search/text/fold.js')
const { pinyinOf, loadPinyin } = await import('../node/dist/search/text/pinyin.js')
await loadPinyin()
const require = createRequire(import.meta.url)
const OpenCC = await import(require.resolve('opencc-js', { paths: [join(process.cwd(), 'node')] }))
const toSimplified = (OpenCC.Converter ? OpenCC : OpenCC.default).Converter({ from: 't', to: 'cn' })

function runWorker(engine, records, work) {
  process.stderr.write(`${engine} at ${records} records … (load ${loadavg()[0].toFixed(1)})\n`)
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=12288', join('bench', 'union-worker.js'), engine, String(records), work],
    { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 1 << 24 },
  )
  const line = r.stdout.trim().split('\n').pop()
  if (r.status !== 0 || !line) {
    process.stderr.write(
      `${engine} at ${records} did not finish (${r.signal ?? `exit ${r.status}`}): ${r.stderr.slice(-400)}\n`,
    )
    return undefined
  }
  const out = JSON.parse(line)
  process.stderr.write(`  ${line}\n`)
  return out
}

const work = mkdtempSync(join(tmpdir(), 'shulin-bench-union-'))
try {
  const poems = loadPoems(join(depsDir, 'node_modules', 'chinese-poetry'), nPoems)
  const queries = makeQueries(poems, { toSimplified, fold, pinyinOf })
  // An even share of each kind of query (substrings, titles, pinyin, author + word).
  const step = Math.max(1, Math.floor(queries.length / nQueries))
  writeFileSync(join(work, 'poems.json'), JSON.stringify(poems))
  writeFileSync(join(work, 'queries.json'), JSON.stringify(queries.filter((_, i) => i % step === 0).slice(0, nQueries)))

  const load = loadavg()[0]
  const parts = runWorker('parts', sizes[0], work)
  const runs = []
  for (const n of sizes) {
    const r = runWorker('embedded', n, work)
    if (!r) break
    runs.push(r)
  }
  // Meilisearch beside it, where a server is given (none runs on the development machine).
  const meili = []
  if (process.env.MEILI_URL)
    for (const n of sizes) {
      const r = runWorker('meilisearch', n, work)
      if (!r) break
      meili.push(r)
    }
  const mb = (x) => `${x.toFixed(0)} MB`
  const rows = [
    ['records', 'build', 'index memory (heap+buffers)', 'per 100k', 'process RSS', 'search p50', 'search p95'],
  ]
  for (const r of runs)
    rows.push([
      String(r.records),
      `${(r.buildMs / 1000).toFixed(1)} s`,
      mb(r.heapMB),
      mb((r.heapMB / r.records) * 100_000),
      mb(r.rssAfterQueriesMB),
      `${r.p50.toFixed(2)} ms`,
      `${r.p95.toFixed(2)} ms`,
    ])
  if (runs.length >= 2) {
    const [a, b] = runs.slice(-2)
    const at = (x, ya, yb) => ya + ((yb - ya) * (x - a.records)) / (b.records - a.records)
    for (const n of [1_000_000, 3_000_000].filter((n) => n > b.records))
      rows.push([
        `${n} (extrapolated)`,
        `${(at(n, a.buildMs, b.buildMs) / 1000).toFixed(0)} s`,
        mb(at(n, a.heapMB, b.heapMB)),
        '',
        mb(at(n, a.rssAfterQueriesMB, b.rssAfterQueriesMB)),
        'not extrapolated',
        '',
      ])
  }
  process.stdout.write(
    `embedded engine (the node's current engine), ${queries.length ? Math.min(nQueries, queries.length) : 0} queries a size, load average ${load.toFixed(1)} at start\n`,
  )
  process.stdout.write(table(rows) + '\n')
  if (meili.length) {
    process.stdout.write(
      "\nMeilisearch at MEILI_URL, same records and queries (its memory is the server's, not shown)\n",
    )
    process.stdout.write(
      table([
        ['records', 'indexing', 'search p50', 'search p95'],
        ...meili.map((r) => [
          String(r.records),
          `${(r.buildMs / 1000).toFixed(1)} s`,
          `${r.p50.toFixed(2)} ms`,
          `${r.p95.toFixed(2)} ms`,
        ]),
      ]) + '\n',
    )
  } else process.stdout.write('\nMeilisearch: not measured (set MEILI_URL to run it beside the embedded engine)\n')
  if (parts) {
    const per = (x) => mb((x / parts.records) * 100_000)
    process.stdout.write(
      `\nwhere the memory is, per 100k records (${parts.records} built piece by piece): ` +
        `document table ${per(parts.docTableSettledMB)} (${per(parts.docTableAsBuiltMB)} as first built, before its strings are flattened) (row text ${(parts.rowTextChars / parts.records) | 0} characters a record; ${per(parts.packedRowTextMB)} if packed as UTF-8), ` +
        `gram postings ${per(parts.postingsMB)} (${per(parts.postingsBytesMB)} of it the compact segment; ${parts.grams} grams, ${parts.postings} postings), ` +
        `pinyin places ${per(parts.pinyinPlacesMB)}\n`,
    )
  }
  process.stdout.write(JSON.stringify({ load, parts, runs, meili }) + '\n')
} finally {
  rmSync(work, { recursive: true, force: true })
}
