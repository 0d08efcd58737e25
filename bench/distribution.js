// npm run bench:distribution — content transfer on loopback, each side in its own process:
// a 1 GiB file fetched over libp2p (/shulin/content/1.0.0: Noise, Yamux, every 1 MiB chunk
// checked, the whole file's SHA-256 checked, the file synced to disk) beside `curl` fetching the
// same file from a plain node:http server; then the same fetch from two providers at once.
// On loopback the fetcher's CPU, not any link, is what limits a fetch, and a second provider
// cannot add CPU; so the two-provider figure is also taken with each provider's upload capped
// (DIST_BENCH_CAP_MBPS, 80 MB/s by default: the serving limit a library sets for its link),
// where what a second provider adds is its link, as on the real network.
// Two more rows say where the time goes: the same bytes over a bare libp2p stream (TLS, Yamux;
// no checks, no disk: the transport alone), and the verified fetch over the HTTP fallback (range
// requests to the same plain server curl uses: the checks without libp2p).
// Rounds alternate the ways (median of DIST_BENCH_ROUNDS, 3 by default) on a noisy machine.
//   node bench/distribution.js                      the benchmark
//   node bench/distribution.js provide FILE MANIFEST [BYTES_PER_S]   one provider (prints {id, addrs})
//   node bench/distribution.js fetch OPTIONS.json      one fetch (prints {ms, …})
//   node bench/distribution.js raw ADDR                the whole file over a bare libp2p stream (prints {ms, …})
//   node bench/distribution.js http FILE MANIFEST      the plain HTTP server, with ranges (prints {url})
import { execFileSync } from 'node:child_process'
import {
  createReadStream,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
  closeSync,
} from 'node:fs'
import { createServer } from 'node:http'
import { randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { median, spawnTracked, table } from './lib.js'

const SIZE_MIB = Number(process.env.DIST_BENCH_MIB ?? 1024)
const ROUNDS = Number(process.env.DIST_BENCH_ROUNDS ?? 3)
const CAP = Number(process.env.DIST_BENCH_CAP_MBPS ?? 80) * 1e6
const RAW = '/shulin-bench/raw/1.0.0'
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n')
const [role, ...args] = process.argv.slice(2)

async function provide(file, manifestPath, cap) {
  const { createHost, generateNodeKey, serveContent } = await import('../federation/dist/index.js')
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
  const host = await createHost({ privateKey: (await generateNodeKey()).privateKey, listen: ['/ip4/127.0.0.1/tcp/0'] })
  const source = {
    path: async (sha256) => (sha256 === manifest.sha256 ? file : undefined),
    manifest: async () => manifest,
  }
  await serveContent(host, source, cap ? { maxBytesPerSecond: Number(cap) } : {})
  // The bare stream: the file's bytes as they are read, nothing else.
  await host.handle(RAW, async (stream) => {
    for await (const buf of createReadStream(file, { highWaterMark: 1024 * 1024 }))
      if (!stream.send(buf)) await new Promise((r) => stream.addEventListener('drain', r, { once: true }))
    await stream.close()
  })
  say({ id: host.peerId.toString(), addrs: host.getMultiaddrs().map(String) })
}

async function rawOnce(addr) {
  const { createHost, generateNodeKey } = await import('../federation/dist/index.js')
  const { multiaddr } = await import('@multiformats/multiaddr')
  const host = await createHost({ privateKey: (await generateNodeKey()).privateKey, listen: [] })
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  const stream = await host.dialProtocol(multiaddr(addr), RAW)
  let bytes = 0
  for await (const chunk of stream) bytes += chunk.byteLength
  const ms = performance.now() - t0
  const cpu = process.cpuUsage(c0)
  say({ ms, cpuMs: (cpu.user + cpu.system) / 1000, bytes })
  await host.stop()
}

async function fetchOnce(optionsPath) {
  const { createHost, generateNodeKey, fetchContent } = await import('../federation/dist/index.js')
  const host = await createHost({ privateKey: (await generateNodeKey()).privateKey, listen: [] })
  const c0 = process.cpuUsage() // every thread of this process, the whole-file check's too
  const r = await fetchContent(host, JSON.parse(readFileSync(optionsPath, 'utf8')))
  const cpu = process.cpuUsage(c0)
  say({
    ms: r.ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    fetchedChunks: r.fetchedChunks,
    providers: r.providers.map((p) => p.chunks),
  })
  await host.stop()
}

function http(file, manifestPath) {
  const size = statSync(file).size
  const manifest = readFileSync(manifestPath, 'utf8')
  const server = createServer((req, res) => {
    if (req.url.endsWith('/manifest'))
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(manifest)
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '')
    if (range) {
      const start = Number(range[1])
      const end = Math.min(Number(range[2]), size - 1)
      res.writeHead(206, {
        'content-type': 'application/octet-stream',
        'content-length': end - start + 1,
        'content-range': `bytes ${start}-${end}/${size}`,
      })
      return void createReadStream(file, { start, end, highWaterMark: 1024 * 1024 }).pipe(res)
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size })
    createReadStream(file, { highWaterMark: 1024 * 1024 }).pipe(res)
  })
  server.listen(0, '127.0.0.1', () => say({ url: `http://127.0.0.1:${server.address().port}/file` }))
}

/** CPU milliseconds a process has used so far (Linux: utime + stime in /proc, clock ticks of 10 ms). */
function cpuMsOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/** Runs curl under bash's `times`, for its wall time and the CPU it used. */
function curlOnce(url, out) {
  const text = execFileSync('bash', ['-c', 'curl -s -o "$1" -w "%{time_total}\\n" "$2"; times', 'curl', out, url], {
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
  // `times` prints the shell's user/sys, then its children's: "0m0.123s 0m0.456s".
  const sec = (t) => Number(/(\d+)m([\d.]+)s/.exec(t)[1]) * 60 + Number(/(\d+)m([\d.]+)s/.exec(t)[2])
  const [u, sy] = text.at(-1).split(' ')
  return { ms: Number(text[0]) * 1000, cpuMs: (sec(u) + sec(sy)) * 1000 }
}

/** A child running one role of this script, and its first JSON line. */
async function child(...argv) {
  // Tracked: an interrupted benchmark takes its children with it (bench/lib.js).
  const c = spawnTracked(process.execPath, [new URL(import.meta.url).pathname, ...argv], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const lines = createInterface({ input: c.stdout })[Symbol.asyncIterator]()
  const { value, done } = await lines.next()
  if (done) throw new Error(`${argv[0]} ended early`)
  return { proc: c, first: JSON.parse(value), exited: new Promise((r) => c.once('exit', r)) }
}

function haveCurl() {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' })
    return true
  } catch {}
  if (process.getuid?.() === 0) {
    process.stderr.write('curl is missing: installing it with apt-get …\n')
    try {
      execFileSync('bash', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl'], {
        stdio: 'inherit',
      })
      return true
    } catch {}
  }
  process.stderr.write('curl is missing and could not be installed: the curl column stays empty\n')
  return false
}

async function bench() {
  const { manifestOf, manifestIdOf } = await import('../federation/dist/index.js')
  const loadStart = loadavg()[0]
  const work = mkdtempSync(join(tmpdir(), 'shulin-bench-dist-'))
  process.on('exit', () => rmSync(work, { recursive: true, force: true }))
  const kids = []
  try {
    const file = join(work, 'collection.bin')
    const fd = openSync(file, 'w')
    for (let i = 0; i < SIZE_MIB; i++) writeSync(fd, randomBytes(1024 * 1024))
    closeSync(fd)
    const manifest = await manifestOf(file)
    const manifestPath = join(work, 'manifest.json')
    writeFileSync(manifestPath, JSON.stringify(manifest))
    const size = manifest.size
    process.stderr.write(`${SIZE_MIB} MiB file, ${manifest.chunks.length} chunks\n`)

    const curl = haveCurl()
    const server = await child('http', file, manifestPath)
    const a = await child('provide', file, manifestPath)
    const b = await child('provide', file, manifestPath)
    const ca = await child('provide', file, manifestPath, String(CAP))
    const cb = await child('provide', file, manifestPath, String(CAP))
    kids.push(server, a, b, ca, cb)
    const times = { curl: [], raw: [], httpFallback: [], one: [], two: [], capOne: [], capTwo: [] }
    // CPU of both sides of each transfer (ms): the load-independent figure on a shared machine.
    const cpu = { curl: [], raw: [], httpFallback: [], one: [], two: [], capOne: [], capTwo: [] }
    for (let round = 0; round < ROUNDS; round++) {
      if (curl) {
        const before = cpuMsOf(server.proc.pid)
        const r = curlOnce(server.first.url, join(work, 'curl.out'))
        times.curl.push(r.ms)
        cpu.curl.push(r.cpuMs + cpuMsOf(server.proc.pid) - before)
        rmSync(join(work, 'curl.out'), { force: true })
      }
      {
        const before = cpuMsOf(a.proc.pid)
        const r = await child('raw', a.first.addrs[0])
        await r.exited
        times.raw.push(r.first.ms)
        cpu.raw.push(r.first.cpuMs + cpuMsOf(a.proc.pid) - before)
        if (r.first.bytes !== size) throw new Error(`the bare stream carried ${r.first.bytes} bytes, not ${size}`)
      }
      const ways = [
        ['one', [a]],
        ['two', [a, b]],
        ['capOne', [ca]],
        ['capTwo', [ca, cb]],
        ['httpFallback', [server]],
      ]
      for (const [name, sides] of ways) {
        // The HTTP fallback's provider: the plain server, asked by range requests.
        const providers =
          name === 'httpFallback'
            ? [
                {
                  id: a.first.id,
                  addrs: [],
                  http: { url: server.first.url.replace(/file$/, ''), authorization: 'Shulin-Ticket bench' },
                },
              ]
            : sides.map((s) => s.first)
        const opts = {
          sha256: manifest.sha256,
          size,
          manifestId: manifestIdOf(manifest),
          providers,
          dest: join(work, `${name}.out`),
          work: join(work, `${name}-work`),
        }
        writeFileSync(join(work, `${name}.json`), JSON.stringify(opts))
        const before = sides.map((s) => cpuMsOf(s.proc.pid))
        const f = await child('fetch', join(work, `${name}.json`))
        await f.exited
        times[name].push(f.first.ms)
        cpu[name].push(f.first.cpuMs + sides.reduce((n, s, i) => n + cpuMsOf(s.proc.pid) - before[i], 0))
        process.stderr.write(
          `round ${round + 1}: ${name} provider(s) ${(f.first.ms / 1000).toFixed(2)} s (chunks per provider ${f.first.providers.join(' + ')})\n`,
        )
        rmSync(opts.dest, { force: true })
      }
      if (curl) process.stderr.write(`round ${round + 1}: curl ${(times.curl.at(-1) / 1000).toFixed(2)} s\n`)
    }
    const mbps = (ms) => size / 1e6 / (ms / 1000)
    const rate = (ms) => `${mbps(ms).toFixed(0)} MB/s (${(ms / 1000).toFixed(2)} s)`
    const [c, one, two, capOne, capTwo, raw, httpFallback] = [
      median(times.curl),
      median(times.one),
      median(times.two),
      median(times.capOne),
      median(times.capTwo),
      median(times.raw),
      median(times.httpFallback),
    ]
    const capped = `${(CAP / 1e6).toFixed(0)} MB/s`
    const perGiB = (name) => `${((median(cpu[name]) / 1000) * (1024 / SIZE_MIB)).toFixed(2)} s`
    const rows = [
      [
        'measure',
        'shulin (libp2p, verified)',
        'CPU / GiB, both sides',
        'curl from node:http',
        'CPU / GiB',
        'ratio',
        'aim',
      ],
      [
        `${SIZE_MIB} MiB, one provider (median of ${ROUNDS})`,
        rate(one),
        perGiB('one'),
        curl ? rate(c) : 'curl missing',
        curl ? perGiB('curl') : '',
        curl ? `×${(c / one).toFixed(2)} of curl` : '—',
        '≥ ×0.5 of curl',
      ],
      [
        `${SIZE_MIB} MiB, bare libp2p stream (TLS, Yamux; no checks, no disk)`,
        rate(raw),
        perGiB('raw'),
        '',
        '',
        curl ? `×${(c / raw).toFixed(2)} of curl` : '—',
        '',
      ],
      [
        `${SIZE_MIB} MiB, HTTP fallback (range requests, verified)`,
        rate(httpFallback),
        perGiB('httpFallback'),
        '',
        '',
        curl ? `×${(c / httpFallback).toFixed(2)} of curl` : '—',
        '',
      ],
      [
        `${SIZE_MIB} MiB, two providers at once`,
        rate(two),
        perGiB('two'),
        '',
        '',
        `×${(one / two).toFixed(2)} of one provider`,
        '≥ ×1.5 of one',
      ],
      [`${SIZE_MIB} MiB, one provider serving ≤ ${capped}`, rate(capOne), perGiB('capOne'), '', '', '', ''],
      [
        `${SIZE_MIB} MiB, two providers serving ≤ ${capped} each`,
        rate(capTwo),
        perGiB('capTwo'),
        '',
        '',
        `×${(capOne / capTwo).toFixed(2)} of one provider`,
        '≥ ×1.5 of one',
      ],
      // Issue 8's third figure — subscribing to a 100k-record channel until it is searchable
      // (aim ≤ 30 s) — is the channels half's: `npm run bench:subscribe`.
    ]
    // The machine's load says how far these figures are the code's and how far its neighbours'.
    process.stdout.write(
      `${cpus().length} cores, load average ${loadStart.toFixed(1)} at start, ${loadavg()[0].toFixed(1)} at end\n` +
        table(rows) +
        '\n',
    )
  } finally {
    for (const k of kids) k?.proc.kill('SIGKILL')
    rmSync(work, { recursive: true, force: true })
  }
}

if (role === 'provide') await provide(args[0], args[1], args[2])
else if (role === 'fetch') await fetchOnce(args[0])
else if (role === 'raw') await rawOnce(args[0])
else if (role === 'http') http(args[0], args[1])
else await bench()
