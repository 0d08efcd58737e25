/**
 * The WeChat official account on a real node, talking to a local stand-in for WeChat's servers:
 * the URL check, a text message answered with a news reply linking to the record, safe mode,
 * events, web authorisation (bind once, then one-tap sign-in), template messages with the cached
 * access token, the console's settings — and the bad input: forged signatures, replays, XML
 * with entities, oversize bodies, unknown openids.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { XMLParser } from 'fast-xml-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../testing/temp-node.js'
import { pdf } from '../testing/fixtures.js'
import { eventMessage, pushMessage, signedPush, textMessage, WechatStandIn } from '../testing/wechat-stand-in.js'
import { WechatCipher, wechatSignature } from './crypto.js'

const token = 'shulinWechat2026'
const appId = 'wx0123456789abcdef'
const secret = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'
const aesKey = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG'
const parse = (xml: string) =>
  new XMLParser({ processEntities: false, parseTagValue: false }).parse(xml).xml as Record<string, any>

describe('the WeChat official account', () => {
  let t: TempNode
  let wx: WechatStandIn
  let staff: Client
  let poem: string
  let msgId = 1000
  let boundReader = ''
  const endpoint = () => `${t.node.url}/wechat`
  const ts = () => Math.floor(t.clock.now / 1000)
  const send = (xml: string, extra: Partial<Parameters<typeof pushMessage>[2]> = {}) =>
    pushMessage(endpoint(), xml, { token, timestamp: ts(), ...extra })

  beforeAll(async () => {
    wx = await new WechatStandIn(appId, secret).start()
    t = await startTempNode({ wechatToken: token, wechatApiUrl: wx.url })
    staff = await signedInAdmin(t)
    const titles = ['静夜思', '唐诗三百首', '李白诗选']
    const ids: string[] = []
    for (const title of titles) {
      const id = (await staff.post('/api/staff/resources', { type: 'book', metadata: { title, creators: ['李白'] } }))
        .body.id as string
      await staff.put(`/api/staff/resources/${id}/files/content`, pdf(2), { 'content-type': 'application/pdf' })
      expect((await staff.post(`/api/staff/resources/${id}/publish`)).status).toBe(200)
      ids.push(id)
    }
    poem = ids[0]!
    await t.node.search.ready()
    t.clock.now = Date.now()
  }, 120_000)
  afterAll(async () => {
    await t?.close()
    await wx?.close()
  })

  it('answers WeChat’s URL check with the echo when the signature holds, 401 when it does not', async () => {
    const timestamp = String(ts())
    const q = (signature: string) =>
      `${endpoint()}?signature=${signature}&timestamp=${timestamp}&nonce=42&echostr=hello-echo`
    const good = await fetch(q(wechatSignature(token, timestamp, '42')))
    expect(good.status).toBe(200)
    expect(await good.text()).toBe('hello-echo')
    const forged = await fetch(q(wechatSignature('not-the-token', timestamp, '42')))
    expect(forged.status).toBe(401)
    expect(await forged.text()).not.toContain('hello-echo')
    expect((await fetch(`${endpoint()}?timestamp=${timestamp}&nonce=42&echostr=x`)).status).toBe(401)
  })

  it('answers a text message with a news reply linking to the record on the portal', async () => {
    const res = await send(textMessage('oReader1', '静夜思', String(msgId++), ts()))
    expect(res.status).toBe(200)
    const reply = parse(await res.text())
    expect(reply.MsgType).toBe('news')
    expect(reply.ToUserName).toBe('oReader1')
    expect(Number(reply.ArticleCount)).toBeGreaterThanOrEqual(1)
    expect(Number(reply.ArticleCount)).toBeLessThanOrEqual(8)
    const items = [reply.Articles.item].flat() as Array<{ Title: string; Url: string }>
    expect(items[0]).toMatchObject({ Title: '静夜思', Url: `${t.node.url}/r/${poem}` })
  })

  it('refuses a forged signature, a replayed request and a stale timestamp; answers a retried MsgId once', async () => {
    const xml = textMessage('oReader1', '李白', String(msgId++), ts())
    const forged = await pushMessage(endpoint(), xml, { token: 'wrongToken', timestamp: ts() })
    expect(forged.status).toBe(401)
    // The same request twice (same timestamp and nonce): the second is a replay.
    const { url, body } = signedPush(endpoint(), xml, { token, timestamp: ts(), nonce: '777' })
    const first = await fetch(url, { method: 'POST', body })
    expect(parse(await first.text()).MsgType).toBe('news')
    const again = await fetch(url, { method: 'POST', body })
    expect(again.status).toBe(401)
    // WeChat's own retry (new nonce, same MsgId) is answered once only.
    const retry = await send(xml, { nonce: '778' })
    expect(retry.status).toBe(200)
    expect(await retry.text()).toBe('success')
    // A capture from ten minutes ago.
    const stale = await send(textMessage('oReader1', '李白', String(msgId++), ts() - 600), { timestamp: ts() - 600 })
    expect(stale.status).toBe(401)
  })

  it('refuses XML with a DOCTYPE or entities, malformed XML and an oversize body', async () => {
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>' +
      `<xml><ToUserName>gh</ToUserName><FromUserName>oReader1</FromUserName><CreateTime>${ts()}</CreateTime>` +
      `<MsgType>text</MsgType><Content>&b;</Content><MsgId>${msgId++}</MsgId></xml>`
    const r1 = await send(bomb)
    expect(r1.status).toBe(400)
    const external =
      '<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><ToUserName>gh</ToUserName>' +
      `<FromUserName>o</FromUserName><CreateTime>${ts()}</CreateTime><MsgType>text</MsgType><Content>&x;</Content></xml>`
    const r2 = await send(external)
    expect(r2.status).toBe(400)
    expect(await r2.text()).not.toContain('root:')
    expect((await send('<xml><ToUserName>gh</xml>')).status).toBe(400)
    const big = textMessage('oReader1', '诗'.repeat(20_000), String(msgId++), ts())
    expect((await send(big)).status).toBe(413)
  })

  it('welcomes a subscriber and answers menu clicks', async () => {
    const welcome = parse(await (await send(eventMessage('oNewcomer', 'subscribe', '', ts()))).text())
    expect(welcome).toMatchObject({ MsgType: 'text', ToUserName: 'oNewcomer' })
    expect(welcome.Content).toContain('欢迎关注')
    const card = parse(await (await send(eventMessage('oNewcomer', 'CLICK', 'card', ts() + 1))).text())
    expect(card.MsgType).toBe('news')
    expect(card.Articles.item.Url).toBe(`${t.node.url}/wechat/oauth/start?next=/me/card`)
    const unknown = await send(eventMessage('oNewcomer', 'CLICK', 'no-such-key', ts() + 2))
    expect(await unknown.text()).toBe('success')
  })

  it('keeps the secrets encrypted at rest and never shows them back', async () => {
    const put = await staff.put('/api/staff/wechat', { appId, secret, aesKey, welcome: '欢迎来到县图书馆' })
    expect(put.status).toBe(200)
    expect(put.body).toMatchObject({ appId, secretSet: true, aesKeySet: true, tokenSource: 'flag' })
    expect(JSON.stringify(put.body)).not.toContain(secret)
    expect(JSON.stringify(put.body)).not.toContain(aesKey)
    const files = await readdir(join(t.dir, 'db')).catch(() => readdir(t.dir))
    const dbDir = files.some((f) => f.endsWith('.log')) ? join(t.dir, 'db') : t.dir
    for (const f of await readdir(dbDir, { recursive: true })) {
      const bytes = await readFile(join(dbDir, f)).catch(() => Buffer.alloc(0))
      expect(bytes.includes(secret), f).toBe(false)
      expect(bytes.includes(aesKey), f).toBe(false)
    }
    const reader = new Client(t.node.url)
    expect((await reader.get('/api/staff/wechat')).status).toBe(401)
  })

  it('answers an encrypted message in safe mode, encrypted and signed, and refuses one for another AppID', async () => {
    const res = await send(textMessage('oReader2', '静夜思', String(msgId++), ts()), { aes: { key: aesKey, appId } })
    expect(res.status).toBe(200)
    const env = parse(await res.text())
    expect(env.MsgSignature).toBe(wechatSignature(token, env.TimeStamp, env.Nonce, env.Encrypt))
    const inner = parse(new WechatCipher(aesKey, appId).decrypt(env.Encrypt))
    expect(inner.MsgType).toBe('news')
    expect([inner.Articles.item].flat()[0].Url).toBe(`${t.node.url}/r/${poem}`)
    const other = await send(textMessage('oReader2', '静夜思', String(msgId++), ts()), {
      aes: { key: aesKey, appId: 'wxffffffffffffffff' },
    })
    expect(other.status).toBe(400)
    // A ciphertext whose msg_signature does not hold.
    const { url, body } = signedPush(endpoint(), textMessage('o', 'x', String(msgId++), ts()), {
      token,
      timestamp: ts(),
      aes: { key: aesKey, appId },
    })
    const tampered = await fetch(url.replace(/msg_signature=[0-9a-f]+/, 'msg_signature=' + '0'.repeat(40)), {
      method: 'POST',
      body,
    })
    expect(tampered.status).toBe(401)
  })

  /** WeChat's built-in browser: keeps every cookie, follows nothing by itself. */
  class Browser {
    readonly jar = new Map<string, string>()
    constructor(cookie?: string) {
      const [name, value] = (cookie ?? '').split('=')
      if (name && value !== undefined) this.jar.set(name, value)
    }
    async get(url: string): Promise<Response> {
      const cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ')
      const res = await fetch(new URL(url, t.node.url), { redirect: 'manual', headers: cookie ? { cookie } : {} })
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(';')
        const [k, v] = pair!.split('=')
        if (!v || /Max-Age=0/i.test(line)) this.jar.delete(k!)
        else this.jar.set(k!, v)
      }
      return res
    }
    /** Follows the authorisation flow: our start, the stand-in's page, our callback; where it ends. */
    async authorise(next: string): Promise<string> {
      const start = await this.get(`/wechat/oauth/start?next=${encodeURIComponent(next)}`)
      expect(start.status).toBe(302)
      const page = await this.get(start.headers.get('location')!)
      expect(page.status).toBe(302)
      const callback = new URL(page.headers.get('location')!)
      expect(callback.origin + callback.pathname).toBe(`${t.node.url}/wechat/oauth/callback`)
      const done = await this.get(callback.toString())
      expect(done.status, await done.clone().text()).toBe(302)
      return done.headers.get('location')!
    }
    async me(): Promise<{ status: number; body: any }> {
      const res = await this.get('/api/me')
      return { status: res.status, body: await res.json() }
    }
  }

  it('binds a signed-in reader once, then signs them in from WeChat’s browser with one tap', async () => {
    wx.openid = 'oReaderBound000000000000001'
    const phone = new Client(t.node.url)
    await phone.post('/api/auth/register', { mode: 'quick', phone: '13700137000', password: 'wechat-2026' })
    expect((await phone.post('/api/auth/login', { identifier: '13700137000', password: 'wechat-2026' })).status).toBe(
      200,
    )
    const me = (await phone.get('/api/me')).body
    boundReader = me.account.id
    expect((await phone.get('/api/me/wechat')).body).toEqual({ bound: false })
    // The reader's browser, signed in: the flow binds this WeChat user to them.
    expect(await new Browser(phone.cookie).authorise('/me')).toBe('/me')
    expect((await phone.get('/api/me/wechat')).body).toMatchObject({ bound: true })

    // WeChat's browser, not signed in: one tap signs the bound reader in.
    const wechatBrowser = new Browser()
    expect((await wechatBrowser.me()).status).toBe(401)
    expect(await wechatBrowser.authorise('/me/card')).toBe('/me/card')
    const signedIn = await wechatBrowser.me()
    expect(signedIn.status).toBe(200)
    expect(signedIn.body.account.id).toBe(me.account.id)

    // Bound once: another reader signed in cannot take this WeChat user.
    const other = new Client(t.node.url)
    await other.post('/api/auth/register', { mode: 'quick', phone: '13700137001', password: 'wechat-2026' })
    await other.post('/api/auth/login', { identifier: '13700137001', password: 'wechat-2026' })
    const otherBrowser = new Browser(other.cookie)
    const start = await otherBrowser.get('/wechat/oauth/start?next=/me')
    const page = await otherBrowser.get(start.headers.get('location')!)
    expect((await otherBrowser.get(page.headers.get('location')!)).status).toBe(409)
    expect((await other.get('/api/me/wechat')).body).toEqual({ bound: false })
    expect((await otherBrowser.me()).body.account.id).not.toBe(me.account.id)
  })

  it('signs nobody in for an unknown openid, and refuses a callback without its state', async () => {
    wx.openid = 'oStranger0000000000000000001'
    const stranger = new Browser()
    const to = await stranger.authorise('/me')
    expect(to).toBe(`/signin?next=${encodeURIComponent('/wechat/oauth/start?next=/me')}`)
    expect((await stranger.me()).status).toBe(401)
    const forged = await new Browser().get('/wechat/oauth/callback?code=abc&state=xyz')
    expect(forged.status).toBe(403)
  })

  it('delivers notices to a bound reader as template messages linking to the portal, and skips the unbound', async () => {
    expect((await staff.put('/api/staff/wechat', { template: 'TPL_NOTICE_0001' })).body.template).toBe(
      'TPL_NOTICE_0001',
    )
    const notifier = t.node.services.notifier
    const wechatOn = { channels: { push: false, sms: false, wechat: true }, quietHours: null }
    await notifier.setPrefs(boundReader, wechatOn)
    const before = wx.sent.length
    await notifier.notify(boundReader, {
      kind: 'new-lecture',
      title: '新的一讲：李白',
      body: '宋词十讲',
      link: '/lectures/l1',
    })
    for (let i = 0; i < 200 && wx.sent.length === before; i++) await new Promise((r) => setTimeout(r, 25))
    expect(wx.sent.slice(before)).toEqual([
      expect.objectContaining({
        touser: 'oReaderBound000000000000001',
        template_id: 'TPL_NOTICE_0001',
        url: `${t.node.url}/lectures/l1`,
        data: expect.objectContaining({ first: { value: '新的一讲：李白' }, remark: { value: '宋词十讲' } }),
      }),
    ])
    // A reader with no WeChat bound: nothing is queued for the channel.
    const unbound = new Client(t.node.url)
    await unbound.post('/api/auth/register', { mode: 'quick', phone: '13700137009', password: 'wechat-2026' })
    await unbound.post('/api/auth/login', { identifier: '13700137009', password: 'wechat-2026' })
    const id = (await unbound.get('/api/me')).body.account.id as string
    await notifier.setPrefs(id, wechatOn)
    await notifier.notify(id, { kind: 'new-lecture', title: '新的一讲', link: '/lectures/l2' })
    expect(await notifier.pending()).toBe(0)
    expect(wx.sent.length).toBe(before + 1)
  })

  it('sends template messages with one cached access token, fetched again once when WeChat refuses it', async () => {
    const client = t.node.wechat.client
    // Whatever token an earlier send cached, WeChat no longer takes it: one fetch, then the cache.
    wx.expireTokens()
    const before = wx.tokenFetches()
    const sentBefore = wx.sent.length
    const message = { templateId: 'TPL_LECTURE', url: `${t.node.url}/r/${poem}`, data: { first: { value: '新讲座' } } }
    await client.sendTemplate('oReaderBound000000000000001', message)
    await client.sendTemplate('oReaderBound000000000000001', message)
    expect(wx.tokenFetches() - before).toBe(1)
    wx.expireTokens()
    await client.sendTemplate('oReaderBound000000000000001', message)
    expect(wx.tokenFetches() - before).toBe(2)
    expect(wx.sent).toHaveLength(sentBefore + 3)
    expect(wx.sent.at(-1)).toMatchObject({ touser: 'oReaderBound000000000000001', template_id: 'TPL_LECTURE' })
  })
})
