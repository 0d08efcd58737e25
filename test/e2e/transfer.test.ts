/**
 * A 200 MB file moves between processes: two providers serve it, a fetcher takes it from both,
 * is killed with SIGKILL partway through, and a new fetcher on the same work folder resumes —
 * fetching far fewer chunks than the file has — and ends with the file's SHA-256. And a provider
 * process that serves corrupt chunks under the true manifest is caught chunk by chunk, its chunks
 * fetched from the honest one, and it is dropped.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { manifestIdOf, manifestOf } from '@shulin/federation'

const peerScript = fileURLToPath(new URL('./fixtures/transfer-peer.mjs', import.meta.url))
const MB = 1_000_000
const children = new Set<ChildProcess>()

interface Peer {
  child: ChildProcess
  /** The next JSON line the peer prints. */
  next: () => Promise<Record<string, unknown>>
  exited: Promise<number | null>
}

function peer(args: string[]): Peer {
  const child = spawn(process.execPath, [peerScript, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  let err = ''
  child.stderr!.on('data', (d) => (err += d))
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => (children.delete(child), r(code))))
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
  const next = async () => {
    const { value, done } = await lines.next()
    if (done) throw new Error(`peer ${args[0]} ended early: ${err}`)
    return JSON.parse(value as string) as Record<string, unknown>
  }
  return { child, next, exited }
}

async function sha256Of(path: string): Promise<string> {
  const h = createHash('sha256')
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer)
  return h.digest('hex')
}

describe('content transfer between processes', () => {
  let dir: string | undefined
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL')
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('resumes a 200 MB transfer after kill -9 and ends with the right file', { timeout: 60_000 }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'shulin-e2e-transfer-'))
    const file = join(dir, 'lectures.mp4')
    const fh = await open(file, 'w')
    for (let i = 0; i < 200; i++) await fh.write(randomBytes(MB))
    await fh.close()
    const manifest = await manifestOf(file)
    const total = manifest.chunks.length

    const hub = peer(['provide', file])
    const member = peer(['provide', file])
    const providers = [await hub.next(), await member.next()]
    const opts = {
      sha256: manifest.sha256,
      size: manifest.size,
      manifestId: manifestIdOf(manifest),
      providers,
      dest: join(dir, 'blobs', manifest.sha256),
      work: join(dir, 'tmp'),
    }

    // First attempt, held to 40 MB/s so the kill lands mid-transfer.
    await writeFile(join(dir, 'first.json'), JSON.stringify({ ...opts, maxBytesPerSecond: 40 * MB }))
    const first = peer(['fetch', join(dir, 'first.json')])
    for (;;) {
      const line = await first.next()
      const p = line.progress as { have: number } | undefined
      if (p && p.have >= total * 0.6) break
    }
    first.child.kill('SIGKILL')
    expect(await first.exited).toBeNull()

    await writeFile(join(dir, 'second.json'), JSON.stringify(opts))
    const second = peer(['fetch', join(dir, 'second.json')])
    let done: Record<string, unknown> | undefined
    while (!done) {
      const line = await second.next()
      if (line.error) throw new Error(JSON.stringify(line.error))
      done = line.done as Record<string, unknown> | undefined
    }
    expect(await second.exited).toBe(0)
    // At most the last unrecorded stretch (32 chunks or 2 s) is fetched twice.
    expect(done.fetchedChunks as number).toBeLessThan(total * 0.6)
    expect(done.resumedChunks as number).toBeGreaterThan(total * 0.4)
    expect((done.resumedChunks as number) + (done.fetchedChunks as number)).toBe(total)
    expect(await sha256Of(opts.dest)).toBe(manifest.sha256)
    hub.child.kill('SIGTERM')
    member.child.kill('SIGTERM')
  })

  it(
    'catches a provider process serving corrupt chunks, fetches them from the other, and drops it',
    { timeout: 60_000 },
    async () => {
      dir ??= await mkdtemp(join(tmpdir(), 'shulin-e2e-transfer-'))
      const file = join(dir, 'gazetteer.pdf')
      await writeFile(file, randomBytes(24 * MB))
      const bad = join(dir, 'gazetteer-tampered.pdf')
      // Every fourth MiB differs from the true file; the liar claims the true manifest.
      const bytes = await readFile(file)
      for (let i = 0; i < 24; i += 4) bytes.write('tampered', i * 1024 * 1024 + 99)
      await writeFile(bad, bytes)
      const manifest = await manifestOf(file)
      const liar = peer(['provide', bad, file])
      const honest = peer(['provide', file])
      const providers = [await liar.next(), await honest.next()]
      const opts = {
        sha256: manifest.sha256,
        size: manifest.size,
        manifestId: manifestIdOf(manifest),
        providers,
        dest: join(dir, 'blobs2', manifest.sha256),
        work: join(dir, 'tmp2'),
      }
      await writeFile(join(dir, 'corrupt.json'), JSON.stringify(opts))
      const fetcher = peer(['fetch', join(dir, 'corrupt.json')])
      let done: Record<string, unknown> | undefined
      while (!done) {
        const line = await fetcher.next()
        if (line.error) throw new Error(JSON.stringify(line.error))
        done = line.done as Record<string, unknown> | undefined
      }
      expect(await fetcher.exited).toBe(0)
      expect(await sha256Of(opts.dest)).toBe(manifest.sha256)
      const [l, h] = done.providers as Array<{ id: string; chunks: number; corrupt: number; dropped?: string }>
      expect(l).toMatchObject({ id: providers[0]!.id, dropped: 'corrupt' })
      expect(l!.corrupt).toBeGreaterThanOrEqual(2)
      expect(h).toMatchObject({ id: providers[1]!.id, corrupt: 0 })
      expect(h!.dropped).toBeUndefined()
      expect(l!.chunks + h!.chunks).toBe(manifest.chunks.length)
      liar.child.kill('SIGTERM')
      honest.child.kill('SIGTERM')
    },
  )
})
