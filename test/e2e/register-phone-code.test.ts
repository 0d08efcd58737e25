/**
 * Quick registration in Chromium, on a phone, when the staff turn on phone verification: the
 * page shows the code field only then, "获取验证码" texts a code through the (signature-checking)
 * Alibaba stand-in and counts down, the reader registers with it, and a phone past the day's
 * limit is told so in words instead of a bare 429.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { signedInAdmin, startTempNode, type Client, type TempNode } from '../../node/src/testing/temp-node.js'
import { startAliyunStandIn, type SmsStandIn } from '../../node/src/testing/sms-standins.js'
import { hasChromium, launch, phone, shot } from './browser.js'

const keys = { accessKeyId: 'LTAI5tRegisterKey', accessKeySecret: 'ali-secret-register-5309' }

describe.skipIf(!hasChromium)('quick registration with a texted code', () => {
  let t: TempNode
  let aliyun: SmsStandIn
  let browser: Browser
  let admin: Client
  beforeAll(async () => {
    aliyun = await startAliyunStandIn(keys)
    t = await startTempNode()
    admin = await signedInAdmin(t)
    browser = await launch()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await t?.close()
    await aliyun?.close()
  })

  const openRegister = async () => {
    const page = await (await browser.newContext(phone)).newPage()
    await page.goto(`${t.node.url}/register`)
    await page.getByLabel('手机号').first().waitFor()
    return page
  }

  it('shows no code field while verification is off', async () => {
    expect((await admin.get('/api/auth/registration')).body).toEqual({ phoneCode: false })
    const page = await openRegister()
    // Give the settings request time to land before asserting the absence.
    await page.waitForLoadState('networkidle')
    expect(await page.getByLabel('短信验证码').count()).toBe(0)
    await page.context().close()
  })

  it('texts a code, counts down, registers with it, and says the daily limit in words', async () => {
    const saved = await admin.put('/api/staff/sms', {
      provider: 'aliyun',
      keyId: keys.accessKeyId,
      secret: keys.accessKeySecret,
      signName: '书林',
      endpoint: aliyun.endpoint,
      templates: { reset: 'SMS_RESET', verify: 'SMS_VERIFY', notice: 'SMS_NOTICE' },
      verifyPhoneAtRegistration: true,
      // One text per address a day: the second phone from the same browser meets the limit.
      limits: { perPhonePerDay: 5, perAddressPerDay: 1 },
    })
    expect(saved.status).toBe(200)

    const page = await openRegister()
    await page.getByLabel('短信验证码').waitFor({ timeout: 10_000 })
    await page.getByRole('textbox', { name: '手机号' }).fill('13912345678')
    await page.getByRole('button', { name: '获取验证码' }).click()
    await expect.poll(() => aliyun.sent.length, { timeout: 10_000 }).toBe(1)
    expect(aliyun.refused).toEqual([])
    const code = (aliyun.sent[0]!.params as Record<string, string>).code!
    expect(code).toMatch(/^\d{6}$/)
    await expect
      .poll(() => page.getByRole('status').first().textContent(), { timeout: 10_000 })
      .toContain('验证码已发送到 13912345678')
    // The button counts down instead of offering another text at once.
    const resend = page.getByRole('button', { name: /秒后可重新获取/ })
    await resend.waitFor({ timeout: 5_000 })
    expect(await resend.isDisabled()).toBe(true)
    // …and it does count (a second or two is enough to see it move below 60).
    await expect
      .poll(async () => Number(/(\d+) 秒/.exec((await resend.textContent()) ?? '')?.[1]), { timeout: 5_000 })
      .toBeLessThan(60)
    // A wrong code is said under the field, and the reader stays on the page.
    await page.getByLabel('短信验证码').fill(String((Number(code) + 1) % 1_000_000).padStart(6, '0'))
    await page.getByLabel('密码', { exact: true }).fill('reading-lamp-2026')
    await page.getByRole('button', { name: '注册' }).click()
    await page.locator('#err-phoneCode').waitFor({ timeout: 10_000 })
    expect(await page.locator('#err-phoneCode').textContent()).toContain('验证码错误或已过期')
    await page.getByLabel('短信验证码').fill(code)
    await shot(page, 'phone-register-code')
    await page.getByRole('button', { name: '注册' }).click()
    await page.waitForURL(`${t.node.url}/`, { timeout: 10_000 })

    const other = await openRegister()
    await other.getByLabel('短信验证码').waitFor({ timeout: 10_000 })
    await other.getByRole('textbox', { name: '手机号' }).fill('13912345679')
    await other.getByRole('button', { name: '获取验证码' }).click()
    await expect
      .poll(() => other.getByRole('alert').first().textContent(), { timeout: 10_000 })
      .toMatch(/今天获取验证码的次数已用完，请在 \d+ (小时|分钟)后再试/)
    await shot(other, 'phone-register-limit')
    expect(aliyun.sent.length).toBe(1)
  })
})
