/**
 * @module wechat/routes
 * HTTP of the official account: `GET /wechat` (WeChat's URL check: the echo when the signature
 * holds, 401 otherwise), `POST /wechat` (messages and events, plaintext or safe mode), web
 * authorisation (`/wechat/oauth/start` → WeChat → `/wechat/oauth/callback`: bind once, then
 * one-tap sign-in), the reader's binding and the console's settings.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { Context, Hono } from 'hono'
import { getCookie, setCookie, deleteCookie } from 'hono/cookie'
import { z } from 'zod'
import { WechatBinding, WechatSettingsUpdate, WechatSettingsView } from '@shulin/protocol'
import type { Api } from '../http/api.js'
import type { AppEnv } from '../http/env.js'
import type { BaseUrl } from '../http/base-url.js'
import { localeOf, ProblemError } from '../http/problem.js'
import { parseOrThrow } from '../http/validate.js'
import type { HttpAuth } from '../sessions/http-auth.js'
import type { SessionService } from '../sessions/service.js'
import type { Logger } from '../logger.js'
import { mustAuth } from '../accounts/routes.js'
import { safeNext } from '../identity/relying-party.js'
import { signatureHolds, WechatCipher, WechatCipherError, wechatSignature } from './crypto.js'
import { EncryptedEnvelope, encryptedReply, InboundMessage, readXml, WechatXmlError } from './message.js'
import type { ReplayGuard } from './replay.js'
import type { WechatService } from './service.js'
import type { WechatSettingsStore } from './settings.js'
import { defaultApiUrl, defaultOauthUrl, WechatApiError, type WechatClient } from './client.js'

export interface WechatRoutesDeps {
  wechat: WechatService
  settings: WechatSettingsStore
  client: WechatClient
  replay: ReplayGuard
  sessions: SessionService
  auth: HttpAuth
  baseUrl: BaseUrl
  isTls: (c: Context) => boolean
  logger: Logger
  now: () => number
}

const Signed = z.object({
  signature: z.string().max(64).optional(),
  timestamp: z.string().max(16).default(''),
  nonce: z.string().max(64).default(''),
})
const EchoQuery = Signed.extend({ echostr: z.string().max(256).default('') })
const PostQuery = Signed.extend({
  encrypt_type: z.string().max(16).optional(),
  msg_signature: z.string().max(64).optional(),
  openid: z.string().max(128).optional(),
})
const StartQuery = z.object({ next: z.string().max(500).optional() })
const CallbackQuery = z.object({ code: z.string().min(1).max(512), state: z.string().max(64).default('') })

const stateCookie = 'shulin_wx'
const sameText = (a: string, b: string) => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
const oauthPath = '/wechat/oauth'

export function wechatRoutes(app: Hono<AppEnv>, api: Api, d: WechatRoutesDeps): void {
  const refused = (detail: string) => new ProblemError('unauthenticated', { detail })

  app.get('/wechat', async (c) => {
    const q = parseOrThrow(EchoQuery, c.req.query(), localeOf(c))
    const { token } = await d.settings.current()
    if (!token || !signatureHolds(q.signature, wechatSignature(token, q.timestamp, q.nonce)))
      throw refused('the signature does not hold')
    return c.text(q.echostr)
  })

  app.post('/wechat', async (c) => {
    const q = parseOrThrow(PostQuery, c.req.query(), localeOf(c))
    const s = await d.settings.current()
    if (!s.token || !signatureHolds(q.signature, wechatSignature(s.token, q.timestamp, q.nonce)))
      throw refused('the signature does not hold')
    // A request captured and sent again: its timestamp is old, or its nonce was seen.
    const fresh = d.replay.check(q.timestamp, [`nonce:${q.timestamp}:${q.nonce}`])
    if (fresh !== 'fresh') throw refused(fresh === 'stale' ? 'the timestamp is outside the window' : 'replayed')
    const xml = await c.req.text()
    const safe = q.encrypt_type === 'aes'
    let message: InboundMessage
    let cipher: WechatCipher | undefined
    try {
      if (safe) {
        if (!s.aesKey || !s.appId) throw refused('safe mode is not configured')
        const envelope = readXml(xml, EncryptedEnvelope)
        if (!signatureHolds(q.msg_signature, wechatSignature(s.token, q.timestamp, q.nonce, envelope.Encrypt)))
          throw refused('the message signature does not hold')
        cipher = new WechatCipher(s.aesKey, s.appId)
        message = readXml(cipher.decrypt(envelope.Encrypt), InboundMessage)
      } else message = readXml(xml, InboundMessage)
    } catch (err) {
      if (err instanceof WechatXmlError || err instanceof WechatCipherError)
        throw new ProblemError('validation_failed', { detail: err.message })
      throw err
    }
    // WeChat retries a message it got no answer to: the same MsgId (an event: sender and time) once only.
    const msgKey = message.MsgId
      ? `msg:${message.MsgId}`
      : `event:${message.FromUserName}:${message.CreateTime}:${message.Event ?? ''}`
    if (d.replay.check(q.timestamp, [msgKey]) !== 'fresh') return c.text('success')
    const reply = await d.wechat.reply(message, d.baseUrl(c))
    if (!reply) return c.text('success')
    if (!cipher) return c.body(reply, 200, { 'content-type': 'application/xml; charset=utf-8' })
    const timestamp = String(Math.floor(d.now() / 1000))
    const nonce = randomBytes(8).toString('hex')
    const encrypt = cipher.encrypt(reply)
    return c.body(
      encryptedReply({ encrypt, timestamp, nonce, signature: wechatSignature(s.token, timestamp, nonce, encrypt) }),
      200,
      { 'content-type': 'application/xml; charset=utf-8' },
    )
  })

  app.get(`${oauthPath}/start`, async (c) => {
    const q = parseOrThrow(StartQuery, c.req.query(), localeOf(c))
    const s = await d.settings.current()
    if (!s.appId) throw new ProblemError('not_found', { detail: 'WeChat is not configured here' })
    const state = randomBytes(16).toString('base64url')
    const next = safeNext(q.next)
    setCookie(c, stateCookie, `${state}.${Buffer.from(next).toString('base64url')}`, {
      path: oauthPath,
      httpOnly: true,
      secure: d.isTls(c),
      sameSite: 'Lax',
      maxAge: 600,
    })
    // Tests point the API at the stand-in, which also plays WeChat's authorisation page.
    const apiUrl = d.client.apiUrl
    const authorizeBase = apiUrl === defaultApiUrl ? defaultOauthUrl : apiUrl
    const redirect = `${d.baseUrl(c)}${oauthPath}/callback`
    const params = new URLSearchParams({
      appid: s.appId,
      redirect_uri: redirect,
      response_type: 'code',
      scope: 'snsapi_base',
      state,
    })
    return c.redirect(`${authorizeBase}/connect/oauth2/authorize?${params.toString()}#wechat_redirect`, 302)
  })

  app.get(`${oauthPath}/callback`, async (c) => {
    const q = parseOrThrow(CallbackQuery, c.req.query(), localeOf(c))
    const [state, nextB64] = (getCookie(c, stateCookie) ?? '').split('.')
    deleteCookie(c, stateCookie, { path: oauthPath })
    if (!state || !sameText(q.state, state)) throw new ProblemError('csrf_failed')
    const next = safeNext(Buffer.from(nextB64 ?? '', 'base64url').toString('utf8'))
    let openid: string
    try {
      openid = await d.client.openidFor(q.code)
    } catch (err) {
      if (err instanceof WechatApiError) throw new ProblemError('sign_in_refused', { detail: err.message })
      throw err
    }
    const me = await d.auth.identify(c)
    const owner = await d.wechat.accountOf(openid)
    if (owner === undefined) {
      // An openid no reader has: bound to the reader signed in here, else sign in first and come back.
      if (!me) return c.redirect(`/signin?next=${encodeURIComponent(`${oauthPath}/start?next=${next}`)}`, 302)
      await d.wechat.bind(me.account.id, openid)
      d.logger.info({ account: me.account.id }, 'wechat bound')
      return c.redirect(next, 302)
    }
    if (me?.account.id === owner) return c.redirect(next, 302)
    // Signed in as someone else: switching readers silently would surprise both; nothing changes.
    if (me) throw new ProblemError('conflict', { detail: 'this WeChat account is bound to another reader' })
    const { token, session } = await d.sessions.create(owner, {
      kind: 'cookie',
      remember: true,
      userAgent: c.req.header('user-agent') ?? '',
      address: c.get('clientAddress'),
    })
    d.auth.setSessionCookie(c, token, session)
    return c.redirect(next, 302)
  })
  api.describe({
    method: 'get',
    path: `${oauthPath}/start`,
    summary: 'WeChat web authorisation: binds WeChat to the reader signed in, or signs a bound reader in',
    tags: ['wechat'],
    access: 'public',
  })

  api.route(
    {
      method: 'get',
      path: '/api/me/wechat',
      summary: 'Whether my account is bound to WeChat',
      tags: ['me'],
      access: 'session',
      response: WechatBinding,
    },
    async (c) => {
      const b = await d.wechat.bindingOf(mustAuth(c).account.id)
      return b ? { bound: true, since: b.since } : { bound: false }
    },
  )
  api.route(
    {
      method: 'delete',
      path: '/api/me/wechat',
      summary: 'Unbind my WeChat',
      tags: ['me'],
      access: 'session',
      status: 204,
    },
    async (c) => {
      await d.wechat.unbind(mustAuth(c).account.id)
    },
  )

  const view = async (c: Context): Promise<WechatSettingsView> => {
    const s = await d.settings.current()
    return {
      appId: s.appId,
      secretSet: !!s.secret,
      tokenSet: !!s.token,
      tokenSource: s.tokenSource,
      aesKeySet: !!s.aesKey,
      welcome: s.welcome,
      template: s.template,
      endpoint: `${d.baseUrl(c)}/wechat`,
    }
  }
  api.route(
    {
      method: 'get',
      path: '/api/staff/wechat',
      summary: 'The WeChat official account’s settings (secrets only as set or not)',
      tags: ['staff'],
      access: 'admin',
      response: WechatSettingsView,
    },
    (c) => view(c),
  )
  api.route(
    {
      method: 'put',
      path: '/api/staff/wechat',
      summary: 'Change the WeChat official account’s settings (AppID, AppSecret, token, EncodingAESKey, welcome)',
      tags: ['staff'],
      access: 'admin',
      body: WechatSettingsUpdate,
      response: WechatSettingsView,
    },
    async (c, { body }) => {
      await d.settings.update(body)
      return view(c)
    },
  )
}
