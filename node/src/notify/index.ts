/**
 * @module notify
 * One notification module (issue 21): the {@link Notifier} (inbox + chosen channels, queue,
 * quiet hours, caps), the `ChannelSender` contract other channels (sms, wechat) implement, and
 * Web Push.
 */
export { Notifier, defaultPrefs, defaultCaps, type NotifyEvent, type NotifierOptions } from './notifier.js'
export { UndeliverableError, type ChannelSender, type ChannelMessage } from './channels.js'
