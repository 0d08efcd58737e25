/**
 * The `shulin` command as an operator uses it: separate processes on loopback, each with its
 * own data folder, talking over real sockets.
 */
import { mkdtemp, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliCommand, killAll, run, spawnLogged, start } from './processes.js'
import { freePort } from '../../node/src/testing/free-port.js'
import { declaredSettings } from '../../node/src/config/config.js'

async function login(url: string, identifier: string, password: string) {
  return fetch(url + '/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identifier, password, bearer: true }),
  })
}

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shulin-cli-'))
})
afterAll(async () => {
  await killAll()
  await rm(work, { recursive: true, force: true })
})

describe('shulin CLI', () => {
  it('starts on an empty folder, refuses a second process, works through the running node, stops cleanly, restores', async () => {
    const data = join(work, 'county')
    const node = await start(['--data', data, '--port', '0'])
    expect(node.output()).toMatch(/setup\s+:\s+http:\/\/127\.0\.0\.1:\d+\/setup#token=/)
    const health = await (await fetch(node.url + '/api/health')).json()
    expect(health).toMatchObject({ status: 'ok', role: 'node', nodeId: expect.stringMatching(/^12D3KooW/) })

    const second = await run(['start', '--data', data, '--port', '0', '--host', '127.0.0.1'])
    expect(second.code).toBe(1)
    expect(second.stderr).toMatch(/Another Shulin process is using/)

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
    expect((await login(node.url, 'libadmin', 'county-library-2026')).status).toBe(200)

    const file = join(work, 'county.backup')
    const backup = await run(['backup', '--data', data, '--out', file])
    expect(backup.code, backup.stderr).toBe(0)
    expect((await stat(file)).size).toBeGreaterThan(100)

    node.child.kill('SIGTERM')
    expect(await node.exited).toBe(0)
    expect(await readdir(join(data, 'run'))).toEqual([])

    // Stopped: the same commands work on the folder directly.
    const offline = await run([
      'admin',
      'create',
      '--data',
      data,
      '--username',
      'deputy',
      '--password',
      'county-library-2027',
    ])
    expect(offline.code, offline.stderr).toBe(0)

    const restored = join(work, 'restored')
    const r = await run(['restore', file, '--data', restored])
    expect(r.code, r.stderr).toBe(0)
    const again = await start(['--data', restored, '--port', '0'])
    expect((await (await fetch(again.url + '/api/health')).json()).nodeId).toBe(health.nodeId)
    expect((await login(again.url, 'libadmin', 'county-library-2026')).status).toBe(200)
    expect((await login(again.url, 'deputy', 'county-library-2027')).status).toBe(401)
    again.child.kill('SIGINT')
    expect(await again.exited).toBe(0)

    const refused = await run(['restore', file, '--data', restored])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/not empty/)
    // Nine CLI processes and two node starts: each CLI start takes ~1 s of CPU, 5–6 s at load 20.
  }, 120_000)

  it('finishes the request in flight when told to stop', async () => {
    const node = await start(['--data', join(work, 'busy'), '--port', '0'])
    const setup = new URLSearchParams(/#(token=\S+)/.exec(node.output())![1]).get('token')
    await fetch(node.url + '/api/setup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: setup, username: 'libadmin', password: 'county-library-2026' }),
    })
    const token = ((await (await login(node.url, 'libadmin', 'county-library-2026')).json()) as { token: string }).token
    const csv = [
      'cardNo,name',
      ...Array.from({ length: 1500 }, (_, i) => `C${String(i).padStart(6, '0')},读者${i}`),
    ].join('\n')
    const importing = fetch(node.url + '/api/staff/readers/import', {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` },
      body: csv,
    })
    await new Promise((r) => setTimeout(r, 150))
    node.child.kill('SIGTERM')
    const res = await importing
    expect(res.status).toBe(200)
    expect(((await res.json()) as { created: number }).created).toBe(1500)
    expect(await node.exited).toBe(0)
  })

  it('stops cleanly on a SIGTERM that comes while it is still starting (the web port already answers)', async () => {
    const port = await freePort()
    const [cmd, pre] = cliCommand('node')
    const args = ['start', '--data', join(work, 'early'), '--host', '127.0.0.1', '--port', String(port)]
    const { child, output, exited } = spawnLogged(
      cmd,
      [...pre, ...args, '--p2p-port', '0', '--rtmp-port', '0'],
      process.env,
    )
    // The first answer of /api/health comes before the peer network and the rest are up.
    for (let i = 0; i < 2000; i++) {
      if (
        await fetch(`http://127.0.0.1:${port}/api/health`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break
      await new Promise((r) => setTimeout(r, 10))
    }
    child.kill('SIGTERM')
    expect(await exited, output()).toBe(0)
    expect(output()).toContain('SIGTERM: stopping')
  }, 60_000)

  it('reads every flag from SHULIN_* variables', async () => {
    const node = await start([], {
      SHULIN_DATA: join(work, 'from-env'),
      SHULIN_PORT: '0',
      SHULIN_ROLE: 'hub',
      SHULIN_NAME: '国家数字图书馆',
    })
    expect((await (await fetch(node.url + '/api/health')).json()).role).toBe('hub')
    expect(node.output()).toContain('国家数字图书馆')
    expect(await readdir(join(work, 'from-env'))).toEqual(expect.arrayContaining(['db', 'node-key']))
    node.child.kill('SIGTERM')
    expect(await node.exited).toBe(0)
  })

  it('answers --help for every command with exit 0, and lists every setting of start but the test-only ones', async () => {
    const commands = [
      'start',
      'admin',
      'backup',
      'restore',
      'repair',
      'reindex',
      'invite',
      'join',
      'member',
      'import',
      'harvest',
      'subscribe',
      'live',
      'service',
      'version',
    ]
    // Four at a time: seventeen CLI processes at once on a loaded 2-core machine outlast run()'s 20 s.
    const calls: Array<() => ReturnType<typeof run>> = [
      ...commands.map((c) => () => run([c, '--help'])),
      () => run(['--help']),
      () => run(['help', 'start']),
      () => run(['start', '-h'], { LANG: 'zh_CN.UTF-8' }),
    ]
    const answers: Array<Awaited<ReturnType<typeof run>>> = []
    for (let i = 0; i < calls.length; i += 4)
      answers.push(...(await Promise.all(calls.slice(i, i + 4).map((f) => f()))))
    answers.forEach((r, i) => {
      expect(r.code, `${commands[i] ?? 'help'}: ${r.stderr}`).toBe(0)
      expect(r.stdout).toMatch(/Usage:\n  shulin /)
    })
    const [startHelp] = answers
    const [general, helpStart, chinese] = answers.slice(commands.length)
    expect(helpStart!.stdout).toBe(startHelp!.stdout)
    for (const s of declaredSettings) {
      const row = `--${s.flag}${s.value === undefined ? '' : ' ' + s.value} · ${s.env}`
      if (s.testOnly) {
        for (const r of [startHelp!, general!]) expect(r.stdout).not.toContain(s.env)
        continue
      }
      expect(startHelp!.stdout).toContain(row)
      expect(startHelp!.stdout).toContain(s.en)
      expect(chinese!.stdout).toContain(s.zh)
      expect(general!.stdout).toContain(`[--${s.flag}`)
      expect(general!.stdout).toContain(s.env)
    }
    expect(startHelp!.stdout).toContain('--port N · SHULIN_PORT · default 8090')
  }, 120_000)

  it('refuses a half-written folder, a foreign folder and bad flags with a clear message', async () => {
    const half = join(work, 'half')
    await mkdir(join(half, 'db'), { recursive: true })
    const r1 = await run(['start', '--data', half, '--port', '0'])
    expect(r1.code).toBe(1)
    expect(r1.stderr).toMatch(/half-written/)

    const foreign = join(work, 'home')
    await mkdir(foreign)
    await writeFile(join(foreign, 'notes.txt'), 'mine')
    const r2 = await run(['start', '--data', foreign, '--port', '0'])
    expect(r2.code).toBe(1)
    expect(r2.stderr).toMatch(/not a Shulin data folder/)

    const r3 = await run(['start', '--prot', '80'])
    expect(r3.code).toBe(2)
    expect(r3.stderr).toMatch(/Usage:/)
    const r4 = await run(['start', '--port', 'eighty', '--data', join(work, 'never')])
    expect(r4.code).toBe(2)
    await expect(stat(join(work, 'never'))).rejects.toThrow()
  })
})
