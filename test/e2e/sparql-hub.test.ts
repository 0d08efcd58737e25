/**
 * The hub's SPARQL endpoint answers over the union catalogue: a member's local collection,
 * submitted and listed on the hub's menu, is taken in by the hub, and the hub's /sparql finds its
 * record under the member's URI (the publisher's), with its creator.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killAll, run } from './processes.js'
import { control, hubAndMembers, json } from './network.js'

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shulin-e2e-sparql-hub-'))
})
afterAll(async () => {
  await killAll()
  await rm(work, { recursive: true, force: true })
})

const poll = { timeout: 60_000, interval: 500 }

describe("the hub's SPARQL endpoint", () => {
  it("finds a member's listed record under the member's URI", async () => {
    const { hub, hubData, members } = await hubAndMembers(work, 'hub', [['330185', '临安县图书馆']])
    const member = members[0]!
    await writeFile(join(work, 'local.jsonl'), JSON.stringify({ title: '临安地方志', creators: ['临安县志办'] }))
    const local = await run(['import', join(work, 'local.jsonl'), '--channel', '临安地方文献', '--data', member.data])
    expect(local.code, local.stderr).toBe(0)
    const channel = /\(([0-9a-f]{8}-[0-9a-f]{10})\)/.exec(local.stdout)![1]!
    expect((await control(member.data, `/api/control/channels/${channel}/submit`, {})).status).toBe(200)
    await expect
      .poll(async () => (await json(`${hub.url}/api/channels/menu`)).pending.map((p: { id: string }) => p.id), poll)
      .toEqual([channel])
    expect((await control(hubData, `/api/control/channels/menu/${channel}`, { state: 'listed' })).status).toBe(200)

    const query = `PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX schema: <https://schema.org/>
      SELECT ?w ?name WHERE { ?w dcterms:title ?t ; dcterms:creator ?p . ?p schema:name ?name FILTER(STR(?t) = "临安地方志") }`
    const ask = async () => {
      const res = await fetch(`${hub.url}/sparql?query=${encodeURIComponent(query)}`)
      if (res.status !== 200) return []
      return ((await res.json()) as { results: { bindings: Array<Record<string, { value: string }>> } }).results
        .bindings
    }
    await expect.poll(async () => (await ask()).length, poll).toBe(1)
    const [row] = await ask()
    expect(row!.w!.value).toMatch(new RegExp(`^${member.node.url}/ld/resource/`))
    expect(row!.name!.value).toBe('临安县志办')
  }, 180_000)
})
