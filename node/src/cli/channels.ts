/**
 * @module cli/channels
 * `shulin subscribe CHANNEL_ID [--mirror]`: through the running node, or straight into the
 * folder when it is stopped (the subscription takes effect at the next start). And the
 * channel service a stopped node's import uses (`shulin import --channel NAME FILE`).
 */
import { ChannelId, SubscribeRequest } from '@shulin/protocol'
import type { OpenedDataFolder } from '../storage/data-folder.js'
import type { ResourceService } from '../resources/service.js'
import { ChannelService } from '../channels/service.js'
import { createDistribution } from '../distribution/index.js'
import type { BlobStore } from '../blobs/store.js'
import { ChannelStore } from '../channels/store.js'
import { NetworkCatalogs } from '../federation/catalogs.js'
import { CliError, withNode } from './common.js'

/** Channels over a stopped node's folder: catalogs written here travel once the node runs. */
export function offlineChannels(folder: OpenedDataFolder, resources: ResourceService, blobs: BlobStore): ChannelService {
  const catalogs = new NetworkCatalogs({ storage: folder.storage, nodeId: folder.key.nodeId, now: Date.now })
  // Without the peer network: files get their manifests, and travel once the node runs.
  const content = createDistribution({ storage: folder.storage, key: folder.key, blobs, dataDir: folder.dir })
  return new ChannelService({ storage: folder.storage, resources, key: folder.key, role: 'node', catalog: (name) => catalogs.open(name), hubId: () => undefined, content })
}

export async function cmdSubscribe(
  channel: string | undefined,
  mirror: boolean,
  dataDir: string,
  viaRunningNode: (path: string, body: unknown) => Promise<unknown>,
  usageError: (message: string) => CliError,
): Promise<void> {
  const id = ChannelId.safeParse(channel)
  if (!id.success) throw usageError('subscribe needs a CHANNEL_ID (8 and 10 hex digits, as GET /api/channels/menu lists them)')
  const body = SubscribeRequest.parse({ channel: id.data, mode: mirror ? 'mirror' : 'catalog' })
  const where = await withNode(
    dataDir,
    false,
    async (folder) => {
      const store = new ChannelStore(folder.storage)
      await store.subscribe({ channel: body.channel, mode: body.mode, since: new Date().toISOString() })
      return 'recorded; it takes effect when the node starts'
    },
    async () => {
      await viaRunningNode('/api/control/channels/subscriptions', body)
      return 'the node is fetching its catalogue'
    },
  )
  process.stdout.write(`subscribed to ${body.channel} (${body.mode === 'mirror' ? 'mirror' : 'catalog only'}): ${where}\n`)
}
