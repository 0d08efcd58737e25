/**
 * `shulin start --log-file PATH` as an install without a container uses it: the log lines go
 * to a dated, numbered file beside PATH (pino-roll) instead of stdout, through to the last line
 * of a SIGTERM; a folder the node may not write to stops the start with a message naming the flag.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killAll, run, start } from './processes.js'

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shulin-log-file-'))
})
afterAll(async () => {
  await killAll()
  await rm(work, { recursive: true, force: true })
})

describe('--log-file', () => {
  it('writes the log to a rotated file, not stdout, up to the last line at shutdown', async () => {
    const logs = join(work, 'logs')
    const node = await start(['--data', join(work, 'data'), '--port', '0', '--log-file', join(logs, 'shulin.log')])
    expect((await fetch(node.url + '/api/health/ready')).status).toBe(200)
    node.child.kill('SIGTERM')
    expect(await node.exited).toBe(0)
    // The banner still goes to the terminal; the JSON log lines do not.
    expect(node.output()).toMatch(/open\s+:/)
    expect(node.output()).not.toMatch(/"msg":"node started"/)
    const files = await readdir(logs)
    expect(files, files.join(', ')).toEqual([expect.stringMatching(/^shulin\.\d{4}-\d{2}-\d{2}\.1\.log$/)])
    const lines = (await readFile(join(logs, files[0]!), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; path?: string })
    expect(lines.map((l) => l.msg)).toContain('node started')
    expect(lines.some((l) => l.msg === 'request' && l.path === '/api/health/ready')).toBe(true)
    expect(lines.at(-1)!.msg).toBe('node stopped')
  }, 60_000)

  it('refuses a log path it cannot write, naming the flag', async () => {
    const file = join(work, 'not-a-folder')
    await writeFile(file, '')
    const r = await run([
      'start',
      '--data',
      join(work, 'data2'),
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--p2p-port',
      '0',
      '--log-file',
      join(file, 'shulin.log'),
    ])
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(/--log-file/)
  }, 30_000)
})
