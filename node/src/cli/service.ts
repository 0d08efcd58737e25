/**
 * @module cli/service
 * `shulin service install|uninstall`: run the node as a system service that starts at boot and
 * restarts when it fails. On Linux a systemd unit — its own user, the data folder the only
 * place it may write, hardening options — written to /etc/systemd/system and enabled; on
 * Windows a service run by WinSW, the Windows service wrapper the Windows bundle carries as
 * shulin-service.exe: node.exe alone does not answer the service control manager, so a
 * service registered with just `sc.exe` fails to start (error 1053). The unit, WinSW's XML and
 * the command lines are built by pure functions ({@link systemdUnit}, {@link windowsServiceXml},
 * {@link windowsServiceCommands}) so tests check them, and `--dry-run` prints them instead of
 * changing the machine. The node's settings are the ones `shulin start` takes (declared on
 * `NodeConfig`): given as flags here, they go into the unit or the XML as their `SHULIN_*`
 * variables.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, isAbsolute, join, resolve, win32 } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { XMLBuilder } from 'fast-xml-parser'
import { z } from 'zod'
import { configFlags, configFromFlags, declaredSettings, NodeConfig } from '../config/config.js'
import { CliError } from './common.js'

/** The `shulin` entry script this module ships with (node/dist/cli → bin/shulin.js). */
const shulinScript = fileURLToPath(new URL('../../../bin/shulin.js', import.meta.url))

/** A service name: what `systemctl` and Windows' service manager know it by. */
const ServiceName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'letters, digits, - and _ (up to 64)')
/** A system user's name, as useradd accepts it. */
const UserName = z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'a lower-case system user name (up to 32 characters)')

export interface ServiceSettings {
  /** systemctl / Windows service name. */
  name: string
  /** The system user the node runs as (Linux). */
  user: string
  /** Absolute data folder. */
  dataDir: string
  /** The Node.js executable and the `shulin` script it runs. */
  nodePath: string
  script: string
  /** Node settings given explicitly, by their flag (without dashes), as `shulin start` reads them. */
  settings: Array<{ flag: string; env: string; value: string | true }>
}

/** Quotes one word for a systemd unit: `%` and `$` would be specifiers and variables there. */
function systemdWord(word: string): string {
  const escaped = word.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%').replace(/\$/g, '$$$$')
  return /[\s"'\\]/.test(word) || word === '' ? `"${escaped}"` : escaped
}

/** The systemd unit that runs the node. */
export function systemdUnit(s: ServiceSettings): string {
  const env = [
    ['SHULIN_DATA', s.dataDir],
    ...s.settings.filter((x) => x.env !== 'SHULIN_DATA').map((x) => [x.env, x.value === true ? 'true' : x.value]),
  ]
  const port = Number(s.settings.find((x) => x.flag === 'port')?.value ?? 8090)
  const p2p = Number(s.settings.find((x) => x.flag === 'p2p-port')?.value ?? 8091)
  // A port under 1024 needs the one capability to bind it; nothing else is granted.
  const lowPort = (port > 0 && port < 1024) || (p2p > 0 && p2p < 1024)
  const underHome = [s.dataDir, s.script, s.nodePath].some((p) => /^\/(home|root)(\/|$)/.test(p))
  return `# 书林 Shulin node, written by \`shulin service install\`. Logs: journalctl -u ${s.name}
[Unit]
Description=书林 Shulin library node
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=${s.user}
Group=${s.user}
${env.map(([k, v]) => `Environment=${systemdWord(`${k}=${v}`)}`).join('\n')}
WorkingDirectory=${s.dataDir.replace(/%/g, '%%')}
ExecStart=${[s.nodePath, s.script, 'start'].map(systemdWord).join(' ')}
# SIGTERM lets requests finish and closes LevelDB; a crash restarts it after 5 s.
KillSignal=SIGTERM
TimeoutStopSec=30
Restart=on-failure
RestartSec=5
# LevelDB, the search index and peer connections hold many files open.
LimitNOFILE=65536
UMask=0077
# Hardening: the data folder is the only place the node may write.
NoNewPrivileges=yes
ProtectSystem=strict
ReadWritePaths=${systemdWord(s.dataDir)}
# Read-only rather than hidden when the program or its data lives in a home folder.
ProtectHome=${underHome ? 'read-only' : 'yes'}
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictSUIDSGID=yes
RestrictRealtime=yes
RestrictNamespaces=yes
LockPersonality=yes
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
SystemCallArchitectures=native
${lowPort ? 'AmbientCapabilities=CAP_NET_BIND_SERVICE\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE' : 'CapabilityBoundingSet='}

[Install]
WantedBy=multi-user.target
`
}

/** Windows command-line quoting (CommandLineToArgvW's rules): backslashes before a quote are doubled. */
function windowsArg(word: string): string {
  if (word !== '' && !/[\s"]/.test(word)) return word
  return `"${word.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, '$1$1')}"`
}

/** Where WinSW's exe and its XML live for a service: `<name>-service.exe` and `.xml`, side by side. */
export interface WindowsServiceFiles {
  /** The folder of the bundle (the one holding shulin.cmd and shulin-service.exe). */
  dir: string
  /** `<name>-service.exe`: WinSW reads the XML with its own base name from its own folder. */
  exe: string
  xml: string
}

export function windowsServiceFiles(dir: string, name: string): WindowsServiceFiles {
  // A --dry-run for Windows made on Linux keeps this machine's paths.
  const at = /^([A-Za-z]:)?\\/.test(dir) ? win32.join : join
  return { dir, exe: at(dir, `${name}-service.exe`), xml: at(dir, `${name}-service.xml`) }
}

/**
 * Refuses what WinSW or XML cannot carry: WinSW expands `%NAME%` in every value (there is no
 * escape for it), and XML 1.0 has no way to write control characters.
 */
function checkWindowsValues(s: ServiceSettings): void {
  const values: Array<[string, string]> = [
    ['--data', s.dataDir],
    ['the Node.js path', s.nodePath],
    ['the shulin.js path', s.script],
    ...s.settings.map((x): [string, string] => [`--${x.flag}`, x.value === true ? 'true' : x.value]),
  ]
  for (const [what, value] of values) {
    if (/%[^%]*%/.test(value))
      throw new CliError(
        `${what}: the Windows service wrapper would expand %…% in "${value}"; choose a value without a pair of %`,
        2,
      )
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(value))
      throw new CliError(
        `${what}: a control character (a line break, a tab, …) cannot go into the service's settings`,
        2,
      )
  }
}

/**
 * The WinSW configuration (`<name>-service.xml`) that runs the node as a Windows service:
 * node.exe with `shulin.js start --data …`, the other settings as their `SHULIN_*` variables,
 * started at boot, restarted 10 s after a failure, stopped with Ctrl+C (which the node takes
 * as SIGINT: requests finish, LevelDB closes) and killed only after 15 s, its output in
 * size-rolled logs in the data folder. It runs as LocalSystem, WinSW's default. Built with
 * fast-xml-parser's builder, so every path and value is escaped; UTF-8 with its declaration.
 */
export function windowsServiceXml(s: ServiceSettings): string {
  checkWindowsValues(s)
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    commentPropName: '#comment',
    format: true,
    indentBy: '  ',
    suppressEmptyNode: true,
    // Else an attribute whose value is "true" is written bare (value), which XML does not allow.
    suppressBooleanAttributes: false,
  })
  const env = s.settings
    .filter((x) => x.env !== 'SHULIN_DATA')
    .map((x) => ({ '@_name': x.env, '@_value': x.value === true ? 'true' : x.value }))
  const logs = windowsLogDir(s.dataDir)
  return builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    // Fixed text: a path could hold "--", which a comment may not.
    '#comment': ' 书林 Shulin node, written by shulin service install; its output goes to logpath. ',
    service: {
      id: s.name,
      name: s.name === 'shulin' ? '书林 Shulin' : `书林 Shulin (${s.name})`,
      description: '书林 Shulin library node',
      executable: s.nodePath,
      arguments: [s.script, 'start', '--data', s.dataDir].map(windowsArg).join(' '),
      workingdirectory: s.dataDir,
      ...(env.length > 0 ? { env } : {}),
      startmode: 'Automatic',
      onfailure: { '@_action': 'restart', '@_delay': '10 sec' },
      resetfailure: '1 hour',
      // WinSW sends Ctrl+C first and waits this long before it kills the process.
      stoptimeout: '15 sec',
      logpath: logs,
      log: { '@_mode': 'roll-by-size', sizeThreshold: 10240, keepFiles: 8 },
    },
  })
}

/** Where WinSW writes the node's output (`<name>.out.log`, with the setup link): in the data folder, kept across upgrades. */
export function windowsLogDir(dataDir: string): string {
  return (/^([A-Za-z]:)?\\/.test(dataDir) ? win32.join : join)(dataDir, 'service-logs')
}

/** WinSW's command lines: register and start, or stop and remove (the data folder stays). */
export function windowsServiceCommands(files: WindowsServiceFiles, sub: 'install' | 'uninstall'): string[][] {
  return sub === 'install'
    ? [
        [files.exe, 'install'],
        [files.exe, 'start'],
      ]
    : [
        [files.exe, 'stop'],
        [files.exe, 'uninstall'],
      ]
}

const serviceOptions = {
  ...configFlags,
  user: { type: 'string' },
  'service-name': { type: 'string' },
  'dry-run': { type: 'boolean' },
  'unit-dir': { type: 'string' },
  platform: { type: 'string' },
} as const

/** The settings `service install` runs the node with, checked as `shulin start` would check them. */
export function serviceSettings(
  values: Record<string, string | boolean | undefined>,
  platform: 'linux' | 'win32',
  env: Record<string, string | undefined>,
): ServiceSettings {
  const fail = (m: string) => new CliError(m, 2)
  const name = ServiceName.safeParse(values['service-name'] ?? 'shulin')
  if (!name.success) throw fail(`--service-name: ${name.error.issues[0]!.message}`)
  const user = UserName.safeParse(values.user ?? 'shulin')
  if (!user.success) throw fail(`--user: ${user.error.issues[0]!.message}`)
  const given = configFromFlags(values)
  const checked = NodeConfig.safeParse(given)
  if (!checked.success) throw fail(checked.error.issues.map((i) => `--${flagOf(i.path[0])}: ${i.message}`).join('\n'))
  const defaultData =
    platform === 'win32' ? win32.join(env.ProgramData ?? 'C:\\ProgramData', 'Shulin', 'data') : '/var/lib/shulin'
  const rawData = typeof values.data === 'string' ? values.data : defaultData
  const dataDir = platform === 'win32' ? win32.resolve(rawData) : isAbsolute(rawData) ? rawData : resolve(rawData)
  const settings = declaredSettings
    .filter((d) => d.flag !== undefined && d.flag !== 'data' && values[d.flag] !== undefined)
    .map((d) => ({ flag: d.flag!, env: d.env, value: values[d.flag!] as string | true }))
  return { name: name.data, user: user.data, dataDir, nodePath: process.execPath, script: shulinScript, settings }
}

function flagOf(key: PropertyKey | undefined): string {
  return declaredSettings.find((d) => d.key === key)?.flag ?? String(key)
}

/** Runs a command, failing with its own words when it fails. */
function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 })
  if (r.error) throw new CliError(`${cmd} ${args.join(' ')}: ${r.error.message}`)
  if (r.status !== 0) throw new CliError(`${cmd} ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim()}`)
  return r.stdout
}

/** `shulin service install|uninstall …`. */
export async function cmdService(args: string[], env: Record<string, string | undefined>, usage: () => string) {
  const [sub, ...rest] = args
  let parsed: ReturnType<typeof parseArgs<{ options: typeof serviceOptions; args: string[] }>>
  try {
    parsed = parseArgs({ args: rest, options: serviceOptions, strict: true, allowPositionals: false })
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n\n${usage()}`, 2)
  }
  if (sub !== 'install' && sub !== 'uninstall')
    throw new CliError(`service needs install or uninstall${sub ? `, not ${sub}` : ''}\n\n${usage()}`, 2)
  const values = parsed.values as Record<string, string | boolean | undefined>
  const platform = values.platform ?? (process.platform === 'win32' ? 'win32' : 'linux')
  if (platform !== 'linux' && platform !== 'win32') throw new CliError('--platform: linux or win32', 2)
  const s = serviceSettings(values, platform, env)
  const dryRun = values['dry-run'] === true
  const out = (text: string) => process.stdout.write(text)

  if (platform === 'win32') {
    // In a bundle the script is <bundle>/app/bin/shulin.js (beside app/launch.mjs) and WinSW is
    // <bundle>/shulin-service.exe; elsewhere (an npm install) it is looked for in the package's folder.
    const appDir = resolve(dirname(s.script), '..')
    const bundleDir = existsSync(join(appDir, 'launch.mjs')) ? resolve(appDir, '..') : appDir
    const files = windowsServiceFiles(bundleDir, s.name)
    const xml = windowsServiceXml(s)
    const commands = windowsServiceCommands(files, sub)
    if (dryRun || process.platform !== 'win32') {
      out(
        `${sub === 'install' ? `# ${files.xml}\n${xml}` : ''}${commands.map((c) => c.map(windowsArg).join(' ')).join('\n')}\n`,
      )
      return
    }
    const shipped = join(bundleDir, 'shulin-service.exe')
    if (!existsSync(shipped))
      throw new CliError(
        `the Windows service wrapper ${shipped} is missing. It comes with the Windows offline bundle ` +
          `(npm run bundle → shulin-<version>-win-x64.zip): run service install from the unpacked bundle, ` +
          `or place WinSW's exe (e.g. node-windows' bin/winsw/winsw.exe) there as shulin-service.exe.`,
      )
    if (files.exe !== shipped) await copyFile(shipped, files.exe)
    if (files.exe !== shipped && existsSync(`${shipped}.config`))
      await copyFile(`${shipped}.config`, `${files.exe}.config`)
    // WinSW finds the service by the XML beside it, on uninstall too; written whole, then renamed.
    if (sub === 'install' || !existsSync(files.xml)) {
      await writeFile(`${files.xml}.tmp`, xml)
      await rename(`${files.xml}.tmp`, files.xml)
    }
    if (sub === 'install') await mkdir(windowsLogDir(s.dataDir), { recursive: true })
    for (const [cmd, ...a] of commands) {
      // Stopping a service that is not running is not a failure of uninstall.
      if (a[0] === 'stop') spawnSync(cmd!, a, { encoding: 'utf8', timeout: 60_000 })
      else sh(cmd!, a)
    }
    if (sub === 'uninstall') {
      await rm(files.xml, { force: true })
      if (files.exe !== shipped) await rm(files.exe, { force: true })
      if (files.exe !== shipped) await rm(`${files.exe}.config`, { force: true })
    }
    out(
      sub === 'install'
        ? `installed and started: Windows service ${s.name} (data: ${s.dataDir}). ` +
            `Logs, with the one-time setup link: ${windowsLogDir(s.dataDir)}\n`
        : `removed: Windows service ${s.name}; the data folder ${s.dataDir} is kept.\n`,
    )
    return
  }

  const unitDir = typeof values['unit-dir'] === 'string' ? resolve(values['unit-dir']) : '/etc/systemd/system'
  const unitPath = join(unitDir, `${s.name}.service`)
  if (sub === 'install' && dryRun) {
    out(`# ${unitPath}\n${systemdUnit(s)}`)
    return
  }
  if (dryRun) {
    out(`systemctl disable --now ${s.name}.service\nrm ${unitPath}\nsystemctl daemon-reload\n`)
    return
  }
  if (process.getuid?.() !== 0)
    throw new CliError(`service ${sub} changes the system: run it as root (sudo), or add --dry-run to print the unit.`)
  if (!existsSync('/run/systemd/system'))
    throw new CliError(
      `this machine does not run systemd, so there is nothing to ${sub} a unit into. ` +
        `Print the unit with --dry-run for another init system, or run the container image (docker/compose.yaml).`,
    )
  if (sub === 'uninstall') {
    spawnSync('systemctl', ['disable', '--now', `${s.name}.service`], { encoding: 'utf8', timeout: 60_000 })
    await rm(unitPath, { force: true })
    sh('systemctl', ['daemon-reload'])
    out(`removed ${unitPath}; the data folder and the user ${s.user} are kept.\n`)
    return
  }
  if (spawnSync('id', ['-u', s.user]).status !== 0)
    sh('useradd', [
      '--system',
      '--user-group',
      '--home-dir',
      s.dataDir,
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      s.user,
    ])
  await mkdir(s.dataDir, { recursive: true, mode: 0o700 })
  sh('chown', ['-R', `${s.user}:${s.user}`, s.dataDir])
  await chmod(s.dataDir, 0o700)
  // Written beside and renamed: systemd never reads a half-written unit.
  await mkdir(dirname(unitPath), { recursive: true })
  await writeFile(`${unitPath}.tmp`, systemdUnit(s), { mode: 0o644 })
  await rename(`${unitPath}.tmp`, unitPath)
  sh('systemctl', ['daemon-reload'])
  sh('systemctl', ['enable', '--now', `${s.name}.service`])
  out(
    `installed ${unitPath} and started it as ${s.user} (data: ${s.dataDir}).\n` +
      `  systemctl status ${s.name}   ·   journalctl -u ${s.name}   (the first start prints the one-time setup link)\n`,
  )
}
