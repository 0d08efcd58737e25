// One side of `npm run bench:sync`, in its own process (so its peak RSS is its own).
//   node bench/sync-worker.js <role> <dir> [arg]
// roles: shulin-sender (arg: records.jsonl), shulin-receiver (arg: sender multiaddr),
//        pouch-sender (arg: records.jsonl), pouch-receiver (arg: sender URL).
// Talks to the parent by lines: it prints one JSON line per step; the parent writes commands
// (`pull`, `change N`, `cpu`, `exit`) on stdin. A pull reports its wall time and the receiver's
// CPU time; `cpu` asks a sender for its CPU time so far (the parent takes the difference).
import { createInterface } from 'node:readline'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'

const [role, dir, arg] = process.argv.slice(2)
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n')
const peakRss = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024
const commands = createInterface({ input: process.stdin })
/** This process's CPU time so far (user + system), in ms. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}
const readRecords = (file) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
/** The change a librarian makes to 1k records: a new edition note on each. */
const change = (r, round) => ({ ...r, description: `${r.description}（第${round}次修订）` })

async function shulin() {
  const { createHost, generateNodeKey, ShardedCatalog, serveCatalogs, pullCatalog } =
    await import('../federation/dist/index.js')
  const { openStorage } = await import('../node/dist/storage/db.js')
  const { LevelShardStore } = await import('../node/dist/federation/shard-store.js')
  const storage = await openStorage(join(dir, 'db'), { create: true, dataDir: dir })
  const store = new LevelShardStore(storage)
  const key = await generateNodeKey()
  const cat = new ShardedCatalog('bench-books', store, { clientId: role === 'shulin-sender' ? 1 : 2 })
  const host = await createHost({
    privateKey: key.privateKey,
    listen: role === 'shulin-sender' ? ['/ip4/127.0.0.1/tcp/0'] : [],
  })
  if (role === 'shulin-sender') {
    const records = readRecords(arg)
    const t0 = performance.now()
    for (let i = 0; i < records.length; i += 10_000)
      await cat.put(records.slice(i, i + 10_000).map(({ id, ...r }) => [id, r]))
    await serveCatalogs(host, (name) => (name === cat.name ? cat : undefined))
    say({ ready: true, loadMs: performance.now() - t0, addr: host.getMultiaddrs()[0].toString() })
    let round = 0
    for await (const line of commands) {
      const [cmd, n] = line.split(' ')
      if (cmd === 'change') {
        round++
        await cat.put(records.slice(0, Number(n)).map(({ id, ...r }) => [id, change(r, round)]))
        say({ changed: Number(n) })
      } else if (cmd === 'cpu') say({ cpuMs: cpuMs() })
      else if (cmd === 'exit') break
    }
  } else {
    say({ ready: true })
    for await (const line of commands) {
      if (line === 'pull') {
        const [t0, c0] = [performance.now(), cpuMs()]
        const r = await pullCatalog(host, [arg], cat)
        say({ ms: performance.now() - t0, cpuMs: cpuMs() - c0, shards: r.shards, peakRss: peakRss() })
      } else if (line === 'count') {
        let n = 0
        for await (const _ of cat.records()) n++
        say({ count: n })
      } else if (line === 'exit') break
    }
  }
  await host.stop()
  await storage.close()
}

async function pouch() {
  const require = createRequire(join(process.cwd(), 'bench', '.sync-deps', 'package.json'))
  const PouchDB = require('pouchdb')
  if (role === 'pouch-sender') {
    const express = require('express')
    const expressPouchDB = require('express-pouchdb')
    mkdirSync(join(dir, 'dbs'), { recursive: true })
    const Local = PouchDB.defaults({ prefix: join(dir, 'dbs') + '/' })
    const app = express()
    app.use(
      '/',
      expressPouchDB(Local, { mode: 'minimumForPouchDB', inMemoryConfig: true, logPath: join(dir, 'log.txt') }),
    )
    const db = new Local('books')
    const records = readRecords(arg)
    const t0 = performance.now()
    for (let i = 0; i < records.length; i += 5_000)
      await db.bulkDocs(records.slice(i, i + 5_000).map(({ id, ...r }) => ({ _id: id, ...r })))
    const srv = app.listen(0, '127.0.0.1', () =>
      say({ ready: true, loadMs: performance.now() - t0, url: `http://127.0.0.1:${srv.address().port}/books` }),
    )
    let round = 0
    for await (const line of commands) {
      const [cmd, n] = line.split(' ')
      if (cmd === 'change') {
        round++
        const ids = records.slice(0, Number(n)).map((r) => r.id)
        const current = await db.allDocs({ keys: ids, include_docs: true })
        await db.bulkDocs(current.rows.map((row) => change(row.doc, round)))
        say({ changed: Number(n) })
      } else if (cmd === 'cpu') say({ cpuMs: cpuMs() })
      else if (cmd === 'exit') break
    }
    srv.close()
  } else {
    const db = new PouchDB(join(dir, 'books'))
    say({ ready: true })
    for await (const line of commands) {
      if (line === 'pull') {
        const [t0, c0] = [performance.now(), cpuMs()]
        // PouchDB's own knobs set for a bulk copy: big batches, several in flight.
        const r = await db.replicate.from(new PouchDB(arg), { batch_size: 1000, batches_limit: 10 })
        say({ ms: performance.now() - t0, cpuMs: cpuMs() - c0, docs: r.docs_written, peakRss: peakRss() })
      } else if (line === 'count') {
        say({ count: (await db.info()).doc_count })
      } else if (line === 'exit') break
    }
  }
}

await (role.startsWith('shulin') ? shulin() : pouch())
process.exit(0)
