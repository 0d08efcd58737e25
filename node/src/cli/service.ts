/**
 * @module cli/service
 * `shulin service install|uninstall`: run the node as a system service that starts at boot and
 * restarts when it fails. On Linux a systemd unit — its own user, the data folder the only
 * place it may write, hardening options — written to /etc/systemd/system and enabled; on
 * Windows a service registered with `sc.exe`. The unit and the command lines are built by pure
 * functions ({@link systemdUnit}, {@link windowsServiceCommands}) so tests check them, and
 * `--dry-run` prints them instead of changing the machine. The node's settings are the ones
 * `shulin start` takes (declared on `NodeConfig`): given as flags here, they go into the unit
 * as their `SHULIN_*` variables (Windows: as flags on the service's command line).
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, isAbsolute, join, resolve, win32 } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { configFlags, configFromFlags, declaredSettings, NodeConfig } from '../config/config.js'
import { CliError } from './common.js'

/** The `shulin` entry script this module ships with (node/dist/cli → bin/shulin.js). */
const shulinScript = fileURLToPath(new URL('../../../bin/shulin.js', import.meta.url))

/** A service name: what `systemctl` and `sc.exe` know it by. */
const ServiceName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'letters, digits, - and _ (up to 64)')
/** A system user's name, as useradd accepts it. */
const UserName = z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'a lower-case system user name (up to 32 characters)')

export interface ServiceSettings {
  /** systemctl / sc.exe name. */
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

/** `sc.exe` command lines that register, set restart-on-failure for and start the Windows service. */
export function windowsServiceCommands(s: ServiceSettings): string[][] {
  const quote = (w: string) => (/[\s"]/.test(w) ? `"${w.replace(/"/g, '\\"')}"` : w)
  const flags = [
    '--data',
    s.dataDir,
    ...s.settings
      .filter((x) => x.flag !== 'data')
      .flatMap((x) => (x.value === true ? [`--${x.flag}`] : [`--${x.flag}`, x.value])),
  ]
  const binPath = [s.nodePath, s.script, 'start', ...flags].map(quote).join(' ')
  return [
    ['sc.exe', 'create', s.name, 'binPath=', binPath, 'start=', 'delayed-auto', 'DisplayName=', '书林 Shulin'],
    ['sc.exe', 'description', s.name, '书林 Shulin library node'],
    ['sc.exe', 'failure', s.name, 'reset=', '86400', 'actions=', 'restart/5000/restart/5000/restart/60000'],
    ['sc.exe', 'start', s.name],
  ]
}

/** `sc.exe` command lines that stop and remove the Windows service (the data folder stays). */
export function windowsUninstallCommands(name: string): string[][] {
  return [
    ['sc.exe', 'stop', name],
    ['sc.exe', 'delete', name],
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
    const commands = sub === 'install' ? windowsServiceCommands(s) : windowsUninstallCommands(s.name)
    if (dryRun || process.platform !== 'win32') {
      out(
        commands.map((c) => c.map((w) => (/[\s"]/.test(w) ? `"${w.replace(/"/g, '\\"')}"` : w)).join(' ')).join('\n') +
          '\n',
      )
      return
    }
    if (sub === 'install') await mkdir(s.dataDir, { recursive: true })
    for (const [cmd, ...a] of commands) {
      // Stopping a service that is not running is not a failure of uninstall.
      if (a[0] === 'stop') spawnSync(cmd!, a, { encoding: 'utf8', timeout: 60_000 })
      else sh(cmd!, a)
    }
    out(`${sub === 'install' ? 'installed and started' : 'removed'}: Windows service ${s.name} (data: ${s.dataDir})\n`)
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
