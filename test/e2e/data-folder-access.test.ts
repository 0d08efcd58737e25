/**
 * A data folder the node's user may not write — a container volume or bind mount made by root
 * while the node runs as uid 1000 — is refused at start with a message naming the fix, and
 * nothing in it is touched. (As root here, the node is started as uid 1000; otherwise the
 * folder is made read-only for this user.)
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { shulinBin } from './processes.js'

const work = mkdtempSync(join(tmpdir(), 'shulin-access-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))
const asRoot = process.getuid?.() === 0

describe('a data folder the node may not write', () => {
  it('is refused with the chown that fixes it, and left as it was', () => {
    const data = join(work, 'data')
    mkdirSync(data, { mode: 0o755 })
    writeFileSync(join(data, 'sentinel'), 'keep me')
    if (asRoot) chownSync(data, 0, 0)
    else chmodSync(data, 0o555)
    chmodSync(work, 0o755)
    const r = spawnSync(process.execPath, [shulinBin, 'start', '--data', data, '--port', '0', '--p2p-port', '0'], {
      ...(asRoot ? { uid: 1000, gid: 1000 } : {}),
      env: { PATH: process.env.PATH ?? '', HOME: work },
      encoding: 'utf8',
      timeout: 20_000,
    })
    expect(r.status).toBe(1)
    expect(r.stderr).toContain('not writable by this process')
    expect(r.stderr).toMatch(/chown -R \d+:\d+ /)
    expect(readdirSync(data)).toEqual(['sentinel'])
    expect(readFileSync(join(data, 'sentinel'), 'utf8')).toBe('keep me')
  })
})
