/**
 * @module e2e/network
 * A small network of `shulin` processes for the federation tests: a hub and members joined
 * to it with `shulin invite` / `shulin join`, and calls on a running node's control API as the
 * CLI makes them.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { run, start, type Started } from './processes.js'

export interface Member {
  data: string
  node: Started
}

export const json = async (url: string, init?: RequestInit) => (await fetch(url, init)).json()

/** Calls a running node's control API (authenticated by its control file, as the CLI is). */
export async function control<T = unknown>(
  dataDir: string,
  path: string,
  body: unknown,
): Promise<{ status: number; body: T }> {
  const c = JSON.parse(await readFile(join(dataDir, 'run', 'control.json'), 'utf8'))
  const res = await fetch(c.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Shulin-Control ${c.token}` },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as T }
}

/** Starts a hub in `work/<name>` and joins one member per `[region, name]`, each in its own folder. */
export async function hubAndMembers(
  work: string,
  folder: string,
  members: Array<readonly [string, string]>,
  level = 'county',
): Promise<{ hub: Started; hubData: string; members: Member[] }> {
  const hubData = join(work, folder)
  const hub = await start(['--port', '0', '--data', hubData, '--role', 'hub', '--name', '国家数字图书馆'])
  const joined: Member[] = []
  for (const [region, name] of members) {
    const data = join(work, `${folder}-${region}`)
    const node = await start(['--port', '0', '--data', data, '--name', name])
    const inv = await run(['invite', '--data', hubData, '--name', name, '--region', region, '--level', level])
    if (inv.code !== 0) throw new Error(inv.stderr)
    const j = await run(['join', inv.stdout.trim(), '--data', data])
    if (j.code !== 0) throw new Error(j.stderr)
    joined.push({ data, node })
  }
  return { hub, hubData, members: joined }
}

/** The hub's first admin, created with the CLI, signed in with a bearer token. */
export async function hubAdminToken(hubData: string, hubUrl: string): Promise<{ authorization: string }> {
  const created = await run([
    'admin',
    'create',
    '--username',
    'hubadmin',
    '--password',
    'correct-horse-battery',
    '--data',
    hubData,
  ])
  if (created.code !== 0) throw new Error(created.stderr)
  const { token } = await json(`${hubUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identifier: 'hubadmin', password: 'correct-horse-battery', bearer: true }),
  })
  return { authorization: `Bearer ${token}` }
}
