// npm run bench:sync — a 100k-record sharded catalog between two nodes on loopback, beside
// PouchDB replicating the same 100k documents between two PouchDB databases over HTTP
// (express-pouchdb, LevelDB on both sides; installed into bench/.sync-deps on first run).
// The records are catalogue records made from the Tang and Song poems of `chinese-poetry`
// (real Traditional-character text: its compressibility is that of a real catalogue).
// Figures: first sync time, bytes on the wire (counted by a TCP relay between the two
// processes) against the raw JSON size, receiver peak RSS (VmHWM), then 1k changed records
// (SYNC_BENCH_CHANGES times, median), with the load average beside the table.
// Each side runs in its own process; first syncs are repeated (median) on a noisy machine.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, connect } from 'node:net'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { median, table } from './lib.js'
import { installSyncDeps, makeRecords, syncWorker as worker } from './sync-data.js'

const N = Number(process.env.SYNC_BENCH_N ?? 100_000)
const ROUNDS = Number(process.env.SYNC_BENCH_ROUNDS ?? 3)
const CHANGES = Number(process.env.SYNC_BENCH_CHANGES ?? 7)
await installSyncDeps()

/** A TCP relay that counts the bytes going each way. */
function relay(targetPort) {
  const counted = { bytes: 0 }
  // Nagle off on both legs, as libp2p's TCP transport and Node's HTTP sockets have it: a relay
  // that batches small writes adds waits that neither side makes without it.
  const server = createServer({ noDelay: true }, (a) => {
    const b = connect({ port: targetPort, host: '127.0.0.1', noDelay: true })
    a.on('data', (d) => (counted.bytes += d.length))
    b.on('data', (d) => (counted.bytes += d.length))
    a.pipe(b).on('error', () => {})
    b.pipe(a).on('error', () => {})
    a.on('error', () => b.destroy())
    b.on('error', () => a.destroy())
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ port: server.address().port, counted, close: () => server.close() })),
  )
}

const work = mkdtempSync(join(tmpdir(), 'shulin-bench-sync-'))
try {
  const records = makeRecords(N)
  const file = join(work, 'records.jsonl')
  const jsonl = records.map((r) => JSON.stringify(r)).join('\n')
  writeFileSync(file, jsonl)
  const rawBytes = Buffer.byteLength(jsonl)
  process.stderr.write(`${N} records, ${(rawBytes / 1024 ** 2).toFixed(1)} MB of JSON\n`)

  async function run(kind) {
    const sender = worker(`${kind}-sender`, mkdtempSync(join(work, `${kind}-s-`)), file)
    const ready = await sender.next()
    const target = kind === 'shulin' ? Number(/tcp\/(\d+)/.exec(ready.addr)[1]) : Number(new URL(ready.url).port)
    process.stderr.write(`${kind}: sender loaded in ${(ready.loadMs / 1000).toFixed(1)} s\n`)
    const firsts = []
    let last
    for (let round = 0; round < (kind === 'shulin' ? ROUNDS : Math.max(1, ROUNDS - 2)); round++) {
      const r = await relay(target)
      const via =
        kind === 'shulin' ? ready.addr.replace(/tcp\/\d+/, `tcp/${r.port}`) : ready.url.replace(/:\d+\//, `:${r.port}/`)
      const receiver = worker(`${kind}-receiver`, mkdtempSync(join(work, `${kind}-r-`)), via)
      await receiver.next()
      const first = await receiver.ask('pull')
      const firstBytes = r.counted.bytes
      const { count } = await receiver.ask('count')
      if (count !== N) throw new Error(`${kind} receiver holds ${count} records, not ${N}`)
      firsts.push({ ms: first.ms, bytes: firstBytes, peakRss: first.peakRss })
      process.stderr.write(
        `${kind}: first sync ${(first.ms / 1000).toFixed(2)} s, ${(firstBytes / 1024 ** 2).toFixed(1)} MB\n`,
      )
      if (last) {
        await last.receiver.end()
        last.relay.close()
      }
      last = { receiver, relay: r }
    }
    // 1k records changed at the sender, pulled by the last receiver; several times (median):
    // one change's time swung from 254 to 600 ms between runs on this machine.
    const incs = []
    for (let c = 0; c < CHANGES; c++) {
      await sender.ask('change 1000')
      const before = last.relay.counted.bytes
      const senderCpu = (await sender.ask('cpu')).cpuMs
      const inc = await last.receiver.ask('pull')
      // CPU of both sides during the pull: wall time on a machine shared by many swings with
      // its load, the work done does not.
      const cpuMs = inc.cpuMs + (await sender.ask('cpu')).cpuMs - senderCpu
      incs.push({ ms: inc.ms, cpuMs, bytes: last.relay.counted.bytes - before })
    }
    process.stderr.write(
      `${kind}: 1k changed, ${incs.map((i) => `${i.ms.toFixed(0)} ms (cpu ${i.cpuMs.toFixed(0)} ms)`).join(', ')}\n`,
    )
    await last.receiver.end()
    last.relay.close()
    await sender.end()
    return {
      firstMs: median(firsts.map((f) => f.ms)),
      firstBytes: median(firsts.map((f) => f.bytes)),
      peakRss: median(firsts.map((f) => f.peakRss)),
      incMs: median(incs.map((i) => i.ms)),
      incBytes: median(incs.map((i) => i.bytes)),
      incCpuMs: median(incs.map((i) => i.cpuMs)),
      incFastMs: Math.min(...incs.map((i) => i.ms)),
      rounds: firsts.length,
    }
  }

  const shulin = await run('shulin')
  const pouch = await run('pouch')
  const mb = (b) => `${(b / 1024 ** 2).toFixed(1)} MB`
  const s = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`)
  const rows = [
    ['measure', 'shulin (sharded Yjs over libp2p)', 'PouchDB over HTTP', 'PouchDB ÷ shulin', 'aim'],
    [
      `first sync of ${N / 1000}k records (median of ${shulin.rounds} / ${pouch.rounds})`,
      s(shulin.firstMs),
      s(pouch.firstMs),
      `×${(pouch.firstMs / shulin.firstMs).toFixed(1)}`,
      '≤ 20 s, ≥ ×3',
    ],
    [
      'bytes on the wire, first sync',
      `${mb(shulin.firstBytes)} (×${(shulin.firstBytes / rawBytes).toFixed(2)} raw)`,
      `${mb(pouch.firstBytes)} (×${(pouch.firstBytes / rawBytes).toFixed(2)} raw)`,
      `×${(pouch.firstBytes / shulin.firstBytes).toFixed(1)}`,
      '≤ 1.3× raw',
    ],
    [
      'receiver peak RSS',
      mb(shulin.peakRss),
      mb(pouch.peakRss),
      `×${(pouch.peakRss / shulin.peakRss).toFixed(1)}`,
      '≤ 250 MB',
    ],
    [
      `1k changed records (median of ${CHANGES})`,
      s(shulin.incMs),
      s(pouch.incMs),
      `×${(pouch.incMs / shulin.incMs).toFixed(1)}`,
      '≤ 100 ms',
    ],
    [
      '1k changed: fastest of them',
      s(shulin.incFastMs),
      s(pouch.incFastMs),
      `×${(pouch.incFastMs / shulin.incFastMs).toFixed(1)}`,
      '',
    ],
    [
      '1k changed: CPU of both sides (median)',
      s(shulin.incCpuMs),
      s(pouch.incCpuMs),
      `×${(pouch.incCpuMs / shulin.incCpuMs).toFixed(1)}`,
      '≤ 100 ms',
    ],
    [
      'bytes on the wire, 1k changed',
      mb(shulin.incBytes),
      mb(pouch.incBytes),
      `×${(pouch.incBytes / shulin.incBytes).toFixed(1)}`,
      '',
    ],
  ]
  process.stdout.write(
    `raw JSON: ${mb(rawBytes)} for ${N} records; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${availableParallelism()} cores\n` +
      table(rows) +
      '\n',
  )
} finally {
  rmSync(work, { recursive: true, force: true })
}
// Nothing of the run should keep the process (a relay's last socket, say).
process.exit(0)
