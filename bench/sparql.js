// npm run bench:sparql — the SPARQL store (issue 22) on the 100k-poem catalogue (the corpus of
// bench:search: Tang poems first, then Song; SPARQL_N to change the size), beside Comunica over
// an N3 Store holding the same triples, in the same run.
//   - the quads are the node's own (node/dist/ld/triples.js: recordQuads and namedQuads);
//   - Oxigraph is measured through the node's SparqlStore (worker thread, N-Triples load, results
//     serialised as SPARQL JSON), i.e. what /sparql does less HTTP; Comunica's time is the
//     query to its last binding or quad collected in an array;
//   - memory: the process's RSS (worker included) after a GC, before and after each store;
//   - each query: 1 warm-up, then SPARQL_RUNS runs (default 10), p50 and p95.
// Aim (issue 22): ahead of the peer on every query, build ≤ 60 s, memory ≤ 500 MB.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { percentile, table } from './lib.js'
import { depsDir, ensureSearchDeps, loadPoems } from './search-data.js'

const N = Number(process.env.SPARQL_N ?? 100_000)
const runs = Number(process.env.SPARQL_RUNS ?? 10)
setTimeout(() => {
  process.stderr.write('bench:sparql did not finish in 30 minutes\n')
  process.exit(2)
}, 30 * 60_000).unref()

/** Comunica is the peer only: installed into bench/.sparql-deps on first run (the node never needs it). */
const peerDir = join(process.cwd(), 'bench', '.sparql-deps')
if (!existsSync(join(peerDir, 'node_modules', '@comunica', 'query-sparql-rdfjs', 'package.json'))) {
  mkdirSync(peerDir, { recursive: true })
  writeFileSync(
    join(peerDir, 'package.json'),
    JSON.stringify({ private: true, dependencies: { '@comunica/query-sparql-rdfjs': '5.4.1' } }),
  )
  process.stderr.write('installing Comunica into bench/.sparql-deps …\n')
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', peerDir], { stdio: 'inherit' })
}
ensureSearchDeps()
const { QueryEngine } = createRequire(join(peerDir, 'package.json'))('@comunica/query-sparql-rdfjs')
const { Store } = await import('n3')
const { recordQuads, namedQuads, namedIn } = await import('../node/dist/ld/triples.js')
const { SparqlStore } = await import('../node/dist/ld/sparql/store.js')

const gc = globalThis.gc ?? (() => {})
const rss = () => {
  gc()
  gc()
  return process.memoryUsage().rss / 2 ** 20
}

const origin = 'https://lib.example'
const poems = loadPoems(join(depsDir, 'node_modules', 'chinese-poetry'), N)
const at = new Date('2026-12-01T00:00:00Z').toISOString()
const quads = []
const named = new Map()
for (const p of poems) {
  const r = {
    id: p.id,
    type: 'book',
    nodeId: 'bench',
    status: 'published',
    metadata: {
      title: p.title,
      creators: [p.author],
      subjects: [`${p.dynasty}詩`],
      description: p.text,
      language: 'zh',
      identifiers: [],
    },
    publishedAt: at,
    updatedAt: at,
  }
  for (const q of recordQuads(r, { recordOrigin: origin, origin, library: `${origin}/ld/library/bench` })) quads.push(q)
  for (const t of namedIn(r)) named.set(`${t.kind}\0${t.id}`, t)
}
for (const t of named.values()) for (const q of namedQuads(origin, t)) quads.push(q)
process.stderr.write(`${poems.length} poems, ${quads.length} triples\n`)

const prefixes = 'PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX schema: <https://schema.org/>\n'
const queries = [
  [
    'works by an author',
    `${prefixes}SELECT ?w ?t WHERE { ?w dcterms:creator ?p . ?p schema:name "李白" . ?w dcterms:title ?t }`,
  ],
  [
    'counts by dynasty/subject',
    `${prefixes}SELECT ?s (COUNT(?w) AS ?n) WHERE { ?w a schema:CreativeWork ; dcterms:subject ?s } GROUP BY ?s`,
  ],
  [
    'two-hop join',
    `${prefixes}SELECT DISTINCT ?t WHERE { ?w0 dcterms:title "靜夜思"@zh ; dcterms:creator ?p . ?w dcterms:creator ?p ; dcterms:title ?t }`,
  ],
  ['DESCRIBE a record', `DESCRIBE <${origin}/ld/resource/p${Math.floor(poems.length / 2)}>`],
]

async function time(fn) {
  await fn()
  const ms = []
  let size = 0
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    size = await fn()
    ms.push(performance.now() - t0)
  }
  return { p50: percentile(ms, 50), p95: percentile(ms, 95), size }
}

// Oxigraph, through the node's store.
const before = rss()
const store = new SparqlStore({
  source: {
    allQuads: async function* () {
      yield* quads
    },
    onChange: () => () => {},
  },
  timeLimitMs: 600_000,
  maxRows: 10_000_000,
})
const oxBuild = await store.rebuild()
const built = { triples: store.size }
const oxMemory = rss() - before
const ox = []
for (const [name, q] of queries) {
  const graph = q.startsWith('DESCRIBE')
  ox.push(
    await time(async () => (await store.query(q, graph ? 'text/turtle' : 'application/sparql-results+json')).rows),
  )
  process.stderr.write(`oxigraph: ${name} done\n`)
}
await store.stop()

// Comunica over an N3 Store.
const before2 = rss()
const t0 = performance.now()
const n3 = new Store()
n3.addQuads(quads)
const n3Build = performance.now() - t0
const n3Memory = rss() - before2
const engine = new QueryEngine()
const co = []
for (const [name, q] of queries) {
  const graph = q.startsWith('DESCRIBE')
  co.push(
    await time(async () =>
      graph
        ? (await (await engine.queryQuads(q, { sources: [n3] })).toArray()).length
        : (await (await engine.queryBindings(q, { sources: [n3] })).toArray()).length,
    ),
  )
  process.stderr.write(`comunica: ${name} done\n`)
}

const f = (ms) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(0))
console.log(`\n${poems.length} poems, ${quads.length} triples (Oxigraph holds ${built.triples} after dedup)\n`)
console.log(
  table([
    ['store', 'build', 'memory'],
    ['Oxigraph (worker)', `${(oxBuild.ms / 1000).toFixed(1)} s`, `${oxMemory.toFixed(0)} MiB`],
    ['N3 Store (Comunica)', `${(n3Build / 1000).toFixed(1)} s`, `${n3Memory.toFixed(0)} MiB`],
  ]),
)
console.log()
console.log(
  table([
    ['query', 'results', 'Oxigraph p50', 'p95', 'Comunica p50', 'p95', 'ahead'],
    ...queries.map(([name], i) => [
      name,
      `${ox[i].size}/${co[i].size}`,
      `${f(ox[i].p50)} ms`,
      `${f(ox[i].p95)} ms`,
      `${f(co[i].p50)} ms`,
      `${f(co[i].p95)} ms`,
      ox[i].p95 < co[i].p50 ? 'yes' : 'no',
    ]),
  ]),
)
const ahead = ox.every((o, i) => o.p95 < co[i].p50)
const ok = ahead && oxBuild.ms <= 60_000 && oxMemory <= 500
console.log(`\naim (ahead on every query, build ≤ 60 s, memory ≤ 500 MB): ${ok ? 'met' : 'NOT met'}`)
process.exit(0)
