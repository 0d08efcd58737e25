/**
 * Linked data across processes: a record a member takes in from the hub's channel keeps the
 * hub's URI (its public origin, learnt from the registry or the channel), while the person it
 * names is the member's; the member's dump holds it under that URI.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Parser } from 'n3'
import { killAll, run } from './processes.js'
import { control, hubAndMembers, json } from './network.js'

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shulin-e2e-ld-'))
})
afterAll(async () => {
  await killAll()
  await rm(work, { recursive: true, force: true })
})

const poll = { timeout: 30_000, interval: 300 }
const DC = 'http://purl.org/dc/terms/'

describe('linked data of taken-in records', () => {
  it("a subscribed record is described under its publisher's URI on the member", async () => {
    const { hub, hubData, members } = await hubAndMembers(work, 'hub', [['330185', '临安县图书馆']])
    const member = members[0]!
    await writeFile(join(work, 'poems.jsonl'), JSON.stringify({ title: '静夜思选本', creators: ['李白'] }))
    const imported = await run(['import', join(work, 'poems.jsonl'), '--channel', '唐诗', '--data', hubData])
    expect(imported.code, imported.stderr).toBe(0)
    const channelId = /\(([0-9a-f]{8}-[0-9a-f]{10})\): 1 records published/.exec(imported.stdout)?.[1]
    expect(channelId, imported.stdout).toBeTruthy()
    expect((await control(hubData, `/api/control/channels/menu/${channelId}`, { state: 'listed' })).status).toBe(200)
    await expect.poll(async () => (await json(`${member.node.url}/api/channels/menu`)).menu.length, poll).toBe(1)
    const sub = await run(['subscribe', channelId!, '--data', member.data])
    expect(sub.code, sub.stderr).toBe(0)
    const search = async () => json(`${member.node.url}/api/search?q=${encodeURIComponent('静夜思')}`)
    await expect.poll(async () => (await search()).total, poll).toBe(1)
    const id = (await search()).hits[0].id as string

    const res = await fetch(`${member.node.url}/ld/resource/${id}`, { headers: { accept: 'text/turtle' } })
    expect(res.status).toBe(200)
    const quads = new Parser().parse(await res.text())
    const title = quads.find((q) => q.predicate.value === `${DC}title`)
    expect(title?.subject.value).toBe(`${hub.url}/ld/resource/${id}`)
    const creator = quads.find((q) => q.predicate.value === `${DC}creator`)
    expect(creator?.object.value).toBe(`${member.node.url}/ld/person/${encodeURIComponent('李白')}`)

    const dump = await fetch(`${member.node.url}/ld/dump.nt.gz`)
    const all = new Parser({ format: 'N-Triples' }).parse(gunzipSync(Buffer.from(await dump.arrayBuffer())).toString())
    expect(
      all.some((q) => q.subject.value === `${hub.url}/ld/resource/${id}` && q.predicate.value === `${DC}title`),
    ).toBe(true)
  }, 120_000)
})
