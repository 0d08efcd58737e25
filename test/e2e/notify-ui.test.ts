/**
 * Notification settings and Web Push in Chromium on a phone. What is real and what stands in:
 * Chromium, its service worker and its Notifications are real; the node's Web Push (VAPID
 * signature, aes128gcm encryption, the HTTP request) is real; the push service between them is
 * a local stand-in (Google's, where Chromium's own subscriptions point, is out of reach here):
 * it checks the VAPID JWT and decrypts the payload with the subscription's keys as a browser
 * would, and the payload it decrypted is then handed to the page's service worker through the
 * DevTools protocol (`ServiceWorker.deliverPushMessage`) — the step a push service would do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../../node/src/testing/temp-node.js'
import { startPushService, type StandInPushService } from '../../node/src/testing/push-service.js'
import { hasChromium, launch, phone, shot } from './browser.js'

describe.skipIf(!hasChromium)('notification settings and Web Push in Chromium', () => {
  let t: TempNode
  let browser: Browser
  let push: StandInPushService
  let reader: Client

  beforeAll(async () => {
    t = await startTempNode({ testPushHttp: true })
    await signedInAdmin(t)
    reader = new Client(t.node.url)
    expect(
      (await reader.post('/api/auth/register', { mode: 'quick', phone: '13600136019', password: 'reading2026' }))
        .status,
    ).toBe(201)
    push = await startPushService()
    browser = await launch()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await push?.close()
    await t?.close()
  })

  it('chooses channels and quiet hours, and shows a pushed notice from the service worker', async () => {
    const context = await browser.newContext(phone)
    await context.grantPermissions(['notifications'], { origin: t.node.url })
    const page = await context.newPage()
    await page.goto(`${t.node.url}/signin?next=${encodeURIComponent('/me/notify')}`)
    await page.getByLabel('读者证号 / 手机号 / 用户名 / 身份证号').fill('13600136019')
    await page.getByLabel('密码').fill('reading2026')
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(`${t.node.url}/me/notify`)
    await page.getByRole('heading', { name: '通知设置' }).waitFor()

    // Push is offered and on by default; quiet hours set and saved.
    expect(await page.getByRole('checkbox', { name: '浏览器推送' }).isChecked()).toBe(true)
    await page.getByRole('checkbox', { name: /免打扰时段/ }).check()
    await page.getByLabel('从').fill('22:30')
    await page.getByRole('button', { name: '保存' }).click()
    await page.getByRole('status').filter({ hasText: '已保存' }).waitFor()
    expect((await reader.get('/api/me/notify')).body.prefs).toMatchObject({
      channels: { push: true },
      quietHours: { from: '22:30', to: '07:00' },
    })
    await shot(page, 'notify-settings-phone')

    // Chromium's own subscribe needs Google's push service: here it fails, and the page says so.
    await page.getByRole('button', { name: '在此浏览器开启推送' }).click()
    const failed = page.getByRole('status').filter({ hasText: '无法开启推送' })
    await failed.waitFor({ timeout: 30_000 })
    console.log('subscribe in Chromium:', await failed.textContent())

    // The stand-in's subscription for this reader; a notice outside quiet hours goes out at once.
    const me = (await reader.get('/api/me')).body
    const accountId = (me.account?.id ?? me.id) as string
    expect((await reader.post('/api/me/push', push.subscription)).status).toBe(200)
    await reader.put('/api/me/notify', { channels: { push: true, sms: false, wechat: false }, quietHours: null })
    // The browser's sign-in was a new device (a notice of its own): read, so the badge starts at 0.
    await reader.post('/api/me/inbox/read', { all: true })
    const notice = await t.node.services.notifier.notify(accountId, {
      kind: 'new-lecture',
      title: '第一讲 柳永',
      body: '宋词十讲',
      link: '/lectures/l1',
    })
    await expect.poll(() => push.received.length, { timeout: 15_000 }).toBe(1)
    expect(push.refused).toEqual([])
    const payload = push.received[0]!.text

    // The push service's last step, done by DevTools: the decrypted payload to the worker.
    const cdp = await context.newCDPSession(page)
    const registrations: Array<{ registrationId: string; scopeURL: string }> = []
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e: { registrations: typeof registrations }) =>
      registrations.push(...e.registrations),
    )
    await cdp.send('ServiceWorker.enable')
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined))
    await expect.poll(() => registrations.length, { timeout: 10_000 }).toBeGreaterThan(0)
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: t.node.url,
      registrationId: registrations[0]!.registrationId,
      data: payload,
    })
    const shown = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready
      for (let i = 0; i < 50; i++) {
        const n = await reg.getNotifications()
        if (n.length) return n.map((x) => ({ title: x.title, body: x.body, tag: x.tag, data: x.data as unknown }))
        await new Promise((r) => setTimeout(r, 100))
      }
      return []
    })
    expect(shown).toEqual([{ title: '第一讲 柳永', body: '宋词十讲', tag: notice!.id, data: { link: '/lectures/l1' } }])
    // The worker told the page: the badge counts the new notice without a reload.
    await page.getByRole('link', { name: '消息（1 条未读）' }).waitFor({ timeout: 10_000 })
    await shot(page, 'notify-pushed-phone')
  }, 120_000)
})
