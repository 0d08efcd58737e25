/**
 * @module wechat/client
 * Calls to WeChat's API servers: the access token (`cgi-bin/token`, cached until shortly
 * before it expires, one fetch at a time, fetched again once when a call answers 40001 or
 * 42001 — the token was replaced or expired early), web authorisation
 * (`sns/oauth2/access_token`: a code → the reader's openid) and template messages
 * (`cgi-bin/message/template/send`). The base URL is configurable so tests talk to the
 * stand-in (testing/wechat-stand-in).
 */
import { z } from 'zod'
import type { WechatSettings } from './settings.js'

export const defaultApiUrl = 'https://api.weixin.qq.com'
export const defaultOauthUrl = 'https://open.weixin.qq.com'

/** WeChat answered with an error code (or not at all). */
export class WechatApiError extends Error {
  override readonly name = 'WechatApiError'
  constructor(
    readonly errcode: number,
    message: string,
  ) {
    super(message)
  }
}

const ErrorAnswer = z.looseObject({ errcode: z.number().int(), errmsg: z.string().optional() })
const TokenAnswer = z.looseObject({
  access_token: z.string().min(1).max(1024),
  expires_in: z.number().int().positive(),
})
const OauthAnswer = z.looseObject({
  access_token: z.string().min(1).max(1024),
  openid: z.string().min(1).max(128),
  scope: z.string().optional(),
})
const tokenExpired = new Set([40001, 42001, 40014])

export interface WechatClientOptions {
  settings: () => Promise<WechatSettings>
  /** @default https://api.weixin.qq.com */
  apiUrl?: string
  /** How long before its expiry a token is replaced. @default 300 s */
  marginSeconds?: number
  /** Per request. @default 5000 */
  timeoutMs?: number
  now?: () => number
}

export interface TemplateMessage {
  templateId: string
  /** Opened when the reader taps the message. */
  url?: string
  data: Record<string, { value: string }>
}

export class WechatClient {
  #token: { value: string; appId: string; until: number } | undefined
  #fetching: Promise<string> | undefined
  readonly #now: () => number

  constructor(private readonly opts: WechatClientOptions) {
    this.#now = opts.now ?? Date.now
  }

  get apiUrl(): string {
    return (this.opts.apiUrl ?? defaultApiUrl).replace(/\/+$/, '')
  }

  async #get(path: string, query: Record<string, string>): Promise<unknown> {
    return this.#call(`${this.apiUrl}${path}?${new URLSearchParams(query).toString()}`, { method: 'GET' })
  }

  async #call(url: string, init: RequestInit): Promise<unknown> {
    let res: Response
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000) })
    } catch (err) {
      throw new WechatApiError(-1, `WeChat's API did not answer: ${(err as Error).message}`)
    }
    const body: unknown = await res.json().catch(() => undefined)
    const error = ErrorAnswer.safeParse(body)
    if (error.success && error.data.errcode !== 0)
      throw new WechatApiError(error.data.errcode, error.data.errmsg ?? `errcode ${error.data.errcode}`)
    if (!res.ok) throw new WechatApiError(-1, `WeChat's API answered ${res.status}`)
    return body
  }

  /** The account's access token: cached, fetched by one caller at a time. */
  async accessToken(): Promise<string> {
    const s = await this.opts.settings()
    const t = this.#token
    if (t && t.appId === s.appId && t.until > this.#now()) return t.value
    this.#fetching ??= this.#fetchToken(s).finally(() => (this.#fetching = undefined))
    return this.#fetching
  }

  async #fetchToken(s: WechatSettings): Promise<string> {
    if (!s.appId || !s.secret) throw new WechatApiError(-2, 'the AppID and AppSecret are not set')
    const answer = TokenAnswer.parse(
      await this.#get('/cgi-bin/token', { grant_type: 'client_credential', appid: s.appId, secret: s.secret }),
    )
    const margin = Math.min(this.opts.marginSeconds ?? 300, answer.expires_in / 2)
    this.#token = {
      value: answer.access_token,
      appId: s.appId,
      until: this.#now() + (answer.expires_in - margin) * 1000,
    }
    return answer.access_token
  }

  /** Calls with the access token; a token refused as expired is fetched again, once. */
  async #withToken(call: (token: string) => Promise<unknown>): Promise<unknown> {
    const token = await this.accessToken()
    try {
      return await call(token)
    } catch (err) {
      if (!(err instanceof WechatApiError) || !tokenExpired.has(err.errcode)) throw err
      if (this.#token?.value === token) this.#token = undefined
      return call(await this.accessToken())
    }
  }

  /** Sends a template message to a reader; resolves to WeChat's msgid. */
  async sendTemplate(openid: string, m: TemplateMessage): Promise<string> {
    const body = await this.#withToken((token) =>
      this.#call(`${this.apiUrl}/cgi-bin/message/template/send?access_token=${encodeURIComponent(token)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ touser: openid, template_id: m.templateId, url: m.url, data: m.data }),
      }),
    )
    return String(z.looseObject({ msgid: z.union([z.number(), z.string()]) }).parse(body).msgid)
  }

  /** Web authorisation: the code WeChat gave the reader's browser → the reader's openid. */
  async openidFor(code: string): Promise<string> {
    const s = await this.opts.settings()
    if (!s.appId || !s.secret) throw new WechatApiError(-2, 'the AppID and AppSecret are not set')
    const answer = OauthAnswer.parse(
      await this.#get('/sns/oauth2/access_token', {
        appid: s.appId,
        secret: s.secret,
        code,
        grant_type: 'authorization_code',
      }),
    )
    return answer.openid
  }
}
