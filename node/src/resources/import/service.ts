/**
 * @module resources/import/service
 * The import use case shared by `POST /api/staff/resources/import` (and its control twin) and
 * `shulin import FILE` with the node stopped: run the import, and with `channel` publish every
 * record it read in that channel of this node. Routes and the CLI only read the file and call it.
 */
import type { ImportReport } from '@shulin/protocol'
import { ProblemError } from '../../http/problem.js'
import type { ResourceService } from '../service.js'
import type { ChannelService } from '../../channels/service.js'
import type { ImportOptions } from './formats.js'
import { runImport, type ImportProgress } from './runner.js'
import type { ImportItem } from './source.js'

/** Runs the import, and with `channel` puts every record it read into that channel of this node. */
export async function importInto(
  deps: { resources: ResourceService; channels?: ChannelService | undefined },
  items: AsyncIterable<ImportItem>,
  query: ImportOptions,
  extra: { onProgress?: (p: ImportProgress) => void } = {},
): Promise<ImportReport> {
  if (!query.channel) return runImport(deps.resources, items, { format: query.format, ...extra })
  if (!deps.channels) throw new ProblemError('conflict', { detail: 'channels are not available here' })
  const channels = deps.channels
  const channel = await channels.create({ name: query.channel })
  // Collected and added at the end: the channel's catalog is written once, shard by shard.
  const ids: string[] = []
  const report = await runImport(deps.resources, items, {
    format: query.format,
    ...extra,
    onImported: async (batch) => void ids.push(...batch),
  })
  const { added } = await channels.addRecords(channel.id, ids)
  return { ...report, channel: { id: channel.id, name: channel.name, added } }
}
