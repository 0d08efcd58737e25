// npm run bench:live — a live lecture relayed through members, each node its own process:
// a hub and two members (started with --relay-live) on loopback, ffmpeg pushing testsrc2 + sine
// to the hub over RTMP. Two phases of the same run, the same number of simulated viewers:
//   1. relayed — the viewers poll HLS at member A (playlist every second, each new segment once);
//   2. direct  — the same viewers poll the hub itself.
// Through both, chat clients spread over the three nodes watch the room, and one signed-in
// reader per node posts a comment every two seconds; fan-out is sender → every receiver.
// Printed per phase: segments the hub gave each member per segment (the relay's promise: one,
// whatever the number of viewers), HLS requests the hub answered, viewer segment latency
// (request to last byte) p95 and how far behind the hub's playlist a viewer got each segment
// p95, chat fan-out p95, and CPU and RSS of each process.
//   node bench/live.js [--viewers 500] [--chat 200] [--duration 20]
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import WebSocket from 'ws'
import { freePort, percentile, rssMiB, run, shulinBin, spawnTracked, stop, table, waitHealthy } from './lib.js'

const { values } = parseArgs({
  options: {
    viewers: { type: 'string', default: '500' },
    chat: { type: 'string', default: '200' },
    duration: { type: 'string', default: '20' },
  },
})
const VIEWERS = Number(values.viewers)
const CHAT = Number(values.chat)
const DURATION_MS = Number(values.duration) * 1000

if (spawnSync('ffmpeg', ['-version']).status !== 0) {
  console.error('bench:live needs ffmpeg on the PATH')
  process.exit(2)
}

const work = await mkdtemp(join(tmpdir(), 'shulin-bench-live-'))
const cli = (args) => run(process.execPath, [shulinBin, ...args])
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const json = async (url, init) => (await fetch(url, init)).json()

/** One node as a process; its URL once healthy. */
async function node(name, extra) {
  const data = join(work, name)
  const port = await freePort()
  const proc = spawnTracked(process.execPath, [
    shulinBin,
    'start',
    ...['--data', data, '--port', String(port), '--host', '127.0.0.1', '--p2p-port', '0'],
    ...['--rtmp-port', '0', '--log-level', 'warn', '--name', name],
    ...extra,
  ])
  const url = `http://127.0.0.1:${port}`
  await waitHealthy(`${url}/api/health`, performance.now(), 60_000)
  return { name, data, proc, url, id: (await json(`${url}/api/health`)).nodeId }
}

/** CPU milliseconds a process has used so far (Linux: utime + stime in /proc, clock ticks of 10 ms). */
function cpuMsOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

async function signIn(url, data, username) {
  const made = await cli([
    'admin',
    'create',
    '--username',
    username,
    '--password',
    'bench-live-2026-ok',
    '--data',
    data,
  ])
  if (made.code !== 0) throw new Error(made.stderr)
  const { token } = await json(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identifier: username, password: 'bench-live-2026-ok', bearer: true }),
  })
  return `Bearer ${token}`
}

const hub = await node('hub', ['--role', 'hub'])
const a = await node('a', ['--relay-live'])
const b = await node('b', ['--relay-live'])
for (const [m, region] of [
  [a, '330100'],
  [b, '330200'],
]) {
  const inv = await cli(['invite', '--data', hub.data, '--name', m.name, '--region', region, '--level', 'city'])
  if (inv.code !== 0) throw new Error(inv.stderr)
  const j = await cli(['join', inv.stdout.trim(), '--data', m.data])
  if (j.code !== 0) throw new Error(j.stderr)
}
// Admins (bearer tokens): the hub's reads the relay counts; one per node speaks in the room.
const tokens = {
  hub: await signIn(hub.url, hub.data, 'benchadmin'),
  a: await signIn(a.url, a.data, 'benchadmin'),
  b: await signIn(b.url, b.data, 'benchadmin'),
}
const added = await cli([
  'live',
  'add',
  '--title',
  '基准直播',
  '--start',
  new Date(Date.now() + 60_000).toISOString(),
  '--data',
  hub.data,
])
if (added.code !== 0) throw new Error(added.stderr)
const { liveId, rtmpUrl, streamKey } = JSON.parse(added.stdout.trim().split('\n').at(-1))
const totalS = Math.ceil((2 * DURATION_MS + 60_000) / 1000)
const encoder = spawnTracked('ffmpeg', [
  ...['-hide_banner', '-loglevel', 'error', '-re'],
  ...['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440'],
  ...['-t', String(totalS), '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25'],
  ...['-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '64k', '-f', 'flv', `${rtmpUrl}/${streamKey}`],
])

const liveAt = async (n) => {
  for (const t0 = Date.now(); Date.now() - t0 < 60_000; await sleep(250))
    if ((await json(`${n.url}/api/live/${liveId}`).catch(() => ({}))).status === 'live') return
  throw new Error(`${n.name} did not go live`)
}
await liveAt(hub)
await liveAt(a)
await liveAt(b)
const playlistOf = (n) => `${n.url}/api/live/${liveId}/hls/index.m3u8`
const names = (text) => text.split('\n').filter((l) => l && !l.startsWith('#'))

// When each segment first appeared in the hub's playlist (a watcher polling every 100 ms).
const appeared = new Map()
let watching = true
void (async () => {
  while (watching) {
    const text = await fetch(playlistOf(hub))
      .then((r) => r.text())
      .catch(() => '')
    for (const s of names(text)) if (!appeared.has(s)) appeared.set(s, performance.now())
    await sleep(100)
  }
})()

/** `count` viewers polling `n` for `ms`: each new segment once, timed. */
async function viewers(n, count, ms) {
  const fetchMs = []
  const behindMs = []
  let errors = 0
  const until = performance.now() + ms
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      await sleep((i * 1000) / count) // spread over a second, as real viewers are
      const seen = new Set()
      let first = true
      while (performance.now() < until) {
        const t = performance.now()
        try {
          const list = names(await (await fetch(playlistOf(n))).text())
          // A player starts near the edge: the last three.
          for (const s of first ? list.slice(-3) : list) {
            if (seen.has(s)) continue
            seen.add(s)
            const t0 = performance.now()
            const res = await fetch(`${n.url}/api/live/${liveId}/hls/${s}`)
            await res.arrayBuffer()
            if (!res.ok) errors++
            const t1 = performance.now()
            fetchMs.push(t1 - t0)
            if (!first && appeared.has(s)) behindMs.push(t1 - appeared.get(s))
          }
          first = false
        } catch {
          errors++
        }
        await sleep(Math.max(0, 1000 - (performance.now() - t)))
      }
    }),
  )
  return { fetchMs, behindMs, errors }
}

/** Chat clients spread over the nodes; a signed-in reader per node comments every 2 s. */
async function chat(ms) {
  const nodes = [hub, a, b]
  const sent = new Map()
  const fanout = []
  let received = 0
  const socket = (n, auth) =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`${n.url.replace(/^http/, 'ws')}/api/live/${liveId}/room`, {
        headers: auth ? { authorization: auth } : {},
      })
      ws.on('message', (data) => {
        const m = JSON.parse(String(data))
        if (m.type !== 'comment') return
        const at = sent.get(m.text)
        if (at !== undefined) {
          received++
          fanout.push(performance.now() - at)
        }
      })
      ws.once('open', () => resolve(ws))
      ws.once('error', reject)
    })
  const clients = []
  for (let i = 0; i < CHAT; i++) clients.push(await socket(nodes[i % 3]).catch(() => undefined))
  const speakers = [await socket(hub, tokens.hub), await socket(a, tokens.a), await socket(b, tokens.b)]
  const until = performance.now() + ms
  let k = 0
  while (performance.now() < until) {
    for (const s of speakers) {
      const text = `c${k++}`
      sent.set(text, performance.now())
      s.send(JSON.stringify({ type: 'comment', text }))
    }
    await sleep(2000)
  }
  await sleep(2000)
  for (const c of [...clients, ...speakers]) c?.terminate()
  const open = clients.filter(Boolean).length
  return { fanout, expected: sent.size * (open + speakers.length), received, open }
}

const procs = { hub, a, b }
async function phase(label, target) {
  const cpu0 = Object.fromEntries(Object.entries(procs).map(([k, p]) => [k, cpuMsOf(p.proc.pid)]))
  const counts0 = (await json(`${hub.url}/api/staff/live-relay`, { headers: { authorization: tokens.hub } })).members
  const t0 = performance.now()
  const [v, c] = await Promise.all([viewers(target, VIEWERS, DURATION_MS), chat(DURATION_MS)])
  const wall = performance.now() - t0
  const counts1 = (await json(`${hub.url}/api/staff/live-relay`, { headers: { authorization: tokens.hub } })).members
  const perMember = [a, b].map((m) => {
    const seg = (counts1[m.id]?.segments ?? 0) - (counts0[m.id]?.segments ?? 0)
    const distinct = (counts1[m.id]?.distinct ?? 0) - (counts0[m.id]?.distinct ?? 0)
    return `${m.name}: ${seg}/${distinct} = ${distinct ? (seg / distinct).toFixed(2) : '-'}`
  })
  const cpu = Object.fromEntries(
    Object.entries(procs).map(([k, p]) => [k, ((cpuMsOf(p.proc.pid) - cpu0[k]) / wall) * 100]),
  )
  const rss = Object.fromEntries(Object.entries(procs).map(([k, p]) => [k, rssMiB(p.proc.pid)]))
  return { label, v, c, perMember, cpu, rss }
}

const relayed = await phase(`relayed (${VIEWERS} viewers at A)`, a)
const direct = await phase(`direct (${VIEWERS} viewers at the hub)`, hub)
watching = false

const f = (x) => (x === undefined ? '-' : x.toFixed(0))
const rows = [['', relayed.label, direct.label]]
rows.push(['hub segments given per segment, per member', relayed.perMember.join('; '), direct.perMember.join('; ')])
rows.push(['viewer segment fetches', relayed.v.fetchMs.length, direct.v.fetchMs.length])
rows.push(['viewer errors', relayed.v.errors, direct.v.errors])
rows.push([
  'viewer segment latency p50 / p95 (ms)',
  ...[relayed, direct].map((p) => `${f(percentile(p.v.fetchMs, 50))} / ${f(percentile(p.v.fetchMs, 95))}`),
])
rows.push([
  'behind the hub playlist p50 / p95 (ms)',
  ...[relayed, direct].map((p) => `${f(percentile(p.v.behindMs, 50))} / ${f(percentile(p.v.behindMs, 95))}`),
])
rows.push(['chat clients open', relayed.c.open, direct.c.open])
rows.push(['chat deliveries / expected', ...[relayed, direct].map((p) => `${p.c.received} / ${p.c.expected}`)])
rows.push([
  'chat fan-out p50 / p95 (ms)',
  ...[relayed, direct].map((p) => `${f(percentile(p.c.fanout, 50))} / ${f(percentile(p.c.fanout, 95))}`),
])
for (const k of ['hub', 'a', 'b'])
  rows.push([`${k} CPU % / RSS MiB`, ...[relayed, direct].map((p) => `${f(p.cpu[k])} / ${f(p.rss[k])}`)])
console.log(`bench:live — ${VIEWERS} viewers, ${CHAT} chat clients, ${DURATION_MS / 1000} s per phase`)
console.log(table(rows))

encoder.kill('SIGKILL')
await Promise.all([hub, a, b].map((n) => stop(n.proc)))
await rm(work, { recursive: true, force: true })
process.exit(0)
