/**
 * A channel's files across processes: the hub publishes a record with a PDF in a channel;
 * member C subscribes as a mirror and has the file before anyone opens it; the hub stops;
 * member D subscribes (catalogue only), learns the channel from C, and a reader opening the
 * record on D gets the same bytes — fetched from C, checked chunk by chunk. And providers are
 * found through the hub's records: with several members, the one that mirrors a file is asked
 * right after the publisher, though it comes last in the registry.
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pdf } from '../../node/src/testing/fixtures.js'
import { killAll, run } from './processes.js'
import { control, hubAdminToken, hubAndMembers, json } from './network.js'

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shulin-e2e-dist-'))
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

describe('distribution', () => {
  it('a mirror holds the files ahead; with the hub stopped another member gets them from the mirror', async () => {
    const { hub, hubData, members } = await hubAndMembers(
      work,
      'hub',
      [
        ['330100', '杭州图书馆'],
        ['330200', '宁波图书馆'],
      ],
      'city',
    )
    const [c, d] = members as [(typeof members)[0], (typeof members)[0]]
    for (const m of members)
      await expect
        .poll(async () => (await json(`${m.node.url}/api/federation/members`)).members.length, { timeout: 10_000 })
        .toBe(2)

    // The hub's record with its file, in a channel.
    const auth = await hubAdminToken(hubData, hub.url)
    const created = await json(`${hub.url}/api/staff/resources`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'book',
        metadata: { title: '四库全书总目提要', creators: ['纪昀'] },
        access: 'public',
      }),
    })
    const file = pdf(3000)
    const put = await fetch(`${hub.url}/api/staff/resources/${created.id}/files/content`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/pdf' },
      body: file,
    })
    expect(put.status).toBe(200)
    expect(
      (await fetch(`${hub.url}/api/staff/resources/${created.id}/publish`, { method: 'POST', headers: auth })).status,
    ).toBe(200)
    const channel = await control<{ id: string }>(hubData, '/api/control/channels', { name: '古籍' })
    expect(channel.status).toBe(201)
    expect(
      (await control(hubData, `/api/control/channels/${channel.body.id}/records`, { ids: [created.id] })).body,
    ).toEqual({ added: 1 })

    // C mirrors: the file is on C's disk before any reader asks.
    expect((await run(['subscribe', channel.body.id, '--mirror', '--data', c.data])).code).toBe(0)
    const blob = sha(file)
    await expect
      .poll(() => existsSync(join(c.data, 'blobs', blob.slice(0, 2), blob.slice(2, 4), blob)), poll)
      .toBe(true)
    const fromC = await fetch(`${c.node.url}/api/resources/${created.id}/content`)
    expect(fromC.status).toBe(200)
    expect(sha(await fromC.arrayBuffer())).toBe(blob)

    // The hub goes away; D subscribes and gets catalogue and file from C.
    hub.child.kill('SIGTERM')
    await hub.exited
    expect((await run(['subscribe', channel.body.id, '--data', d.data])).code).toBe(0)
    await expect
      .poll(async () => (await json(`${d.node.url}/api/search?q=${encodeURIComponent('四库全书')}`)).total, poll)
      .toBe(1)
    expect(existsSync(join(d.data, 'blobs', blob.slice(0, 2), blob.slice(2, 4), blob))).toBe(false)
    let opened: Response | undefined
    await expect
      .poll(async () => {
        opened = await fetch(`${d.node.url}/api/resources/${created.id}/content`)
        if (opened.status === 503) expect(opened.headers.get('retry-after')).toBe('5')
        return opened.status
      }, poll)
      .toBe(200)
    expect(sha(await opened!.arrayBuffer())).toBe(blob)
    for (const n of [c.node, d.node]) n.child.kill('SIGTERM')
  }, 150_000)

  it('a fetch asks the members the hub names as holders first', async () => {
    const { hub, hubData, members } = await hubAndMembers(work, 'hub2', [
      ['330300', '温州图书馆'],
      ['330500', '湖州图书馆'],
      ['330700', '金华图书馆'],
      ['331000', '台州图书馆'],
    ])
    for (const m of members)
      await expect
        .poll(async () => (await json(`${m.node.url}/api/federation/members`)).members.length, { timeout: 10_000 })
        .toBe(4)
    const ids = await Promise.all(
      members.map(async (m) => (await json(`${m.node.url}/api/federation/status`)).nodeId as string),
    )
    // The fetcher is the first; the holder is the member that comes last in the registry
    // (ordered by node id), so only the hub's records can put it first.
    const reader = members[0]!
    const others = members.slice(1).map((m, i) => ({ m, id: ids[i + 1]! }))
    const holder = others.reduce((a, b) => (a.id > b.id ? a : b))

    const auth = await hubAdminToken(hubData, hub.url)
    const created = await json(`${hub.url}/api/staff/resources`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'book', metadata: { title: '天工开物', creators: ['宋应星'] }, access: 'public' }),
    })
    const file = pdf(1500)
    expect(
      (
        await fetch(`${hub.url}/api/staff/resources/${created.id}/files/content`, {
          method: 'PUT',
          headers: { ...auth, 'content-type': 'application/pdf' },
          body: file,
        })
      ).status,
    ).toBe(200)
    expect(
      (await fetch(`${hub.url}/api/staff/resources/${created.id}/publish`, { method: 'POST', headers: auth })).status,
    ).toBe(200)
    const channel = await control<{ id: string }>(hubData, '/api/control/channels', { name: '科技史' })
    expect(
      (await control(hubData, `/api/control/channels/${channel.body.id}/records`, { ids: [created.id] })).body,
    ).toEqual({ added: 1 })

    // The holder mirrors, and tells the hub once the file is in.
    expect((await run(['subscribe', channel.body.id, '--mirror', '--data', holder.m.data])).code).toBe(0)
    await expect.poll(() => holder.m.node.output(), poll).toMatch(/fetched a channel file/)
    expect((await run(['subscribe', channel.body.id, '--data', reader.data])).code).toBe(0)
    await expect
      .poll(async () => (await json(`${reader.node.url}/api/search?q=${encodeURIComponent('天工开物')}`)).total, poll)
      .toBe(1)
    // The hub keeps the record a moment after the holder's fetch; a reader opens the record then.
    await new Promise((r) => setTimeout(r, 1000))
    await expect
      .poll(async () => (await fetch(`${reader.node.url}/api/resources/${created.id}/content`)).status, poll)
      .toBe(200)
    const line = reader.node
      .output()
      .split('\n')
      .find((l) => l.includes('fetched a channel file'))
    const asked = (JSON.parse(line!) as { providers: Array<{ id: string }> }).providers.map((p) => p.id)
    const hubId = (await json(`${hub.url}/api/federation/status`)).nodeId as string
    expect(asked.slice(0, 2)).toEqual([hubId, holder.id])
    expect(asked).toHaveLength(4)
    for (const n of [hub, ...members.map((m) => m.node)]) n.child.kill('SIGTERM')
  }, 150_000)
})
