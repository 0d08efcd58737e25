/**
 * WeChat in Chromium on a phone, against the local stand-in for WeChat's servers: a reader
 * opens "读者证" from the account's menu in WeChat's browser, signs in once, which binds their
 * WeChat; the electronic reader card shows the card number as a Code 128 barcode and a QR code
 * with the brightness hint; the next time, in a fresh WeChat browser, one tap signs them in.
 * The admin sets the account up in the console without ever seeing a secret back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../../node/src/testing/temp-node.js'
import { WechatStandIn } from '../../node/src/testing/wechat-stand-in.js'
import { desktop, hasChromium, launch, phone, shot, signInAsAdmin } from './browser.js'

const appId = 'wx00112233445566ff'
const secret = 'e2eSecret0123456789abcdefABCDEF'
// WeChat's built-in browser says so in its user agent (the card page offers to bind only there).
const wechatPhone = {
  ...phone,
  userAgent:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0.50',
}

describe.skipIf(!hasChromium)('WeChat sign-in and the electronic reader card', () => {
  let t: TempNode
  let wx: WechatStandIn
  let browser: Browser
  let cardNo: string

  beforeAll(async () => {
    wx = await new WechatStandIn(appId, secret).start()
    wx.openid = 'oE2eReader000000000000000001'
    t = await startTempNode({ wechatToken: 'e2eToken', wechatApiUrl: wx.url })
    const staff = await signedInAdmin(t)
    expect((await staff.put('/api/staff/wechat', { appId, secret })).status).toBe(200)
    const reader = new Client(t.node.url)
    expect(
      (await reader.post('/api/auth/register', { mode: 'quick', phone: '13600136021', password: 'reading2026' }))
        .status,
    ).toBe(201)
    await reader.post('/api/auth/login', { identifier: '13600136021', password: 'reading2026' })
    cardNo = (await reader.get('/api/me')).body.account.cardNo
    expect(cardNo).toBeTruthy()
    browser = await launch()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await t?.close()
    await wx?.close()
  })

  // The browser keeps the authorisation URL's `#wechat_redirect` through the redirects back.
  const card = (u: URL) => u.origin === t.node.url && u.pathname === '/me/card'

  it('binds WeChat at the first sign-in, shows the card, and signs in with one tap the next time', async () => {
    const page = await (await browser.newContext(wechatPhone)).newPage()
    // The menu's "读者证" link: not bound, not signed in → the sign-in page, then back through WeChat.
    await page.goto(`${t.node.url}/wechat/oauth/start?next=/me/card`)
    await page.waitForURL(/\/signin\?next=/)
    await page.getByLabel('读者证号 / 手机号 / 用户名 / 身份证号').fill('13600136021')
    await page.getByLabel('密码').fill('reading2026')
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(card)
    await page.getByRole('heading', { name: '电子读者证' }).waitFor()
    const barcode = page.getByRole('img', { name: '读者证号条形码' })
    await barcode.locator('rect').nth(5).waitFor()
    // Code 128: bars drawn, the number printed under them.
    expect(await barcode.locator('rect').count()).toBeGreaterThan(10)
    expect(await barcode.textContent()).toContain(cardNo)
    await page.getByRole('img', { name: '读者证号二维码' }).locator('svg').waitFor()
    await page.getByText('出示前请把手机屏幕调到最亮').waitFor()
    await page.getByText('已绑定微信').waitFor()
    await shot(page, 'wechat-card-phone')

    // A fresh WeChat browser (no cookies): one tap through WeChat signs the bound reader in.
    const again = await (await browser.newContext(wechatPhone)).newPage()
    await again.goto(`${t.node.url}/wechat/oauth/start?next=/me/card`)
    await again.waitForURL(card)
    const shown = again.getByRole('img', { name: '读者证号条形码' })
    await shown.locator('rect').nth(5).waitFor()
    expect(await shown.textContent()).toContain(cardNo)
  }, 90_000)

  it('lets the admin set the account up, secrets never shown back', async () => {
    const page = await signInAsAdmin(browser, t.node.url, '/staff/node', desktop)
    const section = page.getByRole('region', { name: '微信公众号' })
    await section.waitFor()
    expect(await section.textContent()).toContain(`${t.node.url}/wechat`)
    expect(await page.getByLabel('AppID（开发者ID）').inputValue()).toBe(appId)
    expect(await page.getByLabel('AppSecret（开发者密码）').inputValue()).toBe('')
    await page.getByLabel('消息加解密密钥（EncodingAESKey）').fill('abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG')
    await page.getByLabel('关注后的欢迎语').fill('欢迎关注县图书馆')
    await section.getByRole('button', { name: '保存' }).click()
    await section.getByText('已保存').waitFor()
    expect(await page.getByLabel('消息加解密密钥（EncodingAESKey）').inputValue()).toBe('')
    expect(await section.textContent()).not.toContain(secret)
    await section.scrollIntoViewIfNeeded()
    await shot(page, 'wechat-settings-desktop')
  }, 90_000)
})
