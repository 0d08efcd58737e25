/**
 * The notification module on real LevelDB: the queue (retry with backoff, restart, quiet hours
 * in Asia/Shanghai, daily caps, channels turned off) with a test channel standing in for a
 * provider; and on a real node over HTTP, Web Push to a local stand-in push service that checks
 * the VAPID signature and decrypts the payload with the subscription's keys as a browser would,
 * gone subscriptions removed, endpoints that would aim the node at its own network refused, and
 * the password-changed and new-device notices.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { openStorage, type Storage } from '../storage/db.js'
import { InboxService } from '../inbox/service.js'
import { Client, signedInAdmin, startTempNode, tempDir, type TempNode } from '../testing/temp-node.js'
import { startPushService, type StandInPushService } from '../testing/push-service.js'
import { Notifier } from './notifier.js'
import { UndeliverableError, type ChannelMessage, type ChannelSender } from './channels.js'
import { quietUntil, shanghaiDay } from './quiet.js'

/** A provider's stand-in: records sends, fails the next `failures` of them. */
function testChannel(channel: ChannelSender['channel']) {
  const sent: Array<{ to: string; message: ChannelMessage }> = []
  const ch = {
    channel,
    failures: 0,
    undeliverable: false,
    sent,
    async send(to: string, message: ChannelMessage) {
      if (ch.undeliverable) throw new UndeliverableError('no address')
      if (ch.failures > 0) {
        ch.failures--
        throw new Error('provider down')
      }
      sent.push({ to, message })
    },
  }
  return ch
}

const event = (n: number) => ({ kind: 'new-lecture' as const, title: `第${n}讲`, link: `/lectures/l${n}` })

describe('the delivery queue', () => {
  let dir: string
  let storage: Storage
  const clock = { now: Date.parse('2026-12-03T04:00:00Z') } // 12:00 in Shanghai
  const notifiers: Notifier[] = []
  let opened = 0
  let inbox: InboxService
  /** A fresh database per test (each module claims its sublevels once per open). */
  const open = async () => {
    await storage?.close()
    storage = await openStorage(join(dir, `db${opened++}`), { create: true, dataDir: dir })
  }
  const build = (channels: ChannelSender[]) => {
    inbox = new InboxService(storage, () => clock.now)
    const n = new Notifier({
      storage,
      inbox,
      now: () => clock.now,
      baseBackoffMs: 1000,
    })
    for (const c of channels) n.registerChannel(c)
    notifiers.push(n)
    return n
  }
  const outcomes = (n: Notifier) => {
    const seen: string[] = []
    n.onDelivery((_, o) => seen.push(o))
    return seen
  }

  beforeAll(async () => {
    dir = await tempDir()
  })
  beforeEach(async () => {
    for (const n of notifiers.splice(0)) await n.stop()
    await open()
  })
  afterAll(async () => {
    for (const n of notifiers.splice(0)) await n.stop()
    await storage?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('posts to the inbox at once and delivers on the chosen channels only, once per dedupe', async () => {
    const sms = testChannel('sms')
    const wechat = testChannel('wechat')
    const n = build([sms, wechat])
    await n.setPrefs('r1', { channels: { push: false, sms: true, wechat: false }, quietHours: null })
    n.start()
    const notice = await n.notify('r1', { ...event(1), dedupe: 'lecture:l1' })
    expect(notice?.title).toBe('第1讲')
    expect(await n.notify('r1', { ...event(1), dedupe: 'lecture:l1' })).toBeUndefined()
    await expect.poll(() => sms.sent.length, { timeout: 5000 }).toBe(1)
    expect(sms.sent[0]).toMatchObject({
      to: 'r1',
      message: { noticeId: notice!.id, kind: 'new-lecture', link: '/lectures/l1' },
    })
    expect(wechat.sent).toHaveLength(0)
    expect(await n.pending()).toBe(0)
  })

  it('retries a failing provider with growing waits, and survives a restart in between', async () => {
    const sms = testChannel('sms')
    sms.failures = 2
    const first = build([sms])
    const seen = outcomes(first)
    await first.setPrefs('r2', { channels: { push: false, sms: true, wechat: false }, quietHours: null })
    first.start()
    await first.notify('r2', event(2))
    await expect.poll(() => seen, { timeout: 5000 }).toEqual(['retry'])
    // The node stops with the delivery queued; the next start delivers it.
    await first.stop()
    expect(await first.pending()).toBe(1)
    notifiers.splice(0)
    await storage.close()
    storage = await openStorage(join(dir, `db${opened - 1}`), { create: false, dataDir: dir })
    clock.now += 1500 // past the first wait (1 s ± 20 %)
    const second = build([sms])
    const seen2 = outcomes(second)
    second.start()
    await expect.poll(() => seen2, { timeout: 5000 }).toEqual(['retry'])
    // The second wait is twice the first: not due 1.5 s later, due 2.5 s later.
    clock.now += 1500
    await new Promise((r) => setTimeout(r, 300))
    expect(sms.sent).toHaveLength(0)
    clock.now += 1000
    ;(second as unknown as { start(): void }).start()
    await expect.poll(() => sms.sent.length, { timeout: 5000 }).toBe(1)
    expect(seen2).toEqual(['retry', 'sent'])
    expect(await second.pending()).toBe(0)
  })

  it('drops what can never be delivered, and what the reader turned off meanwhile', async () => {
    const wechat = testChannel('wechat')
    wechat.undeliverable = true
    const n = build([wechat])
    const seen = outcomes(n)
    await n.setPrefs('r3', { channels: { push: false, sms: false, wechat: true }, quietHours: null })
    n.start()
    await n.notify('r3', event(3))
    await expect.poll(() => seen, { timeout: 5000 }).toEqual(['dropped'])
    expect(await n.pending()).toBe(0)
  })

  it('holds notices in quiet hours (Shanghai time) until they end, but not security notices', async () => {
    const sms = testChannel('sms')
    const n = build([sms])
    await n.setPrefs('r4', {
      channels: { push: false, sms: true, wechat: false },
      quietHours: { from: '22:00', to: '07:00' },
    })
    clock.now = Date.parse('2026-12-03T15:30:00Z') // 23:30 in Shanghai
    n.start()
    await n.notify('r4', event(4))
    await n.notify('r4', { kind: 'password-changed', title: '密码已修改', link: '/me' })
    await expect.poll(() => sms.sent.map((s) => s.message.kind), { timeout: 5000 }).toEqual(['password-changed'])
    await new Promise((r) => setTimeout(r, 300))
    expect(sms.sent).toHaveLength(1)
    expect(await n.pending()).toBe(1)
    clock.now = Date.parse('2026-12-03T23:00:00Z') // 07:00 the next morning in Shanghai
    n.start()
    await expect.poll(() => sms.sent.length, { timeout: 5000 }).toBe(2)
  })

  it('caps each channel per reader per Shanghai day; the inbox still has every notice', async () => {
    const sms = testChannel('sms')
    const n = build([sms])
    await n.setPrefs('r5', { channels: { push: false, sms: true, wechat: false }, quietHours: null })
    clock.now = Date.parse('2026-12-04T02:00:00Z')
    const seen = outcomes(n)
    n.start()
    for (let i = 0; i < 7; i++) await n.notify('r5', event(100 + i))
    await expect.poll(() => seen.length, { timeout: 5000 }).toBe(7)
    expect(seen.filter((o) => o === 'sent')).toHaveLength(5)
    expect(seen.filter((o) => o === 'capped')).toHaveLength(2)
    expect(await n.pending()).toBe(0)
    expect((await inbox.list('r5', { limit: 30 })).items).toHaveLength(7)
  })

  it('reads quiet hours and days on the Shanghai clock whatever the server zone', () => {
    const t = Date.parse('2026-12-03T14:00:00Z') // 22:00 Shanghai
    expect(quietUntil(t, { from: '22:00', to: '07:00' })).toBe(Date.parse('2026-12-03T23:00:00Z'))
    expect(quietUntil(t - 60_000, { from: '22:00', to: '07:00' })).toBeUndefined()
    expect(quietUntil(t, { from: '12:00', to: '13:00' })).toBeUndefined()
    expect(quietUntil(Date.parse('2026-12-03T04:30:00Z'), { from: '12:00', to: '13:00' })).toBe(
      Date.parse('2026-12-03T05:00:00Z'),
    )
    expect(shanghaiDay(Date.parse('2026-12-03T16:00:00Z'))).toBe('2026-12-04')
  })
})

describe('Web Push and security notices on a real node', () => {
  let t: TempNode
  let push: StandInPushService
  let reader: Client

  beforeAll(async () => {
    t = await startTempNode({ testPushHttp: true })
    push = await startPushService()
    await signedInAdmin(t)
    reader = new Client(t.node.url, { 'accept-language': 'en', 'user-agent': 'Mozilla/5.0 (X11; Linux) Chrome/140.0' })
    expect(
      (await reader.post('/api/auth/register', { mode: 'quick', phone: '13700137001', password: 'reading2026' }))
        .status,
    ).toBe(201)
  }, 60_000)
  afterAll(async () => {
    await push?.close()
    await t?.close()
  })

  it('serves one VAPID public key (an uncompressed P-256 point) to anyone', async () => {
    const key = (await reader.get('/api/push/key')).body.publicKey as string
    expect(Buffer.from(key, 'base64url')).toHaveLength(65)
    expect((await new Client(t.node.url).get('/api/push/key')).body.publicKey).toBe(key)
  })

  it('delivers a notice encrypted for the subscription, signed with the node key, nothing personal in it', async () => {
    const sub = await reader.post('/api/me/push', push.subscription)
    expect(sub.status).toBe(200)
    expect(sub.body).toMatchObject({ pushSubscriptions: 1, available: expect.arrayContaining(['push']) })
    const me = (await reader.get('/api/me')).body
    const accountId = (me.account?.id ?? me.id) as string
    const notice = await t.node.services.notifier.notify(accountId, {
      kind: 'new-lecture',
      title: '第一讲 柳永',
      body: '宋词十讲',
      link: '/lectures/abc',
    })
    await expect.poll(() => push.received.length, { timeout: 10_000 }).toBe(1)
    expect(push.refused).toEqual([])
    const got = push.received[0]!
    expect(got.vapidKey).toBe((await reader.get('/api/push/key')).body.publicKey)
    expect(JSON.parse(got.text)).toEqual({
      id: notice!.id,
      kind: 'new-lecture',
      title: '第一讲 柳永',
      body: '宋词十讲',
      link: '/lectures/abc',
    })
    expect(got.text).not.toContain('13700137001')
    expect(got.text).not.toContain(accountId)
    // The inbox has it too, under the contract's name.
    const inbox = (await reader.get('/api/me/inbox')).body
    expect(inbox).toMatchObject({ unread: 1, items: [{ id: notice!.id }] })
  })

  it('removes a subscription the push service says is gone (410)', async () => {
    const me = (await reader.get('/api/me')).body
    const accountId = (me.account?.id ?? me.id) as string
    push.answers.push(410)
    await t.node.services.notifier.notify(accountId, { kind: 'new-lecture', title: '第二讲', link: '/lectures/def' })
    await expect
      .poll(async () => (await reader.get('/api/me/notify')).body.pushSubscriptions, { timeout: 10_000 })
      .toBe(0)
    expect(push.answers).toEqual([])
  })

  it('refuses endpoints that would aim the node at its own network', async () => {
    for (const endpoint of [
      'http://10.0.0.1/push/x',
      'https://127.0.0.1/push/x',
      'https://localhost/x',
      'file:///etc/passwd',
    ]) {
      const r = await reader.post('/api/me/push', { ...push.subscription, endpoint })
      expect(r.status, endpoint).toBe(400)
    }
    const bad = await reader.post('/api/me/push', {
      endpoint: push.subscription.endpoint,
      keys: { p256dh: 'x', auth: 'y' },
    })
    expect(bad.status).toBe(400)
  })

  it('saves the channels and quiet hours a reader chooses, and refuses bad ones', async () => {
    const prefs = { channels: { push: true, sms: true, wechat: false }, quietHours: { from: '22:30', to: '07:00' } }
    expect((await reader.put('/api/me/notify', prefs)).body.prefs).toEqual(prefs)
    expect((await reader.get('/api/me/notify')).body.prefs).toEqual(prefs)
    expect((await reader.put('/api/me/notify', { ...prefs, quietHours: { from: '25:00', to: '07:00' } })).status).toBe(
      400,
    )
    expect((await new Client(t.node.url).get('/api/me/notify')).status).toBe(401)
  })

  it('tells the reader when their password changes and when a new browser signs in', async () => {
    const kinds = async () =>
      ((await reader.get('/api/me/inbox')).body.items as Array<{ kind: string }>).map((n) => n.kind)
    const before = await kinds()
    expect(before).not.toContain('password-changed')
    expect(
      (await reader.post('/api/me/password', { currentPassword: 'reading2026', password: 'reading2027!' })).status,
    ).toBeLessThan(300)
    const after = await kinds()
    expect(after[0]).toBe('password-changed')
    // The same browser again: nothing; another browser: a notice.
    const again = new Client(t.node.url, { 'user-agent': 'Mozilla/5.0 (X11; Linux) Chrome/141.0' })
    expect((await again.post('/api/auth/login', { identifier: '13700137001', password: 'reading2027!' })).status).toBe(
      200,
    )
    expect((await kinds()).filter((k) => k === 'new-device')).toHaveLength(0)
    const other = new Client(t.node.url, { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS) MicroMessenger/8.0' })
    expect((await other.post('/api/auth/login', { identifier: '13700137001', password: 'reading2027!' })).status).toBe(
      200,
    )
    expect((await other.get('/api/me/inbox')).body.items[0].kind).toBe('new-device')
  })
})
