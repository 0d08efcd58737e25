/**
 * @module cli/channels
 * `shulin subscribe CHANNEL_ID [--mirror]`: through the running node, or straight into the
 * folder when it is stopped (the subscription takes effect at the next start). And what
 * `--channel NAME` does for the commands that publish (`shulin course add`).
 */
import { Channel, ChannelId, CreateChannelRequest, SubscribeRequest } from '@shulin/protocol'
import { z } from 'zod'
import { ChannelStore } from '../channels/store.js'
import { stoppedNode } from '../services.js'
import { CliError, withNode } from './common.js'

/** A `--channel NAME` as a channel takes it, checked before a command writes anything. */
export function channelName(raw: string): string {
  const req = CreateChannelRequest.safeParse({ name: raw })
  if (!req.success) throw new CliError(`--channel: ${z.prettifyError(req.error)}`, 2)
  return req.data.name
}

/**
 * Puts some of this node's records (a course takes its lectures) into its channel `name`,
 * created if new: through the running node, or into the stopped folder (they travel once it
 * runs). Drafts are left out, as the channel API leaves them.
 */
export async function addToChannel(
  dataDir: string,
  name: string,
  ids: string[],
  viaRunningNode: (path: string, body: unknown) => Promise<unknown>,
): Promise<{ id: string; name: string; added: number }> {
  const req = { name: channelName(name) }
  return withNode(
    dataDir,
    false,
    async (folder) => {
      const channels = stoppedNode(folder).channels()
      const ch = await channels.create(req)
      return { id: ch.id, name: ch.name, ...(await channels.addRecords(ch.id, ids)) }
    },
    async () => {
      const ch = Channel.parse(await viaRunningNode('/api/control/channels', req))
      const { added } = z
        .object({ added: z.number() })
        .parse(await viaRunningNode(`/api/control/channels/${ch.id}/records`, { ids }))
      return { id: ch.id, name: ch.name, added }
    },
  )
}

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
