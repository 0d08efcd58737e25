/**
 * "Back up now" and what a failed backup leaves: the console's button writes a backup into the
 * backup folder; one that cannot be written is reported (why, when) with no partial file, and
 * never costs the good backups already there — old ones go only after a new one is in place.
 */
import { mkdir, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, signedInAdmin, startTempNode, tempDir, type TempNode } from '../testing/temp-node.js'

let work: string
let backups: string
let t: TempNode
let admin: Client
beforeAll(async () => {
  work = await tempDir('shulin-backup-now-')
  backups = join(work, 'backups')
  t = await startTempNode({ backupDir: backups, backupKeep: 2 })
  admin = await signedInAdmin(t)
})
afterAll(async () => {
  await t.close()
  await rm(work, { recursive: true, force: true })
})

describe('back up now', () => {
  it('writes a backup on the admin’s word and keeps the newest N', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await admin.post('/api/staff/backups')
      expect(r.status).toBe(200)
      expect(r.body).toMatchObject({ ok: true, trigger: 'console', error: null, bytes: expect.any(Number) })
      t.clock.now += 60_000
    }
    const files = (await readdir(backups)).sort()
    expect(files).toHaveLength(2)
    const status = (await admin.get('/api/staff/backups')).body
    expect(status).toMatchObject({ everyMs: null, keep: 2, running: false, last: { ok: true }, nextAt: null })
    expect(status.files.map((f: { name: string }) => f.name)).toEqual([...files].reverse())
  })

  it('reports a failure with no partial file, keeping the good backups', async () => {
    const before = (await readdir(backups)).sort()
    // The backup is written whole, then fails at its last step: a folder already stands where the
    // file was to go (as a full disk fails the final write). What was written must not stay.
    const blocker = join(backups, `shulin-backup-${new Date(t.clock.now).toISOString().replace(/[-:.]/g, '')}.gz`)
    await mkdir(join(blocker, 'inside'), { recursive: true })
    const r = await admin.post('/api/staff/backups')
    await rm(blocker, { recursive: true })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ ok: false, file: null, error: expect.stringMatching(/EISDIR|ENOTEMPTY|EEXIST/) })
    expect((await readdir(backups)).sort()).toEqual(before)
    const status = (await admin.get('/api/staff/backups')).body
    expect(status.last).toMatchObject({ ok: false })
    expect(status.lastOk).toMatchObject({ ok: true })
    const metrics = await (await fetch(t.node.url + '/metrics')).text()
    expect(metrics).toMatch(/^shulin_backup_last_failed 1$/m)
    expect(metrics).toMatch(/^shulin_backup_age_seconds \d/m)
  })

  it('is for admins: a librarian reads the status but cannot start one', async () => {
    await admin.post('/api/staff/accounts', { username: 'lib2', password: 'librarian-pass-2026', role: 'librarian' })
    const librarian = new Client(t.node.url)
    await librarian.post('/api/auth/login', { identifier: 'lib2', password: 'librarian-pass-2026' })
    expect((await librarian.get('/api/staff/backups')).status).toBe(200)
    expect((await librarian.post('/api/staff/backups')).status).toBe(403)
    expect((await new Client(t.node.url).get('/api/staff/backups')).status).toBe(401)
  })

  it('refuses to start with a malformed --backup-every', async () => {
    for (const every of ['24', '5x', '0s', '400d'])
      await expect(startTempNode({ dataDir: join(work, 'bad'), backupEvery: every })).rejects.toThrow(/duration/)
  })
})
