/**
 * @module cli/harvest
 * `shulin harvest add URL [--set SPEC]` adds an OAI-PMH repository and harvests it at once;
 * `shulin harvest run` harvests every added one again (only what changed since the last run).
 * Directly when the node is stopped, through its control API when it runs. One line per
 * repository, then the reports as JSON on the last line; exit code 1 when a harvest failed
 * (it imported nothing), 3 when some records were refused.
 */
import { parseArgs } from 'node:util'
import { stoppedNode } from '../services.js'
import { HarvestReport, HarvestTarget } from '../harvest/service.js'
import { HarvestRunAnswer } from '../harvest/control-routes.js'
import { withNode } from './common.js'
import type { CliError } from './common.js'

export async function cmdHarvest(
  args: string[],
  dataDirOf: (flag: string | undefined, env: Record<string, string | undefined>) => string,
  env: Record<string, string | undefined>,
  viaRunningNode: (dataDir: string, path: string, body: unknown) => Promise<unknown>,
  usageError: (message: string) => CliError,
): Promise<void> {
  const [sub, ...rest] = args
  let parsed
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: sub === 'add',
      strict: true,
      options: { data: { type: 'string' }, ...(sub === 'add' ? { set: { type: 'string' } } : {}) },
    })
  } catch (err) {
    throw usageError((err as Error).message)
  }
  const dataDir = dataDirOf(parsed.values.data, env)
  let reports: HarvestReport[]
  if (sub === 'add') {
    if (parsed.positionals.length !== 1) throw usageError('harvest add needs exactly one URL (the OAI-PMH base URL)')
    const set = parsed.values.set
    const checked = HarvestTarget.safeParse({
      url: parsed.positionals[0],
      ...(typeof set === 'string' ? { set } : {}),
    })
    if (!checked.success)
      throw usageError(checked.error.issues.map((i) => `${i.path.join('.') || 'URL'}: ${i.message}`).join('\n'))
    reports = [
      await withNode(
        dataDir,
        false,
        (folder) => stoppedNode(folder).harvest.add(checked.data),
        async () => HarvestReport.parse(await viaRunningNode(dataDir, '/api/control/harvest/add', checked.data)),
      ),
    ]
  } else if (sub === 'run') {
    reports = await withNode(
      dataDir,
      false,
      (folder) => stoppedNode(folder).harvest.runAll(),
      async () => HarvestRunAnswer.parse(await viaRunningNode(dataDir, '/api/control/harvest/run', {})).reports,
    )
    if (!reports.length) process.stderr.write('no repository added yet: shulin harvest add URL\n')
  } else throw usageError(`unknown harvest command ${sub ?? ''}`)
  for (const r of reports) {
    const what = `${r.url}${r.set ? ` set ${r.set}` : ''}${r.from ? ` from ${r.from}` : ''}`
    if (r.error) process.stderr.write(`harvest of ${what} failed, nothing imported: ${r.error}\n`)
    else
      process.stdout.write(
        `harvested ${what} (${r.format}): ${r.records} records in ${r.pages} pages · ${r.created} created · ${r.updated} updated · ` +
          `${r.unchanged} unchanged · ${r.withdrawn} withdrawn · ${r.rejected} rejected · ${(r.ms / 1000).toFixed(1)} s\n`,
      )
    for (const x of r.rejects) process.stderr.write(`  ${x.identifier}: ${x.reason}\n`)
  }
  process.stdout.write(JSON.stringify(reports) + '\n')
  if (reports.some((r) => r.error)) process.exitCode = 1
  else if (reports.some((r) => r.rejected)) process.exitCode = 3
}
