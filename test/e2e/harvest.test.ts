/**
 * `shulin harvest` as an operator runs it: a county library harvests a university library's
 * node over OAI-PMH — first with its own node stopped, then through its running node —
 * incrementally, and a record withdrawn there is withdrawn here. The university's catalogue
 * comes in by `shulin import` with Dublin Core types (`text`, `Sound`), refused before.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killAll, run, start } from './processes.js'

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shulin-harvest-'))
})
afterAll(async () => {
  await killAll()
  await rm(work, { recursive: true, force: true })
})

const password = 'county-library-2026'
const getJson = async <T>(url: string, headers: Record<string, string>) =>
  (await (await fetch(url, { headers })).json()) as T

async function signIn(url: string): Promise<{ authorization: string }> {
  const res = await fetch(url + '/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identifier: 'libadmin', password, bearer: true }),
  })
  return { authorization: `Bearer ${((await res.json()) as { token: string }).token}` }
}

describe('shulin harvest', () => {
  it('harvests another node’s /oai, then only what changed; a record withdrawn there is withdrawn here', async () => {
    const uni = join(work, 'university')
    const county = join(work, 'county')
    for (const data of [uni, county])
      expect(
        (await run(['admin', 'create', '--data', data, '--username', 'libadmin', '--password', password])).code,
      ).toBe(0)
    const file = join(work, 'catalogue.jsonl')
    const titles = ['高等数学', '线性代数', '概率论', '数学分析', '讲座：数学之美']
    await writeFile(
      file,
      titles
        .map((title, i) =>
          JSON.stringify({ title, creators: ['数学系'], type: i === 4 ? 'Sound' : 'text', date: '2020' }),
        )
        .join('\n'),
    )
    const imported = await run(['import', file, '--data', uni])
    expect(imported.code, imported.stderr).toBe(0)
    expect(imported.stdout).toMatch(/5 read · 5 created · 0 updated · 0 unchanged · 0 rejected/)

    const university = await start(['--data', uni, '--port', '0'])
    const oai = `${university.url}/oai`

    // The county node is stopped: the command opens its folder.
    const first = await run(['harvest', 'add', oai, '--data', county], {}, 'node', 60_000)
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toMatch(
      /\(oai_dc\): 5 records in 1 pages · 5 created · 0 updated · 0 unchanged · 0 withdrawn · 0 rejected/,
    )

    // There: 线性代数 withdrawn.
    const staff = await signIn(university.url)
    const list = await getJson<{
      resources: Array<{ id: string; metadata: { title: string } }>
    }>(`${university.url}/api/staff/resources?limit=50`, staff)
    const gone = list.resources.find((r) => r.metadata.title === '线性代数')!
    const w = await fetch(`${university.url}/api/staff/resources/${gone.id}/withdraw`, {
      method: 'POST',
      headers: staff,
    })
    expect(w.status).toBe(200)

    // Here, running now: the command goes through the node; only the withdrawn record comes.
    const county1 = await start(['--data', county, '--port', '0'])
    const second = await run(['harvest', 'run', '--data', county], {}, 'node', 60_000)
    expect(second.code, second.stderr).toBe(0)
    const [report] = JSON.parse(second.stdout.trim().split('\n').at(-1)!) as Array<Record<string, unknown>>
    expect(report).toMatchObject({ records: 1, created: 0, withdrawn: 1 })
    expect(report!.from).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/)

    const here = await signIn(county1.url)
    const counts = await (await fetch(`${county1.url}/api/staff/resources/count`, { headers: here })).json()
    expect(counts).toEqual({
      total: 5,
      byStatus: { published: 4, withdrawn: 1 },
      byType: { book: 4, audiobook: 1 },
    })
    const mine = await getJson<{
      resources: Array<{ status: string; metadata: { title: string } }>
    }>(`${county1.url}/api/staff/resources?limit=50`, here)
    expect(mine.resources.find((r) => r.metadata.title === '线性代数')?.status).toBe('withdrawn')

    // A repository that is not there: a clear message, exit 1, nothing added.
    const down = await run(['harvest', 'add', 'http://127.0.0.1:9/oai', '--data', county], {}, 'node', 60_000)
    expect(down.code).toBe(1)
    expect(down.stderr).toMatch(/failed, nothing imported: .*did not answer after 3 attempts/)
    const bad = await run(['harvest', 'add', 'ftp://example.org/oai', '--data', county])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/http or https/)

    for (const n of [county1, university]) {
      n.child.kill('SIGTERM')
      expect(await n.exited).toBe(0)
    }
  }, 180_000)
})
