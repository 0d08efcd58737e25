/**
 * @module cli/sushi
 * `shulin sushi credentials create --name NAME [--data DIR]`: a COUNTER-SUSHI credential for one
 * harvester, straight into the stopped node's folder or through the running node's control API.
 * The last line printed is `{"customer_id","requestor_id","api_key"}` (the key is shown once).
 */
import { parseArgs } from 'node:util'
import { CliError, withNode } from './common.js'
import { SushiCredentialAnswer, SushiCredentialName, SushiCredentials } from '../stats/sushi-credentials.js'

export async function cmdSushi(
  args: string[],
  dataDirOf: (flag: string | undefined, env: Record<string, string | undefined>) => string,
  env: Record<string, string | undefined>,
  viaRunningNode: (dataDir: string, path: string, body: unknown) => Promise<unknown>,
  usageError: (message: string) => CliError,
): Promise<void> {
  const [what, sub, ...rest] = args
  if (what !== 'credentials' || sub !== 'create')
    throw usageError(`unknown sushi command ${[what, sub].filter(Boolean).join(' ')}`.trim())
  let values
  try {
    values = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: false,
      options: { name: { type: 'string' }, data: { type: 'string' } },
    }).values
  } catch (err) {
    throw usageError((err as Error).message)
  }
  const name = SushiCredentialName.safeParse(values.name ?? '')
  if (!name.success) throw usageError('sushi credentials create needs --name NAME (1–100 characters)')
  const dataDir = dataDirOf(values.data, env)
  const answer = await withNode(
    dataDir,
    false,
    async (folder) => new SushiCredentials(folder.storage, folder.key.nodeId).create(name.data, 'cli'),
    async () =>
      SushiCredentialAnswer.parse(await viaRunningNode(dataDir, '/api/control/sushi/credentials', { name: name.data })),
  )
  process.stdout.write(
    `SUSHI credentials for ${name.data}: give the harvester these three values (the api_key is shown only now)\n`,
  )
  process.stdout.write(JSON.stringify(answer) + '\n')
}
