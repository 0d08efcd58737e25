// npm run bench:search — the search engine beside MiniSearch and Orama, same data, same queries:
//   100k Tang and Song poems (Traditional characters) from the `chinese-poetry` package, installed
//   into bench/.search-deps on first run with the two peers (the node itself never needs them);
//   queries: Simplified substrings of lines, Simplified titles, toneless pinyin (full and
//   initials), author + word; ground truth by brute force.
// Figures: build time, index size on disk, memory held by the index, query p50/p95, recall@10,
// and p99 / worst of issue 15's adversarial queries (search-data.js: makeAbuseQueries) — each
// engine as a library, without the HTTP API's length cap (`npm run bench:abuse` goes through it).
// The peers get the same folded text and pinyin, and a bigram tokenizer (the usual way to make
// them find Chinese); each engine runs in its own process. Medians of a noisy shared machine.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { depsDir, ensureSearchDeps, loadPoems, makeAbuseQueries, makeQueries } from './search-data.js'
import { table } from './lib.js'

const N = Number(process.env.SEARCH_BENCH_N ?? 100_000)
ensureSearchDeps()
const { fold } = await import('../node/dist/search/text/fold.js')
const { pinyinOf, loadPinyin } = await import('../node/dist/search/text/pinyin.js')
await loadPinyin()
const require = createRequire(import.meta.url)
const OpenCC = await import(require.resolve('opencc-js', { paths: [join(process.cwd(), 'node')] }))
const toSimplified = (OpenCC.Converter ? OpenCC : OpenCC.default).Converter({ from: 't', to: 'cn' })

const work = mkdtempSync(join(tmpdir(), 'shulin-bench-search-'))
try {
  const t0 = performance.now()
  const poems = loadPoems(join(depsDir, 'node_modules', 'chinese-poetry'), N)
  const queries = makeQueries(poems, { toSimplified, fold, pinyinOf })
  const prepared = poems.map((p) => {
    const py = [pinyinOf(fold(p.title)), pinyinOf(fold(p.author), { name: true })].flatMap((x) =>
      x ? [x.full, x.initials] : [],
    )
    return { id: p.id, title: fold(p.title), author: fold(p.author), text: fold(p.text), pinyin: py.join(' ') }
  })
  writeFileSync(join(work, 'poems.json'), JSON.stringify(poems))
  writeFileSync(join(work, 'prepared.json'), JSON.stringify(prepared))
  writeFileSync(join(work, 'queries.json'), JSON.stringify(queries))
  writeFileSync(join(work, 'abuse.json'), JSON.stringify(makeAbuseQueries(poems, { fold })))
  const kinds = [...new Set(queries.map((q) => q.kind))]
  process.stderr.write(
    `${poems.length} poems, ${queries.length} queries (${kinds.map((k) => `${k} ${queries.filter((q) => q.kind === k).length}`).join(', ')}), prepared in ${Math.round(performance.now() - t0)} ms\n`,
  )

  const results = {}
  const engines = (process.env.SEARCH_BENCH_ENGINES ?? 'shulin,shulin-reopen,minisearch,orama').split(',')
  for (const engine of engines) {
    process.stderr.write(`running ${engine} …\n`)
    const r = spawnSync(
      process.execPath,
      ['--expose-gc', '--max-old-space-size=8192', join('bench', 'search-worker.js'), engine, work],
      { encoding: 'utf8', timeout: 900_000, maxBuffer: 1 << 24 },
    )
    const line = r.stdout.trim().split('\n').pop()
    if (r.status !== 0 || !line) {
      process.stderr.write(`${engine} did not finish (${r.signal ?? `exit ${r.status}`}): ${r.stderr.slice(-500)}\n`)
      results[engine] = undefined
      continue
    }
    results[engine] = JSON.parse(line)
  }
  const mb = (b) => (b === undefined ? '—' : `${(b / 1024 ** 2).toFixed(0)} MB`)
  const ms = (v, d = 2) => (v === undefined ? '—' : `${v.toFixed(d)} ms`)
  const s = results.shulin
  const row = (label, f) => [
    label,
    ...['shulin', 'minisearch', 'orama'].map((e) => (results[e] ? f(results[e]) : 'did not finish')),
  ]
  const rows = [
    ['measure', 'shulin (embedded)', 'MiniSearch', 'Orama'],
    row('index build', (r) => `${(r.buildMs / 1000).toFixed(1)} s`),
    row('index size on disk (file / JSON)', (r) => mb(r.diskBytes)),
    row('memory held by the index', (r) => mb(r.memoryBytes)),
    row('query p50', (r) => ms(r.p50)),
    row('query p95', (r) => ms(r.p95)),
    ...kinds.map((k) => row(`query p50 ${k}`, (r) => ms(r.p50ByKind[k]))),
    ...kinds.map((k) => row(`recall@10 ${k}`, (r) => (r.recall[k] ?? 0).toFixed(3))),
    row('adversarial query p99 / worst (issue 15)', (r) => `${ms(r.abuseP99, 1)} / ${ms(r.abuseWorst, 1)}`),
  ]
  process.stdout.write(table(rows) + '\n')
  const re = results['shulin-reopen']
  if (re) {
    process.stdout.write(
      `\nshulin reopened from its file: ${ms(re.reopenMs, 0)}, memory ${mb(re.memoryBytes)}, p50 ${ms(re.p50)}, p95 ${ms(re.p95)}\n`,
    )
  }
  if (s) {
    const ratios = ['minisearch', 'orama']
      .filter((e) => results[e])
      .map(
        (e) =>
          `${e}: build ×${(results[e].buildMs / s.buildMs).toFixed(1)}, p95 ×${(results[e].p95 / s.p95).toFixed(1)}, memory ×${(results[e].memoryBytes / s.memoryBytes).toFixed(1)}`,
      )
    process.stdout.write(`peer ÷ shulin — ${ratios.join('; ')}\n`)
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}
