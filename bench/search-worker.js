// One engine of `npm run bench:search`, in its own process so its memory is its own:
//   node bench/search-worker.js <shulin|shulin-reopen|minisearch|orama> <work dir>
// Reads poems.json and queries.json from the work dir, builds (or reopens) the index, runs
// every query, and prints one JSON line of figures.
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import v8 from 'node:v8'

const [engineName, work] = process.argv.slice(2)
const deps = createRequire(join(process.cwd(), 'bench', '.search-deps', 'package.json'))
const { fold } = await import('../node/dist/search/text/fold.js')
const poems = JSON.parse(readFileSync(join(work, 'poems.json'), 'utf8'))
const prepared = JSON.parse(readFileSync(join(work, 'prepared.json'), 'utf8')) // folded text and pinyin, for the peers
const queries = JSON.parse(readFileSync(join(work, 'queries.json'), 'utf8'))
const abuse = JSON.parse(readFileSync(join(work, 'abuse.json'), 'utf8'))

function memory() {
  global.gc()
  global.gc()
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers + m.external
}

/** CJK as overlapping bigrams (and single characters for one-character runs), Latin as words. */
function bigrams(text) {
  const out = []
  for (const run of text.split(/\s+/)) {
    if (!run) continue
    const chars = [...run]
    if (/^[a-z0-9]+$/.test(run)) out.push(run)
    else if (chars.length === 1) out.push(run)
    else for (let i = 1; i < chars.length; i++) out.push(chars[i - 1] + chars[i])
  }
  return out
}
const queryTokens = (q) =>
  bigrams(
    q
      .split(/\s+/)
      .map((p) => fold(p))
      .filter(Boolean)
      .join(' '),
  )

let search
let build = 0
let disk = 0
let reopen
const dataOnly = poems.length ? memory() : 0

if (engineName === 'shulin' || engineName === 'shulin-reopen') {
  const { EmbeddedEngine } = await import('../node/dist/search/embedded/engine.js')
  const dir = join(work, 'shulin-index')
  let engine
  if (engineName === 'shulin') {
    const t0 = performance.now()
    engine = new EmbeddedEngine({ dir })
    await engine.open()
    for (let i = 0; i < poems.length; i += 1000) {
      await engine.upsert(
        poems.slice(i, i + 1000).map((p, k) => ({
          id: p.id,
          revision: 1,
          title: p.title,
          creators: [p.author],
          subjects: [p.dynasty],
          description: p.text,
          other: [],
          type: 'book',
          language: 'zh-Hant',
          access: 'public',
          status: 'published',
          source: 'bench',
          year: undefined,
          published: i + k,
          popularity: 0,
        })),
      )
    }
    await engine.checkpoint('bench')
    build = performance.now() - t0
  } else {
    const t0 = performance.now()
    engine = new EmbeddedEngine({ dir })
    await engine.open()
    reopen = performance.now() - t0
  }
  disk = statSync(join(dir, 'index.v1.bin')).size
  search = async (q) =>
    (await engine.search({ q, filters: {}, sort: 'relevance', limit: 10, offset: 0, facets: false })).hits.map(
      (h) => h.id,
    )
} else if (engineName === 'minisearch') {
  const MiniSearch = deps('minisearch')
  const t0 = performance.now()
  const ms = new MiniSearch({
    fields: ['title', 'author', 'text', 'pinyin'],
    storeFields: [],
    tokenize: bigrams,
    processTerm: (t) => t,
    searchOptions: {
      boost: { title: 3, author: 2 },
      combineWith: 'AND',
      tokenize: (q) => q.split('\u0000'),
      processTerm: (t) => t,
    },
  })
  ms.addAll(prepared)
  build = performance.now() - t0
  disk = Buffer.byteLength(JSON.stringify(ms))
  search = async (q) => {
    const tokens = queryTokens(q)
    if (!tokens.length) return []
    return ms
      .search(tokens.join('\u0000'))
      .slice(0, 10)
      .map((r) => r.id)
  }
} else if (engineName === 'orama') {
  const { create, insertMultiple, search: oramaSearch, save } = await import(deps.resolve('@orama/orama'))
  const t0 = performance.now()
  const db = create({
    // Orama's AND (threshold 0) wants every term in one property: one field holds them all.
    schema: { id: 'string', all: 'string' },
    components: { tokenizer: { language: 'english', normalizationCache: new Map(), tokenize: (raw) => bigrams(raw) } },
  })
  await insertMultiple(
    db,
    prepared.map((p) => ({ id: p.id, all: [p.title, p.author, p.text, p.pinyin].join(' ') })),
    1000,
  )
  build = performance.now() - t0
  disk = Buffer.byteLength(JSON.stringify(save(db)))
  search = async (q) => {
    const tokens = queryTokens(q)
    if (!tokens.length) return []
    const r = await oramaSearch(db, { term: tokens.join(' '), properties: ['all'], threshold: 0, limit: 10 })
    return r.hits.map((h) => h.document.id)
  }
}

const mem = memory() - dataOnly
// Warm up, then time every query once.
for (const q of queries.slice(0, 50)) await search(q.q)
const times = []
const byKind = {}
const recall = {}
for (const q of queries) {
  const t0 = performance.now()
  const hits = await search(q.q)
  times.push(performance.now() - t0)
  ;(byKind[q.kind] ??= []).push(times[times.length - 1])
  const truth = new Set(q.truth)
  const found = hits.slice(0, 10).filter((id) => truth.has(id)).length
  ;(recall[q.kind] ??= []).push(found / Math.min(10, truth.size))
}
times.sort((a, b) => a - b)
const pct = (p) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]
// Issue 15's adversarial queries, three rounds (stopped after a minute: a peer may take long).
const abuseTimes = []
const abuseStart = performance.now()
for (let round = 0; round < 3 && performance.now() - abuseStart < 60_000; round++) {
  for (const { q } of abuse) {
    const t0 = performance.now()
    await search(q)
    abuseTimes.push(performance.now() - t0)
  }
}
abuseTimes.sort((a, b) => a - b)
const result = {
  engine: engineName,
  buildMs: build,
  reopenMs: reopen,
  diskBytes: disk,
  memoryBytes: mem,
  peakHeapBytes: v8.getHeapStatistics().peak_malloced_memory,
  p50: pct(50),
  p95: pct(95),
  p50ByKind: Object.fromEntries(
    Object.entries(byKind).map(([k, v]) => [k, v.sort((a, b) => a - b)[Math.floor(v.length / 2)]]),
  ),
  abuseP99: abuseTimes[Math.min(abuseTimes.length - 1, Math.ceil(0.99 * abuseTimes.length) - 1)],
  abuseWorst: abuseTimes[abuseTimes.length - 1],
  recall: Object.fromEntries(Object.entries(recall).map(([k, v]) => [k, v.reduce((a, b) => a + b, 0) / v.length])),
}
writeFileSync(join(work, `result-${engineName}.json`), JSON.stringify(result))
process.stdout.write(JSON.stringify(result) + '\n')
