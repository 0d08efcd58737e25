/**
 * The phone directory and the hub's unified user view, on real LevelDB folders: the hub pulls
 * two libraries; a reader who agreed is found by phone from a third; the hub holds hashes and
 * counts, never a phone number.
 */
import { readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MemberEntry } from '@shulin/protocol'
import { generateNodeKey } from '@shulin/federation/identity'
import { openDataFolder, type OpenedDataFolder } from '../storage/data-folder.js'
import { buildServices, type NodeServices } from '../services.js'
import { tempDir } from '../testing/temp-node.js'
import { DirectoryMember } from './directory-member.js'
import { DirectoryHub } from './directory-hub.js'
import { ReplayGuard, verifyClient } from './client-auth.js'
import { signNodeJwt } from './tokens.js'
import type { Network } from './network.js'

interface Lib {
  folder: OpenedDataFolder
  services: NodeServices
  member: DirectoryMember
  origin: string
}

const registry = new Map<string, MemberEntry>()
let hubFolder: OpenedDataFolder
let hub: DirectoryHub
const libs: Lib[] = []
const folders: OpenedDataFolder[] = []
const replay = new ReplayGuard(() => clock.now)
const clock = { now: Date.now() }

const networkOf = (self: string): Network => ({
  selfId: self,
  entry: (id) => registry.get(id),
  entries: () => [...registry.values()],
  hubId: () => hubFolder.key.nodeId,
})

/** The status of each directory pull a member answered, in order. */
const answered: number[] = []

/** Routes the pull to the member's answer and lookups to the hub, as HTTP would. */
const fetchStub: typeof fetch = async (input, init) => {
  const url = new URL(String(input))
  if (url.pathname === '/oidc/directory') {
    const lib = libs.find((l) => l.origin === url.origin)!
    const headers = new Headers(init?.headers)
    const answer = await lib.member.answerPull(
      headers.get('authorization')!.slice(7),
      headers.get('if-none-match') ?? undefined,
    )
    const status = 'notModified' in answer ? 304 : 200
    answered.push(status)
    return 'notModified' in answer
      ? new Response(null, { status, headers: { etag: answer.etag } })
      : Response.json(answer.body, { headers: { etag: answer.etag } })
  }
  const form = Object.fromEntries(new URLSearchParams(String(init?.body)))
  await verifyClient(form.client_assertion!, form.client_id!, hubFolder.key.nodeId, replay, clock.now)
  return Response.json({ nodes: await hub.lookup(form.hash!) })
}

async function library(name: string, region: string, origin: string): Promise<Lib> {
  const folder = await openDataFolder(await tempDir('shulin-directory-'), { create: true })
  folders.push(folder)
  const services = buildServices(folder, {
    sender: { name: 'memory', send: async () => {} },
    passwordPolicy: 'standard',
  })
  registry.set(folder.key.nodeId, {
    nodeId: folder.key.nodeId,
    name,
    region,
    level: 'county',
    http: [origin],
    p2p: [],
    status: 'active',
    seq: 1,
    issuedAt: new Date().toISOString(),
  })
  const member = new DirectoryMember({
    key: folder.key,
    storage: folder.storage,
    accounts: services.accounts.store,
    sessions: services.sessions,
    network: networkOf(folder.key.nodeId),
    fetch: fetchStub,
    now: () => clock.now,
  })
  const lib = { folder, services, member, origin }
  libs.push(lib)
  return lib
}

let a: Lib
let b: Lib
let c: Lib

beforeAll(async () => {
  hubFolder = await openDataFolder(await tempDir('shulin-directory-hub-'), { create: true })
  folders.push(hubFolder)
  hub = new DirectoryHub({
    key: hubFolder.key,
    storage: hubFolder.storage,
    network: networkOf(hubFolder.key.nodeId),
    selfUrl: () => 'http://hub.test',
    fetch: fetchStub,
    now: () => clock.now,
  })
  a = await library('临安县图书馆', '330185', 'http://a.test')
  b = await library('余杭区图书馆', '330110', 'http://b.test')
  c = await library('东莞市图书馆', '441900', 'http://c.test')
}, 30_000)

afterAll(async () => {
  for (const f of folders) {
    await f.storage.close().catch(() => {})
    await rm(f.dir, { recursive: true, force: true })
  }
})

describe('phone directory', () => {
  it('finds the home of a reader who agreed, and only theirs; the hub holds no phone number', async () => {
    const listed = await a.services.accounts.register({
      mode: 'quick',
      phone: '13800138000',
      password: 'reading-is-fun',
    })
    await a.services.accounts.register({ mode: 'quick', phone: '13900139000', password: 'reading-is-fun' })
    await b.services.accounts.register({
      mode: 'real-name',
      name: '李华',
      idNumber: '11010519491231002X',
      password: 'reading-is-fun',
      phone: '13700137000',
    })
    await a.member.setListed(listed.id, true)
    expect(await c.member.homesOf('13800138000')).toEqual([])
    expect(await hub.pullAll()).toEqual({ pulled: 3, failed: 0, skipped: 0 })
    expect(await c.member.homesOf('+86 138-0013-8000')).toEqual([a.folder.key.nodeId])
    expect(await hub.homesOf('13800138000')).toEqual([a.folder.key.nodeId])
    // Not listed: not found, however it is asked.
    expect(await c.member.homesOf('13900139000')).toEqual([])
    expect(await c.member.homesOf('13700137000')).toEqual([])
    // The reader withdraws; the next pull takes the hash away.
    await a.member.setListed(listed.id, false)
    await hub.pullAll()
    expect(await c.member.homesOf('13800138000')).toEqual([])
  })

  it('a member’s 304 to a pull that named no list is a failed pull, and changes nothing', async () => {
    const folder = await openDataFolder(await tempDir('shulin-directory-304-'), { create: true })
    folders.push(folder)
    const entry = { ...registry.get(a.folder.key.nodeId)!, nodeId: (await generateNodeKey()).nodeId }
    const odd = new DirectoryHub({
      key: folder.key,
      storage: folder.storage,
      network: {
        selfId: folder.key.nodeId,
        entry: (id) => (id === entry.nodeId ? entry : undefined),
        entries: () => [entry],
        hubId: () => folder.key.nodeId,
      },
      selfUrl: () => 'http://hub.test',
      fetch: async () => new Response(null, { status: 304, headers: { etag: '"x"' } }),
    })
    expect(await odd.pullAll()).toEqual({ pulled: 0, failed: 1, skipped: 0 })
    expect((await odd.readers()).total.libraries).toBe(0)
  })

  it('a pull not signed by the hub is refused, and so is one for another member', async () => {
    const stranger = await generateNodeKey()
    const forged = await signNodeJwt(
      stranger,
      'hub',
      { hub_url: 'http://evil.test', directory_key: 'k'.repeat(43) },
      { audience: a.folder.key.nodeId, ttlSeconds: 60 },
    )
    await expect(a.member.export(forged)).rejects.toThrow()
    const forB = await signNodeJwt(
      hubFolder.key,
      'hub',
      { hub_url: 'http://hub.test', directory_key: 'k'.repeat(43) },
      { audience: b.folder.key.nodeId, ttlSeconds: 60 },
    )
    await expect(a.member.export(forB)).rejects.toThrow(/aud/)
  })

  it('a suspended library is not a home', async () => {
    const listed = await c.services.accounts.register({
      mode: 'quick',
      phone: '13600136000',
      password: 'reading-is-fun',
    })
    await c.member.setListed(listed.id, true)
    await hub.pullAll()
    expect(await hub.homesOf('13600136000')).toEqual([c.folder.key.nodeId])
    registry.set(c.folder.key.nodeId, { ...registry.get(c.folder.key.nodeId)!, status: 'suspended', seq: 2 })
    expect(await hub.homesOf('13600136000')).toEqual([])
    registry.set(c.folder.key.nodeId, { ...registry.get(c.folder.key.nodeId)!, status: 'active', seq: 3 })
  })
})

describe('unified user view on the hub', () => {
  it('per library and region: registered, real-name verified and active readers, nothing personal', async () => {
    const real = await b.services.accounts.store.findBy('phone', '13700137000')
    await b.services.accounts.store.update(real!.id, (r) => ({ ...r, realNameVerified: true }))
    await b.services.sessions.create(real!.id, {
      kind: 'cookie',
      remember: false,
      userAgent: 't',
      address: '127.0.0.1',
    })
    // Counts are cached for ten minutes on each library.
    clock.now += 11 * 60_000
    expect(await hub.pullAll()).toEqual({ pulled: 3, failed: 0, skipped: 0 })
    const view = await hub.readers()
    expect(view.libraries.find((l) => l.name === '临安县图书馆')).toMatchObject({
      region: '330185',
      registered: 2,
      realNameVerified: 0,
      active: 0,
    })
    expect(view.libraries.find((l) => l.name === '余杭区图书馆')).toMatchObject({
      registered: 1,
      realNameVerified: 1,
      active: 1,
    })
    expect(view.regions.map((r) => r.region)).toEqual(['330110', '330185', '441900'])
    expect(view.total).toMatchObject({ libraries: 3, registered: 4, realNameVerified: 1, active: 1 })
    expect(JSON.stringify(view)).not.toMatch(/1[3-9]\d{9}|李华/)
  })
})

describe('conditional pulls', () => {
  it('a member whose list has not changed answers 304, and the hub keeps what it holds', async () => {
    const listed = await a.services.accounts.register({
      mode: 'quick',
      phone: '13512345678',
      password: 'reading-is-fun',
    })
    await a.member.setListed(listed.id, true)
    await hub.pullAll()
    const before = (await hub.readers()).libraries.find((l) => l.nodeId === a.folder.key.nodeId)!
    answered.length = 0
    clock.now += 60_000
    expect(await hub.pullAll()).toEqual({ pulled: 3, failed: 0, skipped: 0 })
    expect(answered).toEqual([304, 304, 304])
    expect(await hub.homesOf('13512345678')).toEqual([a.folder.key.nodeId])
    const after = (await hub.readers()).libraries.find((l) => l.nodeId === a.folder.key.nodeId)!
    // The counts stay; the time of the library's last answer moves on.
    expect(after).toEqual({ ...before, reportedAt: new Date(clock.now).toISOString() })
    // The reader withdraws: A's list changed, so A answers it in full, the others 304.
    await a.member.setListed(listed.id, false)
    answered.length = 0
    await hub.pullAll()
    expect(answered.sort()).toEqual([200, 304, 304])
    expect(await hub.homesOf('13512345678')).toEqual([])
  })
})

describe('what the hub keeps on disk', () => {
  it('has no phone number in any file of its data folder', async () => {
    await hubFolder.storage.close()
    const files = (await readdir(hubFolder.dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile())
    expect(files.length).toBeGreaterThan(0)
    for (const f of files) {
      const text = (await readFile(join(f.parentPath, f.name))).toString('latin1')
      for (const phone of ['13800138000', '13900139000', '13700137000', '13600136000', '13512345678'])
        expect(text.includes(phone), `${f.name} holds ${phone}`).toBe(false)
    }
  })
})

describe('a directory round over many members', () => {
  it('pulls a few at a time, and members gone dark sit out more rounds each time they fail', async () => {
    const folder = await openDataFolder(await tempDir('shulin-directory-round-'), { create: true })
    folders.push(folder)
    const entries = new Map<string, MemberEntry>()
    const dark = new Set<string>()
    const asked = new Map<string, number>()
    let inFlight = 0
    let maxInFlight = 0
    for (let i = 0; i < 24; i++) {
      const { nodeId } = await generateNodeKey()
      const origin = `http://m${i}.test`
      entries.set(nodeId, { ...registry.get(a.folder.key.nodeId)!, nodeId, http: [origin] })
      if (i % 6 === 0) dark.add(origin)
    }
    // A member gone dark takes the request and never answers: only the hub's timeout ends it.
    const memberHttp: typeof fetch = async (input, init) => {
      const origin = new URL(String(input)).origin
      asked.set(origin, (asked.get(origin) ?? 0) + 1)
      maxInFlight = Math.max(maxInFlight, ++inFlight)
      try {
        if (dark.has(origin))
          return await new Promise<Response>((_, reject) =>
            init?.signal?.addEventListener('abort', () => reject(init.signal!.reason as Error)),
          )
        await new Promise((r) => setTimeout(r, 5))
        return Response.json({ hashes: [], counts: { registered: 1, realNameVerified: 0, active: 0 } })
      } finally {
        inFlight--
      }
    }
    const round = new DirectoryHub({
      key: folder.key,
      storage: folder.storage,
      network: {
        selfId: folder.key.nodeId,
        entry: (id) => entries.get(id),
        entries: () => [...entries.values()],
        hubId: () => folder.key.nodeId,
      },
      selfUrl: () => 'http://hub.test',
      fetch: memberHttp,
      pullTimeoutMs: 200,
      pullConcurrency: 4,
    })
    const darkAsked = () => [...dark].map((o) => asked.get(o) ?? 0)
    expect(await round.pullAll()).toEqual({ pulled: 20, failed: 4, skipped: 0 })
    expect(maxInFlight).toBe(4)
    expect(darkAsked()).toEqual([1, 1, 1, 1])
    // Failed once: one round out. Twice: two. Then asked again.
    expect(await round.pullAll()).toEqual({ pulled: 20, failed: 0, skipped: 4 })
    expect(await round.pullAll()).toEqual({ pulled: 20, failed: 4, skipped: 0 })
    expect(await round.pullAll()).toEqual({ pulled: 20, failed: 0, skipped: 4 })
    expect(await round.pullAll()).toEqual({ pulled: 20, failed: 0, skipped: 4 })
    expect(darkAsked()).toEqual([2, 2, 2, 2])
    // One comes back: pulled in the next round it is asked, and asked every round from then on.
    dark.delete([...dark][0]!)
    expect(await round.pullAll()).toEqual({ pulled: 21, failed: 3, skipped: 0 })
    expect(await round.pullAll()).toEqual({ pulled: 21, failed: 0, skipped: 3 })
    expect((await round.readers()).total.libraries).toBe(21)
  })
})
