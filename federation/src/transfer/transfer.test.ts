/**
 * Content transfer over real libp2p hosts on loopback: a file fetched from two providers at
 * once; a provider serving corrupt chunks caught, scored down and routed around; a provider
 * vanishing mid-transfer; malformed requests; an interrupted fetch resumed; and the errors a
 * node shows when nobody can serve a file.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net'
import { copyFile, mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { CONTENT_PROTOCOL, type Manifest } from '@shulin/protocol'
import { generateNodeKey } from '../identity/node-key.js'
import { createHost, type Host } from '../host/host.js'
import {
  ContentFetchError,
  fetchContent,
  manifestIdOf,
  manifestOf,
  serveContent,
  type ContentSource,
  type FetchContentOptions,
} from './index.js'

const MiB = 1024 * 1024
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

describe('content transfer', () => {
  let dir: string
  let file: string
  let manifest: Manifest
  let manifestId: string
  const hosts: Host[] = []
  const servers: Server[] = []
  const newHost = async (listen = true) => {
    const h = await createHost({
      privateKey: (await generateNodeKey()).privateKey,
      listen: listen ? ['/ip4/127.0.0.1/tcp/0'] : [],
    })
    hosts.push(h)
    return h
  }
  /** A provider holding `path` under the file's hash. */
  const provider = async (path: string, extra: Partial<ContentSource> = {}) => {
    const host = await newHost()
    const server = await serveContent(host, { path: async (h) => (h === manifest.sha256 ? path : undefined), ...extra })
    return { host, server, ref: { id: host.peerId.toString(), addrs: host.getMultiaddrs().map(String) } }
  }
  let n = 0
  const target = (over: Partial<FetchContentOptions> = {}): FetchContentOptions => ({
    sha256: manifest.sha256,
    size: manifest.size,
    manifestId,
    providers: [],
    dest: join(dir, `out-${++n}`, 'file'),
    work: join(dir, `work-${n}`),
    ...over,
  })

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shulin-transfer-'))
    file = join(dir, 'book.epub')
    await writeFile(file, randomBytes(24 * MiB + 12345))
    manifest = await manifestOf(file)
    manifestId = manifestIdOf(manifest)
  })
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.stop().catch(() => {})))
    for (const s of servers) s.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('computes a manifest by streaming the file: 1 MiB chunks, each hashed, and the whole', async () => {
    const bytes = await readFile(file)
    expect(manifest).toMatchObject({ sha256: sha(bytes), size: bytes.byteLength, chunkSize: MiB })
    expect(manifest.chunks).toHaveLength(25)
    expect(manifest.chunks[24]).toBe(sha(bytes.subarray(24 * MiB)))
    expect(manifestIdOf(manifest)).toMatch(/^[0-9a-f]{64}$/)
  })

  it('fetches a file from two providers at once, each chunk checked, into dest', async () => {
    const a = await provider(file)
    const b = await provider(file)
    const me = await newHost(false)
    const t = target({ providers: [a.ref, b.ref] })
    const r = await fetchContent(me, t)
    expect(sha(await readFile(t.dest))).toBe(manifest.sha256)
    expect(r).toMatchObject({
      chunks: 25,
      fetchedChunks: 25,
      resumedChunks: 0,
      rejectedChunks: 0,
      fetchedBytes: manifest.size,
    })
    expect(r.providers.map((p) => p.chunks).every((c) => c > 0)).toBe(true)
    expect(r.providers.reduce((s, p) => s + p.chunks, 0)).toBe(25)
    // Nothing is left in the work folder.
    await expect(stat(join(t.work, `${manifest.sha256}.part`))).rejects.toThrow()
  })

  it('catches a provider serving corrupt chunks, fetches them from another, and drops it', async () => {
    const bad = join(dir, 'corrupt.epub')
    await copyFile(file, bad)
    const fh = await open(bad, 'r+')
    for (const i of [0, 1, 2, 3, 4, 5]) await fh.write(Buffer.from('tampered'), 0, 8, i * MiB + 100)
    await fh.close()
    // It claims the true manifest, so only the chunks betray it.
    const liar = await provider(bad, { manifest: async () => manifest })
    const honest = await provider(file)
    const me = await newHost(false)
    const t = target({ providers: [liar.ref, honest.ref] })
    const r = await fetchContent(me, t)
    expect(sha(await readFile(t.dest))).toBe(manifest.sha256)
    const [l, h] = r.providers
    expect(l).toMatchObject({ id: liar.ref.id, dropped: 'corrupt' })
    expect(l!.corrupt).toBeGreaterThanOrEqual(2)
    expect(h).toMatchObject({ id: honest.ref.id, corrupt: 0 })
    expect(h!.dropped).toBeUndefined()
    expect(l!.chunks + h!.chunks).toBe(25)
  })

  /** A plain HTTP server giving `path` by range requests to whoever sends `Authorization: let-me`. */
  const httpProvider = async (path: string, id: string) => {
    const bytes = await readFile(path)
    const server = createServer((req, res) => {
      if (req.headers.authorization !== 'let-me') return void res.writeHead(401).end()
      if (req.url === `/api/federation/content/${manifest.sha256}/manifest`)
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(manifest))
      if (req.url !== `/api/federation/content/${manifest.sha256}`) return void res.writeHead(404).end()
      const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '')
      if (!m) return void res.writeHead(200).end(bytes)
      const start = Number(m[1])
      const end = Math.min(Number(m[2]), bytes.byteLength - 1)
      res
        .writeHead(206, { 'content-range': `bytes ${start}-${end}/${bytes.byteLength}` })
        .end(bytes.subarray(start, end + 1))
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    servers.push(server)
    const port = (server.address() as AddressInfo).port
    return { id, addrs: [], http: { url: `http://127.0.0.1:${port}/`, authorization: 'let-me' } }
  }

  it('falls back to HTTP range requests: every chunk checked the same, a corrupting one caught, a refused ticket refused', async () => {
    const me = await newHost(false)
    // The key does not matter to HTTP; any node id names the provider in the report.
    const id = (await generateNodeKey()).nodeId
    const t = target({ providers: [await httpProvider(file, id)] })
    const r = await fetchContent(me, t)
    expect(sha(await readFile(t.dest))).toBe(manifest.sha256)
    expect(r).toMatchObject({ chunks: 25, fetchedChunks: 25, fetchedBytes: manifest.size })

    const bad = join(dir, 'corrupt-http.epub')
    await copyFile(file, bad)
    const fh = await open(bad, 'r+')
    for (const i of [3, 4, 5, 6]) await fh.write(Buffer.from('tampered'), 0, 8, i * MiB + 7)
    await fh.close()
    const liar = await httpProvider(bad, (await generateNodeKey()).nodeId)
    const honest = await provider(file)
    const t2 = target({ providers: [liar, honest.ref] })
    const r2 = await fetchContent(me, t2)
    expect(sha(await readFile(t2.dest))).toBe(manifest.sha256)
    expect(r2.providers[0]).toMatchObject({ dropped: 'corrupt' })

    const refused = {
      ...(await httpProvider(file, id)),
      http: { url: (await httpProvider(file, id)).http.url, authorization: 'wrong' },
    }
    const err = await fetchContent(me, target({ providers: [refused] })).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ContentFetchError)
    expect((err as ContentFetchError).code).toBe('no_provider')
  })

  it('carries on with the other provider when one disappears mid-transfer', async () => {
    const steady = await provider(file)
    let asked = 0
    const fading = await provider(file, {
      path: async () => {
        // Its third request is its last: the node stops under the fetcher's feet.
        if (++asked === 3) setTimeout(() => void fading.host.stop(), 0)
        return file
      },
    })
    const me = await newHost(false)
    const t = target({ providers: [fading.ref, steady.ref], maxBytesPerSecond: 60 * MiB })
    const r = await fetchContent(me, t)
    expect(sha(await readFile(t.dest))).toBe(manifest.sha256)
    const gone = r.providers.find((p) => p.id === fading.ref.id)!
    // Dropped after three failures in a row, unless the steady one finished first (under load it
    // may): either way its requests failed and the file came whole.
    if (gone.dropped === undefined) expect(gone.failures).toBeGreaterThan(0)
    else expect(gone.dropped).toMatch(/failing|unreachable/)
    expect(r.providers.find((p) => p.id === steady.ref.id)!.chunks).toBeGreaterThan(0)
  })

  it('answers or closes malformed requests, refuses a stream flood past its limit, and keeps serving', async () => {
    const logs: string[] = []
    const host = await newHost()
    await serveContent(
      host,
      { path: async (h) => (h === manifest.sha256 ? file : undefined) },
      { log: (m) => logs.push(m) },
    )
    const me = await newHost(false)
    const addr = multiaddr(host.getMultiaddrs()[0]!.toString())
    const send = async (bytes: Uint8Array) => {
      const stream = await me.dialProtocol(addr, CONTENT_PROTOCOL)
      const lp = lpStream(stream, { maxDataLength: 4 * MiB })
      await lp.write(bytes)
      try {
        return JSON.parse(new TextDecoder().decode((await lp.read({ signal: AbortSignal.timeout(5000) })).subarray()))
      } catch {
        return 'closed'
      }
    }
    const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v))
    expect(await send(new TextEncoder().encode('nope'))).toEqual({ ok: false, reason: 'invalid' })
    expect(await send(json({ want: 'chunks', sha256: manifest.sha256, from: 0, count: 1000 }))).toEqual({
      ok: false,
      reason: 'invalid',
    })
    expect(await send(json({ want: 'chunks', sha256: manifest.sha256, from: 25, count: 1 }))).toEqual({
      ok: false,
      reason: 'range',
    })
    expect(await send(json({ want: 'manifest', sha256: '0'.repeat(64) }))).toEqual({ ok: false, reason: 'unknown' })
    expect(await send(new Uint8Array(64 * 1024))).toBe('closed')
    expect(logs.some((l) => /malformed/.test(l))).toBe(true)

    // Past 16 streams on one connection the rest are refused, and serving goes on.
    const conn = await me.dial(addr)
    const held = await Promise.allSettled(
      Array.from({ length: 24 }, async () => {
        const stream = await conn.newStream(CONTENT_PROTOCOL)
        const lp = lpStream(stream, { maxDataLength: 4 * MiB })
        await lp.write(json({ want: 'manifest', sha256: manifest.sha256 }))
        await lp.read({ signal: AbortSignal.timeout(5000) })
        return stream
      }),
    )
    const answered = held.filter((o) => o.status === 'fulfilled')
    expect(answered.length).toBeLessThanOrEqual(16)
    expect(answered.length).toBeGreaterThan(0)
    for (const o of answered) o.value.abort(new Error('done'))
    const t = target({ providers: [{ id: host.peerId.toString(), addrs: [addr.toString()] }] })
    expect((await fetchContent(me, t)).fetchedChunks).toBe(25)
  })

  it('resumes an interrupted fetch, re-checking what it kept and refetching only the rest', async () => {
    const a = await provider(file)
    const me = await newHost(false)
    const ac = new AbortController()
    const t = target({
      providers: [a.ref],
      maxBytesPerSecond: 8 * MiB,
      signal: ac.signal,
      onProgress: (p) => p.have >= 12 && ac.abort(),
    })
    const err = await fetchContent(me, t).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ContentFetchError)
    expect((err as ContentFetchError).code).toBe('aborted')
    // With nobody to ask, what is missing cannot come: a clear error, and the part file stays.
    const alone = (await fetchContent(me, { ...t, providers: [], signal: undefined, onProgress: undefined }).catch(
      (e: unknown) => e,
    )) as ContentFetchError
    expect(alone.code).toBe('no_provider')
    // A chunk the record claims is damaged on disk meanwhile: the resume must notice.
    const fh = await open(join(t.work, `${manifest.sha256}.part`), 'r+')
    await fh.write(Buffer.from('bitrot'), 0, 6, 2 * MiB + 7)
    await fh.close()
    const r = await fetchContent(me, { ...t, signal: undefined, onProgress: undefined, maxBytesPerSecond: undefined })
    expect(sha(await readFile(t.dest))).toBe(manifest.sha256)
    expect(r.resumedChunks).toBeGreaterThanOrEqual(10)
    expect(r.rejectedChunks).toBe(1)
    expect(r.fetchedChunks).toBe(25 - r.resumedChunks)
  })

  it('keeps to a byte rate, set by the fetcher or by the provider', async () => {
    const a = await provider(file)
    const me = await newHost(false)
    const r = await fetchContent(me, target({ providers: [a.ref], maxBytesPerSecond: 12 * MiB }))
    // One second's burst, then 12 MiB/s for the other ~13 MiB.
    expect(r.ms).toBeGreaterThan(900)
    const host = await newHost()
    await serveContent(host, { path: async () => file }, { maxBytesPerSecond: 12 * MiB })
    const slow = await fetchContent(
      me,
      target({ providers: [{ id: host.peerId.toString(), addrs: host.getMultiaddrs().map(String) }] }),
    )
    expect(slow.ms).toBeGreaterThan(900)
  })

  it('reaches a provider on its last address when the ones before it swallow the dial (a private address behind NAT)', async () => {
    // Two listeners that accept and never answer: the handshake waits until the dial gives up.
    const silent = await Promise.all(
      [0, 1].map(
        () =>
          new Promise<NetServer>((resolve) => {
            const srv = createNetServer((socket) => socket.on('error', () => {}))
            srv.listen(0, '127.0.0.1', () => resolve(srv))
          }),
      ),
    )
    try {
      const me = await newHost(false)
      const a = await provider(file)
      const black = silent.map((srv) => `/ip4/127.0.0.1/tcp/${(srv.address() as AddressInfo).port}`)
      const t = target({ providers: [{ id: a.ref.id, addrs: [...black, ...a.ref.addrs] }] })
      await fetchContent(me, t)
      expect(sha(await readFile(t.dest))).toBe(manifest.sha256)
    } finally {
      for (const srv of silent) srv.close()
    }
  }, 60_000)

  it('says so clearly when no provider can serve the file, or only with the wrong manifest', async () => {
    const me = await newHost(false)
    const other = await provider(join(dir, 'missing'))
    const nobody = target({ providers: [other.ref] })
    nobody.sha256 = sha(Buffer.from('a file nobody has'))
    const e1 = (await fetchContent(me, nobody).catch((e: unknown) => e)) as ContentFetchError
    expect(e1).toBeInstanceOf(ContentFetchError)
    expect(e1.code).toBe('no_provider')
    expect(e1.providers[0]!.dropped).toBe('unknown')

    const gone = await newHost()
    const ref = { id: gone.peerId.toString(), addrs: gone.getMultiaddrs().map(String) }
    await gone.stop()
    const e2 = (await fetchContent(me, target({ providers: [ref] })).catch((e: unknown) => e)) as ContentFetchError
    expect(e2.code).toBe('no_provider')
    expect(e2.providers[0]!.dropped).toBe('unreachable')

    const a = await provider(file)
    const e3 = (await fetchContent(me, target({ providers: [a.ref], manifestId: '0'.repeat(64) })).catch(
      (e: unknown) => e,
    )) as ContentFetchError
    expect(e3.code).toBe('no_provider')
    expect(e3.providers[0]!.dropped).toBe('bad_manifest')
  })
})
