/**
 * A SUSHI harvester against a real node process: the operator makes credentials with
 * `shulin sushi credentials create` (through the running node, and into the stopped node's
 * folder), readers use a book, the day is counted, and an independent Release 5.1 harvester
 * (./sushi-harvester.ts, nothing of Shulin's in it) gets PR and TR as JSON and TSV that agree.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killAll, run, start } from './processes.js'
import { Harvester, sorted, type Credentials } from './sushi-harvester.js'
import { pdf } from '../../node/src/testing/fixtures.js'

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shulin-sushi-'))
})
afterAll(async () => {
  await killAll()
  await rm(work, { recursive: true, force: true })
})

const lastLine = (out: string) => out.trim().split('\n').at(-1)!

describe('COUNTER-SUSHI as harvesters call it', () => {
  it('gives a harvester with requestor_id and api_key PR and TR in Release 5.1', { timeout: 120_000 }, async () => {
    const data = join(work, 'county')
    let node = await start(['--data', data, '--port', '0', '--name', '临安县图书馆'])
    const admin = await run([
      'admin',
      'create',
      '--data',
      data,
      '--username',
      'libadmin',
      '--password',
      'county-library-2026',
    ])
    expect(admin.code, admin.stderr).toBe(0)

    // Through the running node (the folder is locked): the last line is the credential.
    const online = await run(['sushi', 'credentials', 'create', '--name', '浙江省图书馆 ERM', '--data', data])
    expect(online.code, online.stderr).toBe(0)
    const cred = JSON.parse(lastLine(online.stdout)) as Credentials
    expect(Object.keys(cred).sort()).toEqual(['api_key', 'customer_id', 'requestor_id'])
    const health = (await (await fetch(node.url + '/api/health')).json()) as { nodeId: string }
    expect(cred.customer_id).toBe(health.nodeId)
    const bad = await run(['sushi', 'credentials', 'create', '--data', data])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--name NAME/)

    // A book, and a visitor who opens and reads it.
    const login = await fetch(node.url + '/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: 'libadmin', password: 'county-library-2026', bearer: true }),
    })
    const token = ((await login.json()) as { token: string }).token
    const staff = { authorization: `Bearer ${token}` }
    const made = await fetch(node.url + '/api/staff/resources', {
      method: 'POST',
      headers: { ...staff, 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'book',
        metadata: { title: '天工开物', identifiers: ['9787532547952'], publisher: '上海古籍出版社', date: '2008' },
        access: 'public',
      }),
    })
    const book = ((await made.json()) as { id: string }).id
    const upload = await fetch(`${node.url}/api/staff/resources/${book}/files/content`, {
      method: 'PUT',
      headers: { ...staff, 'content-type': 'application/pdf' },
      body: pdf(2),
    })
    expect(upload.status).toBeLessThan(300)
    expect(
      (await fetch(`${node.url}/api/staff/resources/${book}/publish`, { method: 'POST', headers: staff })).ok,
    ).toBe(true)
    const visitor = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' }
    expect((await fetch(`${node.url}/api/resources/${book}`, { headers: visitor })).status).toBe(200)
    expect((await fetch(`${node.url}/api/resources/${book}/content`, { headers: visitor })).status).toBe(200)

    node.child.kill('SIGTERM')
    expect(await node.exited).toBe(0)

    // Into the stopped node's folder.
    const offline = await run(['sushi', 'credentials', 'create', '--name', 'CALIS', '--data', data])
    expect(offline.code, offline.stderr).toBe(0)
    const second = JSON.parse(lastLine(offline.stdout)) as Credentials
    expect(second.requestor_id).not.toBe(cred.requestor_id)

    // Two days later (the node's clock moved ahead) the day of use has been counted.
    const skew = 2 * 86_400_000
    node = await start(['--data', data, '--port', '0', '--name', '临安县图书馆'], {
      SHULIN_CLOCK_SKEW_MS: String(skew),
    })
    const usedMonth = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7) // Beijing's month
    const nowMonth = new Date(Date.now() + skew + 8 * 3_600_000).toISOString().slice(0, 7)
    const period = { begin_date: usedMonth, end_date: nowMonth }

    for (const base of ['/sushi/r5', '/sushi/r51']) {
      const harvester = new Harvester(node.url + base, cred)
      expect((await harvester.status())[0]!.Service_Active).toBe(true)
      expect((await harvester.reports()).map((r) => r.Report_ID)).toEqual(['PR', 'TR'])
    }
    const harvester = new Harvester(node.url + '/sushi/r51', cred)
    let pr = await harvester.json('pr', period)
    for (let i = 0; i < 100 && pr.ok && !pr.figures.length; i++) {
      await new Promise((r) => setTimeout(r, 100)) // the start's aggregation still running
      pr = await harvester.json('pr', period)
    }
    if (!pr.ok) throw new Error(JSON.stringify(pr))
    expect(pr.header).toMatchObject({ Release: '5.1', Report_ID: 'PR', Institution_Name: '临安县图书馆' })
    expect(pr.figures).toContainEqual({
      item: '临安县图书馆',
      metric: 'Total_Item_Requests',
      month: usedMonth,
      count: 1,
    })
    const tr = await harvester.json('tr', { ...period, attributes_to_show: 'Data_Type|YOP|Access_Type|Access_Method' })
    if (!tr.ok) throw new Error(JSON.stringify(tr))
    expect(tr.figures).toEqual(
      expect.arrayContaining([
        { item: '天工开物', metric: 'Total_Item_Requests', month: usedMonth, count: 1 },
        { item: '天工开物', metric: 'Unique_Title_Requests', month: usedMonth, count: 1 },
      ]),
    )
    expect(
      (tr.raw as { Report_Items: Array<{ Attribute_Performance: unknown[] }> }).Report_Items[0]!.Attribute_Performance,
    ).toEqual([
      expect.objectContaining({ Data_Type: 'Book', YOP: '2008', Access_Type: 'Controlled', Access_Method: 'Regular' }),
    ])

    // The tabular form carries the same figures.
    for (const id of ['pr', 'tr'] as const) {
      const json = await harvester.json(id, period)
      const tsv = await harvester.tsv(id, period)
      if (!json.ok) throw new Error(JSON.stringify(json))
      expect(tsv.header.get('Release')).toBe('5.1')
      expect(sorted(tsv.figures)).toEqual(sorted(json.figures))
    }

    // The second credential works too; a wrong key is COUNTER's 2020, a wrong requestor 2000.
    const other = await new Harvester(node.url + '/sushi/r51', second).json('pr', period)
    expect(other.ok).toBe(true)
    const wrongKey = await new Harvester(node.url + '/sushi/r51', { ...cred, api_key: second.api_key }).json(
      'pr',
      period,
    )
    expect(wrongKey).toMatchObject({ ok: false, status: 401, exception: { Code: 2020, Message: 'APIKey Invalid' } })
    const stranger = await new Harvester(node.url + '/sushi/r51', { ...cred, requestor_id: 'nobody' }).json(
      'tr',
      period,
    )
    expect(stranger).toMatchObject({ ok: false, status: 401, exception: { Code: 2000 } })

    node.child.kill('SIGTERM')
    expect(await node.exited).toBe(0)
  })
})
