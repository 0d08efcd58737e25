/**
 * The console's SMS tab in Chromium, on a phone: an admin chooses Alibaba Cloud SMS, enters the
 * keys and templates and turns on phone verification; after a reload the secret field is empty
 * and only its hint is shown, and a test text reaches the stand-in correctly signed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { signedInAdmin, startTempNode, type TempNode } from '../../node/src/testing/temp-node.js'
import { startAliyunStandIn, type SmsStandIn } from '../../node/src/testing/sms-standins.js'
import { hasChromium, launch, phone, shot, signInAsAdmin } from './browser.js'

const secret = 'ali-secret-from-the-console-4821'

describe.skipIf(!hasChromium)('the SMS settings tab', () => {
  let t: TempNode
  let aliyun: SmsStandIn
  let browser: Browser
  beforeAll(async () => {
    aliyun = await startAliyunStandIn({ accessKeyId: 'LTAI5tConsoleKey', accessKeySecret: secret })
    t = await startTempNode()
    const admin = await signedInAdmin(t)
    // The endpoint is not on the page (it is for private or test endpoints): set it once here.
    expect((await admin.put('/api/staff/sms', { provider: 'console', endpoint: aliyun.endpoint })).status).toBe(200)
    browser = await launch()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await t?.close()
    await aliyun?.close()
  })

  it('saves the provider with a write-only secret and sends a signed test text', async () => {
    const page = await signInAsAdmin(browser, t.node.url, '/staff/sms', phone)
    await page.getByLabel('服务商').selectOption('aliyun')
    await page.getByLabel('AccessKey ID / SecretId').fill('LTAI5tConsoleKey')
    await page.getByLabel('AccessKey Secret / SecretKey').fill(secret)
    await page.getByLabel('短信签名').fill('书林')
    await page.getByLabel('模板：重置密码验证码').fill('SMS_1')
    await page.getByLabel('模板：注册验证码').fill('SMS_2')
    await page.getByLabel('模板：通知').fill('SMS_3')
    await page.getByLabel('快速注册需短信验证手机号').check()
    await page.getByRole('button', { name: '保存' }).click()
    await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 10_000 }).toContain('已保存')
    await page.reload()
    await expect.poll(() => page.getByText('已保存（****4821），留空则不变').count(), { timeout: 10_000 }).toBe(1)
    expect(await page.getByLabel('AccessKey Secret / SecretKey').inputValue()).toBe('')
    expect(await page.content()).not.toContain(secret)
    expect(await page.getByLabel('快速注册需短信验证手机号').isChecked()).toBe(true)
    await shot(page, 'phone-staff-sms')
    await page.getByLabel('发送测试短信到').fill('13800138000')
    await page.getByRole('button', { name: '发送' }).click()
    await expect.poll(() => aliyun.sent.length, { timeout: 10_000 }).toBe(1)
    expect(aliyun.refused).toEqual([])
    expect(aliyun.sent[0]).toMatchObject({ phone: '13800138000', template: 'SMS_3', signName: '书林' })
  })
})
