/**
 * `shulin service`: the systemd unit it writes passes `systemd-analyze verify` and carries the
 * settings, the restart policy and the hardening; the Windows commands register, set restart
 * on failure and start; bad settings are refused before anything is written; and on a machine
 * without systemd `install` says so instead of half-installing.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { CliError } from './common.js'
import { serviceSettings, systemdUnit, windowsServiceCommands, windowsUninstallCommands } from './service.js'

const work = mkdtempSync(join(tmpdir(), 'shulin-service-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))
const analyze = spawnSync('systemd-analyze', ['--version']).status === 0

describe('the systemd unit', () => {
  const s = serviceSettings(
    { data: '/srv/书林 data', port: '8095', name: '临安县图书馆 100%', 'trust-proxy': true, user: 'library' },
    'linux',
    {},
  )
  const unit = systemdUnit(s)

  it('runs the node as its own user on its data folder, restarting on failure, hardened', () => {
    expect(unit).toContain('User=library\nGroup=library\n')
    expect(unit).toContain('Environment="SHULIN_DATA=/srv/书林 data"')
    expect(unit).toContain('Environment=SHULIN_PORT=8095')
    // % would be a systemd specifier: doubled.
    expect(unit).toContain('Environment="SHULIN_NAME=临安县图书馆 100%%"')
    expect(unit).toContain('Environment=SHULIN_TRUST_PROXY=true')
    expect(unit).toMatch(/^ExecStart=\S+ \S+bin\/shulin\.js start$/m)
    for (const line of [
      'Restart=on-failure',
      'LimitNOFILE=65536',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ReadWritePaths="/srv/书林 data"',
      'PrivateTmp=yes',
      'ProtectHome=yes',
      'CapabilityBoundingSet=\n',
      'WantedBy=multi-user.target',
    ])
      expect(unit).toContain(line)
    // V8 compiles code at run time: the option that forbids that would crash node.
    expect(unit).not.toContain('MemoryDenyWriteExecute')
  })

  it.skipIf(!analyze)('passes systemd-analyze verify (skipped: systemd-analyze is not installed)', () => {
    for (const [name, text] of [
      ['shulin.service', unit],
      ['shulin-low.service', systemdUnit(serviceSettings({ data: '/root/shulin', port: '80' }, 'linux', {}))],
    ] as const) {
      const path = join(work, name)
      writeFileSync(path, text)
      const r = spawnSync('systemd-analyze', ['verify', path], { encoding: 'utf8', timeout: 30_000 })
      expect(r.stderr).toBe('')
      expect(r.status).toBe(0)
    }
  })

  it('grants only the capability to bind a port under 1024, and only when asked for one', () => {
    const low = systemdUnit(serviceSettings({ port: '80', data: '/home/lib/data' }, 'linux', {}))
    expect(low).toContain('AmbientCapabilities=CAP_NET_BIND_SERVICE\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE\n')
    expect(low).toContain('ProtectHome=read-only')
    expect(serviceSettings({}, 'linux', {}).dataDir).toBe('/var/lib/shulin')
  })

  it('refuses bad settings, users and names with the flag at fault', () => {
    const bad = (v: Record<string, string>) => {
      try {
        serviceSettings(v, 'linux', {})
      } catch (err) {
        expect(err).toBeInstanceOf(CliError)
        return (err as CliError).message
      }
      throw new Error('accepted ' + JSON.stringify(v))
    }
    expect(bad({ port: 'eighty' })).toMatch(/^--port: /)
    expect(bad({ role: 'king' })).toMatch(/^--role: /)
    expect(bad({ user: 'Root; rm -rf /' })).toMatch(/^--user: /)
    expect(bad({ 'service-name': '../x' })).toMatch(/^--service-name: /)
  })
})

describe('the Windows service', () => {
  it('is registered with sc.exe to start at boot and restart on failure, with the settings as flags', () => {
    const s = serviceSettings({ data: 'D:\\书林 data', port: '8095', 'trust-proxy': true }, 'win32', {})
    const [create, description, failure, start] = windowsServiceCommands({
      ...s,
      nodePath: 'C:\\Shulin\\runtime\\node.exe',
      script: 'C:\\Shulin\\app\\bin\\shulin.js',
    })
    expect(create).toEqual([
      'sc.exe',
      'create',
      'shulin',
      'binPath=',
      'C:\\Shulin\\runtime\\node.exe C:\\Shulin\\app\\bin\\shulin.js start --data "D:\\书林 data" --port 8095 --trust-proxy',
      'start=',
      'delayed-auto',
      'DisplayName=',
      '书林 Shulin',
    ])
    expect(description![1]).toBe('description')
    expect(failure).toEqual([
      'sc.exe',
      'failure',
      'shulin',
      'reset=',
      '86400',
      'actions=',
      'restart/5000/restart/5000/restart/60000',
    ])
    expect(start).toEqual(['sc.exe', 'start', 'shulin'])
    expect(windowsUninstallCommands('shulin')).toEqual([
      ['sc.exe', 'stop', 'shulin'],
      ['sc.exe', 'delete', 'shulin'],
    ])
    expect(serviceSettings({}, 'win32', { ProgramData: 'C:\\ProgramData' }).dataDir).toBe(
      'C:\\ProgramData\\Shulin\\data',
    )
  })
})

describe('shulin service on this machine', () => {
  /** What `cmdService` prints on stdout, or the error it throws. */
  async function service(args: string[]): Promise<{ out: string; err?: CliError }> {
    const { cmdService } = await import('./service.js')
    let out = ''
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out += String(chunk)
      return true
    })
    try {
      await cmdService(args, {}, () => 'usage')
      return { out }
    } catch (err) {
      return { out, err: err as CliError }
    } finally {
      spy.mockRestore()
    }
  }

  it('--dry-run prints the unit or the sc.exe lines and changes nothing', async () => {
    const unitDir = join(work, 'dry-units')
    const linux = await service([
      'install',
      '--dry-run',
      '--port',
      '8095',
      '--data',
      '/srv/shulin',
      '--unit-dir',
      unitDir,
    ])
    expect(linux.err).toBeUndefined()
    expect(linux.out).toMatch(new RegExp(`^# ${unitDir}/shulin\\.service\n`))
    expect(linux.out).toContain('Environment=SHULIN_PORT=8095\n')
    expect(existsSync(unitDir)).toBe(false)
    const win = await service(['install', '--dry-run', '--platform', 'win32', '--data', 'D:\\shulin'])
    expect(win.out).toMatch(/^sc\.exe create shulin binPath= ".* start --data D:\\shulin" start= delayed-auto/)
    expect((await service(['uninstall', '--dry-run', '--platform', 'win32'])).out).toBe(
      'sc.exe stop shulin\nsc.exe delete shulin\n',
    )
  })

  it('refuses an unknown subcommand, flag or platform with exit code 2', async () => {
    for (const args of [['enable'], [], ['install', '--bogus'], ['install', '--platform', 'darwin']]) {
      const { err } = await service(args)
      expect(err, args.join(' ')).toBeInstanceOf(CliError)
      expect(err!.exitCode).toBe(2)
    }
  })

  it.skipIf(existsSync('/run/systemd/system'))(
    'install without systemd says so and writes nothing (skipped where systemd runs: it would install)',
    async () => {
      const { cmdService } = await import('./service.js')
      const unitDir = join(work, 'units')
      const err = await cmdService(['install', '--data', join(work, 'data'), '--unit-dir', unitDir], {}, () => '').then(
        () => null,
        (e: unknown) => e as Error,
      )
      expect(err?.message ?? '').toMatch(/does not run systemd|run it as root/)
      expect(existsSync(unitDir)).toBe(false)
      expect(existsSync(join(work, 'data'))).toBe(false)
    },
  )
})
