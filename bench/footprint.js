// npm run bench:footprint [-- --quick] [-- --build] — what a node costs the machine it runs on:
//   idle RSS right after start (empty folder), cold start (spawn → /api/health answers 200),
//   peak RSS while `shulin import` brings in 100k records and a few search clients keep asking,
//   idle RSS after the import and after a restart with the 100k records (the search index
//   loaded), and the same in the container when podman and the image are there: image size,
//   container cold start, idle and import-peak RSS of the node inside. Offline bundle sizes when
//   dist-bundle/ exists. Aim (issue 17): fits 1 GB with the import running, idle ≤ 100 MB.
// Peak RSS is the kernel's high-water mark (VmHWM), read before the process ends, so no sample
// can miss it. Medians over the runs (3 cold starts; 1 in --quick, which also imports 20k).
// Container: FOOTPRINT_IMAGE (default localhost/shulin:latest); with --build it is built first
// from docker/Dockerfile in FOOTPRINT_CONTEXT (default this checkout). Without podman or the
// image, the container figures are "n/a".
import { execFileSync } from 'node:child_process'
import { createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  freePort,
  median,
  percentile,
  rssMiB,
  run,
  shulinBin,
  spawnShulin,
  spawnTracked,
  stop,
  table,
  waitHealthy,
} from './lib.js'

const quick = process.argv.includes('--quick')
const build = process.argv.includes('--build')
const N = Number(process.env.FOOTPRINT_N ?? (quick ? 20_000 : 100_000))
const STARTS = quick ? 1 : 3
const SEARCHERS = 4
const root = fileURLToPath(new URL('..', import.meta.url))
const image = process.env.FOOTPRINT_IMAGE ?? 'localhost/shulin:latest'
const context = process.env.FOOTPRINT_CONTEXT ?? root
const work = mkdtempSync(join(tmpdir(), 'shulin-bench-footprint-'))
const mib = (x) => (Number.isFinite(x) ? x.toFixed(0) : 'n/a')
const log = (s) => process.stderr.write(s + '\n')

const hwmMiB = (pid) => {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) / 1024 : NaN
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

// ---- data: N catalogue records as a library would export them -------------------------------
const words = ['山水', '地方志', '诗词', '农书', '医方', '算学', '天文', '舆图', '家谱', '碑帖', '水利', '茶经']
const people = ['李白', '杜甫', '苏轼', '朱熹', '沈括', '徐光启', '宋应星', '李时珍', '王安石', '欧阳修']
function writeRecords(file, n) {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(file)
    out.on('error', reject)
    let i = 0
    const more = () => {
      while (i < n) {
        const w = words[i % words.length]
        const line = JSON.stringify({
          title: `${people[i % people.length]}${w}考第${i}种`,
          creators: [people[(i * 7) % people.length]],
          subjects: [w, words[(i * 3) % words.length]],
          description: `${w}之书，卷${(i % 40) + 1}，清刻本，存${(i % 9) + 1}册。`,
          access: 'public',
        })
        i++
        if (!out.write(line + '\n')) return out.once('drain', more)
      }
      out.end(resolve)
    }
    more()
  })
}

// ---- the node as a process on this machine -----------------------------------------------
async function coldStart() {
  const data = join(work, `start-${Math.random().toString(36).slice(2)}`)
  const port = await freePort()
  const t0 = performance.now()
  const child = spawnShulin(data, port)
  const ms = await waitHealthy(`http://127.0.0.1:${port}/api/health`, t0)
  await sleep(3000) // what it settles at, not the start's transient
  const idle = rssMiB(child.pid)
  await stop(child)
  return { ms, idle }
}

/** Searches in a loop from `clients` clients until `signal`; latencies in ms. */
async function searchers(url, clients, signal) {
  const lat = []
  let failed = 0
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = c; !signal.aborted; i++) {
        const q = encodeURIComponent(i % 2 ? words[i % words.length] : people[i % people.length])
        const t = performance.now()
        try {
          const res = await fetch(`${url}/api/search?q=${q}&limit=20`)
          await res.arrayBuffer()
          if (res.ok) lat.push(performance.now() - t)
          else failed++
        } catch {
          failed++
        }
      }
    }),
  )
  return { lat, failed }
}

async function importUnderSearch(file) {
  const data = join(work, 'import')
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  let node = spawnShulin(data, port)
  await waitHealthy(`${url}/api/health`, performance.now())
  const before = rssMiB(node.pid)
  const ctl = new AbortController()
  const searching = searchers(url, SEARCHERS, ctl.signal)
  const t0 = performance.now()
  const imp = await run(process.execPath, [shulinBin, 'import', file, '--data', data])
  const importMs = performance.now() - t0
  const peak = hwmMiB(node.pid)
  ctl.abort()
  const s = await searching
  if (imp.code !== 0) throw new Error(`import failed: ${imp.stderr.slice(-400)}`)
  // The search index merges what came once the import is over: the peak may come after it.
  await sleep(5000)
  const after = rssMiB(node.pid)
  const peakAfter = hwmMiB(node.pid)
  await stop(node)
  // The same folder started again: what a node with 100k records holds when nobody asks.
  node = spawnShulin(data, port)
  const t1 = performance.now()
  const restartMs = await waitHealthy(`${url}/api/health`, t1, 120_000)
  await sleep(3000)
  const idleFull = rssMiB(node.pid)
  const first = performance.now()
  await (await fetch(`${url}/api/search?q=${encodeURIComponent('山水')}`)).arrayBuffer()
  const firstSearchMs = performance.now() - first
  await sleep(1000)
  const afterSearch = rssMiB(node.pid)
  await stop(node)
  return {
    before,
    peak,
    peakAfter,
    after,
    importMs,
    restartMs,
    idleFull,
    afterSearch,
    firstSearchMs,
    searches: s.lat.length,
    failed: s.failed,
    p50: s.lat.length ? percentile(s.lat, 50) : NaN,
    p95: s.lat.length ? percentile(s.lat, 95) : NaN,
    report: imp.stdout.trim().split('\n').pop(),
  }
}

// ---- the same in the container -------------------------------------------------------------
const envScript = '/work/shared/tools/container-env.sh'
function podman(args, opts = {}) {
  const cmd = `source ${envScript} >/dev/null 2>&1 && podman "$@"`
  return execFileSync('bash', ['-c', cmd, 'podman', ...args], { encoding: 'utf8', timeout: 1_800_000, ...opts })
}
function podmanOk() {
  try {
    podman(['version', '--format', '{{.Client.Version}}'])
    return true
  } catch {
    return false
  }
}

/** The container's node process on the host (PID 1 of the container, or its node descendant). */
function nodePidOf(ctr) {
  const top = Number(podman(['inspect', '--format', '{{.State.Pid}}', ctr]).trim())
  const queue = [top]
  while (queue.length) {
    const pid = queue.shift()
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'node') return pid
      for (const t of readdirSync(`/proc/${pid}/task`))
        queue.push(
          ...readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
        )
    } catch {}
  }
  return top
}

async function inContainer(file) {
  if (!existsSync(envScript) || !podmanOk()) return { why: 'podman not available' }
  let exists = true
  try {
    podman(['image', 'exists', image])
  } catch {
    exists = false
  }
  if (!exists && build) {
    log(`building ${image} from ${context}/docker/Dockerfile …`)
    try {
      podman(['build', '-q', '--format', 'docker', '-f', 'docker/Dockerfile', '-t', image, '.'], {
        cwd: context,
        stdio: 'pipe',
      })
      exists = true
    } catch (err) {
      return { why: `the image did not build: ${String(err.stderr ?? err.message).slice(-300)}` }
    }
  }
  if (!exists) return { why: `no image ${image} (npm run bench:footprint -- --build makes it)` }
  const size = Number(podman(['image', 'inspect', '--format', '{{.Size}}', image]).trim()) / 1024 ** 2
  const starts = []
  const idles = []
  let peak = NaN
  let importMs = NaN
  for (let i = 0; i < STARTS; i++) {
    const port = await freePort()
    const p2p = await freePort()
    const ctr = `shulin-footprint-${process.pid}-${i}`
    const vol = join(work, `ctr-${i}`)
    execFileSync('mkdir', ['-p', vol])
    execFileSync('chmod', ['777', vol])
    const t0 = performance.now()
    podman([
      'run',
      '-d',
      '--name',
      ctr,
      '-e',
      `SHULIN_PORT=${port}`,
      '-e',
      `SHULIN_P2P_PORT=${p2p}`,
      '-e',
      'SHULIN_LOG_LEVEL=warn',
      '-p',
      `${port}:${port}`,
      '-p',
      `${p2p}:${p2p}`,
      '-v',
      `${vol}:/data`,
      '-v',
      `${file}:/import.jsonl:ro`,
      image,
    ])
    try {
      starts.push(await waitHealthy(`http://127.0.0.1:${port}/api/health`, t0, 120_000))
      await sleep(3000)
      const pid = nodePidOf(ctr)
      idles.push(rssMiB(pid))
      if (i === 0) {
        const ctl = new AbortController()
        const searching = searchers(`http://127.0.0.1:${port}`, SEARCHERS, ctl.signal)
        const t1 = performance.now()
        podman(['exec', ctr, 'node', 'bin/shulin.js', 'import', '/import.jsonl', '--data', '/data'], { stdio: 'pipe' })
        importMs = performance.now() - t1
        ctl.abort()
        await searching
        await sleep(5000)
        peak = hwmMiB(pid)
      }
    } finally {
      try {
        podman(['rm', '-f', '-t', '10', ctr], { stdio: 'pipe' })
      } catch {}
    }
  }
  return { size, start: median(starts), idle: median(idles), peak, importMs }
}

function bundles() {
  const dir = join(root, 'dist-bundle')
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => /\.(tar\.gz|zip)$/.test(f))
    .map((f) => [f, statSync(join(dir, f)).size / 1024 ** 2])
}

try {
  const file = join(work, 'records.jsonl')
  await writeRecords(file, N)
  log(`${N} records, ${(statSync(file).size / 1024 ** 2).toFixed(1)} MiB of JSONL`)
  const starts = []
  for (let i = 0; i < STARTS; i++) starts.push(await coldStart())
  log('cold starts done; importing under searches …')
  const imp = await importUnderSearch(file)
  log(`import: ${imp.report}`)
  log('container …')
  const ctr = await inContainer(file).catch((err) => ({ why: `the container failed: ${err.message}` }))
  const c = (k) => (ctr.why ? 'n/a' : mib(ctr[k]))
  const rows = [
    ['figure', 'process', 'container'],
    [
      'cold start to /api/health (ms, median)',
      median(starts.map((s) => s.ms)).toFixed(0),
      ctr.why ? 'n/a' : ctr.start.toFixed(0),
    ],
    ['idle RSS after start, empty folder (MiB, median)', mib(median(starts.map((s) => s.idle))), c('idle')],
    [`peak RSS, import of ${N} records + ${SEARCHERS} search clients (MiB)`, mib(imp.peak), ''],
    ['  … with the index merge after it (MiB)', mib(imp.peakAfter), c('peak')],
    ['import time (s)', (imp.importMs / 1000).toFixed(1), ctr.why ? 'n/a' : (ctr.importMs / 1000).toFixed(1)],
    ['RSS 5 s after the import (MiB)', mib(imp.after), ''],
    [`idle RSS after restart with ${N} records (MiB)`, mib(imp.idleFull), ''],
    ['  … after its first search (MiB)', mib(imp.afterSearch), ''],
    ['restart to /api/health with the records (ms)', imp.restartMs.toFixed(0), ''],
    [
      'searches during the import: count, failed, p50/p95 ms',
      `${imp.searches}, ${imp.failed}, ${imp.p50.toFixed(0)}/${imp.p95.toFixed(0)}`,
      '',
    ],
    ['image size (MiB)', '', c('size')],
    ...bundles().map(([f, s]) => [`bundle ${f} (MiB)`, s.toFixed(1), '']),
  ]
  console.log(table(rows))
  if (ctr.why) console.log(`container: n/a (${ctr.why})`)
  if (!bundles().length) console.log('offline bundle: n/a (no dist-bundle/; npm run bundle makes it)')
  console.log(`(node ${process.version}, ${quick ? 'quick' : 'full'} run, ${STARTS} cold start(s))`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
