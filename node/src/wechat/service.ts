/**
 * @module wechat/service
 * What the official account does with a message once it is authentic and fresh: a text is a
 * search (一框式检索) answered with a news reply of the top records, linking to their pages on
 * the portal — within a deadline well inside WeChat's 5 s, after which a text with a link to
 * the portal's search is sent instead; a subscribe event is welcomed; menu clicks
 * (`card`, `search`, `help`) are answered. Also the readers' bindings to openids (sublevels
 * `wechat-openids` and `wechat-accounts`, committed together): one openid per reader, set once.
 */
import type { SearchResponse } from '@shulin/protocol'
import { delOp, getOrUndefined, putOp, type Storage, type Sublevel } from '../storage/db.js'
import type { SearchService } from '../search/service.js'
import { ProblemError } from '../http/problem.js'
import { maxArticles, newsReply, textReply, type Article, type InboundMessage } from './message.js'

export interface WechatServiceOptions {
  storage: Storage
  search: Pick<SearchService, 'search'>
  libraryName: () => string
  welcome: () => Promise<string>
  /** How long a search may take before the text fallback is sent. @default 3000 */
  deadlineMs?: number
  now?: () => number
}

interface Binding {
  openid: string
  since: number
}

const late = Symbol('late')

export class WechatService {
  readonly #byOpenid: Sublevel<string>
  readonly #byAccount: Sublevel<Binding>
  readonly #now: () => number

  constructor(private readonly opts: WechatServiceOptions) {
    this.#byOpenid = opts.storage.sublevel<string>('wechat-openids')
    this.#byAccount = opts.storage.sublevel<Binding>('wechat-accounts')
    this.#now = opts.now ?? Date.now
  }

  /** The reply to a message (XML), or '' for nothing to say (the endpoint answers `success`). */
  async reply(m: InboundMessage, base: string): Promise<string> {
    const to = { toUser: m.FromUserName, fromUser: m.ToUserName, createTime: Math.floor(this.#now() / 1000) }
    if (m.MsgType === 'text') {
      const q = (m.Content ?? '').trim().slice(0, 100)
      if (!q) return textReply(to, '请发送书名、作者或关键词进行检索。')
      return this.#search(q, base, to)
    }
    if (m.MsgType === 'event') {
      const event = (m.Event ?? '').toLowerCase()
      if (event === 'subscribe') return textReply(to, await this.opts.welcome())
      if (event === 'click') return this.#click(m.EventKey ?? '', base, to)
      return ''
    }
    return textReply(to, '目前只能检索文字：请发送书名、作者或关键词。')
  }

  async #search(q: string, base: string, to: Parameters<typeof textReply>[0]): Promise<string> {
    const searchUrl = `${base}/search?q=${encodeURIComponent(q)}`
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<typeof late>((resolve) => {
      timer = setTimeout(() => resolve(late), this.opts.deadlineMs ?? 3000)
    })
    const searching = this.opts.search.search(
      { q, limit: maxArticles, offset: 0, sort: 'relevance', facets: false },
      { staff: false, thumbnailUrl: (id) => `${base}/api/resources/${id}/files/thumbnail` },
    )
    let found: SearchResponse | typeof late
    try {
      found = await Promise.race([searching, deadline])
    } finally {
      clearTimeout(timer)
    }
    // Late: WeChat would drop the answer and retry; a link to the portal's search answers now.
    if (found === late) {
      searching.catch(() => {})
      return textReply(to, `检索“${q}”需要多一点时间，请在网页上查看：${searchUrl}`)
    }
    if (found.hits.length === 0) return textReply(to, `没有找到与“${q}”相关的馆藏。换个关键词试试？`)
    const more = found.total > found.hits.length
    const hits = found.hits.slice(0, more ? maxArticles - 1 : maxArticles)
    const articles: Article[] = hits.map((h) => ({
      title: h.title,
      description: [h.creators.join('、'), h.publisher, h.date].filter(Boolean).join(' · '),
      url: `${base}/r/${encodeURIComponent(h.id)}`,
      picUrl: h.thumbnail,
    }))
    if (more) articles.push({ title: `查看全部 ${found.total} 条结果`, description: '', url: searchUrl })
    return newsReply(to, articles)
  }

  #click(key: string, base: string, to: Parameters<typeof textReply>[0]): string {
    if (key === 'card')
      return newsReply(to, [
        {
          title: '我的电子读者证',
          description: '到馆出示即可借阅、入馆。',
          url: `${base}/wechat/oauth/start?next=/me/card`,
        },
      ])
    if (key === 'search') return textReply(to, '直接发送书名、作者或关键词，即可检索本馆馆藏。')
    if (key === 'help')
      return textReply(to, `${this.opts.libraryName()}：发送关键词检索馆藏；点“读者证”出示电子读者证。`)
    return ''
  }

  // Bindings

  async accountOf(openid: string): Promise<string | undefined> {
    return getOrUndefined(this.#byOpenid, openid)
  }

  async bindingOf(accountId: string): Promise<Binding | undefined> {
    return getOrUndefined(this.#byAccount, accountId)
  }

  /** Binds once: a reader already bound (to another openid), or an openid bound to another reader, is a conflict. */
  async bind(accountId: string, openid: string): Promise<void> {
    const [owner, current] = await Promise.all([this.accountOf(openid), this.bindingOf(accountId)])
    if (owner === accountId && current?.openid === openid) return
    if (owner !== undefined || current !== undefined)
      throw new ProblemError('conflict', { detail: 'this WeChat account or this reader is bound already' })
    await this.opts.storage.commit(
      [putOp(this.#byOpenid, openid, accountId), putOp(this.#byAccount, accountId, { openid, since: this.#now() })],
      { sync: true },
    )
  }

  async unbind(accountId: string): Promise<void> {
    const current = await this.bindingOf(accountId)
    if (!current) return
    await this.opts.storage.commit([delOp(this.#byOpenid, current.openid), delOp(this.#byAccount, accountId)], {
      sync: true,
    })
  }
}
