/**
 * Channels across processes: the hub publishes a channel with `shulin import --channel` and
 * lists it on its menu; a member subscribes with `shulin subscribe` and finds the records in
 * its own search and OPDS, marked with the hub as their source; a record the hub withdraws
 * leaves the member; a record that does not carry the publisher's signature never arrives;
 * a member submits its own channel, the hub lists it, and another member sees it on the menu.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killAll, run } from './processes.js'
import { control, hubAdminToken, hubAndMembers, json } from './network.js'

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shulin-e2e-channels-'))
})
afterAll(async () => {
  await killAll()
  await rm(work, { recursive: true, force: true })
})

const poll = { timeout: 20_000, interval: 300 }

describe('channels', () => {
  it('publish, list on the menu, subscribe, find, withdraw; forged records refused; a member’s channel submitted and listed', async () => {
    const { hub, hubData, members } = await hubAndMembers(work, 'hub', [
      ['330185', '临安县图书馆'],
      ['441900', '东莞市图书馆'],
    ])
    const [c, d] = members as [(typeof members)[0], (typeof members)[0]]
    const hubId = (await json(`${hub.url}/api/health`)).nodeId

    // The hub publishes a channel from a file, as its staff would with the CLI.
    const lines = Array.from({ length: 300 }, (_, i) =>
      JSON.stringify({ title: `国家电子书第${i}种`, creators: ['国家图书馆'], access: 'member-readers' }),
    )
    lines.push(JSON.stringify({ title: '静夜思选本', creators: ['李白'], subjects: ['唐诗'], access: 'public' }))
    await writeFile(join(work, 'books.jsonl'), lines.join('\n'))
    const imported = await run([
      'import',
      join(work, 'books.jsonl'),
      '--channel',
      '国家数字图书馆电子书',
      '--data',
      hubData,
    ])
    expect(imported.code, imported.stderr).toBe(0)
    const channelId = /\(([0-9a-f]{8}-[0-9a-f]{10})\): 301 records published/.exec(imported.stdout)?.[1]
    expect(channelId, imported.stdout).toBeTruthy()
    expect((await json(`${hub.url}/api/channels`)).channels).toEqual([
      expect.objectContaining({ id: channelId, name: '国家数字图书馆电子书', role: 'publisher', records: 301 }),
    ])
    expect((await control(hubData, `/api/control/channels/menu/${channelId}`, { state: 'listed' })).status).toBe(200)

    // The member sees it on the menu, subscribes, and finds the records as its own search's.
    await expect
      .poll(
        async () => (await json(`${c.node.url}/api/channels/menu`)).menu.map((m: { channel: string }) => m.channel),
        poll,
      )
      .toEqual([channelId])
    const sub = await run(['subscribe', channelId!, '--data', c.data])
    expect(sub.code, sub.stderr).toBe(0)
    const search = async (url: string, q: string) => json(`${url}/api/search?q=${encodeURIComponent(q)}`)
    await expect.poll(async () => (await search(c.node.url, '静夜思')).total, poll).toBe(1)
    const hit = (await search(c.node.url, '静夜思')).hits[0]
    expect((await search(c.node.url, '静夜思')).facets.source).toEqual({ [hubId]: 1 })
    await expect.poll(async () => (await search(c.node.url, '国家电子书')).total, poll).toBe(300)
    expect((await json(`${c.node.url}/api/channels`)).channels).toEqual([
      expect.objectContaining({ id: channelId, role: 'subscriber', mode: 'catalog', records: 301 }),
    ])
    const opds = await (await fetch(`${c.node.url}/opds/v2/new.json`)).text()
    expect(opds).toContain('静夜思选本')
    // Its records are the publisher's to change.
    const record = await json(`${c.node.url}/api/resources/${hit.id}`)
    expect(record).toMatchObject({ nodeId: hubId, status: 'published' })
    // C's staff put a subscribed record in one of their topics (专题), as they would their own.
    const cAuth = await hubAdminToken(c.data, c.node.url)
    const topic = await fetch(`${c.node.url}/api/staff/collections`, {
      method: 'POST',
      headers: { ...cAuth, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'topic', title: '唐诗专题', items: [hit.id] }),
    })
    expect(topic.status).toBe(201)
    const shown = await json(`${c.node.url}/api/collections/${(await topic.json()).id}`)
    expect(shown.resources.map((r: { id: string; nodeId: string }) => [r.id, r.nodeId])).toEqual([[hit.id, hubId]])

    // A record put into the channel's catalog without the publisher's signature never arrives.
    const forged = {
      type: 'shulin/channel-record',
      signer: hubId,
      payload: {
        channel: channelId,
        id: '01JFORGEDRECORD000000000000',
        type: 'book',
        metadata: { title: '伪造的书', creators: [], subjects: [], language: 'zh', identifiers: [] },
        access: 'public',
        files: [],
        toc: [],
        withdrawn: false,
        updatedAt: new Date().toISOString(),
      },
      sig: 'A'.repeat(86),
    }
    expect(
      (
        await control(d.data, '/api/control/federation/catalog', {
          catalog: `ch-${channelId}`,
          put: { '01JFORGEDRECORD000000000000': forged },
        })
      ).status,
    ).toBe(200)
    expect((await run(['subscribe', channelId!, '--data', d.data])).code).toBe(0)
    await expect.poll(async () => (await search(d.node.url, '静夜思')).total, poll).toBe(1)
    await new Promise((r) => setTimeout(r, 3500))
    expect((await search(d.node.url, '伪造')).total).toBe(0)
    expect((await search(c.node.url, '伪造')).total).toBe(0)
    // Nor can a member write over a publisher's record: C and the hub pull D's shard and refuse it.
    const overwrite = {
      ...forged,
      payload: { ...forged.payload, id: hit.id, metadata: { ...forged.payload.metadata, title: '静夜思选本（伪）' } },
    }
    expect(
      (
        await control(d.data, '/api/control/federation/catalog', {
          catalog: `ch-${channelId}`,
          put: { [hit.id]: overwrite },
        })
      ).status,
    ).toBe(200)
    await expect.poll(() => c.node.output(), poll).toMatch(/catalog changes that are not allowed/)
    for (const data of [c.data, hubData]) {
      const kept = (
        await control<{ records: Record<string, { signer: string; sig: string }> }>(
          data,
          '/api/control/federation/catalog',
          { catalog: `ch-${channelId}`, get: [hit.id] },
        )
      ).body.records[hit.id]
      expect(kept).toMatchObject({ signer: hubId })
      expect(kept!.sig).not.toBe(overwrite.sig)
    }
    expect((await search(c.node.url, '静夜思')).total).toBe(1)

    // The hub withdraws a record: it leaves the member within a round or two.
    const auth = await hubAdminToken(hubData, hub.url)
    const withdrawn = await fetch(`${hub.url}/api/staff/resources/${hit.id}/withdraw`, {
      method: 'POST',
      headers: auth,
    })
    expect(withdrawn.status).toBe(200)
    await expect.poll(async () => (await search(c.node.url, '静夜思')).total, poll).toBe(0)

    // A member's local collection: published, submitted, reviewed, and on everybody's menu.
    await writeFile(
      join(work, 'local.jsonl'),
      [JSON.stringify({ title: '东莞地方志', creators: ['东莞市地方志办公室'], subjects: ['地方文献'] })].join('\n'),
    )
    const local = await run(['import', join(work, 'local.jsonl'), '--channel', '东莞地方文献', '--data', d.data])
    const localId = /\(([0-9a-f]{8}-[0-9a-f]{10})\)/.exec(local.stdout)![1]!
    expect((await control(d.data, `/api/control/channels/${localId}/submit`, {})).status).toBe(200)
    await expect
      .poll(async () => (await json(`${hub.url}/api/channels/menu`)).pending.map((p: { id: string }) => p.id), poll)
      .toEqual([localId])
    expect((await control(hubData, `/api/control/channels/menu/${localId}`, { state: 'listed' })).status).toBe(200)
    await expect
      .poll(
        async () => (await json(`${c.node.url}/api/channels/menu`)).menu.map((m: { name: string }) => m.name).sort(),
        poll,
      )
      .toEqual(['东莞地方文献', '国家数字图书馆电子书'])
    expect((await json(`${hub.url}/api/channels/menu`)).pending).toEqual([])

    // The union catalogue: the hub took in the member's channel when it listed it, so a reader
    // on C finds D's record across the network (marked as not held here), and C's own copies.
    const network = async (q: string) =>
      (await json(`${c.node.url}/api/search/network?q=${encodeURIComponent(q)}`)) as {
        hits: Array<{ title: string; local: boolean; source: string; holders: string[] }>
      }
    const [cId, dId] = await Promise.all(
      [c, d].map(async (m) => (await json(`${m.node.url}/api/health`)).nodeId as string),
    )
    await expect
      .poll(async () => (await network('东莞地方志')).hits.map((h) => [h.title, h.local, h.holders]), poll)
      .toEqual([['东莞地方志', false, [dId]]])
    // Each hit lists the members holding it: both subscribe to the hub's channel.
    await expect
      .poll(async () => (await network('国家电子书')).hits[0]?.holders.sort(), poll)
      .toEqual([cId, dId].sort())
    const national = await network('国家电子书')
    expect(national.hits.length).toBe(20)
    expect(national.hits.every((h) => h.local && h.source === hubId)).toBe(true)
    expect((await fetch(`${c.node.url}/api/search/network?limit=999`)).status).toBe(400)
    for (const n of [hub, c.node, d.node]) n.child.kill('SIGTERM')
  }, 150_000)
})
