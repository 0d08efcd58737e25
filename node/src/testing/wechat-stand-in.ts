/**
 * @module testing/wechat-stand-in
 * Test support: a local stand-in for WeChat's servers, answering the documented requests with
 * the documented answers — `GET /cgi-bin/token`, `POST /cgi-bin/stable_token`, the
 * authorisation page `GET /connect/oauth2/authorize` (it "is" one WeChat user, {@link
 * WechatStandIn.openid}, who always agrees), `GET /sns/oauth2/access_token` (codes single-use),
 * `POST /cgi-bin/message/template/send` (40001 for a token it did not issue or has expired) —
 * and the other direction: {@link pushMessage} posts a message to an account's endpoint signed
 * (and, in safe mode, encrypted) as WeChat's servers do.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomBytes } from 'node:crypto'
import { WechatCipher, wechatSignature } from '../wechat/crypto.js'

export interface StandInCall {
  path: string
  query: Record<string, string>
  body?: unknown
}

export class WechatStandIn {
  /** The WeChat user in the browser the authorisation page is shown in. */
  openid = 'oStandInUser000000000000001'
  /** Every request, in order. */
  readonly calls: StandInCall[] = []
  /** Template messages accepted. */
  readonly sent: Array<{ touser: string; template_id: string; url?: string; data: unknown }> = []
  #tokens = new Set<string>()
  #codes = new Map<string, string>()
  #server: Server | undefined
  url = ''

  constructor(
    readonly appId: string,
    readonly secret: string,
    private readonly opts: { expiresIn?: number } = {},
  ) {}

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://stand-in')
      const query = Object.fromEntries(u.searchParams)
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8')
        let body: unknown
        try {
          body = raw ? JSON.parse(raw) : undefined
        } catch {
          body = raw
        }
        this.calls.push({ path: u.pathname, query, ...(body !== undefined && { body }) })
        const json = (v: unknown) => {
          res.writeHead(200, { 'content-type': 'application/json' })
          res.end(JSON.stringify(v))
        }
        this.#answer(u.pathname, query, body, json, (location) => {
          res.writeHead(302, { location })
          res.end()
        })
      })
    })
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`
    return this
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()))
  }

  /** Tokens issued so far stop working (WeChat answers 40001 for them), as when another client fetched one. */
  expireTokens(): void {
    this.#tokens.clear()
  }

  tokenFetches(): number {
    return this.calls.filter((c) => c.path === '/cgi-bin/token' || c.path === '/cgi-bin/stable_token').length
  }

  #issue(appid: unknown, secret: unknown): object {
    if (appid !== this.appId) return { errcode: 40013, errmsg: 'invalid appid' }
    if (secret !== this.secret) return { errcode: 40125, errmsg: 'invalid appsecret' }
    const token = randomBytes(24).toString('base64url')
    this.#tokens.add(token)
    return { access_token: token, expires_in: this.opts.expiresIn ?? 7200 }
  }

  #answer(
    path: string,
    q: Record<string, string>,
    body: unknown,
    json: (v: unknown) => void,
    redirect: (location: string) => void,
  ): void {
    if (path === '/cgi-bin/token') {
      if (q.grant_type !== 'client_credential') return json({ errcode: 40002, errmsg: 'invalid grant_type' })
      return json(this.#issue(q.appid, q.secret))
    }
    if (path === '/cgi-bin/stable_token') {
      const b = (body ?? {}) as Record<string, unknown>
      if (b.grant_type !== 'client_credential') return json({ errcode: 40002, errmsg: 'invalid grant_type' })
      return json(this.#issue(b.appid, b.secret))
    }
    if (path === '/connect/oauth2/authorize') {
      if (q.appid !== this.appId || q.response_type !== 'code' || !q.redirect_uri)
        return json({ errcode: 10003, errmsg: 'redirect_uri or appid invalid' })
      const code = randomBytes(16).toString('hex')
      this.#codes.set(code, this.openid)
      const to = new URL(q.redirect_uri)
      to.searchParams.set('code', code)
      to.searchParams.set('state', q.state ?? '')
      return redirect(to.toString())
    }
    if (path === '/sns/oauth2/access_token') {
      if (q.appid !== this.appId || q.secret !== this.secret)
        return json({ errcode: 40125, errmsg: 'invalid appsecret' })
      if (q.grant_type !== 'authorization_code') return json({ errcode: 40002, errmsg: 'invalid grant_type' })
      const openid = q.code ? this.#codes.get(q.code) : undefined
      if (!openid) return json({ errcode: 40029, errmsg: 'invalid code' })
      this.#codes.delete(q.code!)
      return json({
        access_token: randomBytes(24).toString('base64url'),
        expires_in: 7200,
        refresh_token: randomBytes(24).toString('base64url'),
        openid,
        scope: 'snsapi_base',
      })
    }
    if (path === '/cgi-bin/message/template/send') {
      if (!q.access_token || !this.#tokens.has(q.access_token))
        return json({ errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' })
      const b = body as { touser?: unknown; template_id?: unknown; url?: unknown; data?: unknown } | undefined
      if (typeof b?.touser !== 'string' || typeof b.template_id !== 'string' || typeof b.data !== 'object')
        return json({ errcode: 47001, errmsg: 'data format error' })
      this.sent.push({
        touser: b.touser,
        template_id: b.template_id,
        ...(typeof b.url === 'string' && { url: b.url }),
        data: b.data,
      })
      return json({ errcode: 0, errmsg: 'ok', msgid: 200000000 + this.sent.length })
    }
    json({ errcode: 40066, errmsg: 'invalid url' })
  }
}

export interface PushOptions {
  token: string
  /** Safe mode: the EncodingAESKey and AppID. */
  aes?: { key: string; appId: string }
  timestamp?: number
  nonce?: string
}

/** The URL and body WeChat's servers would POST to an account's endpoint for this message XML. */
export function signedPush(endpoint: string, xml: string, o: PushOptions): { url: string; body: string } {
  const timestamp = String(o.timestamp ?? Math.floor(Date.now() / 1000))
  const nonce = o.nonce ?? String(Math.floor(Math.random() * 1e9))
  const q = new URLSearchParams({ signature: wechatSignature(o.token, timestamp, nonce), timestamp, nonce })
  let body = xml
  if (o.aes) {
    const encrypt = new WechatCipher(o.aes.key, o.aes.appId).encrypt(xml)
    q.set('encrypt_type', 'aes')
    q.set('msg_signature', wechatSignature(o.token, timestamp, nonce, encrypt))
    body = `<xml><ToUserName><![CDATA[gh_standin]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`
  }
  return { url: `${endpoint}?${q.toString()}`, body }
}

/** Posts a message as WeChat's servers would. */
export async function pushMessage(endpoint: string, xml: string, o: PushOptions): Promise<Response> {
  const { url, body } = signedPush(endpoint, xml, o)
  return fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body })
}

/** A text message from a reader, as WeChat sends it. */
export function textMessage(from: string, content: string, msgId: string, createTime = Math.floor(Date.now() / 1000)) {
  return (
    `<xml><ToUserName><![CDATA[gh_standin]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName>` +
    `<CreateTime>${createTime}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content>` +
    `<MsgId>${msgId}</MsgId></xml>`
  )
}

export function eventMessage(from: string, event: string, key = '', createTime = Math.floor(Date.now() / 1000)) {
  return (
    `<xml><ToUserName><![CDATA[gh_standin]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName>` +
    `<CreateTime>${createTime}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[${event}]]></Event>` +
    `<EventKey><![CDATA[${key}]]></EventKey></xml>`
  )
}
