/**
 * Scheduled backups as an operator meets them: `shulin start --backup-every 2s --backup-keep 2
 * --backup-dir DIR` writes backups named with their time, keeps the newest two, shows the last
 * result to staff; one of them restored with `shulin restore` into a new folder starts a node
 * that has the library's records and accounts.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killAll, run, start } from './processes.js'

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shulin-backup-schedule-'))
})
afterAll(async () => {
  await killAll()
  await rm(work, { recursive: true, force: true })
})

async function bearer(url: string, identifier: string, password: string): Promise<string> {
  const res = await fetch(url + '/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identifier, password, bearer: true }),
  })
  expect(res.status).toBe(200)
  return ((await res.json()) as { token: string }).token
}

describe('scheduled backups', () => {
  it('are made on schedule, keep the newest N, show in the console, and restore into a working node', async () => {
    const data = join(work, 'county')
    const backups = join(work, 'backups')
    const node = await start([
      '--data',
      data,
      '--port',
      '0',
      '--backup-every',
      '2s',
      '--backup-keep',
      '2',
      '--backup-dir',
      backups,
    ])
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
    const token = await bearer(node.url, 'libadmin', 'county-library-2026')
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
    const created = await fetch(node.url + '/api/staff/resources', {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ type: 'book', metadata: { title: '临安县志' } }),
    })
    expect(created.status).toBe(201)
    const { id } = (await created.json()) as { id: string }
    const published = await fetch(node.url + `/api/staff/resources/${id}/publish`, { method: 'POST', headers: auth })
    expect(published.status).toBe(200)
    const recordAt = Date.now()

    // Wait (at most 30 s) for three scheduled backups finished after the record was written.
    type Status = {
      last: { ok: boolean; at: string; file: string; trigger: string } | null
      files: Array<{ name: string }>
      everyMs: number
      keep: number
    }
    let status: Status | undefined
    let after = 0
    let lastAt = ''
    const deadline = Date.now() + 30_000
    while (after < 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250))
      status = (await (await fetch(node.url + '/api/staff/backups', { headers: auth })).json()) as Status
      if (status.last && status.last.at !== lastAt && Date.parse(status.last.at) > recordAt) {
        expect(status.last.ok).toBe(true)
        lastAt = status.last.at
        after++
      }
    }
    expect(after).toBe(3)
    expect(status).toMatchObject({ everyMs: 2000, keep: 2, last: { ok: true, trigger: 'schedule' } })
    // Only the newest two are kept, each named with its time; nothing partial is left beside them.
    const names = (await readdir(backups)).sort()
    expect(names.length, names.join(', ')).toBe(2)
    for (const n of names) expect(n).toMatch(/^shulin-backup-\d{8}T\d{9}Z\.gz$/)
    expect(status!.files.map((f) => f.name)).toEqual([...names].reverse())

    node.child.kill('SIGTERM')
    expect(await node.exited).toBe(0)

    const restored = join(work, 'restored')
    const r = await run(['restore', join(backups, names.at(-1)!), '--data', restored])
    expect(r.code, r.stderr).toBe(0)
    const again = await start(['--data', restored, '--port', '0'])
    const record = await fetch(again.url + `/api/resources/${id}`)
    expect(record.status).toBe(200)
    expect(((await record.json()) as { metadata: { title: string } }).metadata.title).toBe('临安县志')
    await bearer(again.url, 'libadmin', 'county-library-2026')
    again.child.kill('SIGTERM')
    expect(await again.exited).toBe(0)
  }, 90_000)
})
