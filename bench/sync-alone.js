// npm run bench:sync-alone — bench:sync's shulin side alone: the same 100k records and the same
// worker processes (`bench/sync-worker.js`), the receiver dialling the sender directly (no
// counting relay) and no PouchDB, so that a 1k-record change can be timed many times, and two
// versions of the code in turn, in the minutes a shared machine is quieter. Prints each pull
// (wall ms, CPU of both sides, the receiver's share) and the median, fastest and CPU median with
// the load. SYNC_BENCH_N records (100k), SYNC_BENCH_CHANGES changes (9).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { median } from './lib.js'
import { installSyncDeps, makeRecords, syncWorker as worker } from './sync-data.js'

const N = Number(process.env.SYNC_BENCH_N ?? 100_000)
const CHANGES = Number(process.env.SYNC_BENCH_CHANGES ?? 9)

await installSyncDeps()
const work = mkdtempSync(join(tmpdir(), 'shulin-bench-sync-alone-'))
try {
  const file = join(work, 'records.jsonl')
  writeFileSync(
    file,
    makeRecords(N)
      .map((r) => JSON.stringify(r))
      .join('\n'),
  )
  const sender = worker('shulin-sender', mkdtempSync(join(work, 's-')), file)
  const ready = await sender.next()
  const receiver = worker('shulin-receiver', mkdtempSync(join(work, 'r-')), ready.addr)
  await receiver.next()
  const first = await receiver.ask('pull')
  const pulls = []
  for (let c = 0; c < CHANGES; c++) {
    await sender.ask('change 1000')
    const senderCpu = (await sender.ask('cpu')).cpuMs
    const inc = await receiver.ask('pull')
    pulls.push({ ms: inc.ms, cpuMs: inc.cpuMs + (await sender.ask('cpu')).cpuMs - senderCpu, receiverMs: inc.cpuMs })
  }
  await receiver.end()
  await sender.end()
  process.stdout.write(
    `first sync ${(first.ms / 1000).toFixed(2)} s; 1k changed: ` +
      pulls
        .map((p) => `${p.ms.toFixed(0)} ms (cpu ${p.cpuMs.toFixed(0)}, receiver ${p.receiverMs.toFixed(0)})`)
        .join(', ') +
      `\nmedian ${median(pulls.map((p) => p.ms)).toFixed(0)} ms, fastest ${Math.min(...pulls.map((p) => p.ms)).toFixed(0)} ms, ` +
      `CPU of both sides ${median(pulls.map((p) => p.cpuMs)).toFixed(0)} ms; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}\n`,
  )
} finally {
  rmSync(work, { recursive: true, force: true })
}
process.exit(0)
