/**
 * @module cli/help
 * What `shulin --help` and `shulin COMMAND --help` print. The `start` part — its flags, their
 * variables, defaults and descriptions — is generated from the settings declared on
 * `NodeConfig`, so it cannot drift from what `shulin start` accepts.
 */
import { declaredSettings, type DeclaredSetting } from '../config/config.js'
import { shulinVersion } from '../version.js'

/** The settings an operator may set (test-only ones are accepted but never listed). */
export const operatorSettings = declaredSettings.filter((s) => !s.testOnly)

/** Each command's usage lines, in the order `shulin --help` lists them. */
const commands: Record<string, string[]> = {
  start: startUsage(),
  admin: [
    'shulin admin create --username U --password P [--name N] [--data DIR]',
    '    (also SHULIN_ADMIN_USERNAME and SHULIN_ADMIN_PASSWORD)',
  ],
  backup: ['shulin backup --out FILE [--data DIR]'],
  restore: ['shulin restore FILE [--data DIR]'],
  repair: ['shulin repair [--data DIR]'],
  reindex: [
    'shulin reindex [--data DIR]     rebuild the search index (and a running node’s SPARQL store) from the records',
  ],
  invite: [
    'shulin invite --name NAME --region CODE --level county|city|province [--valid-hours H] [--data DIR]',
    '                                (hub) print a single-use invite for one library',
  ],
  join: ['shulin join INVITE [--data DIR] join the hub that issued INVITE'],
  member: ['shulin member suspend|reinstate|revoke NODE_ID [--data DIR]   (hub) change a member’s status'],
  import: [
    'shulin import FILE [--format jsonl|csv|marc|marcxml] [--map title=题名,creators=责任者,…]',
    '             [--delimiter ,] [--flavour auto|marc21|cnmarc] [--report FILE] [--channel NAME] [--data DIR]',
    '                                --channel: also publish the records in this node’s channel NAME',
  ],
  harvest: [
    'shulin harvest add URL [--set SPEC] [--data DIR]   add an OAI-PMH repository and harvest it at once',
    'shulin harvest run [--data DIR]     harvest every added repository again (what changed since the last run)',
  ],
  course: [
    'shulin course add --title COURSE --lecture LECTURE --video FILE [--subtitles FILE.srt|.vtt]',
    '             [--chapters FILE.json] [--course ID] [--publish] [--channel NAME] [--data DIR]',
    '                                add a lecture (its video is transcoded to HLS when the node runs)',
    '                                --channel: also put the course (with its lectures) in this node’s channel NAME',
  ],
  live: [
    'shulin live add --title TITLE --start ISO8601 [--course ID] [--description TEXT] [--speaker NAME]…',
    '             [--access public|node-readers|member-readers|staff] [--data DIR]',
    '                                schedule a live lecture; prints {"liveId","rtmpUrl","streamKey"}:',
    '                                the encoder pushes to rtmpUrl/streamKey (the key is shown once)',
  ],
  sushi: [
    'shulin sushi credentials create --name NAME [--data DIR]',
    '                                a COUNTER-SUSHI harvester’s customer_id, requestor_id and api_key',
    '                                (printed as the last line, JSON; the key is shown once)',
  ],
  subscribe: ['shulin subscribe CHANNEL_ID [--mirror] [--data DIR]   take a channel’s records into this node'],
  service: [
    'shulin service install [--user shulin] [--data DIR] [--service-name shulin] [--dry-run] [start’s flags…]',
    'shulin service uninstall [--service-name shulin] [--dry-run]',
    '                                run the node as a systemd unit (Linux) or a Windows service run by',
    '                                the bundle’s shulin-service.exe (WinSW; run as administrator);',
    '                                --data defaults to /var/lib/shulin (Windows: %ProgramData%\\Shulin\\data);',
    '                                --dry-run prints the unit, or WinSW’s XML and commands, instead',
  ],
  version: ['shulin version'],
}

/** Whether `name` is a command with its own help. */
export function isCommand(name: string): boolean {
  return Object.hasOwn(commands, name)
}

/** `shulin start [--data DIR] [--port N] …`. */
function startUsage(): string[] {
  return wrap(
    'shulin start',
    operatorSettings.map((s) => `[--${s.flag}${s.value === undefined ? '' : ' ' + s.value}]`),
    ' '.repeat('shulin start '.length),
  )
}

/** Words after `first`, in lines of about 100 columns, continued after `indent`. */
function wrap(first: string, words: string[], indent: string): string[] {
  const lines = [first]
  for (const word of words) {
    if (lines.at(-1)!.length + word.length + 1 > 100) lines.push(indent)
    lines[lines.length - 1] += (lines.at(-1) === indent ? '' : ' ') + word
  }
  return lines
}

/** The whole usage: every command, and the variables `start` reads. */
export function usage(): string {
  return `书林 Shulin ${shulinVersion}

Usage:
${Object.values(commands)
  .flatMap((lines) => lines.map((l) => '  ' + l))
  .join('\n')}

${wrap(
  'Every flag of start also reads an environment variable (the flag wins):',
  operatorSettings.map((s, i) => s.env + (i === operatorSettings.length - 1 ? '.' : ',')),
  '',
).join('\n')}
\`shulin start --help\` describes each with its default. Every command answers --help.`
}

/** The help of one command; `start` lists every setting with its variable, default and description. */
export function commandHelp(command: string, env: Record<string, string | undefined>): string {
  const lines = commands[command]
  if (!lines) return usage()
  const head = `书林 Shulin ${shulinVersion}\n\nUsage:\n${lines.map((l) => '  ' + l).join('\n')}`
  if (command !== 'start')
    return lines.some((l) => l.includes('--data DIR')) && command !== 'service'
      ? `${head}\n\n--data DIR defaults to SHULIN_DATA, then ${String(declaredSettings.find((s) => s.key === 'dataDir')!.default)}.`
      : head
  const zh = chinese(env)
  const rows = operatorSettings.map(
    (s) =>
      `  --${s.flag}${s.value === undefined ? '' : ' ' + s.value} · ${s.env}${shownDefault(s)}\n      ${zh ? s.zh : s.en}`,
  )
  return `${head}\n\n${zh ? '设置（每个参数也可用环境变量设置，参数优先）：' : 'Settings (each flag also reads its environment variable; the flag wins):'}\n${rows.join('\n')}`
}

/** Chinese descriptions for a Chinese locale, as the terminal's other programs would choose. */
function chinese(env: Record<string, string | undefined>): boolean {
  return /^zh/i.test(env.LC_ALL || env.LC_MESSAGES || env.LANG || '')
}

const mib = 1024 ** 2

function shownDefault(s: DeclaredSetting): string {
  const v = s.default
  if (v === undefined || v === false) return ''
  // Byte counts read as MiB / GiB: nobody checks 2147483648 at a glance.
  if (typeof v === 'number' && s.value?.startsWith('BYTES') && v >= mib && v % mib === 0) {
    return v % (1024 * mib) === 0
      ? ` · default ${v / (1024 * mib)} GiB${s.value === 'BYTES' ? '' : '/s'} (${v})`
      : ` · default ${v / mib} MiB${s.value === 'BYTES' ? '' : '/s'} (${v})`
  }
  return ` · default ${String(v)}`
}
