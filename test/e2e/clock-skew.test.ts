/**
 * Peers whose clocks are wrong, across processes (each node started with the test-only
 * `SHULIN_CLOCK_SKEW_MS`): README "Clocks". Ten minutes off, everything works: joining, the
 * registry, cross-library sign-in both ways, channel catalogs, content tickets. Two days off,
 * replication still converges (registry sequence numbers and Yjs state vectors know no clocks),
 * but sign-ins and content tickets are refused with "clock skew" in the log, the node keeps
 * serving its own readers, and a publisher whose clock ran ahead and was then put right still
 * gets its later edits to its subscribers.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { maxTicketSeconds, TICKET_SCHEME, type ContentTicket } from '@shulin/protocol'
import { seal } from '@shulin/federation/envelope'
import { readNodeKey } from '@shulin/federation/identity'
import { killAll, run, start, type Started } from './processes.js'
import { control, hubAdminToken, json } from './network.js'
import { freePort } from '../../node/src/testing/free-port.js'

const minute = 60_000
const day = 86_400_000
const poll = { timeout: 20_000, interval: 300 }
const password = 'reading-is-fun-2026'

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shulin-e2e-skew-'))
})
afterAll(async () => {
  await killAll()
  await rm(work, { recursive: true, force: true })
})

interface Peer {
  name: string
  data: string
  node: Started
  id: string
  skew: number
  p2p: number
}

const skewed = (ms: number): Record<string, string> => ({ SHULIN_CLOCK_SKEW_MS: String(ms) })

/** A hub on the right time and one member per `[region, name, skew]`, joined with the CLI. */
async function network(
  folder: string,
  members: Array<readonly [string, string, number]>,
  hubEnv: Record<string, string> = {},
): Promise<{ hub: Peer; members: Peer[] }> {
  const hubData = join(work, folder)
  const hubNode = await start(['--port', '0', '--data', hubData, '--role', 'hub', '--name', '国家数字图书馆'], hubEnv)
  const hub = {
    name: '国家数字图书馆',
    data: hubData,
    node: hubNode,
    id: (await json(`${hubNode.url}/api/health`)).nodeId,
    skew: 0,
    p2p: 0,
  }
  const joined: Peer[] = []
  for (const [region, name, skew] of members) {
    const data = join(work, `${folder}-${region}`)
    const p2p = await freePort()
    const node = await start(['--port', '0', '--p2p-port', String(p2p), '--data', data, '--name', name], skewed(skew))
    const inv = await run(['invite', '--data', hubData, '--name', name, '--region', region, '--level', 'county'])
    expect(inv.code, inv.stderr).toBe(0)
    const j = await run(['join', inv.stdout.trim(), '--data', data])
    expect(j.code, j.stderr).toBe(0)
    joined.push({ name, data, node, id: (await json(`${node.url}/api/health`)).nodeId, skew, p2p })
  }
  return { hub, members: joined }
}

/** The cookies a response sets, as one `Cookie` header (name=value; …). */
const cookiesOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .filter((c) => !/=$/.test(c))

/** A reader registered at `home`, signed in there (its session cookie). */
async function readerAt(home: Peer, phone: string): Promise<string> {
  const headers = { 'content-type': 'application/json' }
  const reg = await fetch(`${home.node.url}/api/auth/register`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ mode: 'quick', phone, password }),
  })
  expect(reg.status).toBe(201)
  const login = await fetch(`${home.node.url}/api/auth/login`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ identifier: phone, password }),
  })
  expect(login.status).toBe(200)
  return cookiesOf(login).join('; ')
}

/**
 * The browser's part of a cross-library sign-in, done by hand: start at `at`, sign in at
 * `home` (already signed in there), come back. The problem or the visiting reader's `/api/me`.
 */
async function signInAt(
  at: Peer,
  home: Peer,
  homeCookie: string,
): Promise<{ status: number; me?: { account: { home?: { nodeId: string } | null } }; problem?: { detail?: string } }> {
  const started = await fetch(`${at.node.url}/api/identity/start?home=${home.id}&next=/`, { redirect: 'manual' })
  expect(started.status).toBe(302)
  const binding = cookiesOf(started).join('; ')
  const authorized = await fetch(started.headers.get('location')!, {
    redirect: 'manual',
    headers: { cookie: homeCookie },
  })
  if (authorized.status !== 302) return { status: authorized.status, problem: await authorized.json() }
  const callback = new URL(authorized.headers.get('location')!)
  expect(callback.pathname).toBe('/oidc/callback')
  const back = await fetch(callback, { redirect: 'manual', headers: { cookie: binding, accept: 'application/json' } })
  if (back.status !== 302) return { status: back.status, problem: await back.json() }
  const me = await fetch(`${at.node.url}/api/me`, { headers: { cookie: cookiesOf(back).join('; ') } })
  return { status: me.status, me: await me.json() }
}

/** A content ticket as `from` signs it (its key, its clock), for any file at `to`. */
async function ticket(from: Peer, to: Peer): Promise<string> {
  const key = (await readNodeKey(join(from.data, 'node-key')))!
  const t: ContentTicket = {
    from: from.id,
    to: to.id,
    sha256: 'a'.repeat(64),
    exp: Date.now() + from.skew + maxTicketSeconds * 1000,
  }
  return `${TICKET_SCHEME} ${Buffer.from(JSON.stringify(await seal(key, 'shulin/content-ticket', t))).toString('base64url')}`
}

/** What `to` answers a ticket-bearing request from `from` for a file it does not share: 404 = ticket accepted. */
async function ticketAnswer(from: Peer, to: Peer): Promise<{ status: number; detail?: string }> {
  const res = await fetch(`${to.node.url}/api/federation/content/${'a'.repeat(64)}/manifest`, {
    headers: { authorization: await ticket(from, to) },
  })
  return { status: res.status, detail: ((await res.json()) as { detail?: string }).detail }
}

/** Publishes a channel of `titles` at `publisher` and subscribes `subscriber` to it. */
async function channel(publisher: Peer, subscriber: Peer, file: string, titles: string[]): Promise<string> {
  await writeFile(
    join(work, file),
    titles.map((title) => JSON.stringify({ title, creators: ['地方志办公室'], access: 'public' })).join('\n'),
  )
  const imported = await run([
    'import',
    join(work, file),
    '--channel',
    `${publisher.name}地方文献`,
    '--data',
    publisher.data,
  ])
  expect(imported.code, imported.stderr).toBe(0)
  const id = /\(([0-9a-f]{8}-[0-9a-f]{10})\)/.exec(imported.stdout)![1]!
  const sub = await run(['subscribe', id, '--data', subscriber.data])
  expect(sub.code, sub.stderr).toBe(0)
  return id
}

const search = async (p: Peer, q: string) =>
  (await json(`${p.node.url}/api/search?q=${encodeURIComponent(q)}`)) as {
    total: number
    hits: Array<{ id: string; title: string }>
  }
const names = async (p: Peer) =>
  ((await json(`${p.node.url}/api/identity/libraries`)).libraries as Array<{ name: string }>).map((l) => l.name).sort()

describe('clocks ten minutes apart', () => {
  it('join, registry, sign-in both ways, catalogs and content tickets all work', { timeout: 120_000 }, async () => {
    // A runs ten minutes ahead of the hub and B; B's requests look ten minutes old to A, A's tokens ten minutes early to B.
    const { hub, members } = await network('ten', [
      ['330185', '临安县图书馆', 10 * minute],
      ['441900', '东莞市图书馆', 0],
    ])
    const [a, b] = members as [Peer, Peer]
    await expect.poll(() => names(b), poll).toEqual(['临安县图书馆'])
    await expect.poll(() => names(a), poll).toEqual(['东莞市图书馆'])

    const ofA = await readerAt(a, '13800138000')
    const ofB = await readerAt(b, '13900139000')
    const atB = await signInAt(b, a, ofA)
    expect(atB.status, JSON.stringify(atB.problem)).toBe(200)
    expect(atB.me!.account.home?.nodeId).toBe(a.id)
    const atA = await signInAt(a, b, ofB)
    expect(atA.status, JSON.stringify(atA.problem)).toBe(200)
    expect(atA.me!.account.home?.nodeId).toBe(b.id)

    // Content tickets both ways, and to the hub.
    expect(await ticketAnswer(a, b)).toMatchObject({ status: 404 })
    expect(await ticketAnswer(b, a)).toMatchObject({ status: 404 })
    expect(await ticketAnswer(a, hub)).toMatchObject({ status: 404 })

    // A channel published by the node ahead reaches the other.
    await channel(a, b, 'ten.jsonl', ['临安县志', '临安文献汇编'])
    await expect.poll(async () => (await search(b, '临安县志')).total, poll).toBe(1)
    for (const p of [hub, a, b]) p.node.child.kill('SIGTERM')
  })
})

describe('clocks two days apart', () => {
  let hub: Peer
  let ahead: Peer
  let behind: Peer
  beforeAll(async () => {
    // The hub pulls the members' phone directories every second (a minute by default).
    const net = await network(
      'days',
      [
        ['330185', '临安县图书馆', 2 * day],
        ['441900', '东莞市图书馆', -2 * day],
      ],
      { SHULIN_DIRECTORY_PULL_SECONDS: '1' },
    )
    hub = net.hub
    ;[ahead, behind] = net.members as [Peer, Peer]
  }, 60_000)

  it('the registry still converges, and each node serves its own readers', { timeout: 60_000 }, async () => {
    await expect.poll(() => names(behind), poll).toEqual(['临安县图书馆'])
    await expect.poll(() => names(ahead), poll).toEqual(['东莞市图书馆'])
    for (const p of [ahead, behind]) {
      const cookie = await readerAt(p, p === ahead ? '13700137000' : '13600136000')
      expect((await fetch(`${p.node.url}/api/me`, { headers: { cookie } })).status).toBe(200)
    }
  })

  it(
    'an invite is judged by the hub’s clock that stamped it, and joining warns of the skew',
    { timeout: 60_000 },
    async () => {
      const data = join(work, 'days-110114')
      const node = await start(['--port', '0', '--data', data, '--name', '昌平区图书馆'], skewed(2 * day))
      // A day's invite, which a clock two days ahead would think long gone.
      const inv = await run([
        'invite',
        '--data',
        hub.data,
        '--name',
        '昌平区图书馆',
        '--region',
        '110114',
        '--level',
        'county',
        '--valid-hours',
        '24',
      ])
      expect(inv.code, inv.stderr).toBe(0)
      const joined = await run(['join', inv.stdout.trim(), '--data', data])
      expect(joined.code, joined.stderr).toBe(0)
      expect(joined.stderr).toMatch(/clock skew: this computer's clock is 2880 minutes ahead of the hub's/)
      expect(node.output()).toMatch(/clock skew/)
      node.child.kill('SIGTERM')
    },
  )

  it('sign-ins across libraries are refused, with the clock named in the log', { timeout: 60_000 }, async () => {
    const ofAhead = await readerAt(ahead, '13500135000')
    const refused = await signInAt(behind, ahead, ofAhead)
    expect(refused.status).toBe(403)
    expect(refused.problem?.detail).toMatch(/clock/)
    const ofBehind = await readerAt(behind, '13400134000')
    const back = await signInAt(ahead, behind, ofBehind)
    expect(back.status).toBe(403)
    expect(back.problem?.detail).toMatch(/clock/)
    expect(ahead.node.output() + behind.node.output()).toMatch(/clock skew/)
  })

  it('the hub’s directory pulls are refused, and logged as clock skew at both ends', { timeout: 30_000 }, async () => {
    await expect.poll(() => ahead.node.output(), poll).toMatch(/clock skew: the hub’s directory pull refused/)
    await expect.poll(() => behind.node.output(), poll).toMatch(/clock skew: the hub’s directory pull refused/)
    await expect.poll(() => hub.node.output(), poll).toMatch(/clock skew: a member refused the directory pull/)
  })

  it('content tickets are refused with the clock named, and logged', { timeout: 30_000 }, async () => {
    for (const [from, to] of [
      [ahead, hub],
      [behind, hub],
      [ahead, behind],
    ] as const) {
      const answer = await ticketAnswer(from, to)
      expect(answer.status).toBe(401)
      expect(answer.detail).toMatch(/clock/)
    }
    expect(hub.node.output()).toMatch(/clock skew/)
  })

  it(
    'a publisher whose clock ran two days ahead, once put right, still gets its edits through',
    { timeout: 90_000 },
    async () => {
      const id = await channel(ahead, behind, 'days.jsonl', ['临安旧志'])
      await expect.poll(async () => (await search(behind, '临安旧志')).total, poll).toBe(1)
      // Submitted to the hub with the clock still ahead: once listed, it waits no longer.
      expect((await control(ahead.data, `/api/control/channels/${id}/submit`, {})).status).toBe(200)
      await expect
        .poll(
          async () => (await json(`${hub.node.url}/api/channels/menu`)).pending.map((p: { id: string }) => p.id),
          poll,
        )
        .toEqual([id])
      expect((await control(hub.data, `/api/control/channels/menu/${id}`, { state: 'listed' })).status).toBe(200)
      expect((await json(`${hub.node.url}/api/channels/menu`)).pending).toEqual([])
      await expect
        .poll(
          async () =>
            (await json(`${behind.node.url}/api/channels/menu`)).menu.map((m: { channel: string }) => m.channel),
          poll,
        )
        .toEqual([id])
      // The operator sets the clock right: the node restarts on the true time, same folder and ports.
      ahead.node.child.kill('SIGTERM')
      await ahead.node.exited
      const url = new URL(ahead.node.url)
      ahead.node = await start([
        '--port',
        url.port,
        '--p2p-port',
        String(ahead.p2p),
        '--data',
        ahead.data,
        '--name',
        ahead.name,
      ])
      ahead.skew = 0
      const auth = await hubAdminToken(ahead.data, ahead.node.url)
      const record = (await search(ahead, '临安旧志')).hits[0]!
      const res = await fetch(`${ahead.node.url}/api/staff/resources/${record.id}`, { headers: auth })
      const edit = await fetch(`${ahead.node.url}/api/staff/resources/${record.id}`, {
        method: 'PATCH',
        headers: { ...auth, 'content-type': 'application/json', 'if-match': res.headers.get('etag')! },
        body: JSON.stringify({ metadata: { ...(await res.json()).metadata, title: '临安旧志（校订本）' } }),
      })
      expect(edit.status).toBe(200)
      await expect.poll(async () => (await search(behind, '校订本')).total, poll).toBe(1)
      expect(behind.node.output()).not.toMatch(/catalog changes that are not allowed/)
      expect(
        (await control(behind.data, '/api/control/federation/catalog', { catalog: `ch-${id}`, get: [record.id] }))
          .status,
      ).toBe(200)
    },
  )
})
