/**
 * Issue 21's "Done when", on one real node (real LevelDB, real HTTP) with local stand-ins for
 * what is out of reach here: WeChat's servers, Alibaba Cloud's SMS API (which checks each
 * request's signature from the secret) and a Web Push service (which checks the VAPID JWT and
 * decrypts the payload with the subscription's keys, as a browser would). A reader binds WeChat
 * and signs in from WeChat's browser; "静夜思" to the account answers a news reply linking to the
 * record; a new lecture in a subscribed course reaches the inbox, the push subscription and an
 * SMS correctly signed; a password is reset by SMS; news and recommendations with their reasons
 * answer the contract. The hub's news reaching a member is in node/src/news/network.test.ts and
 * the service worker showing a push in test/e2e/notify-ui.test.ts.
 */
import { XMLParser } from 'fast-xml-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../../node/src/testing/temp-node.js'
import { pdf } from '../../node/src/testing/fixtures.js'
import { pushMessage, textMessage, WechatStandIn } from '../../node/src/testing/wechat-stand-in.js'
import { startAliyunStandIn, type SmsStandIn } from '../../node/src/testing/sms-standins.js'
import { startPushService, type StandInPushService } from '../../node/src/testing/push-service.js'

const token = 'shulinReach2026'
const appId = 'wx0123456789abcdef'
const appSecret = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'
const ali = { accessKeyId: 'LTAI5tReachKeyId', accessKeySecret: 'ali-secret-reach-0123456789' }
const phone = '13800138021'
const parse = (xml: string) =>
  new XMLParser({ processEntities: false, parseTagValue: false }).parse(xml).xml as Record<string, any>
const until = async (check: () => boolean, ms = 15_000) => {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 25))
  }
}

describe('reaching readers (issue 21)', () => {
  let t: TempNode
  let wx: WechatStandIn
  let aliyun: SmsStandIn
  let push: StandInPushService
  let staff: Client
  let reader: Client
  let poem: string

  beforeAll(async () => {
    wx = await new WechatStandIn(appId, appSecret).start()
    aliyun = await startAliyunStandIn(ali)
    push = await startPushService()
    t = await startTempNode(
      { wechatToken: token, wechatApiUrl: wx.url, testPushHttp: true },
      { sms: { timeoutMs: 2000, outbox: { waitMs: 300, backoffMs: 100, maxBackoffMs: 400 } } },
    )
    staff = await signedInAdmin(t)
    poem = (
      await staff.post('/api/staff/resources', { type: 'book', metadata: { title: '静夜思', creators: ['李白'] } })
    ).body.id as string
    await staff.put(`/api/staff/resources/${poem}/files/content`, pdf(2), { 'content-type': 'application/pdf' })
    expect((await staff.post(`/api/staff/resources/${poem}/publish`)).status).toBe(200)
    await t.node.search.ready()
    expect(
      (
        await staff.put('/api/staff/sms', {
          provider: 'aliyun',
          keyId: ali.accessKeyId,
          secret: ali.accessKeySecret,
          signName: '书林',
          endpoint: aliyun.endpoint,
          templates: { reset: 'SMS_RESET', verify: 'SMS_VERIFY', notice: 'SMS_NOTICE' },
          limits: { perPhonePerDay: 10, perAddressPerDay: 1000 },
        })
      ).status,
    ).toBe(200)
    reader = new Client(t.node.url)
    expect((await reader.post('/api/auth/register', { mode: 'quick', phone, password: 'reading2026' })).status).toBe(
      201,
    )
    expect((await reader.post('/api/auth/login', { identifier: phone, password: 'reading2026' })).status).toBe(200)
    expect((await staff.put('/api/staff/wechat', { appId, secret: appSecret })).status).toBe(200)
    // A staff pick: what a visitor's 猜你喜欢 starts from on a new node.
    await staff.post('/api/staff/collections', { kind: 'column', title: '馆员书单', items: [poem] })
    t.clock.now = Date.now()
  }, 120_000)
  afterAll(async () => {
    await t?.close()
    await Promise.all([wx?.close(), aliyun?.close(), push?.close()])
  })

  /** WeChat's built-in browser: keeps cookies, follows nothing by itself. */
  class WechatBrowser {
    readonly jar = new Map<string, string>()
    constructor(cookie?: string) {
      const [name, value] = (cookie ?? '').split('=')
      if (name && value !== undefined) this.jar.set(name, value)
    }
    async get(url: string): Promise<Response> {
      const cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ')
      const res = await fetch(new URL(url, t.node.url), { redirect: 'manual', headers: cookie ? { cookie } : {} })
      for (const line of res.headers.getSetCookie()) {
        const [k, v] = line.split(';')[0]!.split('=')
        if (!v || /Max-Age=0/i.test(line)) this.jar.delete(k!)
        else this.jar.set(k!, v)
      }
      return res
    }
    async authorise(next: string): Promise<string> {
      const start = await this.get(`/wechat/oauth/start?next=${encodeURIComponent(next)}`)
      const page = await this.get(start.headers.get('location')!)
      const done = await this.get(page.headers.get('location')!)
      expect(done.status, await done.clone().text()).toBe(302)
      return done.headers.get('location')!
    }
  }

  it('binds WeChat once and signs the reader in from WeChat’s browser', async () => {
    wx.openid = 'oReachReader00000000000001'
    expect(await new WechatBrowser(reader.cookie).authorise('/me')).toBe('/me')
    const browser = new WechatBrowser()
    expect(await browser.authorise('/me')).toBe('/me')
    const me = await browser.get('/api/me')
    expect(me.status).toBe(200)
    expect(((await me.json()) as { account: { id: string } }).account.id).toBe(
      ((await reader.get('/api/me')).body as { account: { id: string } }).account.id,
    )
  })

  it('answers “静夜思” sent to the account with a news reply linking to the record', async () => {
    const ts = Math.floor(Date.now() / 1000)
    const res = await pushMessage(
      `${t.node.url}/wechat`,
      textMessage('oReachReader00000000000001', '静夜思', '9001', ts),
      {
        token,
        timestamp: ts,
      },
    )
    const reply = parse(await res.text())
    expect(reply.MsgType).toBe('news')
    expect([reply.Articles.item].flat()[0]).toMatchObject({ Title: '静夜思', Url: `${t.node.url}/r/${poem}` })
  })

  it('brings a new lecture of a subscribed course to the inbox, the push subscription and a signed SMS', async () => {
    const course = (await staff.post('/api/courses', { title: '唐诗十讲' })).body.id as string
    await staff.post(`/api/courses/${course}/publish`)
    expect((await reader.post('/api/me/subscriptions', { course })).status).toBe(201)
    expect((await reader.post('/api/me/push', push.subscription)).status).toBe(200)
    const prefs = { channels: { push: true, sms: true, wechat: false }, quietHours: null }
    expect((await reader.put('/api/me/notify', prefs)).status).toBe(200)
    const smsBefore = aliyun.sent.length

    const lecture = (await staff.post(`/api/courses/${course}/lectures`, { title: '第一讲 李白' })).body.id as string
    await staff.post(`/api/lectures/${lecture}/publish`)
    await t.node.services.courses.service.amendLecture(lecture, () => ({ lecture: { status: 'ready' } }))
    await t.node.services.subscriptions.idle()

    const inbox = (await reader.get('/api/me/inbox')).body as {
      items: Array<{ kind: string; link: string }>
      unread: number
    }
    expect(inbox.items[0]).toMatchObject({ kind: 'new-lecture', link: `/lectures/${lecture}` })
    expect(inbox.unread).toBeGreaterThanOrEqual(1)
    await until(() => push.received.length === 1)
    expect(push.refused).toEqual([])
    expect(JSON.parse(push.received[0]!.text)).toMatchObject({
      kind: 'new-lecture',
      title: '第一讲 李白',
      link: `/lectures/${lecture}`,
    })
    await until(() => aliyun.sent.length > smsBefore)
    expect(aliyun.refused).toEqual([])
    const sms = aliyun.sent.at(-1)!
    expect(sms).toMatchObject({ template: 'SMS_NOTICE', signName: '书林' })
    expect(sms.phone).toContain(phone)
    expect(JSON.stringify(sms.params)).toContain('第一讲 李白')
  })

  it('resets a password by SMS', async () => {
    const before = aliyun.sent.length
    expect((await new Client(t.node.url).post('/api/auth/password/forgot', { identifier: phone })).status).toBe(202)
    await until(() => aliyun.sent.length > before && aliyun.sent.at(-1)!.template === 'SMS_RESET')
    expect(aliyun.refused).toEqual([])
    const code = (aliyun.sent.at(-1)!.params as Record<string, string>).code!
    const reset = await new Client(t.node.url).post('/api/auth/password/reset', {
      identifier: phone,
      code,
      password: 'reading-by-sms-2027',
    })
    expect(reset.status).toBe(200)
    expect(
      (await new Client(t.node.url).post('/api/auth/login', { identifier: phone, password: 'reading-by-sms-2027' }))
        .status,
    ).toBe(200)
    // The reader hears of it in the inbox (and on push).
    const again = new Client(t.node.url)
    await again.post('/api/auth/login', { identifier: phone, password: 'reading-by-sms-2027' })
    const kinds = ((await again.get('/api/me/inbox')).body.items as Array<{ kind: string }>).map((n) => n.kind)
    expect(kinds).toContain('password-changed')
  })

  it('answers news and recommendations with their reasons for the home page', async () => {
    expect(
      (await staff.post('/api/staff/news', { title: '新书上架', html: '<p>唐诗新书</p>', status: 'published' })).status,
    ).toBe(201)
    const news = (await new Client(t.node.url).get('/api/news')).body as { items: Array<{ title: string }> }
    expect(news.items.map((n) => n.title)).toContain('新书上架')
    const recs = (await new Client(t.node.url).get('/api/recommendations')).body as {
      items: Array<{ id: string; title: string; reason: string }>
    }
    expect(recs.items.length).toBeGreaterThan(0)
    for (const r of recs.items)
      expect(r).toMatchObject({ id: expect.any(String), title: expect.any(String), reason: expect.any(String) })
    expect(recs.items.find((r) => r.id === poem)?.reason).toBeTruthy()
  })
})
