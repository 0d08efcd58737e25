/**
 * KOReader sync and the desk's real-name check in Chromium, on a phone: a reader makes a sync
 * key on their page, KOReader (its requests replayed) signs in with it and pushes page 12 of a
 * PDF, the web reader opens the PDF at page 12, the reader revokes the key and KOReader is refused; a librarian marks the reader real-name verified in the readers tab.
 */
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../../node/src/testing/temp-node.js'
import { pdf } from '../../node/src/testing/fixtures.js'
import { hasChromium, launch, phone, shot, signInAsAdmin } from './browser.js'

const md5 = (s: string) => createHash('md5').update(s).digest('hex')

describe.skipIf(!hasChromium)('KOReader sync on the reader’s page, real name at the desk', () => {
  let t: TempNode
  let browser: Browser
  let book: string
  const pdfBytes = pdf(20)
  beforeAll(async () => {
    t = await startTempNode()
    const staff = await signedInAdmin(t)
    book = (await staff.post('/api/staff/resources', { type: 'book', metadata: { title: '史记' } })).body.id
    await staff.put(`/api/staff/resources/${book}/files/content`, pdfBytes, { 'content-type': 'application/pdf' })
    expect((await staff.post(`/api/staff/resources/${book}/publish`)).status).toBe(200)
    const reader = new Client(t.node.url)
    const r = await reader.post('/api/auth/register', { mode: 'quick', phone: '13800138000', password: 'reading2026' })
    expect(r.status).toBe(201)
    browser = await launch()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  it('makes a key KOReader signs in with, and revokes it', async () => {
    const page = await (await browser.newContext(phone)).newPage()
    await page.goto(`${t.node.url}/signin?next=%2Fme`)
    await page.getByLabel('读者证号 / 手机号 / 用户名 / 身份证号').fill('13800138000')
    await page.getByLabel('密码').fill('reading2026')
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(`${t.node.url}/me`)
    expect(await page.getByLabel('服务器地址').inputValue()).toBe(`${t.node.url}/kosync`)
    await page.getByRole('button', { name: '生成同步密钥' }).click()
    const keyField = page.getByLabel('同步密钥（只显示这一次，请现在填入 KOReader）')
    await expect.poll(() => keyField.count(), { timeout: 10_000 }).toBe(1)
    const key = await keyField.inputValue()
    const username = await page.getByLabel('用户名', { exact: true }).inputValue()
    await shot(page, 'phone-me-kosync')
    const authorize = () =>
      fetch(`${t.node.url}/kosync/users/auth`, {
        headers: { accept: 'application/vnd.koreader.v1+json', 'x-auth-user': username, 'x-auth-key': md5(key) },
      }).then((r) => r.status)
    expect(await authorize()).toBe(200)
    // KOReader pushes page 12 of the PDF (its binary id: MD5 of the 1 KiB samples at 0 and 1 KiB);
    // the web reader opens there.
    const document = md5(Buffer.concat([pdfBytes.subarray(0, 1024), pdfBytes.subarray(1024, 2048)]))
    expect(pdfBytes.length).toBeLessThan(4096)
    const pushed = await fetch(`${t.node.url}/kosync/syncs/progress`, {
      method: 'PUT',
      headers: {
        accept: 'application/vnd.koreader.v1+json',
        'content-type': 'application/json',
        'x-auth-user': username,
        'x-auth-key': md5(key),
      },
      body: JSON.stringify({ document, progress: '12', percentage: 0.58, device: 'Kobo Libra 2', device_id: 'K1' }),
    })
    expect(pushed.status).toBe(200)
    await page.goto(`${t.node.url}/r/${book}`)
    await page.getByRole('button', { name: '阅读' }).click()
    await expect
      .poll(() => page.locator('shulin-read-pdf').getAttribute('data-rendered'), { timeout: 15_000 })
      .toBe('12')
    await page.goto(`${t.node.url}/me`)
    await page.getByRole('button', { name: '停用同步密钥' }).click()
    await expect.poll(() => page.getByRole('button', { name: '生成同步密钥' }).count(), { timeout: 10_000 }).toBe(1)
    expect(await authorize()).toBe(401)
  })

  it('lets a librarian mark the reader real-name verified', async () => {
    const page = await signInAsAdmin(browser, t.node.url, '/staff/readers', phone)
    await page.getByRole('button', { name: '已核验身份证，标记为实名' }).click()
    await expect.poll(() => page.getByText(/已实名认证/).count(), { timeout: 10_000 }).toBe(1)
    await expect.poll(() => page.getByRole('button', { name: '撤销实名认证' }).count()).toBe(1)
  })
})
