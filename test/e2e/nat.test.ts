/**
 * Members nobody can dial, across processes: members A and B both sit "behind NAT" — each
 * refuses every inbound connection that does not come through a relay
 * (`SHULIN_TEST_BEHIND_NAT`, the way a router drops connections from outside while letting the
 * library's own out), so neither can open a connection to the other: the only way between them
 * is the hub. A publishes a channel with a file; B subscribes: the catalog pull and the file's
 * chunks reach A through the hub's circuit relay, on the connection A keeps with its hub. The hub
 * does not hold the channel, and B's log shows the chunks came from A over the peer network (not
 * by the HTTP fallback). Without the relay, B never gets the catalog (checked by running this test
 * with the host's relay option removed). A hub's invite carries what it announces
 * (`--announce`), and an `--announce` that is not a multiaddr stops the start with a message
 * naming the fix.
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pdf } from '../../node/src/testing/fixtures.js'
import { killAll, run, start } from './processes.js'
import { control, hubAdminToken, json } from './network.js'

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shulin-e2e-nat-'))
})
afterAll(async () => {
  await killAll()
  await rm(work, { recursive: true, force: true })
})

const sha = (b: Buffer | ArrayBuffer) =>
  createHash('sha256')
    .update(Buffer.from(b as ArrayBuffer))
    .digest('hex')
const poll = { timeout: 40_000, interval: 300 }

type Members = { members: Array<{ nodeId: string; p2p: string[] }> }

describe('members behind NAT', () => {
  it('a member that cannot be dialled serves a channel file to another member through the hub', async () => {
    const hubData = join(work, 'hub')
    const hub = await start(['--port', '0', '--data', hubData, '--role', 'hub', '--name', '国家数字图书馆'])
    const join_ = async (data: string, name: string, region: string, env: Record<string, string> = {}) => {
      const node = await start(['--port', '0', '--data', data, '--name', name], env)
      const inv = await run(['invite', '--data', hubData, '--name', name, '--region', region, '--level', 'county'])
      expect(inv.code, inv.stderr).toBe(0)
      const j = await run(['join', inv.stdout.trim(), '--data', data])
      expect(j.code, j.stderr).toBe(0)
      return node
    }
    const aData = join(work, 'a')
    const bData = join(work, 'b')
    const a = await join_(aData, '山区县图书馆', '530100', { SHULIN_TEST_BEHIND_NAT: '1' })
    const b = await join_(bData, '城关区图书馆', '620100', { SHULIN_TEST_BEHIND_NAT: '1' })
    const aId = (await json(`${a.url}/api/health`)).nodeId as string

    // A's entry, as B holds it, comes to carry the relayed address through the hub.
    const hubId = (await json(`${hub.url}/api/health`)).nodeId as string
    await expect
      .poll(async () => {
        const { members } = (await json(`${b.url}/api/federation/members`)) as Members
        return members.find((m) => m.nodeId === aId)?.p2p.some((p) => p.includes(`/p2p/${hubId}/p2p-circuit`))
      }, poll)
      .toBe(true)

    // A publishes a record with its file in a channel of its own; the hub does not take it in.
    const auth = await hubAdminToken(aData, a.url)
    const created = await json(`${a.url}/api/staff/resources`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'book', metadata: { title: '滇南山水志', creators: ['佚名'] }, access: 'public' }),
    })
    const file = pdf(2500)
    const put = await fetch(`${a.url}/api/staff/resources/${created.id}/files/content`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/pdf' },
      body: file,
    })
    expect(put.status).toBe(200)
    expect(
      (await fetch(`${a.url}/api/staff/resources/${created.id}/publish`, { method: 'POST', headers: auth })).status,
    ).toBe(200)
    const channel = await control<{ id: string }>(aData, '/api/control/channels', { name: '地方文献' })
    expect(channel.status).toBe(201)
    expect(
      (await control(aData, `/api/control/channels/${channel.body.id}/records`, { ids: [created.id] })).body,
    ).toEqual({ added: 1 })

    // B subscribes: the catalog comes from A, through the hub.
    expect((await run(['subscribe', channel.body.id, '--data', bData])).code).toBe(0)
    await expect
      .poll(async () => (await json(`${b.url}/api/search?q=${encodeURIComponent('滇南山水志')}`)).total, poll)
      .toBe(1)

    // A reader on B opens the record: the bytes come from A, chunk by chunk, through the hub.
    const blob = sha(file)
    let opened: Response | undefined
    await expect
      .poll(async () => {
        opened = await fetch(`${b.url}/api/resources/${created.id}/content`)
        return opened.status
      }, poll)
      .toBe(200)
    expect(sha(await opened!.arrayBuffer())).toBe(blob)
    expect(existsSync(join(hubData, 'blobs', blob.slice(0, 2), blob.slice(2, 4), blob))).toBe(false)
    // Over the peer network, from A: not by the HTTP fallback to A's web address (which, on one
    // machine, B could reach).
    expect(b.output()).not.toMatch(/fetching it from the publisher over HTTP/)
    const line = b
      .output()
      .split('\n')
      .find((l) => l.includes('fetched a channel file'))
    const providers = (JSON.parse(line!) as { providers: Array<{ id: string; chunks: number }> }).providers
    expect(providers.find((p) => p.id === aId)?.chunks).toBeGreaterThan(0)
    for (const n of [hub, a, b]) n.child.kill('SIGTERM')
  }, 150_000)

  it('an invite carries the addresses the hub announces, not its listen address', async () => {
    const hubData = join(work, 'announcing-hub')
    const announced = '/dns4/hub.example.org/tcp/8091'
    const hub = await start(['--port', '0', '--data', hubData, '--role', 'hub', '--announce', announced])
    const hubId = (await json(`${hub.url}/api/health`)).nodeId as string
    const inv = await run([
      'invite',
      '--data',
      hubData,
      '--name',
      '临安县图书馆',
      '--region',
      '330185',
      '--level',
      'county',
    ])
    expect(inv.code, inv.stderr).toBe(0)
    const token = inv.stdout.trim()
    const env = JSON.parse(Buffer.from(token.slice('shulin-invite:'.length), 'base64url').toString('utf8')) as {
      payload: { hubAddrs: string[] }
    }
    expect(env.payload.hubAddrs).toEqual([`${announced}/p2p/${hubId}`])
    hub.child.kill('SIGTERM')
    await hub.exited
  })

  it('refuses to start with an --announce that is not a multiaddr, naming the fix', async () => {
    const data = join(work, 'bad-announce')
    const r = await run(['start', '--data', data, '--port', '0', '--announce', 'not-a-multiaddr'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/"not-a-multiaddr" is not a multiaddr: give the address peers should dial, e\.g\. \/ip4\//)
    expect(existsSync(data)).toBe(false)
    const env = await run(['start', '--data', data, '--port', '0'], { SHULIN_ANNOUNCE: '/ip4/0.0.0.0/tcp/8091' })
    expect(env.code).toBe(2)
    expect(env.stderr).toMatch(/listen-anywhere address/)
  })
})
