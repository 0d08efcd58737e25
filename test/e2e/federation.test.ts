/**
 * Admission across processes on loopback, each node with its own data folder: a hub issues
 * invites with `shulin invite`; three nodes join with `shulin join`; an invite used by another node, an expired
 * one and a forged one are refused with a clear reason; every node holds the registry, each
 * entry verified against the hub's key.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killAll, run, start, type Started } from './processes.js'
import { hubAndMembers, type Member } from './network.js'

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shulin-e2e-fed-'))
})
afterAll(async () => {
  await killAll()
  await rm(work, { recursive: true, force: true })
})

const json = async (url: string) => (await fetch(url)).json()
/** Calls a running node's control API, as the CLI does. */
async function control(dataDir: string, path: string, body: unknown) {
  const c = JSON.parse(await readFile(join(dataDir, 'run', 'control.json'), 'utf8'))
  const res = await fetch(c.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Shulin-Control ${c.token}` },
    body: JSON.stringify(body),
  })
  return res.json()
}

describe('federation: invite and join', () => {
  it('a hub admits three nodes; a revoked one is refused by the others within 10 s; used, expired and forged invites are refused', async () => {
    const hubData = join(work, 'hub')
    const hub = await start(['--port', '0', '--data', hubData, '--role', 'hub', '--name', '国家数字图书馆'])
    const invite = async (name: string, region: string, extra: string[] = []) => {
      const r = await run([
        'invite',
        '--data',
        hubData,
        '--name',
        name,
        '--region',
        region,
        '--level',
        'county',
        ...extra,
      ])
      expect(r.code, r.stderr).toBe(0)
      return r.stdout.trim()
    }
    const nodes: Array<{ data: string; node: Started }> = []
    for (const [name, region] of [
      ['临安县图书馆', '330185'],
      ['东莞市图书馆', '441900'],
      ['昌平区图书馆', '110114'],
    ] as const) {
      const data = join(work, region)
      const node = await start(['--port', '0', '--data', data, '--name', name])
      const token = await invite(name, region)
      expect(token).toMatch(/^shulin-invite:/)
      const joined = await run(['join', token, '--data', data])
      expect(joined.code, joined.stderr).toBe(0)
      expect(joined.stdout).toMatch(new RegExp(`joined hub 12D3KooW\\w+ as ${name} \\(${region}\\)`))
      nodes.push({ data, node })
    }

    const members = (await json(`${hub.url}/api/federation/members`)).members
    expect(members.map((m: { name: string }) => m.name).sort()).toEqual([
      '东莞市图书馆',
      '临安县图书馆',
      '昌平区图书馆',
    ])
    expect(members.every((m: { status: string; verified: boolean }) => m.status === 'active' && m.verified)).toBe(true)
    // The last to join received the whole registry, signed by the hub.
    const last = nodes[2]!.node
    const status = await json(`${last.url}/api/federation/status`)
    const hubStatus = await json(`${hub.url}/api/federation/status`)
    expect(status).toMatchObject({ role: 'node', hub: hubStatus.nodeId, member: true })
    expect((await json(`${last.url}/api/federation/members`)).members).toHaveLength(3)

    // Revocation: the hub revokes the third library; within 10 s the others have the entry and
    // refuse it at the connection, both ways, while still talking to each other.
    const [a, b, c] = nodes as [
      { data: string; node: Started },
      { data: string; node: Started },
      { data: string; node: Started },
    ]
    const idOf = async (n: Started) => (await json(`${n.url}/api/federation/status`)).nodeId as string
    const [idA, idB, idC] = [await idOf(a.node), await idOf(b.node), await idOf(c.node)]
    // The first to join learns of the later ones at its next sync with the hub.
    await expect
      .poll(async () => (await json(`${a.node.url}/api/federation/members`)).members.length, {
        timeout: 10_000,
        interval: 200,
      })
      .toBe(3)
    expect(await control(c.data, '/api/control/federation/probe', { nodeId: idA })).toMatchObject({ ok: true })
    const revoked = await run(['member', 'revoke', idC, '--data', hubData])
    expect(revoked.code, revoked.stderr).toBe(0)
    expect(revoked.stdout).toMatch(/昌平区图书馆: revoked/)
    const t0 = Date.now()
    for (const n of [a, b]) {
      await expect
        .poll(
          async () =>
            (await json(`${n.node.url}/api/federation/members`)).members.find(
              (m: { nodeId: string }) => m.nodeId === idC,
            )?.status,
          { timeout: 10_000, interval: 200 },
        )
        .toBe('revoked')
    }
    expect(Date.now() - t0).toBeLessThan(10_000)
    expect(await control(c.data, '/api/control/federation/probe', { nodeId: idA })).toMatchObject({ ok: false })
    expect(await control(a.data, '/api/control/federation/probe', { nodeId: idC })).toMatchObject({ ok: false })
    expect(await control(a.data, '/api/control/federation/probe', { nodeId: idB })).toMatchObject({ ok: true })
    const reinstated = await run(['member', 'reinstate', idC, '--data', hubData])
    expect(reinstated.code).toBe(1)
    expect(reinstated.stderr).toMatch(/stays revoked/)

    // A fourth library: a used invite, an expired one, a forged one.
    const fourth = await start(['--port', '0', '--data', join(work, 'fourth'), '--name', '第四馆'])
    const used = await invite('第四馆', '510100')
    const first = await run(['join', used, '--data', join(work, 'fourth')])
    expect(first.code, first.stderr).toBe(0)
    // The same node again (as after a lost answer): the hub answers with its entry (idempotent join).
    const again = await run(['join', used, '--data', join(work, 'fourth')])
    expect(again.code, again.stderr).toBe(0)
    // Another node with that invite is refused.
    const other = await run(['join', used, '--data', nodes[0]!.data])
    expect(other.code, other.stderr).toBe(1)
    expect(other.stderr).toMatch(/already been used/)

    const expiring = await invite('第四馆', '510100', ['--valid-hours', '0.0003'])
    await new Promise((r) => setTimeout(r, 1500))
    const expired = await run(['join', expiring, '--data', join(work, 'fourth')])
    expect(expired.code, expired.stderr).toBe(1)
    expect(expired.stderr).toMatch(/expired/)

    // A forged invite: a valid one with its name changed after signing.
    const good = await invite('第四馆', '510100')
    const env = JSON.parse(Buffer.from(good.slice('shulin-invite:'.length), 'base64url').toString())
    env.payload.name = '冒名馆'
    const forged = 'shulin-invite:' + Buffer.from(JSON.stringify(env)).toString('base64url')
    const refused = await run(['join', forged, '--data', join(work, 'fourth')])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/not valid|signature/)
    // The genuine one still works, once.
    expect((await run(['join', good, '--data', join(work, 'fourth')])).code).toBe(0)
    expect((await json(`${hub.url}/api/federation/members`)).members).toHaveLength(4)
    // The hub sees when each member last asked for the registry.
    const seen = (await json(`${hub.url}/api/federation/members`)).members.find(
      (m: { nodeId: string }) => m.nodeId === idA,
    )
    expect(seen.lastContact).toMatch(/^\d{4}-/)

    // Garbage where an invite belongs: a clear message, nothing stored.
    const garbage = await run(['join', 'shulin-invite:%%%', '--data', join(work, 'fourth')])
    expect(garbage.code).toBe(1)
    expect(garbage.stderr).toMatch(/damaged/)
    for (const n of [hub, fourth, ...nodes.map((x) => x.node)]) n.child.kill('SIGTERM')
    // A hub's folder started without --role hub is refused, not turned into a node.
    await hub.exited
    const asNode = await run(['start', '--data', hubData, '--port', '0', '--p2p-port', '0', '--host', '127.0.0.1'])
    expect(asNode.code).toBe(1)
    expect(asNode.stderr).toMatch(/belongs to a hub: start it with --role hub/)
  }, 120_000)

  it('a shared document reaches every member, from each other while the hub is stopped, and after a kill -9', async () => {
    const hubData = join(work, 'hub2')
    const hub = await start(['--port', '0', '--data', hubData, '--role', 'hub'])
    // A hub keeps its peer port across restarts (members dial the address in their invite).
    const hubPort = /\/tcp\/(\d+)\//.exec((await json(`${hub.url}/api/federation/status`)).listen[0])![1]!
    const members: Array<{ data: string; node: Started }> = []
    for (const region of ['330100', '330200']) {
      const data = join(work, `m${region}`)
      const node = await start(['--port', '0', '--data', data])
      const inv = await run([
        'invite',
        '--data',
        hubData,
        '--name',
        `馆${region}`,
        '--region',
        region,
        '--level',
        'city',
      ])
      expect((await run(['join', inv.stdout.trim(), '--data', data])).code).toBe(0)
      members.push({ data, node })
    }
    const [a, b] = members as [{ data: string; node: Started }, { data: string; node: Started }]
    // Both learn of each other from the hub.
    for (const m of members)
      await expect
        .poll(async () => (await json(`${m.node.url}/api/federation/members`)).members.length, { timeout: 10_000 })
        .toBe(2)
    const notices = (m: { data: string }, set?: Record<string, string>) =>
      control(m.data, '/api/control/federation/doc', { doc: 'shared/notices', ...(set ? { set } : {}) })
    await notices(b)
    await notices(a, { n1: '本周六闭馆' })
    await expect.poll(async () => (await notices(b)).entries.n1, { timeout: 15_000, interval: 300 }).toBe('本周六闭馆')

    hub.child.kill('SIGTERM')
    await hub.exited
    await notices(a, { n2: '新书到馆' })
    await expect.poll(async () => (await notices(b)).entries.n2, { timeout: 15_000, interval: 300 }).toBe('新书到馆')

    b.node.child.kill('SIGKILL')
    await b.node.exited
    await notices(a, { n3: '讲座改期' })
    const again = await start(['--port', '0', '--data', b.data])
    expect((await notices(b)).entries.n1).toBe('本周六闭馆') // kept in its own log
    await expect.poll(async () => (await notices(b)).entries.n3, { timeout: 15_000, interval: 300 }).toBe('讲座改期')
    // B came back on another port: the hub is away, so its entry still has the old address…
    const bStatus = await json(`${again.url}/api/federation/status`)
    const entryOfB = async () =>
      (await json(`${a.node.url}/api/federation/members`)).members.find(
        (m: { nodeId: string }) => m.nodeId === bStatus.nodeId,
      )
    expect((await entryOfB()).p2p).not.toContain(bStatus.listen[0])
    // …until the hub is back: B asks it to renew the entry, and A learns the new address.
    const hubAgain = await start(['--port', '0', '--p2p-port', hubPort, '--role', 'hub', '--data', hubData])
    await expect
      .poll(async () => (await entryOfB()).p2p, { timeout: 15_000, interval: 300 })
      .toContain(bStatus.listen[0])
    expect(await control(a.data, '/api/control/federation/probe', { nodeId: bStatus.nodeId })).toMatchObject({
      ok: true,
    })
    for (const n of [a.node, again, hubAgain]) n.child.kill('SIGTERM')
  }, 120_000)

  it('a sharded catalog reaches the members, survives a kill -9 in the middle of a pull, and moves between members while the hub is away', async () => {
    const { hub, hubData, members } = await hubAndMembers(work, 'hub3', [
      ['330300', '馆330300'],
      ['330400', '馆330400'],
    ])
    const [a, b] = members as [Member, Member]
    const catalog = (dataDir: string, extra: Record<string, unknown> = {}) =>
      control(dataDir, '/api/control/federation/catalog', { catalog: 'channel-national', ...extra })
    const N = 20_000
    for (let i = 0; i < N; i += 5000) {
      const put = Object.fromEntries(
        Array.from({ length: 5000 }, (_, k) => [
          `rec${i + k}`,
          { title: `馆藏${i + k}`, creators: ['编者'], year: 1990 + ((i + k) % 30) },
        ]),
      )
      expect((await catalog(hubData, { put })).count).toBe(i + 5000)
    }
    expect((await catalog(a.data)).count).toBe(0) // opened: from now on kept in step
    await expect.poll(async () => (await catalog(a.data)).count, { timeout: 20_000, interval: 200 }).toBe(N)

    // The hub sees each member's version and how far its registry lags.
    const health = await json(`${hub.url}/api/health`)
    await expect
      .poll(
        async () =>
          (await json(`${hub.url}/api/federation/members`)).members.map(
            (m: { version: string | null; behind: number | null }) => [m.version, m.behind],
          ),
        { timeout: 10_000 },
      )
      .toEqual([
        [health.version, 0],
        [health.version, 0],
      ])

    // B opens the catalog and is killed while the shards arrive; restarted, it completes.
    const filled = async (url: string) =>
      (await json(`${url}/api/federation/status`)).catalogs.find((c: { name: string }) => c.name === 'channel-national')
        ?.filled ?? 0
    await catalog(b.data)
    let seen = 0
    // Polled until the first shards are in (a loaded machine may take seconds to begin).
    for (const until = Date.now() + 30_000; seen === 0 && Date.now() < until;) seen = await filled(b.node.url)
    b.node.child.kill('SIGKILL')
    await b.node.exited
    expect(seen).toBeGreaterThan(0)
    expect(seen).toBeLessThan(256) // killed in the middle of the pull
    const again = await start(['--port', '0', '--data', b.data])
    await catalog(b.data)
    expect(await filled(again.url)).toBeGreaterThanOrEqual(seen) // nothing stored before the kill is lost
    await expect.poll(async () => (await catalog(b.data)).count, { timeout: 20_000, interval: 200 }).toBe(N)

    // With the hub stopped, a change made on A reaches B from A.
    hub.child.kill('SIGTERM')
    await hub.exited
    await catalog(a.data, { put: { rec7: { title: '馆藏7（修订）' }, rec8: null } })
    await expect
      .poll(async () => (await catalog(b.data, { get: ['rec7', 'rec8'] })).records, { timeout: 20_000, interval: 300 })
      .toEqual({ rec7: { title: '馆藏7（修订）' }, rec8: null })
    expect((await catalog(b.data)).count).toBe(N - 1)
    for (const n of [a.node, again]) n.child.kill('SIGTERM')
  }, 120_000)
})
