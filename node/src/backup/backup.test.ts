import { mkdir, readFile, rm, writeFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { Client, signedInAdmin, startTempNode, tempDir, type TempNode } from '../testing/temp-node.js'
import { pdf } from '../testing/fixtures.js'
import { restoreBackup, BackupError } from './backup.js'

const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f()
})

async function nodeWithReaders(): Promise<TempNode> {
  const t = await startTempNode()
  cleanup.push(() => t.close())
  for (const phone of ['13800138000', '13900139000']) {
    expect(
      (await new Client(t.node.url).post('/api/auth/register', { mode: 'quick', phone, password: 'reading2026' }))
        .status,
    ).toBe(201)
  }
  return t
}

async function controlBackup(t: TempNode, out: string) {
  const control = JSON.parse(await readFile(join(t.dir, 'run', 'control.json'), 'utf8'))
  return fetch(control.url + '/api/control/backup', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Shulin-Control ${control.token}` },
    body: JSON.stringify({ out }),
  })
}

describe('backup and restore', () => {
  it('backs up a running node while it serves, and the restored folder signs the same readers in', async () => {
    const t = await nodeWithReaders()
    const work = await tempDir()
    cleanup.push(() => rm(work, { recursive: true, force: true }))
    const file = join(work, 'node.shulin-backup')
    // Writes keep arriving during the backup; the snapshot is consistent either way.
    const writes = Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        new Client(t.node.url).post('/api/auth/register', {
          mode: 'quick',
          phone: `1370013700${i}`,
          password: 'reading2026',
        }),
      ),
    )
    const res = await controlBackup(t, file)
    expect(res.status).toBe(200)
    await writes
    const target = join(work, 'restored')
    const summary = await restoreBackup(file, target)
    expect(summary.nodeId).toBe(t.node.nodeId)
    const restored = await startTempNode({ dataDir: target })
    cleanup.push(() => restored.close())
    expect(restored.node.nodeId).toBe(t.node.nodeId)
    const login = await new Client(restored.node.url).post('/api/auth/login', {
      identifier: '13900139000',
      password: 'reading2026',
    })
    expect(login.status).toBe(200)
  })

  it('carries the stored files: a restored node serves the same bytes, and a damaged file fails the restore', async () => {
    const t = await startTempNode()
    cleanup.push(() => t.close())
    const staff = await signedInAdmin(t)
    const id = (await staff.post('/api/staff/resources', { type: 'book', metadata: { title: '县志' } })).body.id
    const bytes = pdf(30)
    expect(
      (await staff.put(`/api/staff/resources/${id}/files/content`, bytes, { 'content-type': 'application/pdf' }))
        .status,
    ).toBe(200)
    await staff.post(`/api/staff/resources/${id}/publish`)
    const work = await tempDir()
    cleanup.push(() => rm(work, { recursive: true, force: true }))
    const file = join(work, 'with-files.shulin-backup')
    const res = await controlBackup(t, file)
    expect((await res.json()).blobs).toBe(1)
    const target = join(work, 'restored')
    expect((await restoreBackup(file, target)).blobs).toBe(1)
    const restored = await startTempNode({ dataDir: target })
    cleanup.push(() => restored.close())
    const got = await new Client(restored.node.url).get(`/api/resources/${id}/content`)
    expect(got.status).toBe(200)
    expect((got.body as Buffer).equals(bytes)).toBe(true)
    // Flip a byte of the file inside the backup: the restore refuses and leaves nothing.
    const lines = gunzipSync(await readFile(file))
      .toString('utf8')
      .split('\n')
    const i = lines.findIndex((l) => l.startsWith('{"d":'))
    const piece = JSON.parse(lines[i]!) as { d: string }
    const raw = Buffer.from(piece.d, 'base64')
    raw[100] = raw[100]! ^ 0xff
    lines[i] = JSON.stringify({ d: raw.toString('base64') })
    const damaged = join(work, 'damaged.shulin-backup')
    await writeFile(damaged, gzipSync(lines.join('\n')))
    await expect(restoreBackup(damaged, join(work, 'never'))).rejects.toThrow(BackupError)
    expect(await readdir(work)).not.toContain('never')
  })

  it('refuses the control API without the token', async () => {
    const t = await nodeWithReaders()
    const res = await fetch(t.node.url + '/api/control/backup', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Shulin-Control guess' },
      body: JSON.stringify({ out: '/tmp/x' }),
    })
    expect(res.status).toBe(403)
  })

  it('answers a backup to an impossible path with a 400, not a 500', async () => {
    const t = await nodeWithReaders()
    const res = await controlBackup(t, '/nonexistent-dir/sub/backup')
    expect(res.status).toBe(400)
  })

  it('restores nothing from a damaged or truncated backup, and never into a non-empty folder', async () => {
    const t = await nodeWithReaders()
    const work = await tempDir()
    cleanup.push(() => rm(work, { recursive: true, force: true }))
    const file = join(work, 'good')
    expect((await controlBackup(t, file)).status).toBe(200)
    const lines = gunzipSync(await readFile(file))
      .toString('utf8')
      .split('\n')

    const truncated = join(work, 'truncated')
    await writeFile(truncated, gzipSync(lines.slice(0, -3).join('\n') + '\n'))
    const altered = join(work, 'altered')
    const idx = lines.findIndex((l) => l.startsWith('{"k"'))
    const tampered = [...lines]
    tampered[idx] = tampered[idx]!.replace(/"v":"[^"]{4}/, '"v":"AAAA')
    await writeFile(altered, gzipSync(tampered.join('\n')))
    const garbage = join(work, 'garbage')
    await writeFile(garbage, 'not gzip at all')

    for (const bad of [truncated, altered, garbage]) {
      const target = join(work, `restore-${bad.split('/').pop()}`)
      await expect(restoreBackup(bad, target)).rejects.toBeInstanceOf(BackupError)
      await expect(readdir(target)).rejects.toThrow()
    }
    expect((await readdir(work)).filter((n) => n.includes('restoring'))).toEqual([])

    const occupied = join(work, 'occupied')
    await mkdir(occupied)
    await writeFile(join(occupied, 'keep.txt'), 'mine')
    await expect(restoreBackup(file, occupied)).rejects.toThrow(/not empty/)
    expect(await readdir(occupied)).toEqual(['keep.txt'])
  })
})
