/**
 * @module wechat/channel
 * The 'wechat' delivery channel for notify: a notice becomes a template message (模板消息) to
 * the reader's bound openid, with the template the console names (fields `first`, `keyword1`
 * what, `keyword2` when, `remark`), opening the notice's page on the portal. A reader with no
 * binding is unreachable; WeChat's "not following / bad openid" answers drop the message, any
 * other failure (WeChat down or slow) is left to notify's queue to retry with backoff.
 */
import type { ChannelMessage, ChannelSender } from '../notify/index.js'
import { UndeliverableError } from '../notify/index.js'
import { WechatApiError, type WechatClient } from './client.js'
import type { WechatService } from './service.js'
import type { WechatSettingsStore } from './settings.js'

/** WeChat's answers that no retry will change: not following, bad openid, no such template. */
const permanent = new Set([43004, 40003, 40037, 43101])

const beijingTime = (iso: string) => new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })

export function wechatChannel(deps: {
  wechat: Pick<WechatService, 'bindingOf'>
  settings: Pick<WechatSettingsStore, 'current'>
  client: Pick<WechatClient, 'sendTemplate'>
  /** The portal's address, to make the notice's link absolute. */
  baseUrl: () => string
}): ChannelSender {
  return {
    channel: 'wechat',
    async reachable(accountId) {
      return (await deps.wechat.bindingOf(accountId)) !== undefined
    },
    async send(accountId, m: ChannelMessage) {
      const binding = await deps.wechat.bindingOf(accountId)
      if (!binding) throw new UndeliverableError('no WeChat bound to the account')
      const { template, appId } = await deps.settings.current()
      if (!template || !appId) throw new UndeliverableError('no template message set up in the console')
      try {
        await deps.client.sendTemplate(binding.openid, {
          templateId: template,
          url: m.link.startsWith('/') && !m.link.startsWith('//') ? deps.baseUrl() + m.link : deps.baseUrl(),
          data: {
            first: { value: m.title },
            keyword1: { value: m.title },
            keyword2: { value: beijingTime(m.createdAt) },
            remark: { value: m.body ?? '' },
          },
        })
      } catch (err) {
        if (err instanceof WechatApiError && permanent.has(err.errcode)) throw new UndeliverableError(err.message)
        throw err
      }
    },
  }
}
