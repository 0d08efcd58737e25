/**
 * @module sms/channel
 * The notifier's `sms` channel: a notice's title (and the start of its body) texted to the
 * account's phone through the configured provider's notice template. The notifier queues and
 * retries; this only says which failures are final (no phone, no provider, a refused request,
 * the phone's daily limit spent) by throwing {@link UndeliverableError}.
 */
import type { ChannelSender } from '../notify/channels.js'
import { UndeliverableError } from '../notify/channels.js'
import { SmsSendError } from './providers.js'
import type { SmsService } from './service.js'

/** SMS bodies are billed per 70 characters: the title and a short start of the body. */
export const noticeTextLength = 120

export function smsChannel(
  sms: SmsService,
  phoneOf: (accountId: string) => Promise<string | undefined>,
): ChannelSender {
  return {
    channel: 'sms',
    async reachable(accountId) {
      return (await sms.hasProvider()) && (await phoneOf(accountId)) !== undefined
    },
    async send(accountId, message) {
      const phone = await phoneOf(accountId)
      if (!phone) throw new UndeliverableError('no phone on the account')
      const text = [message.title, message.body].filter(Boolean).join('：').slice(0, noticeTextLength)
      let result: Awaited<ReturnType<SmsService['deliverNotice']>>
      try {
        result = await sms.deliverNotice(phone, text)
      } catch (err) {
        if (err instanceof SmsSendError && !err.retryable) throw new UndeliverableError(err.message)
        throw err
      }
      if (result === 'no-provider') throw new UndeliverableError('no SMS provider set')
      if (result === 'limited') throw new UndeliverableError("the phone's daily SMS limit is spent")
    },
  }
}
