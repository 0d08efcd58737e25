// npm run bench — the node foundation: cold start to a healthy /api/health, idle RSS, and
// /api/health throughput beside a bare Hono hello-world measured in the same run.
// Prints medians; machines are shared and noisy, so read the ratios.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { freePort, killAll, median, rssMiB, spawnShulin, spawnTracked, stop, table, waitHealthy } from './lib.js'

const runs = Number(process.env.BENCH_RUNS ?? 5)
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const seconds = Number(process.env.BENCH_SECONDS ?? 8)
const bareHono = fileURLToPath(new URL('./bare-hono.js', import.meta.url))
const work = await mkdtemp(join(tmpdir(), 'shulin-bench-'))

async function startShulin(dataDir) {
  const port = await freePort()
  const t0 = performance.now()
  const child = spawnShulin(dataDir, port)
  const ms = await waitHealthy(`http://127.0.0.1:${port}/api/health`, t0)
  return { child, port, ms }
}

async function startBare() {
  const port = await freePort()
  const t0 = performance.now()
  const child = spawnTracked(process.execPath, [bareHono, String(port)], {
    cwd: fileURLToPath(new URL('../node/', import.meta.url)),
  })
  const ms = await waitHealthy(`http://127.0.0.1:${port}/api/health`, t0)
  return { child, port, ms }
}

function load(port) {
  return new Promise((resolve, reject) => {
    autocannon(
      { url: `http://127.0.0.1:${port}/api/health`, connections: 10, pipelining: 1, duration: seconds },
      (err, result) => (err ? reject(err) : resolve(result.requests.average)),
    )
  })
}

try {
  const first = []
  const second = []
  const idle = []
  const bareStart = []
  for (let i = 0; i < runs; i++) {
    const dir = join(work, `node-${i}`)
    const a = await startShulin(dir)
    first.push(a.ms)
    await stop(a.child)
    const b = await startShulin(dir)
    second.push(b.ms)
    await new Promise((r) => setTimeout(r, 2000))
    idle.push(rssMiB(b.child.pid))
    await stop(b.child)
    const bare = await startBare()
    bareStart.push(bare.ms)
    await stop(bare.child)
  }

  const shulinRps = []
  const bareRps = []
  const node = await startShulin(join(work, 'load'))
  const bare = await startBare()
  await load(node.port) // warm-up, not counted
  await load(bare.port)
  for (let r = 0; r < rounds; r++) {
    bareRps.push(await load(bare.port))
    shulinRps.push(await load(node.port))
  }
  await stop(node.child)
  await stop(bare.child)

  const ratio = median(shulinRps) / median(bareRps)
  console.log(
    `\nShulin node foundation — ${runs} start runs, ${rounds}×${seconds}s load rounds, Node ${process.version}\n`,
  )
  console.log(
    table([
      ['measure', 'shulin (median)', 'bare Hono (median)', 'ratio', 'aim'],
      [
        'cold start, empty folder (ms)',
        median(first).toFixed(0),
        median(bareStart).toFixed(0),
        (median(first) / median(bareStart)).toFixed(2),
        '≤ 1000 ms',
      ],
      ['start, existing folder (ms)', median(second).toFixed(0), '', '', '≤ 1000 ms'],
      ['idle RSS (MiB)', median(idle).toFixed(1), '', '', '≤ 100 MB'],
      [
        'GET /api/health (req/s)',
        median(shulinRps).toFixed(0),
        median(bareRps).toFixed(0),
        ratio.toFixed(2),
        '≥ 0.7× bare',
      ],
    ]),
  )
  console.log(
    `\nall runs: first start ${first.map((x) => x.toFixed(0)).join(', ')} ms; idle RSS ${idle.map((x) => x.toFixed(1)).join(', ')} MiB`,
  )
  console.log(
    `health req/s shulin ${shulinRps.map((x) => x.toFixed(0)).join(', ')}; bare ${bareRps.map((x) => x.toFixed(0)).join(', ')}`,
  )
} finally {
  killAll()
  await rm(work, { recursive: true, force: true })
}
