// npm run bench:resources — the resource layer beside plain peers, measured in the same run:
//   upload throughput (PUT of a 128 MiB MP4) beside a plain streamed file copy of the same bytes
//   range-read latency (64 KiB at random offsets over HTTP) beside fs.read of the same range
//   catalogue listing latency with 100k records (staff list and OPDS "new" pages) beside a raw
//     LevelDB iterator reading the same number of entries
//   JSON Lines import rate (100k records through the API) beside JSON.parse + zod validation alone
// Medians and ratios; these machines are shared and noisy.
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, open, rm, writeFile, readFile } from 'node:fs/promises'
import { randomBytes, randomInt } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { request } from 'node:http'
import { ClassicLevel } from 'classic-level'
import { freePort, killAll, median, percentile, shulinBin, spawnShulin, stop, table, waitHealthy, run } from './lib.js'

const work = await mkdtemp(join(tmpdir(), 'shulin-bench-res-'))
const data = join(work, 'node')
const rows = [['measure', 'shulin', 'peer', 'ratio']]

let headBytes = 0
function box(type, ...payload) {
  const body = Buffer.concat(payload)
  const head = Buffer.alloc(8)
  head.writeUInt32BE(8 + body.length)
  head.write(type, 4, 'latin1')
  return Buffer.concat([head, body])
}
/** An MP4 (ftyp, moov/mvhd, then an mdat of `bytes` random bytes), written in pieces. */
async function writeMp4(path, bytes) {
  const mvhd = Buffer.alloc(100)
  mvhd.writeUInt32BE(1000, 12)
  mvhd.writeUInt32BE(60_000, 16)
  const head = Buffer.concat([
    box('ftyp', Buffer.from('isom'), Buffer.alloc(4), Buffer.from('isomiso2mp41')),
    box('moov', box('mvhd', mvhd)),
  ])
  const fh = await open(path, 'w')
  headBytes = head.length
  await fh.write(head)
  const mdatHead = Buffer.alloc(8)
  mdatHead.writeUInt32BE(8 + bytes)
  mdatHead.write('mdat', 4, 'latin1')
  await fh.write(mdatHead)
  const chunk = randomBytes(4 * 1024 * 1024)
  for (let left = bytes; left > 0; left -= chunk.length) await fh.write(chunk.subarray(0, Math.min(chunk.length, left)))
  await fh.close()
}

/** A PUT of a file over node:http (undici's streaming bodies cost more client CPU than the server spends). */
function putFile(target, path, length, headers) {
  return new Promise((resolve, reject) => {
    const req = request(target, { method: 'PUT', headers: { ...headers, 'content-length': String(length) } }, (res) => {
      let body = ''
      res.on('data', (d) => (body += d))
      res.on('end', () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`upload: ${res.statusCode} ${body.slice(0, 300)}`)),
      )
    })
    req.on('error', reject)
    pipeline(createReadStream(path, { highWaterMark: 1024 * 1024 }), req).catch(reject)
  })
}

async function api(url, method, path, body, headers = {}) {
  const res = await fetch(url + path, { method, headers, body, duplex: 'half' })
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`)
  return text ? JSON.parse(text) : undefined
}

try {
  process.stderr.write('preparing: admin, node, 128 MiB file…\n')
  const r = await run(process.execPath, [
    shulinBin,
    'admin',
    'create',
    '--data',
    data,
    '--username',
    'benchadmin',
    '--password',
    'county-library-2026',
  ])
  if (r.code !== 0) throw new Error(r.stderr)
  const port = await freePort()
  const child = spawnShulin(data, port)
  const url = `http://127.0.0.1:${port}`
  await waitHealthy(url + '/api/health', performance.now())
  const login = await api(
    url,
    'POST',
    '/api/auth/login',
    JSON.stringify({ identifier: 'benchadmin', password: 'county-library-2026', bearer: true }),
    { 'content-type': 'application/json' },
  )
  const auth = { authorization: `Bearer ${login.token}` }
  const json = { ...auth, 'content-type': 'application/json' }

  // Upload throughput.
  const size = 128 * 1024 * 1024
  const file = join(work, 'lecture.mp4')
  await writeMp4(file, size)
  const up = []
  const copy = []
  let lastId
  for (let i = 0; i < 5; i++) {
    const rec = await api(
      url,
      'POST',
      '/api/staff/resources',
      JSON.stringify({ type: 'video', metadata: { title: `公开课 ${i}` } }),
      json,
    )
    // Fresh bytes each time so deduplication does not make later uploads free.
    const fh = await open(file, 'r+')
    await fh.write(randomBytes(16), 0, 16, 200)
    await fh.close()
    let t = performance.now()
    await putFile(`${url}/api/staff/resources/${rec.id}/files/content`, file, size + 8 + headBytes, {
      ...auth,
      'content-type': 'video/mp4',
    })
    up.push(performance.now() - t)
    lastId = rec.id
    const target = join(work, `copy-${i}.mp4`)
    t = performance.now()
    await pipeline(createReadStream(file), createWriteStream(target))
    const fh2 = await open(target, 'r')
    await fh2.sync()
    await fh2.close()
    copy.push(performance.now() - t)
    await rm(target)
  }
  const mibps = (ms) => (size / 1024 / 1024 / (ms / 1000)).toFixed(0)
  rows.push([
    'upload 128 MiB (MiB/s, median of 5)',
    mibps(median(up)),
    `${mibps(median(copy))} (file copy + fsync)`,
    (median(copy) / median(up)).toFixed(2),
  ])

  // Range reads.
  await api(url, 'POST', `/api/staff/resources/${lastId}/publish`, undefined, auth)
  const lat = []
  const direct = []
  const fh = await open(file, 'r')
  const buf = Buffer.alloc(65536)
  for (let i = 0; i < 400; i++) {
    const start = randomInt(0, size - 65536)
    let t = performance.now()
    const res = await fetch(`${url}/api/resources/${lastId}/content`, {
      headers: { range: `bytes=${start}-${start + 65535}` },
    })
    await res.arrayBuffer()
    lat.push(performance.now() - t)
    if (res.status !== 206) throw new Error(`range: ${res.status}`)
    t = performance.now()
    await fh.read(buf, 0, 65536, start)
    direct.push(performance.now() - t)
  }
  await fh.close()
  rows.push([
    'range read 64 KiB p50 (ms)',
    median(lat).toFixed(2),
    `${median(direct).toFixed(3)} (fs.read)`,
    (median(lat) / median(direct)).toFixed(1) + '× slower',
  ])
  rows.push(['range read 64 KiB p95 (ms)', percentile(lat, 95).toFixed(2), percentile(direct, 95).toFixed(3), ''])

  // Import rate.
  const lines = []
  const isbn13 = (i) => {
    const base = '978' + String(7_000_000_000 + i).slice(1, 10)
    let sum = 0
    for (let k = 0; k < 12; k++) sum += Number(base[k]) * (k % 2 ? 3 : 1)
    return base + ((10 - (sum % 10)) % 10)
  }
  for (let i = 0; i < 100_000; i++)
    lines.push(
      JSON.stringify({
        title: `地方文献 第${i}册`,
        creators: [`编者${i % 997}`],
        subjects: ['地方文献', `主题${i % 50}`],
        date: String(1950 + (i % 70)),
        identifiers: [`ISBN ${isbn13(i)}`],
        clc: 'K29',
        description: '县域历史与文化资料。',
      }),
    )
  const jsonl = join(work, 'catalogue.jsonl')
  await writeFile(jsonl, lines.join('\n') + '\n')
  let t = performance.now()
  const report = await api(url, 'POST', '/api/staff/resources/import?format=jsonl', createReadStream(jsonl), {
    ...auth,
    'content-type': 'application/x-ndjson',
  })
  const importMs = performance.now() - t
  if (report.created !== 100_000) throw new Error(JSON.stringify(report).slice(0, 500))
  t = performance.now()
  const again = await api(url, 'POST', '/api/staff/resources/import?format=jsonl', createReadStream(jsonl), {
    ...auth,
    'content-type': 'application/x-ndjson',
  })
  const reimportMs = performance.now() - t
  const { ImportRecord } = await import('../protocol/dist/index.js')
  t = performance.now()
  for (const line of (await readFile(jsonl, 'utf8')).split('\n')) if (line) ImportRecord.parse(JSON.parse(line))
  const parseMs = performance.now() - t
  const rate = (ms) => Math.round(100_000 / (ms / 1000))
  rows.push([
    'import 100k JSONL (records/s)',
    rate(importMs),
    `${rate(parseMs)} (parse + validate only)`,
    (parseMs / importMs).toFixed(2),
  ])
  rows.push([`re-import 100k (records/s; ${again.unchanged} unchanged)`, rate(reimportMs), '', ''])

  // Catalogue listing with 100k records: pages at random cursors.
  const ids = []
  let cursor = ''
  for (let i = 0; i < 20; i++) {
    const page = await api(
      url,
      'GET',
      `/api/staff/resources?limit=200${cursor ? `&cursor=${cursor}` : ''}`,
      undefined,
      auth,
    )
    ids.push(...page.resources.map((r) => r.id))
    cursor = page.nextCursor
  }
  const list = []
  const opds = []
  for (let i = 0; i < 200; i++) {
    const c = ids[randomInt(0, ids.length)]
    let t0 = performance.now()
    await api(url, 'GET', `/api/staff/resources?limit=50&cursor=${c}`, undefined, auth)
    list.push(performance.now() - t0)
    t0 = performance.now()
    const res = await fetch(`${url}/opds/v2/new.json`)
    await res.arrayBuffer()
    if (res.ok) opds.push(performance.now() - t0)
  }
  await stop(child)
  const db = new ClassicLevel(join(data, 'db'), { valueEncoding: 'json' })
  const raw = []
  const sub = db.sublevel('resources', { valueEncoding: 'json' })
  for (let i = 0; i < 200; i++) {
    const c = ids[randomInt(0, ids.length)]
    const t0 = performance.now()
    await sub.values({ gt: c, limit: 50 }).all()
    raw.push(performance.now() - t0)
  }
  await db.close()
  rows.push([
    'list 50 of 100k, p95 (ms)',
    percentile(list, 95).toFixed(2),
    `${percentile(raw, 95).toFixed(2)} (LevelDB iterator)`,
    (percentile(list, 95) / percentile(raw, 95)).toFixed(1) + '× slower',
  ])
  if (opds.length) rows.push(['OPDS 2 new.json, p95 (ms)', percentile(opds, 95).toFixed(2), '', ''])

  console.log(`\nShulin resources benchmark · Node ${process.versions.node} · ${new Date().toISOString()}\n`)
  console.log(table(rows))
} finally {
  killAll()
  await rm(work, { recursive: true, force: true })
}
