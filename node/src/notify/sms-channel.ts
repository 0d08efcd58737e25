/**
 * @module notify/sms-channel
 * The `sms` channel: a notice as one short text to the phone on the reader's account, through
 * the SMS module's own outbox (its provider, template, retries and per-phone daily limit). The
 * text is the notice's title and its portal path — nothing else about the reader.
 */
import type { AccountRecord } from '../accounts/store.js'
import type { SmsService } from '../sms/service.js'
import { UndeliverableError, type ChannelMessage, type ChannelSender } from './channels.js'

export function smsChannel(
  sms: Pick<SmsService, 'sendNotice'>,
  accounts: { get(id: string): Promise<AccountRecord | undefined> },
): ChannelSender {
  const phoneOf = async (accountId: string) => (await accounts.get(accountId))?.phone ?? undefined
  return {
    channel: 'sms',
    reachable: async (accountId) => (await phoneOf(accountId)) !== undefined,
    async send(accountId: string, message: ChannelMessage) {
      const phone = await phoneOf(accountId)
      if (!phone) throw new UndeliverableError('no phone on the account')
      const outcome = await sms.sendNotice(phone, `${message.title} ${message.link}`)
      // Over the phone's daily limit: the inbox has it; trying again today would only fail again.
      if (outcome === 'limited') throw new UndeliverableError('daily SMS limit for this phone')
    },
  }
}
