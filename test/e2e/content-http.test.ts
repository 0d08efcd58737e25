/**
 * The HTTP fallback of content transfer, across processes. Member B publishes a local
 * collection with a file; member D subscribes (catalogue only). B's web route gives the file
 * by byte ranges to a member's content ticket and refuses every other ticket with a clear
 * problem. Then the hub stops and B and D come back on other peer ports they cannot tell each
 * other (the hub is down): each one's registry names the other's old port, so when a reader on
 * D opens the record no peer answers over libp2p, and D fetches the file from B's web address,
 * chunk by chunk, checked against the manifest B signed.
 */
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { freePort } from '../../node/src/testing/free-port.js'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readNodeKey, generateNodeKey } from '../../federation/src/identity/node-key.js'
import { seal } from '../../federation/src/envelope/envelope.js'
import { pdf } from '../../node/src/testing/fixtures.js'
import { killAll, run, start } from './processes.js'
import { control, hubAdminToken, json } from './network.js'

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shulin-e2e-chttp-'))
})
afterAll(async () => {
  await killAll()
  await rm(work, { recursive: true, force: true })
})

const sha = (b: Buffer | ArrayBuffer) =>
  createHash('sha256')
    .update(Buffer.from(b as ArrayBuffer))
    .digest('hex')
const poll = { timeout: 30_000, interval: 300 }
describe('content over HTTP', () => {
  it('serves a member’s ticket only, and carries a fetch when the publisher’s peer port cannot be reached', async () => {
    const hubData = join(work, 'hub')
    const hub = await start(['--port', '0', '--data', hubData, '--role', 'hub', '--name', '国家数字图书馆'])
    // B keeps its web port across the restart below (its registry entry names it).
    const bData = join(work, 'b')
    const bPort = await freePort()
    let b = await start(['--port', String(bPort), '--data', bData, '--name', '绍兴图书馆'])
    const dData = join(work, 'd')
    let d = await start(['--port', '0', '--data', dData, '--name', '嘉兴图书馆'])
    for (const [data, name, region] of [
      [bData, '绍兴图书馆', '330600'],
      [dData, '嘉兴图书馆', '330400'],
    ] as const) {
      const inv = await run(['invite', '--data', hubData, '--name', name, '--region', region, '--level', 'city'])
      expect(inv.code).toBe(0)
      expect((await run(['join', inv.stdout.trim(), '--data', data])).code).toBe(0)
    }
    for (const n of [b, d])
      await expect
        .poll(async () => (await json(`${n.url}/api/federation/members`)).members.length, { timeout: 10_000 })
        .toBe(2)

    // B's local collection: a record with a file, in a channel; D subscribes to it.
    const auth = await hubAdminToken(bData, b.url)
    const created = await json(`${b.url}/api/staff/resources`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'book', metadata: { title: '越中金石记', creators: ['杜春生'] }, access: 'public' }),
    })
    const file = pdf(2500)
    const blob = sha(file)
    expect(
      (
        await fetch(`${b.url}/api/staff/resources/${created.id}/files/content`, {
          method: 'PUT',
          headers: { ...auth, 'content-type': 'application/pdf' },
          body: file,
        })
      ).status,
    ).toBe(200)
    expect(
      (await fetch(`${b.url}/api/staff/resources/${created.id}/publish`, { method: 'POST', headers: auth })).status,
    ).toBe(200)
    const channel = await control<{ id: string; http?: string[] }>(bData, '/api/control/channels', { name: '地方文献' })
    expect(channel.status).toBe(201)
    expect(channel.body.http).toEqual([b.url])
    expect(
      (await control(bData, `/api/control/channels/${channel.body.id}/records`, { ids: [created.id] })).body,
    ).toEqual({ added: 1 })
    expect((await run(['subscribe', channel.body.id, '--data', dData])).code).toBe(0)
    await expect
      .poll(async () => (await json(`${d.url}/api/search?q=${encodeURIComponent('越中金石')}`)).total, poll)
      .toBe(1)

    // B's route, asked directly with tickets signed by real keys.
    const bId = (await json(`${b.url}/api/federation/status`)).nodeId as string
    const dKey = (await readNodeKey(join(dData, 'node-key')))!
    const stranger = await generateNodeKey()
    const ticket = async (over: Record<string, unknown> = {}, key = dKey) =>
      `Shulin-Ticket ${Buffer.from(JSON.stringify(await seal(key, 'shulin/content-ticket', { from: key.nodeId, to: bId, sha256: blob, exp: Date.now() + 600_000, ...over }))).toString('base64url')}`
    const url = `${b.url}/api/federation/content/${blob}`
    const part = await fetch(url, { headers: { authorization: await ticket(), range: 'bytes=100-1123' } })
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe(`bytes 100-1123/${file.byteLength}`)
    expect(Buffer.from(await part.arrayBuffer()).equals(file.subarray(100, 1124))).toBe(true)
    const manifest = await json(`${url}/manifest`, { headers: { authorization: await ticket() } })
    expect(manifest).toMatchObject({ sha256: blob, size: file.byteLength })
    const refusals: Array<[string, Record<string, string>, number, RegExp]> = [
      ['no ticket', {}, 401, /content ticket is required/],
      ['a ticket for another node', { authorization: await ticket({ to: dKey.nodeId }) }, 401, /another node/],
      ['a ticket for another file', { authorization: await ticket({ sha256: 'a'.repeat(64) }) }, 401, /another file/],
      // README "Clocks": 15 minutes of skew are tolerated; past that the refusal names the clocks.
      ['an expired ticket', { authorization: await ticket({ exp: Date.now() - 16 * 60_000 }) }, 401, /clock skew/],
      [
        'a ticket that lives too long',
        { authorization: await ticket({ exp: Date.now() + 86_400_000 }) },
        401,
        /at most/,
      ],
      [
        'a ticket naming someone else than its signer',
        { authorization: await ticket({ from: stranger.nodeId }) },
        401,
        /another node than it names/,
      ],
      [
        'a tampered ticket',
        { authorization: (await ticket()).slice(0, -6) + 'AAAAAA' },
        401,
        /not readable|does not verify/,
      ],
      ['a stranger’s own ticket', { authorization: await ticket({}, stranger) }, 403, /active members/],
    ]
    for (const [what, headers, status, detail] of refusals) {
      const res = await fetch(url, { headers })
      expect(res.status, what).toBe(status)
      expect(res.headers.get('content-type'), what).toMatch(/^application\/problem\+json/)
      expect((await res.json()).detail, what).toMatch(detail)
    }
    expect(
      (await fetch(`${b.url}/api/federation/content/not-a-hash`, { headers: { authorization: await ticket() } }))
        .status,
    ).toBe(400)
    expect(
      (
        await fetch(`${b.url}/api/federation/content/${'b'.repeat(64)}`, {
          headers: { authorization: await ticket({ sha256: 'b'.repeat(64) }) },
        })
      ).status,
    ).toBe(404)

    // The hub stops; B and D come back on new peer ports neither can tell the other (the hub is
    // down), so neither can dial the other: only B's web address is where it was.
    for (const n of [hub, b, d]) {
      n.child.kill('SIGTERM')
      await n.exited
    }
    b = await start(['--port', String(bPort), '--data', bData, '--p2p-port', String(await freePort())])
    d = await start(['--port', '0', '--data', dData, '--p2p-port', String(await freePort())])
    let opened: Response | undefined
    await expect
      .poll(
        async () => {
          opened = await fetch(`${d.url}/api/resources/${created.id}/content`)
          return opened.status
        },
        { timeout: 60_000, interval: 500 },
      )
      .toBe(200)
    expect(sha(await opened!.arrayBuffer())).toBe(blob)
    expect(d.output()).toMatch(/fetching it from the publisher over HTTP/)
    for (const n of [b, d]) n.child.kill('SIGTERM')
  }, 150_000)
})
