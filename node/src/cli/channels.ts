/**
 * @module cli/channels
 * `shulin subscribe CHANNEL_ID [--mirror]`: through the running node, or straight into the
 * folder when it is stopped (the subscription takes effect at the next start).
 */
import { ChannelId, SubscribeRequest } from '@shulin/protocol'
import { ChannelStore } from '../channels/store.js'
import { CliError, withNode } from './common.js'

export async function cmdSubscribe(
  channel: string | undefined,
  mirror: boolean,
  dataDir: string,
  viaRunningNode: (path: string, body: unknown) => Promise<unknown>,
  usageError: (message: string) => CliError,
): Promise<void> {
  const id = ChannelId.safeParse(channel)
  if (!id.success)
    throw usageError('subscribe needs a CHANNEL_ID (8 and 10 hex digits, as GET /api/channels/menu lists them)')
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
  process.stdout.write(
    `subscribed to ${body.channel} (${body.mode === 'mirror' ? 'mirror' : 'catalog only'}): ${where}\n`,
  )
}
