// npm run bench:ui — the web UI's budgets, in Debian's Chromium with the CPU slowed 4×:
//   portal shell JavaScript (gzip) against the 150 kB budget;
//   first contentful paint and time to interactive of the portal's home page, beside a plain
//     static page served from the same machine (the floor any page pays);
//   scrolling the 10,000-record catalogue: long tasks over 50 ms, beside the same 10,000 rows
//     rendered as plain DOM without virtualisation.
// Medians of 5 loads; these machines are shared and noisy.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { chromium } from 'playwright-core'
import { freePort, median, run, shulinBin, spawnShulin, stop, table, waitHealthy } from './lib.js'

const RUNS = 5
const N = 10_000
const dist = new URL('../web-ui/dist/', import.meta.url)
const work = await mkdtemp(join(tmpdir(), 'shulin-bench-ui-'))
const data = join(work, 'node')
let node
let peer
let browser
try {
  // Shell JavaScript: the entry chunk and what the home page imports with it.
  const assets = await readdir(new URL('assets/', dist))
  const gz = async (f) => gzipSync(await readFile(new URL(`assets/${f}`, dist)), { level: 9 }).length
  const entry = assets.find((f) => /^index-.*\.js$/.test(f))
  const shellBytes = await gz(entry)

  // A node with 10,000 published records.
  const port = await freePort()
  const first = spawnShulin(data, port)
  await waitHealthy(`http://127.0.0.1:${port}/api/health`, performance.now())
  await stop(first)
  const lines = Array.from({ length: N }, (_, i) =>
    JSON.stringify({
      title: `乡土文献第${i + 1}种`,
      creators: [`编者${i % 97}`],
      subjects: ['地方文献'],
      date: String(1950 + (i % 70)),
    }),
  )
  await writeFile(join(work, 'records.jsonl'), lines.join('\n'))
  const imported = await run(process.execPath, [shulinBin, 'import', join(work, 'records.jsonl'), '--data', data])
  if (imported.code !== 0) throw new Error(imported.stderr)
  node = spawnShulin(data, port)
  await waitHealthy(`http://127.0.0.1:${port}/api/health`, performance.now())
  const base = `http://127.0.0.1:${port}`
  await fetch(`${base}/api/search?q=&limit=1`) // wait for the index

  // The peers: a static page, and the same rows as plain DOM.
  const rows = lines
    .map((l) => JSON.parse(l))
    .map(
      (r, i) =>
        `<a href="/r/${i}" style="display:flex;flex-direction:column;min-height:64px;padding:10px 12px;border-bottom:1px solid #ddd"><b>${r.title}</b><span>${r.creators[0]}</span></a>`,
    )
  const peerPages = {
    '/static':
      '<!doctype html><meta charset=utf-8><meta name=viewport content="width=device-width"><title>peer</title><h1>书林</h1><p>静态页面</p>',
    '/list': `<!doctype html><meta charset=utf-8><meta name=viewport content="width=device-width"><title>peer list</title><div>${rows.join('')}</div>`,
  }
  const peerPort = await freePort()
  peer = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    res.end(peerPages[req.url] ?? '')
  })
  await new Promise((r) => peer.listen(peerPort, '127.0.0.1', r))
  const peerBase = `http://127.0.0.1:${peerPort}`

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })

  /** A fresh phone-sized page with the CPU slowed 4× and a long-task recorder. */
  async function throttledPage() {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      serviceWorkers: 'block',
    })
    const page = await context.newPage()
    const cdp = await context.newCDPSession(page)
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 })
    await page.addInitScript(() => {
      window.__long = []
      new PerformanceObserver((l) =>
        window.__long.push(
          ...l.getEntries().map((e) => ({ start: e.startTime, end: e.startTime + e.duration, duration: e.duration })),
        ),
      ).observe({ type: 'longtask', buffered: true })
    })
    return { context, page }
  }

  /** FCP, and TTI as the end of the last long task before a 2 s quiet window (at least DOMContentLoaded). */
  async function load(url, ready) {
    const { context, page } = await throttledPage()
    await page.goto(url)
    await page.waitForFunction(ready, undefined, { timeout: 60_000 })
    await page.waitForTimeout(2500)
    const m = await page.evaluate(() => {
      const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN
      const dcl = performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd ?? NaN
      const tasks = window.__long
      const lastEnd = tasks.length ? Math.max(...tasks.map((t) => t.end)) : 0
      return { fcp, tti: Math.max(dcl, fcp, lastEnd) }
    })
    await context.close()
    return m
  }

  const home = []
  const stat = []
  for (let i = 0; i < RUNS; i++) {
    home.push(
      await load(
        `${base}/`,
        () =>
          !!document
            .querySelector('shulin-app')
            ?.shadowRoot?.querySelector('shulin-home')
            ?.shadowRoot?.querySelector('shulin-resource-card'),
      ),
    )
    stat.push(await load(`${peerBase}/static`, () => !!document.querySelector('h1')))
  }

  /** Scrolls to the end (or 10,000 rows), then reports long tasks seen while scrolling. */
  async function scroll(url, ready, count) {
    const { context, page } = await throttledPage()
    await page.goto(url)
    await page.waitForFunction(ready, undefined, { timeout: 60_000 })
    await page.waitForTimeout(1000)
    await page.evaluate(() => (window.__long.length = 0))
    const t0 = Date.now()
    let rows = 0
    while (Date.now() - t0 < 90_000) {
      await page.mouse.wheel(0, 3000)
      await page.waitForTimeout(50)
      rows = await page.evaluate(count)
      const atEnd = await page.evaluate(
        () => window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 10,
      )
      if (rows >= N && atEnd) break
    }
    const tasks = await page.evaluate(() => window.__long)
    await context.close()
    return {
      rows,
      longTasks: tasks.length,
      worst: tasks.length ? Math.max(...tasks.map((t) => t.duration)) : 0,
      seconds: (Date.now() - t0) / 1000,
    }
  }
  const catalogCount = () =>
    document.querySelector('shulin-app')?.shadowRoot?.querySelector('shulin-catalog')?.items?.length ?? 0
  const virtual = await scroll(
    `${base}/catalog`,
    () => (document.querySelector('shulin-app')?.shadowRoot?.querySelector('shulin-catalog')?.items?.length ?? 0) > 0,
    catalogCount,
  )
  const plain = await scroll(
    `${peerBase}/list`,
    () => document.querySelectorAll('a').length > 0,
    () => document.querySelectorAll('a').length,
  )

  const ms = (v) => `${Math.round(v)} ms`
  const out = [
    ['measure (Chromium, CPU 4× slower, 390×844)', 'shulin', 'peer', 'budget'],
    ['portal shell JavaScript, gzip', `${(shellBytes / 1024).toFixed(1)} kB`, '', '150 kB'],
    [
      'first contentful paint, median',
      ms(median(home.map((h) => h.fcp))),
      `${ms(median(stat.map((h) => h.fcp)))} (static page)`,
      '',
    ],
    [
      'time to interactive, median',
      ms(median(home.map((h) => h.tti))),
      `${ms(median(stat.map((h) => h.tti)))} (static page)`,
      '',
    ],
    [`scroll ${N} records: rows reached`, String(virtual.rows), `${plain.rows} (plain DOM)`, ''],
    ['scroll: long tasks > 50 ms', String(virtual.longTasks), `${plain.longTasks} (plain DOM)`, '0'],
    ['scroll: worst task', ms(virtual.worst), `${ms(plain.worst)} (plain DOM)`, '< 50 ms'],
  ]
  process.stdout.write(table(out) + '\n')
} finally {
  await browser?.close()
  peer?.close()
  if (node) await stop(node)
  await rm(work, { recursive: true, force: true })
}
