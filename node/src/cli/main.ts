/**
 * @module cli
 * `shulin` — start a node and look after its data folder.
 *
 * Commands and their flags are listed by `shulin --help` (see ./help.ts); the flags of
 * `shulin start` are generated from the settings declared on `NodeConfig`.
 * Every flag also reads a `SHULIN_*` variable. Commands that change data work whether the
 * node is running (through it, via DATA/run/control.json) or stopped (directly).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { cp } from 'node:fs/promises'
import { ClassicLevel } from 'classic-level'
import { z } from 'zod'
import { PersonName, Username, Password } from '@shulin/protocol'
import { configFlags, configFromEnv, configFromFlags, NodeConfig } from '../config/config.js'
import { startNode } from '../server.js'
import { dataPaths, openDataFolder } from '../storage/data-folder.js'
import { isDiskFull, StorageError } from '../storage/db.js'
import { readControlFile } from '../control/control-file.js'
import { restoreBackup, writeBackup, BackupError } from '../backup/backup.js'
import { stoppedNode } from '../services.js'
import { ProblemError } from '../http/problem.js'
import type { RuntimeAdapter } from '../runtime/adapter.js'
import { shulinVersion } from '../version.js'
import { CreateInviteRequest } from '@shulin/protocol'
import { CliError, runningNodeControl, withNode } from './common.js'
import { cmdImport } from './import.js'
import { commandHelp, isCommand, usage } from './help.js'
import { EmbeddedEngine } from '../search/embedded/engine.js'

export { CliError } from './common.js'

function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O, positionals = 0) {
  try {
    const parsed = parseArgs({ args, options, allowPositionals: positionals > 0, strict: true })
    if (parsed.positionals.length > positionals)
      throw new Error(`unexpected argument ${parsed.positionals[positionals]}`)
    return parsed
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n\n${usage()}`, 2)
  }
}

function zodOrExit<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input)
  if (r.success) return r.data
  throw new CliError(r.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('\n'), 2)
}

const dataDirOf = (flag: string | undefined, env: Record<string, string | undefined>) =>
  flag ?? configFromEnv(env).dataDir ?? NodeConfig.shape.dataDir.parse(undefined)

async function cmdStart(
  args: string[],
  env: Record<string, string | undefined>,
  runtime: RuntimeAdapter | undefined,
): Promise<void> {
  const { values } = parse(args, configFlags)
  const config = zodOrExit(NodeConfig, { ...configFromEnv(env), ...configFromFlags(values) })
  // The handlers go in before the node starts: the HTTP port answers /api/health while
  // startNode is still bringing up the rest, and a SIGTERM in that window (a service
  // manager, a test) would otherwise kill the process without closing LevelDB.
  let onTerm = () => {}
  let onInt = () => {}
  const stopped = new Promise<string>((resolve) => {
    onTerm = () => resolve('SIGTERM')
    onInt = () => resolve('SIGINT')
  })
  process.once('SIGTERM', onTerm)
  process.once('SIGINT', onInt)
  let node: Awaited<ReturnType<typeof startNode>>
  try {
    node = await startNode(config, runtime ? { runtime } : {})
  } catch (err) {
    process.off('SIGTERM', onTerm)
    process.off('SIGINT', onInt)
    throw err
  }
  const signal = await stopped
  process.stderr.write(`${signal}: stopping (finishing requests, closing the database)…\n`)
  await node.close().catch((err: unknown) => {
    process.stderr.write(`error while stopping: ${(err as Error).message}\n`)
    process.exitCode = 1
  })
}

/** Calls the running node's control API, when another process holds the data folder. */
async function viaRunningNode(dataDir: string, path: string, body: unknown): Promise<unknown> {
  const control = await runningNodeControl(dataDir)
  let res: Response
  try {
    res = await fetch(control.url + path, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Shulin-Control ${control.token}`,
        'accept-language': 'en',
      },
      body: JSON.stringify(body),
    })
  } catch (err) {
    throw new CliError(`Cannot reach the running node at ${control.url}: ${(err as Error).message}`)
  }
  const json = (await res.json().catch(() => ({}))) as {
    title?: string
    detail?: string
    errors?: Array<{ pointer: string; detail: string }>
  }
  if (!res.ok)
    throw new CliError(
      [
        json.title ?? `HTTP ${res.status}`,
        ...(json.detail ? [json.detail] : []),
        ...(json.errors ?? []).map((e) => `${e.pointer}: ${e.detail}`),
      ].join('\n'),
    )
  return json
}

function problemText(err: ProblemError): string {
  return [err.code, ...(err.extra.errors ?? []).map((e) => `${e.pointer}: ${e.detail}`)].join('\n')
}

async function cmdAdmin(args: string[], env: Record<string, string | undefined>): Promise<void> {
  const [sub, ...rest] = args
  if (sub !== 'create') throw new CliError(`unknown admin command ${sub ?? ''}\n\n${usage()}`, 2)
  const { values } = parse(rest, {
    data: { type: 'string' },
    username: { type: 'string' },
    password: { type: 'string' },
    name: { type: 'string' },
  })
  const input = zodOrExit(z.strictObject({ username: Username, password: Password, name: PersonName.optional() }), {
    username: values.username ?? env.SHULIN_ADMIN_USERNAME,
    password: values.password ?? env.SHULIN_ADMIN_PASSWORD,
    ...(values.name !== undefined && { name: values.name }),
  })
  const dataDir = dataDirOf(values.data, env)
  const policy = zodOrExit(NodeConfig.shape.passwordPolicy, configFromEnv(env).passwordPolicy)
  await withNode(
    dataDir,
    true,
    async (folder) => {
      const { setup } = stoppedNode(folder, { passwordPolicy: policy })
      try {
        await setup.createAdmin(input)
      } catch (err) {
        if (err instanceof ProblemError) throw new CliError(problemText(err))
        throw err
      }
    },
    async () => void (await viaRunningNode(dataDir, '/api/control/admin', input)),
  )
  process.stdout.write(`admin ${input.username} created in ${dataPaths(dataDir).dir}\n`)
}

async function cmdBackup(args: string[], env: Record<string, string | undefined>): Promise<void> {
  const { values } = parse(args, { data: { type: 'string' }, out: { type: 'string' } })
  if (!values.out) throw new CliError(`backup needs --out FILE\n\n${usage()}`, 2)
  const out = (await import('node:path')).resolve(values.out)
  const dataDir = dataDirOf(values.data, env)
  const summary = await withNode(
    dataDir,
    false,
    (folder) => writeBackup(folder.storage, folder.key, folder.nodeMeta, out, folder.dir),
    async () =>
      (await viaRunningNode(dataDir, '/api/control/backup', { out })) as {
        file: string
        entries: number
        blobs?: number
      },
  )
  process.stdout.write(`backup written: ${summary.file} (${summary.entries} entries, ${summary.blobs ?? 0} files)\n`)
}

async function cmdRestore(args: string[], env: Record<string, string | undefined>): Promise<void> {
  const { values, positionals } = parse(args, { data: { type: 'string' } }, 1)
  const file = positionals[0]
  if (!file) throw new CliError(`restore needs a backup FILE\n\n${usage()}`, 2)
  const dataDir = dataDirOf(values.data, env)
  try {
    const summary = await restoreBackup(file, dataDir)
    process.stdout.write(
      `restored node ${summary.nodeId} (${summary.entries} entries) into ${dataPaths(dataDir).dir}\n`,
    )
  } catch (err) {
    if (err instanceof BackupError) throw new CliError(`restore failed, nothing was written: ${err.message}`)
    throw err
  }
}

async function cmdRepair(args: string[], env: Record<string, string | undefined>): Promise<void> {
  const { values } = parse(args, { data: { type: 'string' } })
  const paths = dataPaths(dataDirOf(values.data, env))
  const copy = `${paths.db}.before-repair-${new Date().toISOString().replace(/[:.]/g, '-')}`
  await cp(paths.db, copy, { recursive: true, errorOnExist: true, force: false })
  process.stdout.write(`copied the database to ${copy}\n`)
  await ClassicLevel.repair(paths.db)
  process.stdout.write(`repaired ${paths.db}; start the node and check its readers before deleting the copy\n`)
}

/**
 * Rebuilds the search index: in this process when the node is stopped (the embedded index;
 * a node configured for Meilisearch rebuilds at its next start), through the control API when
 * it runs — and then the SPARQL store too.
 */
async function cmdReindex(args: string[], env: Record<string, string | undefined>): Promise<void> {
  const { values } = parse(args, { data: { type: 'string' } })
  const dataDir = dataDirOf(values.data, env)
  type Result = { documents: number; ms: number; sparql?: { triples: number; ms: number } }
  const result = (await withNode<Result>(
    dataDir,
    false,
    async (folder) => {
      const search = stoppedNode(folder).search(new EmbeddedEngine({ dir: dataPaths(dataDir).search }))
      await search.engine.open()
      const r = await search.reindex()
      await search.close()
      return r
    },
    // The SPARQL store lives in the running node's memory (a stopped node builds it at start).
    async () => ({
      ...((await viaRunningNode(dataDir, '/api/control/search/reindex', {})) as Result),
      sparql: (await viaRunningNode(dataDir, '/api/control/sparql/reindex', {})) as Result['sparql'],
    }),
  )) as Result
  process.stdout.write(`reindexed ${result.documents} records in ${result.ms} ms\n`)
  if (result.sparql)
    process.stdout.write(`rebuilt the SPARQL store: ${result.sparql.triples} triples in ${result.sparql.ms} ms\n`)
}

/** The federation commands talk to the running node (its peer network must be up). */
async function runningNode(dataDir: string, what: string): Promise<void> {
  if (!(await readControlFile(dataPaths(dataDir).control)))
    throw new CliError(`${what} needs the node running: start it first (shulin start --data ${dataDir}).`)
}

async function cmdInvite(args: string[], env: Record<string, string | undefined>): Promise<void> {
  const { values } = parse(args, {
    data: { type: 'string' },
    name: { type: 'string' },
    region: { type: 'string' },
    level: { type: 'string' },
    'valid-hours': { type: 'string' },
  })
  const body = zodOrExit(CreateInviteRequest, {
    name: values.name,
    region: values.region,
    level: values.level,
    ...(values['valid-hours'] !== undefined && { validHours: Number(values['valid-hours']) }),
  })
  const dataDir = dataDirOf(values.data, env)
  await runningNode(dataDir, 'invite')
  const r = (await viaRunningNode(dataDir, '/api/control/federation/invites', body)) as {
    invite: string
    expiresAt: string
  }
  process.stdout.write(`${r.invite}\n`)
  process.stderr.write(
    `single use, valid until ${r.expiresAt}: give it to the library's administrator, who runs  shulin join <invite>\n`,
  )
}

async function cmdJoin(args: string[], env: Record<string, string | undefined>): Promise<void> {
  const { values, positionals } = parse(args, { data: { type: 'string' } }, 1)
  if (!positionals[0]) throw new CliError(`join needs the INVITE\n\n${usage()}`, 2)
  const dataDir = dataDirOf(values.data, env)
  await runningNode(dataDir, 'join')
  const r = (await viaRunningNode(dataDir, '/api/control/federation/join', { invite: positionals[0] })) as {
    hub: string
    entry: { name: string; region: string }
    members: number
    clockSkewMs?: number
  }
  process.stdout.write(
    `joined hub ${r.hub} as ${r.entry.name} (${r.entry.region}); the registry has ${r.members} members\n`,
  )
  if (r.clockSkewMs !== undefined) {
    const minutes = Math.round(Math.abs(r.clockSkewMs) / 60_000)
    process.stderr.write(
      `warning: clock skew: this computer's clock is ${minutes} minutes ${r.clockSkewMs > 0 ? 'ahead of' : 'behind'} the hub's; sign-ins across libraries and content tickets will be refused until it is set right (README "Clocks")\n`,
    )
  }
}

async function cmdMember(args: string[], env: Record<string, string | undefined>): Promise<void> {
  const { values, positionals } = parse(args, { data: { type: 'string' } }, 2)
  const [action, nodeId] = positionals
  if (!action || !['suspend', 'reinstate', 'revoke'].includes(action) || !nodeId)
    throw new CliError(`member needs suspend|reinstate|revoke and a NODE_ID\n\n${usage()}`, 2)
  const dataDir = dataDirOf(values.data, env)
  await runningNode(dataDir, 'member')
  const r = (await viaRunningNode(
    dataDir,
    `/api/control/federation/members/${encodeURIComponent(nodeId)}/${action}`,
    {},
  )) as { name: string; status: string; seq: number }
  process.stdout.write(`${r.name}: ${r.status} (entry ${r.seq}); every member receives it at its next sync\n`)
}

/** `--help` or `-h` among a command's options (before a `--` that ends them). */
function asksForHelp(args: string[]): boolean {
  const end = args.indexOf('--')
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h')
}

/** Runs one CLI invocation. */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined>,
  runtime?: RuntimeAdapter,
): Promise<void> {
  const [command, ...args] = argv
  if (command !== undefined && isCommand(command) && asksForHelp(args)) {
    process.stdout.write(commandHelp(command, env) + '\n')
    return
  }
  switch (command) {
    case 'start':
      return cmdStart(args, env, runtime)
    case 'admin':
      return cmdAdmin(args, env)
    case 'backup':
      return cmdBackup(args, env)
    case 'restore':
      return cmdRestore(args, env)
    case 'repair':
      return cmdRepair(args, env)
    case 'invite':
      return cmdInvite(args, env)
    case 'join':
      return cmdJoin(args, env)
    case 'member':
      return cmdMember(args, env)
    case 'reindex':
      return cmdReindex(args, env)
    case 'subscribe': {
      const { values, positionals } = parse(args, { data: { type: 'string' }, mirror: { type: 'boolean' } }, 1)
      const dataDir = dataDirOf(values.data, env)
      const { cmdSubscribe } = await import('./channels.js')
      return cmdSubscribe(
        positionals[0],
        values.mirror ?? false,
        dataDir,
        (path, body) => viaRunningNode(dataDir, path, body),
        (m) => new CliError(`${m}\n\n${usage()}`, 2),
      )
    }
    case 'course': {
      const { cmdCourse } = await import('./course.js')
      return cmdCourse(
        args,
        dataDirOf,
        env,
        (dataDir, path, body) => viaRunningNode(dataDir, path, body),
        (m) => new CliError(`${m}\n\n${usage()}`, 2),
      )
    }
    case 'live': {
      const { cmdLive } = await import('./live.js')
      return cmdLive(
        args,
        dataDirOf,
        env,
        (dataDir, path, body) => viaRunningNode(dataDir, path, body),
        (m) => new CliError(`${m}\n\n${usage()}`, 2),
      )
    }
    case 'service': {
      const { cmdService } = await import('./service.js')
      return cmdService(args, env, usage)
    }
    case 'harvest': {
      const { cmdHarvest } = await import('./harvest.js')
      return cmdHarvest(
        args,
        dataDirOf,
        env,
        (dataDir, path, body) => viaRunningNode(dataDir, path, body),
        (m) => new CliError(`${m}\n\n${usage()}`, 2),
      )
    }
    case 'sushi': {
      const { cmdSushi } = await import('./sushi.js')
      return cmdSushi(
        args,
        dataDirOf,
        env,
        (dataDir, path, body) => viaRunningNode(dataDir, path, body),
        (m) => new CliError(`${m}\n\n${usage()}`, 2),
      )
    }
    case 'import':
      return cmdImport(args, dataDirOf, env, (err) => new CliError(`${err}\n\n${usage()}`, 2))
    case 'version':
    case '--version':
      process.stdout.write(`${shulinVersion}\n`)
      return
    case 'help':
      process.stdout.write((args[0] !== undefined && isCommand(args[0]) ? commandHelp(args[0], env) : usage()) + '\n')
      return
    case undefined:
    case '--help':
    case '-h':
      process.stdout.write(usage() + '\n')
      return
    default:
      throw new CliError(`unknown command ${command}\n\n${usage()}`, 2)
  }
}

/** The bin entry: runs the CLI and turns failures into a message and an exit code. */
export async function main(argv: string[], runtime?: RuntimeAdapter): Promise<void> {
  try {
    await runCli(argv, process.env, runtime)
  } catch (err) {
    if (err instanceof CliError || err instanceof StorageError) {
      process.stderr.write(`shulin: ${err.message}\n`)
      process.exitCode = err instanceof CliError ? err.exitCode : 1
      return
    }
    if (isDiskFull(err)) {
      process.stderr.write(
        `shulin: the disk is full (${(err as Error).message}); nothing was kept. Free some space, then run the command again.\n`,
      )
      process.exitCode = 1
      return
    }
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      process.stderr.write(`shulin: cannot listen: ${(err as Error).message}. Choose another --port or --host.\n`)
      process.exitCode = 1
      return
    }
    process.stderr.write(`shulin: ${(err as Error).stack ?? String(err)}\n`)
    process.exitCode = 1
  }
}
