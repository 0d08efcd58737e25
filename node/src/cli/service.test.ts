/**
 * `shulin service`: the systemd unit it writes passes `systemd-analyze verify` and carries the
 * settings, the restart policy and the hardening; the Windows service's WinSW XML parses back
 * to the node, its settings, restart on failure, a clean stop and rolled logs, every path and
 * value escaped, and WinSW's commands install and start it; bad settings are refused before anything is written; and on a machine
 * without systemd `install` says so instead of half-installing.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { CliError } from './common.js'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import {
  serviceSettings,
  systemdUnit,
  windowsServiceCommands,
  windowsServiceFiles,
  windowsServiceXml,
} from './service.js'

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

describe('the Windows service (WinSW)', () => {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    parseAttributeValue: false,
    isArray: (name) => name === 'env',
  })
  const s = {
    ...serviceSettings(
      {
        data: "D:\\书林 & <data> 'x'\\",
        port: '8095',
        name: '临安 "县" <图书馆> & 100 sec',
        'trust-proxy': true,
        'service-name': 'lin-an',
      },
      'win32',
      {},
    ),
    nodePath: 'C:\\Shulin & Co\\runtime\\node.exe',
    script: 'C:\\Shulin & Co\\app\\bin\\shulin.js',
  }
  const xml = windowsServiceXml(s)

  it('is UTF-8 XML that parses back to the node, its settings, restart, stop and logs, every value escaped', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true)
    expect(XMLValidator.validate(xml)).toBe(true)
    const { service } = parser.parse(xml) as { service: Record<string, unknown> }
    expect(service.id).toBe('lin-an')
    expect(service.name).toBe('书林 Shulin (lin-an)')
    expect(service.executable).toBe('C:\\Shulin & Co\\runtime\\node.exe')
    expect(service.arguments).toBe('"C:\\Shulin & Co\\app\\bin\\shulin.js" start --data "D:\\书林 & <data> \'x\'"')
    expect(service.workingdirectory).toBe("D:\\书林 & <data> 'x'")
    expect(service.env).toEqual([
      { '@_name': 'SHULIN_PORT', '@_value': '8095' },
      { '@_name': 'SHULIN_NAME', '@_value': '临安 "县" <图书馆> & 100 sec' },
      { '@_name': 'SHULIN_TRUST_PROXY', '@_value': 'true' },
    ])
    expect(service.startmode).toBe('Automatic')
    expect(service.onfailure).toEqual({ '@_action': 'restart', '@_delay': '10 sec' })
    expect(service.stoptimeout).toBe('15 sec')
    expect(service.logpath).toBe("D:\\书林 & <data> 'x'\\service-logs")
    // A share's root keeps its trailing backslash: doubled before the closing quote, or
    // CommandLineToArgvW would read \" as a quote inside the argument.
    const unc = windowsServiceXml(serviceSettings({ data: '\\\\nas\\书林 share\\' }, 'win32', {}))
    expect((parser.parse(unc) as { service: { arguments: string } }).service.arguments).toMatch(
      / start --data "\\\\nas\\书林 share\\\\"$/,
    )
    expect(service.log).toEqual({ '@_mode': 'roll-by-size', sizeThreshold: '10240', keepFiles: '8' })
    // LocalSystem, WinSW's default, as README says: no account (and no password) in the file.
    expect(service.serviceaccount).toBeUndefined()
    expect(xml).toContain('&amp;')
    expect(xml).not.toMatch(/<图书馆>/)
  })

  it('is run by <name>-service.exe beside the XML: install and start, stop and uninstall', () => {
    const files = windowsServiceFiles('C:\\Shulin & Co', 'shulin')
    expect(files).toEqual({
      dir: 'C:\\Shulin & Co',
      exe: 'C:\\Shulin & Co\\shulin-service.exe',
      xml: 'C:\\Shulin & Co\\shulin-service.xml',
    })
    expect(windowsServiceCommands(files, 'install')).toEqual([
      [files.exe, 'install'],
      [files.exe, 'start'],
    ])
    expect(windowsServiceCommands(files, 'uninstall')).toEqual([
      [files.exe, 'stop'],
      [files.exe, 'uninstall'],
    ])
    expect(windowsServiceFiles('D:\\b', 'lin-an').exe).toBe('D:\\b\\lin-an-service.exe')
    expect(serviceSettings({}, 'win32', { ProgramData: 'C:\\ProgramData' }).dataDir).toBe(
      'C:\\ProgramData\\Shulin\\data',
    )
    const plain = windowsServiceXml(serviceSettings({ data: 'D:\\shulin' }, 'win32', {}))
    expect((parser.parse(plain) as { service: { name: string; env?: unknown } }).service).toMatchObject({
      name: '书林 Shulin',
    })
    expect((parser.parse(plain) as { service: { env?: unknown } }).service.env).toBeUndefined()
  })

  it('refuses a value WinSW would expand (%NAME%) or XML cannot hold (control characters)', () => {
    const refused = (values: Record<string, string>) => {
      try {
        windowsServiceXml(serviceSettings(values, 'win32', {}))
      } catch (err) {
        expect(err).toBeInstanceOf(CliError)
        expect((err as CliError).exitCode).toBe(2)
        return (err as CliError).message
      }
      throw new Error('accepted ' + JSON.stringify(values))
    }
    expect(refused({ data: 'D:\\%USERNAME%\\data' })).toMatch(/^--data: .*%…%/)
    expect(refused({ name: 'a\nb' })).toMatch(/^--name: a control character/)
    expect(() => windowsServiceXml(serviceSettings({ name: '100% 书林' }, 'win32', {}))).not.toThrow()
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

  it('--dry-run prints the unit, or the WinSW XML and its commands, and changes nothing', async () => {
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
    const win = await service(['install', '--dry-run', '--platform', 'win32', '--data', 'D:\\shulin', '--port', '8095'])
    expect(win.err).toBeUndefined()
    // The XML WinSW reads, where it goes, then the wrapper's two commands.
    const [head, ...rest] = win.out.split('\n')
    // Not a bundle (no app/launch.mjs): the wrapper is looked for in the package's own folder.
    expect(head).toBe(`# ${join(fileURLToPath(new URL('../../../', import.meta.url)), 'shulin-service.xml')}`)
    const xml = rest.join('\n').slice(0, rest.join('\n').indexOf('</service>') + '</service>'.length)
    expect(XMLValidator.validate(xml)).toBe(true)
    expect(xml).toContain('<env name="SHULIN_PORT" value="8095"/>')
    expect(win.out).toMatch(/\n\S*shulin-service\.exe install\n\S*shulin-service\.exe start\n$/)
    expect(win.out).not.toContain('sc.exe')
    expect((await service(['uninstall', '--dry-run', '--platform', 'win32'])).out).toMatch(
      /^\S*shulin-service\.exe stop\n\S*shulin-service\.exe uninstall\n$/,
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
