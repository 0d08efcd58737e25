/**
 * @module notify/channels
 * What a delivery channel is to the notifier: a `ChannelSender` that the channel's own module
 * (push here; sms and wechat in theirs) registers with {@link Notifier.registerChannel}.
 *
 * @example
 * notifier.registerChannel({
 *   channel: 'sms',
 *   reachable: async (accountId) => (await phoneOf(accountId)) !== undefined,
 *   async send(accountId, message) {
 *     const phone = await phoneOf(accountId)
 *     if (!phone) throw new UndeliverableError('no phone on the account')
 *     await provider.send(phone, templateFor(message.kind), { title: message.title })
 *   },
 * })
 */
import type { ChannelName, NoticeKind } from '@shulin/protocol'

/** What a channel delivers: the notice as the inbox has it, nothing else about the reader. */
export interface ChannelMessage {
  /** The inbox notice's id (a channel may use it to make its send idempotent). */
  noticeId: string
  kind: NoticeKind
  title: string
  body?: string
  /** A portal path (`/lectures/:id`); the channel makes it absolute if it must. */
  link: string
  /** When the event happened (ISO). */
  createdAt: string
}

export interface ChannelSender {
  readonly channel: ChannelName
  /**
   * Whether this reader can be reached at all (a phone on the account, a bound openid, a push
   * subscription); asked when a notice is queued, so unreachable readers queue nothing.
   * Absent: always tried.
   */
  reachable?(accountId: string): Promise<boolean>
  /**
   * Delivers one message to one reader; `to` is the account id — the channel keeps its own
   * address book (phone, openid, subscriptions). Resolves when delivered. Throwing
   * {@link UndeliverableError} drops the message (no retry); any other error is retried later
   * with backoff.
   */
  send(to: string, message: ChannelMessage): Promise<void>
}

/** A delivery that can never succeed (no address, the reader unsubscribed): not retried. */
export class UndeliverableError extends Error {
  override readonly name = 'UndeliverableError'
}
