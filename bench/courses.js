// npm run bench:courses [-- --quick] — open courses on one node, in three figures:
// (a) transcode speed, as a multiple of real time: a 10-minute 720p test source (ffmpeg's
//     testsrc2 + sine; made once and kept in the temp folder) uploaded with `shulin course add`
//     to a running node and timed until the lecture is ready (both renditions, the poster, the
//     duration; the machine's cores, 2 here);
// (b) HLS serving to 200 simulated viewers at once (autocannon, one connection per viewer): each
//     viewer fetches the master playlist, the lowest rendition's playlist, then the media file's
//     byte ranges one after another as the playlist lists them, and starts over; requests/s and
//     p95 latency from the node's /api/lectures/:id/hls/…, beside a static server (node's own
//     http + fs.createReadStream with Range, in its own process) serving the same files in the
//     same run; rounds alternate the two, medians printed, then the ratio;
// (c) the embed script's size gzip, if the web UI's build has one.
// --quick: a 1-minute source, one short round: a check that it all works, not a figure.
//   node bench/courses.js                 the benchmark
//   node bench/courses.js static DIR      the static server (prints {"port":…})
import { execFileSync } from 'node:child_process'
import {
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { createServer } from 'node:http'
import { createInterface } from 'node:readline'
import { cpus, tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { gzipSync } from 'node:zlib'
import {
  freePort,
  median,
  percentile,
  run,
  shulinBin,
  spawnShulin,
  spawnTracked,
  stop,
  table,
  waitHealthy,
} from './lib.js'

const [role, ...args] = process.argv.slice(2)
const quick = process.argv.includes('--quick')
const SOURCE_SECONDS = quick ? 60 : 600
const ROUNDS = quick ? 1 : 3
const LOAD_SECONDS = quick ? 3 : 10
const VIEWERS = 200
/** Byte ranges each viewer walks through before starting over (the first minute or so of video). */
const RANGES_PER_VIEWER = 12

/** The renditions the transcode made (from the master playlist), for the report. */
let walkRenditions = ''

const mediaTypes = {
  m3u8: 'application/vnd.apple.mpegurl',
  ts: 'video/mp2t',
  m4s: 'video/iso.segment',
  mp4: 'video/mp4',
}

/** The static server: the files of DIR by name, with single byte ranges, as a CDN edge would. */
function serveStatic(dir) {
  const server = createServer((req, res) => {
    const file = join(dir, basename(new URL(req.url, 'http://x').pathname))
    let size
    try {
      size = statSync(file).size
    } catch {
      res.writeHead(404).end()
      return
    }
    const type = mediaTypes[file.split('.').pop()] ?? 'application/octet-stream'
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '')
    if (m) {
      const start = Number(m[1])
      const end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1
      if (start > end) {
        res.writeHead(416, { 'content-range': `bytes */${size}` }).end()
        return
      }
      res.writeHead(206, {
        'content-type': type,
        'content-length': end - start + 1,
        'content-range': `bytes ${start}-${end}/${size}`,
        'accept-ranges': 'bytes',
      })
      createReadStream(file, { start, end }).pipe(res)
      return
    }
    res.writeHead(200, { 'content-type': type, 'content-length': size, 'accept-ranges': 'bytes' })
    createReadStream(file).pipe(res)
  })
  server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n'))
}

/** The test source, made once per length and kept (written aside, then renamed: never half a file). */
function testSource(seconds) {
  const dir = join(tmpdir(), 'shulin-bench-courses')
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `testsrc2-720p-${seconds}s.mp4`)
  if (existsSync(file)) return file
  process.stdout.write(`making a ${seconds} s 720p test source (once; kept at ${file}) …\n`)
  const part = `${file}.part.mp4`
  execFileSync(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=1280x720:rate=25',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=48000',
      '-t',
      String(seconds),
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-b:a',
      '128k',
      '-shortest',
      part,
    ],
    { stdio: 'inherit' },
  )
  renameSync(part, file)
  return file
}

const getJson = async (url) => {
  const res = await fetch(url)
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`)
  return res.json()
}

/** Adds the source as a lecture and waits for its transcode; returns the lecture and the seconds it took. */
async function transcode(url, data, source) {
  const t0 = performance.now()
  const added = await run(process.execPath, [
    shulinBin,
    'course',
    'add',
    '--title',
    '基准课程',
    '--lecture',
    '第一讲',
    '--video',
    source,
    '--publish',
    '--data',
    data,
  ])
  if (added.code !== 0) throw new Error(`course add failed: ${added.stderr}`)
  const uploaded = (performance.now() - t0) / 1000
  const { courseId, lectureId } = JSON.parse(added.stdout.trim().split('\n').at(-1))
  const deadline = Date.now() + (SOURCE_SECONDS * 4 + 120) * 1000
  for (;;) {
    const course = await getJson(`${url}/api/courses/${courseId}`)
    const lecture = course.lectures.find((l) => l.id === lectureId)
    if (lecture?.status === 'ready') return { lecture, seconds: (performance.now() - t0) / 1000, uploaded }
    if (lecture?.status === 'failed') throw new Error(`the transcode failed: ${lecture.error}`)
    if (Date.now() > deadline) throw new Error('the transcode did not end in time')
    await new Promise((r) => setTimeout(r, 500))
  }
}

/** The files a viewer fetches, saved into `dir` for the static server; and one viewer's walk. */
async function viewerWalk(url, lecture, dir) {
  const master = new URL(lecture.hls, url)
  const base = new URL('.', master)
  const lines = (text) => text.split('\n').map((l) => l.trim())
  const save = async (name) => {
    const res = await fetch(new URL(name, base))
    if (!res.ok) throw new Error(`${name}: ${res.status}`)
    const bytes = Buffer.from(await res.arrayBuffer())
    writeFileSync(join(dir, name), bytes)
    return bytes
  }
  const masterLines = lines((await save('master.m3u8')).toString('utf8'))
  // Each rendition's playlist with the bandwidth the master gives it; a viewer plays the lowest.
  const playlists = []
  masterLines.forEach((l, i) => {
    const bw = /^#EXT-X-STREAM-INF:.*\bBANDWIDTH=(\d+)/.exec(l)
    const res = /\bRESOLUTION=(\d+x\d+)/.exec(l)?.[1] ?? '?'
    if (bw && masterLines[i + 1]) playlists.push({ name: masterLines[i + 1], bandwidth: Number(bw[1]), res })
  })
  playlists.sort((a, b) => a.bandwidth - b.bandwidth)
  const lowest = playlists[0]?.name
  if (!lowest) throw new Error('the master playlist names no rendition')
  const ranges = []
  for (const { name: p } of playlists) {
    const text = (await save(p)).toString('utf8')
    const media = new Set()
    let pending
    for (const l of lines(text)) {
      const m = /^#EXT-X-BYTERANGE:(\d+)(?:@(\d+))?/.exec(l)
      if (m) pending = { length: Number(m[1]), offset: m[2] === undefined ? undefined : Number(m[2]) }
      else if (l && !l.startsWith('#')) {
        media.add(l)
        if (p === lowest && pending) {
          const offset = pending.offset ?? (ranges.at(-1) ? ranges.at(-1).offset + ranges.at(-1).length : 0)
          ranges.push({ name: l, offset, length: pending.length })
        }
        pending = undefined
      }
    }
    for (const name of media) await save(name)
  }
  if (!ranges.length) throw new Error('the rendition playlist lists no byte ranges')
  walkRenditions = playlists.map((p) => p.res).join(', ')
  return [
    { path: 'master.m3u8' },
    { path: lowest },
    ...ranges.slice(0, RANGES_PER_VIEWER).map((r) => ({
      path: r.name,
      headers: { range: `bytes=${r.offset}-${r.offset + r.length - 1}` },
    })),
  ]
}

async function load(prefix, walk) {
  const { default: autocannon } = await import('autocannon')
  const times = []
  let bad = 0
  const result = await new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: prefix,
        connections: VIEWERS,
        duration: LOAD_SECONDS,
        requests: walk.map((w) => ({
          method: 'GET',
          path: new URL(w.path, prefix).pathname,
          headers: w.headers ?? {},
        })),
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    )
    instance.on('response', (_client, status, _bytes, ms) => {
      times.push(ms)
      if (status !== 200 && status !== 206) bad++
    })
  })
  return {
    rps: result.requests.average,
    p95: percentile(times, 95),
    bad,
    errors: result.errors + result.timeouts,
    mbps: result.throughput.average / 1e6,
  }
}

/**
 * The embed script gzip (c18's `web-ui/dist/embed/embed.js`; any `embed*.js` of the build), and
 * with the chunks it loads when a lecture plays (`embed-chunks/`: hls.js). COURSES_BENCH_WEB_DIST
 * reads another build's folder.
 */
function embedSize() {
  const dist = process.env.COURSES_BENCH_WEB_DIST ?? new URL('../web-ui/dist/', import.meta.url).pathname
  const found = []
  const walk = (dir) => {
    if (!existsSync(dir)) return
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name)
      if (e.isDirectory()) walk(p)
      else if (/^embed.*\.js$/.test(e.name) && !dir.endsWith('embed-chunks')) found.push(p)
    }
  }
  walk(dist)
  const gz = (p) => gzipSync(readFileSync(p), { level: 9 }).length
  return found.map((p) => {
    const chunks = join(p, '..', 'embed-chunks')
    const loaded = existsSync(chunks) ? readdirSync(chunks).filter((n) => n.endsWith('.js')) : []
    return {
      file: p.slice(dist.length),
      bytes: statSync(p).size,
      gzip: gz(p),
      withChunks: gz(p) + loaded.reduce((a, n) => a + gz(join(chunks, n)), 0),
      chunks: loaded.length,
    }
  })
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'shulin-bench-courses-run-'))
  const started = []
  try {
    const source = testSource(SOURCE_SECONDS)
    const data = join(work, 'node')
    const port = await freePort()
    const node = spawnShulin(data, port)
    started.push(node)
    const url = `http://127.0.0.1:${port}`
    await waitHealthy(`${url}/api/health`, performance.now(), 30_000)

    // (a) transcode
    const { lecture, seconds, uploaded } = await transcode(url, data, source)
    const speed = (lecture.duration ?? SOURCE_SECONDS) / seconds

    // (b) serving
    const files = join(work, 'static')
    mkdirSync(files)
    const walk = await viewerWalk(url, lecture, files)
    const staticServer = spawnTracked(process.execPath, [new URL(import.meta.url).pathname, 'static', files])
    started.push(staticServer)
    const { port: staticPort } = JSON.parse(
      await new Promise((resolve) => createInterface({ input: staticServer.stdout }).once('line', resolve)),
    )
    const nodePrefix = new URL('.', new URL(lecture.hls, url)).href
    const staticPrefix = `http://127.0.0.1:${staticPort}/hls/`
    // The same bytes from both, or the comparison means nothing.
    for (const w of walk) {
      const [a, b] = await Promise.all(
        [nodePrefix, staticPrefix].map(async (p) =>
          Buffer.from(await (await fetch(new URL(w.path, p), { headers: w.headers ?? {} })).arrayBuffer()),
        ),
      )
      if (!a.equals(b)) throw new Error(`the node and the static server differ on ${w.path}`)
    }
    await load(nodePrefix, walk) // warm-up, not counted
    const rounds = { node: [], static: [] }
    for (let r = 0; r < ROUNDS; r++) {
      rounds.static.push(await load(staticPrefix, walk))
      rounds.node.push(await load(nodePrefix, walk))
    }
    const med = (xs, k) => median(xs.map((x) => x[k]))
    const row = (name, xs) => [
      name,
      med(xs, 'rps').toFixed(0),
      med(xs, 'p95').toFixed(1),
      med(xs, 'mbps').toFixed(0),
      String(xs.reduce((a, x) => a + x.bad + x.errors, 0)),
    ]

    const embeds = embedSize()
    const mediaBytes = walk.slice(2).reduce((a, w) => {
      const [s, e] = /bytes=(\d+)-(\d+)/.exec(w.headers.range).slice(1).map(Number)
      return a + e - s + 1
    }, 0)
    console.log(
      `\nShulin courses — ${quick ? 'QUICK (not a figure) — ' : ''}Node ${process.version}, ${cpus().length} cores\n`,
    )
    console.log(
      `(a) transcode: ${lecture.duration?.toFixed(0)} s of 1280×720 testsrc2 + sine, renditions ${walkRenditions}, in ${seconds.toFixed(1)} s (upload ${uploaded.toFixed(1)} s of it): ${speed.toFixed(2)}× real time`,
    )
    console.log(
      `\n(b) HLS serving: ${VIEWERS} viewers, each walking master → rendition playlist → ${walk.length - 2} byte ranges (${(mediaBytes / walk.slice(2).length / 1024).toFixed(0)} KiB on average), ${ROUNDS}×${LOAD_SECONDS} s per server, medians`,
    )
    console.log(
      table([
        ['server', 'req/s', 'p95 ms', 'MB/s', 'non-2xx/errors'],
        row('shulin /api/lectures/:id/hls/…', rounds.node),
        row('static (http + createReadStream)', rounds.static),
      ]),
    )
    console.log(
      `ratio shulin/static: ${(med(rounds.node, 'rps') / med(rounds.static, 'rps')).toFixed(2)} × req/s, ${(med(rounds.node, 'p95') / med(rounds.static, 'p95')).toFixed(2)} × p95`,
    )
    console.log(
      `\n(c) embed script gzip: ${embeds.length ? embeds.map((e) => `${e.file} ${e.bytes} B, ${e.gzip} B gzip (${e.withChunks} B with the ${e.chunks} chunks it loads on play)`).join('; ') : 'n/a (no web-ui/dist/**/embed*.js: build the web UI with the embeds first)'}`,
    )
  } finally {
    for (const c of started) await stop(c)
    rmSync(work, { recursive: true, force: true })
  }
}

if (role === 'static') serveStatic(args[0])
else {
  // Bounded: a transcode that hangs must not hold the machine (lib.js kills the children on exit).
  const limitMinutes = quick ? 6 : 40
  setTimeout(() => {
    console.error(`bench:courses: not done after ${limitMinutes} minutes; stopped`)
    process.exit(1)
  }, limitMinutes * 60_000).unref()
  await main()
}
