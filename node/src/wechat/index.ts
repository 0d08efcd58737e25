/**
 * @module wechat
 * The WeChat official account (公众号), built from the components it needs: its settings
 * (console, or SHULIN_WECHAT_TOKEN for the token), the API client with its cached access
 * token, the replay guard, and the service that answers messages and keeps the bindings.
 * `startNode` mounts its routes with {@link wechatRoutes}.
 */
import type { NodeKey } from '@shulin/federation/identity'
import type { Storage } from '../storage/db.js'
import type { SearchService } from '../search/service.js'
import { WechatClient } from './client.js'
import { ReplayGuard } from './replay.js'
import { WechatService } from './service.js'
import { WechatSettingsStore } from './settings.js'

export { wechatRoutes } from './routes.js'
export { wechatChannel } from './channel.js'

export interface WechatInit {
  storage: Storage
  key: NodeKey
  search: Pick<SearchService, 'search'>
  libraryName: () => string
  flagToken?: string | undefined
  apiUrl?: string | undefined
  /** How long a search may take before a text with a link is sent instead. @default 3000 */
  deadlineMs?: number | undefined
  now?: () => number
}

export interface Wechat {
  settings: WechatSettingsStore
  client: WechatClient
  replay: ReplayGuard
  service: WechatService
}

export function createWechat(init: WechatInit): Wechat {
  const now = init.now ?? Date.now
  const settings = new WechatSettingsStore({ storage: init.storage, key: init.key, flagToken: init.flagToken })
  const client = new WechatClient({ settings: () => settings.current(), apiUrl: init.apiUrl, now })
  const replay = new ReplayGuard({ now })
  const service = new WechatService({
    storage: init.storage,
    search: init.search,
    libraryName: init.libraryName,
    welcome: async () =>
      (await settings.current()).welcome ||
      `欢迎关注${init.libraryName()}！直接发送书名、作者或关键词，即可检索馆藏；点菜单“读者证”出示电子读者证。`,
    ...(init.deadlineMs !== undefined && { deadlineMs: init.deadlineMs }),
    now,
  })
  return { settings, client, replay, service }
}
