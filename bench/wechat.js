// npm run bench:wechat — a WeChat text message answered with a news reply (一框式检索) on a real
// node holding 100k Tang and Song poems (the bench:search corpus, imported with `shulin import`),
// beside a plain `GET /api/search` for the same query in the same run.
// Each query is sent as WeChat's servers send it: `POST /wechat` signed with the token, a fresh
// nonce and MsgId, one at a time, alternating with the plain search. Queries: poem titles and
// line fragments (Simplified/Traditional as stored), authors, and a few with no hit.
// Figures: p50 / p95 / worst of each; how many replies were news, "nothing found" texts, or the
// late fallback (the reply must come well inside WeChat's 5 s; aim p95 ≤ 500 ms).
// Bounded: every request times out after 60 s, the run after 20 minutes.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureSearchDeps, depsDir, loadPoems, rng } from './search-data.js'
import { freePort, killAll, percentile, run, shulinBin, spawnTracked, stop, table, waitHealthy } from './lib.js'

const N = Number(process.env.WECHAT_BENCH_N ?? 100_000)
const Q = Number(process.env.WECHAT_BENCH_QUERIES ?? 300)
const token = 'benchWechatToken'
setTimeout(() => {
  process.stderr.write('bench:wechat did not finish in 20 minutes\n')
  killAll()
  process.exit(2)
}, 20 * 60_000).unref()

ensureSearchDeps()
const { wechatSignature } = await import('../node/dist/wechat/crypto.js')
const work = await mkdtemp(join(tmpdir(), 'shulin-bench-wechat-'))
let node
try {
  const poems = loadPoems(join(depsDir, 'node_modules', 'chinese-poetry'), N)
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
  node = spawnTracked(
    process.execPath,
    [shulinBin, 'start', '--data', data, '--port', String(port), '--host', '127.0.0.1', '--log-level', 'warn'],
    { env: { ...process.env, SHULIN_WECHAT_TOKEN: token } },
  )
  await waitHealthy(`${url}/api/health`, performance.now(), 60_000)
  let t0 = performance.now()
  const imported = await run(process.execPath, [shulinBin, 'import', join(work, 'poems.jsonl'), '--data', data])
  if (!/ created/.test(imported.stdout)) throw new Error(`import failed: ${imported.stderr.slice(-500)}`)
  process.stderr.write(`${poems.length} poems imported in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`)
  t0 = performance.now()
  await get(`${url}/api/search?q=${encodeURIComponent('月')}&limit=1`, 600_000)
  process.stderr.write(`indexed in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`)

  // The queries a reader types: a title, a fragment of a line, an author, now and then nonsense.
  const random = rng(21)
  const pick = () => poems[Math.floor(random() * poems.length)]
  const queries = []
  for (let i = 0; i < Q; i++) {
    const p = pick()
    const kind = i % 10 === 9 ? 'no hit' : ['title', 'line', 'author'][i % 3]
    if (kind === 'title') queries.push({ kind, q: line(p.title).slice(0, 12) })
    else if (kind === 'author') queries.push({ kind, q: line(p.author) })
    else if (kind === 'line') {
      const text = p.text.replace(/[\s，。？！、；：]/g, '')
      const at = Math.floor(random() * Math.max(1, text.length - 5))
      queries.push({ kind, q: text.slice(at, at + 5) || '明月' })
    } else queries.push({ kind, q: `zzqx${i}` })
  }

  const wechat = { ms: [], news: 0, empty: 0, late: 0, other: 0 }
  const plain = { ms: [] }
  let msgId = 6_000_000_000
  for (const { q } of queries) {
    const timestamp = String(Math.floor(Date.now() / 1000))
    const nonce = String(Math.floor(random() * 1e9))
    const qs = new URLSearchParams({ signature: wechatSignature(token, timestamp, nonce), timestamp, nonce })
    const xml =
      `<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[oBenchReader]]></FromUserName>` +
      `<CreateTime>${timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>` +
      `<Content><![CDATA[${q}]]></Content><MsgId>${msgId++}</MsgId></xml>`
    let t = performance.now()
    const res = await fetch(`${url}/wechat?${qs}`, {
      method: 'POST',
      body: xml,
      headers: { 'content-type': 'text/xml' },
      signal: AbortSignal.timeout(60_000),
    })
    const body = await res.text()
    wechat.ms.push(performance.now() - t)
    if (res.status !== 200) throw new Error(`POST /wechat answered ${res.status}: ${body.slice(0, 300)}`)
    if (body.includes('<MsgType><![CDATA[news]]>')) wechat.news++
    else if (body.includes('没有找到')) wechat.empty++
    else if (body.includes('需要多一点时间')) wechat.late++
    else wechat.other++

    t = performance.now()
    await get(`${url}/api/search?q=${encodeURIComponent(q)}&limit=8&facets=false`)
    plain.ms.push(performance.now() - t)
  }
  const f = (xs) => [percentile(xs, 50), percentile(xs, 95), Math.max(...xs)].map((v) => `${v.toFixed(1)} ms`)
  console.log(
    table([
      ['measure', 'p50', 'p95', 'worst'],
      ['WeChat text → news reply (POST /wechat)', ...f(wechat.ms)],
      ['plain search (GET /api/search, limit 8)', ...f(plain.ms)],
    ]),
  )
  console.log(
    `${queries.length} queries over ${poems.length} records: ${wechat.news} news replies, ${wechat.empty} "nothing found", ` +
      `${wechat.late} late fallbacks, ${wechat.other} other; aim p95 ≤ 500 ms — ` +
      (percentile(wechat.ms, 95) <= 500 ? 'met' : 'NOT met'),
  )
} finally {
  if (node) await stop(node)
  await rm(work, { recursive: true, force: true })
}

async function get(u, timeoutMs = 60_000) {
  const res = await fetch(u, { signal: AbortSignal.timeout(timeoutMs) })
  const body = await res.text()
  if (res.status !== 200) throw new Error(`${u} answered ${res.status}: ${body.slice(0, 300)}`)
  return { status: res.status, body }
}
