// One run of `npm run bench:union`, in its own process so its memory is its own:
//   node --expose-gc bench/union-worker.js <engine> <records> <work dir>
// engine: `embedded` (the node's engine, as the hub runs it), `meilisearch` (MEILI_URL set), or `parts` (the same engine's three
// pieces built one by one — document table, gram postings, pinyin places — to see which holds
// the memory). Reads poems.json and queries.json, makes `records` synthetic union-catalogue
// records from the poems (record i is poem i mod P as held by member ⌊i/P⌋, its description
// taken from another poem so copies are not identical), indexes them, runs every query, and
// prints one JSON line of figures.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const [engineName, recordsArg, work] = process.argv.slice(2)
const records = Number(recordsArg)
const poems = JSON.parse(readFileSync(join(work, 'poems.json'), 'utf8'))
const queries = JSON.parse(readFileSync(join(work, 'queries.json'), 'utf8'))
const P = poems.length

function heap() {
  global.gc()
  global.gc()
  const m = process.memoryUsage()
  return { used: m.heapUsed + m.arrayBuffers + m.external, rss: m.rss }
}

/** Synthetic record i, as a search document. */
function recordAt(i) {
  const p = poems[i % P]
  const copy = Math.floor(i / P)
  return {
    id: `m${copy}:${p.id}`,
    revision: 1,
    title: p.title,
    creators: [p.author],
    subjects: [p.dynasty],
    description: copy === 0 ? p.text : poems[(i + copy * 7919) % P].text,
    other: [],
    type: 'book',
    language: 'zh-Hant',
    access: 'public',
    status: 'published',
    source: `member-${copy % 3000}`,
    year: undefined,
    published: i,
    popularity: 0,
  }
}

const base = heap()
const out = { engine: engineName, records }
const t0 = performance.now()
let search
if (engineName === 'embedded') {
  const { EmbeddedEngine } = await import('../node/dist/search/embedded/engine.js')
  const engine = new EmbeddedEngine({ dir: undefined })
  await engine.open()
  for (let i = 0; i < records; i += 1000) {
    const batch = []
    for (let k = i; k < Math.min(records, i + 1000); k++) batch.push(recordAt(k))
    await engine.upsert(batch)
  }
  await engine.checkpoint('bench') // merges the delta into the compact base segment
  search = async (q) =>
    (await engine.search({ q, filters: {}, sort: 'relevance', limit: 10, offset: 0, facets: false })).hits.length
} else if (engineName === 'meilisearch') {
  // The same records into a Meilisearch server (MEILI_URL, MEILI_KEY): the hub's other engine.
  // Its memory is the server's, not this process's (this process's figures are the client's).
  const { MeiliEngine } = await import('../node/dist/search/meili/engine.js')
  const engine = new MeiliEngine({
    url: process.env.MEILI_URL,
    ...(process.env.MEILI_KEY ? { apiKey: process.env.MEILI_KEY } : {}),
    index: `shulin-bench-union-${records}`,
    taskTimeoutMs: 3_600_000,
  })
  await engine.open()
  await engine.clear()
  for (let i = 0; i < records; i += 10_000) {
    const batch = []
    for (let k = i; k < Math.min(records, i + 10_000); k++) batch.push(recordAt(k))
    await engine.upsert(batch)
  }
  search = async (q) =>
    (await engine.search({ q, filters: {}, sort: 'relevance', limit: 10, offset: 0, facets: false })).hits.length
} else if (engineName === 'parts') {
  const { DocTable } = await import('../node/dist/search/embedded/docs.js')
  const { Postings } = await import('../node/dist/search/embedded/postings.js')
  const { PinyinScan } = await import('../node/dist/search/embedded/pinyin-scan.js')
  const { loadPinyin } = await import('../node/dist/search/text/pinyin.js')
  await loadPinyin()
  const afterPinyin = heap().used
  const docs = new DocTable()
  for (let i = 0; i < records; i++) docs.append(docs.toRow(recordAt(i)))
  const asBuilt = heap().used
  // The table again with every row a fresh object of flat strings (a concatenated string is a
  // rope of pieces until something flattens it): what the rows cost once settled.
  for (let d = 0; d < docs.rows.length; d++) docs.rows[d] = JSON.parse(JSON.stringify(docs.rows[d]))
  const afterDocs = heap().used
  out.docTableAsBuiltMB = (asBuilt - afterPinyin) / 2 ** 20
  const segment = await Postings.build(docs.rows.length, (d) => DocTable.gramText(docs.rows[d]))
  const afterPostings = heap().used
  const pinyin = new PinyinScan(docs)
  const { Slices } = await import('../node/dist/search/embedded/slices.js')
  await pinyin.build(new Slices(1e9))
  const afterScan = heap().used
  // Of the table, how much is the rows' text (the strings a query re-reads to check and score a
  // candidate), and what the same text would take packed as UTF-8 in one buffer with an offset a field.
  const textFields = [
    'id',
    'title',
    'creators',
    'subjects',
    'description',
    'other',
    'transcript',
    'pinyin',
    'pinyinMarks',
    'titleText',
  ]
  let textChars = 0
  let packedBytes = 0
  for (const r of docs.rows)
    if (r)
      for (const k of textFields) {
        textChars += r[k].length
        packedBytes += Buffer.byteLength(r[k]) + 4
      }
  out.packedRowTextMB = packedBytes / 2 ** 20
  Object.assign(out, {
    docTableSettledMB: (afterDocs - afterPinyin) / 2 ** 20,
    postingsMB: (afterPostings - afterDocs) / 2 ** 20,
    postingsBytesMB: (segment.bytes.byteLength + segment.keys.byteLength + segment.offsets.byteLength) / 2 ** 20,
    pinyinPlacesMB: (afterScan - afterPostings) / 2 ** 20,
    rowTextChars: textChars,
    grams: segment.keys.length,
    postings: segment.count,
  })
  search = undefined
}
out.buildMs = performance.now() - t0
const built = heap()
out.heapMB = (built.used - base.used) / 2 ** 20
out.rssMB = built.rss / 2 ** 20
out.baseRssMB = base.rss / 2 ** 20
if (search) {
  const times = []
  for (const q of queries) {
    const s = performance.now()
    await search(q.q)
    times.push(performance.now() - s)
  }
  times.sort((a, b) => a - b)
  const at = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))]
  out.queries = times.length
  out.p50 = at(0.5)
  out.p95 = at(0.95)
  out.rssAfterQueriesMB = process.memoryUsage().rss / 2 ** 20
}
process.stdout.write(JSON.stringify(out) + '\n')
