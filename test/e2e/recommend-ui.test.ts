/**
 * Recommendations in Chromium on a phone: a signed-in reader who read 《红楼梦》 finds
 * "猜你喜欢" on the portal home with what its other readers read and the reason
 * (因为你读过《红楼梦》), and "读过这本的人也读了" on the record's page; a visitor who is not
 * signed in sees the staff's pick.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Browser } from 'playwright-core'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../../node/src/testing/temp-node.js'
import { hasChromium, launch, phone, shot } from './browser.js'

describe.skipIf(!hasChromium)('猜你喜欢 and 读过这本的人也读了', () => {
  let t: TempNode
  let browser: Browser
  const id: Record<string, string> = {}
  const progress = (c: Client, title: string) =>
    c.put(`/api/me/reading/${id[title]}/progress`, {
      position: { kind: 'pdf', page: 1 },
      percentage: 0.1,
      device: '手机',
      at: new Date(t.clock.now).toISOString(),
    })
  const reader = async (phoneNumber: string) => {
    const c = new Client(t.node.url)
    await c.post('/api/auth/register', { mode: 'quick', phone: phoneNumber, password: 'reading2026' })
    await c.post('/api/auth/login', { identifier: phoneNumber, password: 'reading2026' })
    return c
  }

  beforeAll(async () => {
    t = await startTempNode()
    const staff = await signedInAdmin(t)
    for (const [title, clc] of [
      ['红楼梦', 'I242.4'],
      ['史记', 'K204.2'],
      ['时间简史', 'P159'],
    ]) {
      id[title!] = (
        await staff.post('/api/staff/resources', { type: 'book', metadata: { title, clc, creators: ['佚名'] } })
      ).body.id
      await staff.post(`/api/staff/resources/${id[title!]}/publish`)
    }
    await staff.post('/api/staff/collections', { kind: 'column', title: '馆员书单', items: [id['时间简史']] })
    t.clock.now = Date.now()
    for (let i = 0; i < 3; i++) {
      const c = await reader(`1360013601${i}`)
      await progress(c, '红楼梦')
      await progress(c, '史记')
    }
    const me = await reader('13600136019')
    await progress(me, '红楼梦')
    await vi.waitFor(
      async () => expect(JSON.stringify((await me.get('/api/recommendations')).body)).toContain('因为你读过《红楼梦》'),
      { timeout: 10_000, interval: 100 },
    )
    browser = await launch()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  it('shows a visitor the staff pick, and a reader what fits their reading, with the reasons', async () => {
    const visitor = await (await browser.newContext(phone)).newPage()
    await visitor.goto(`${t.node.url}/`)
    const pick = visitor.getByRole('link', { name: /时间简史\s*馆员推荐/ })
    await pick.waitFor()
    await shot(visitor, 'recommend-home-visitor-phone')

    const page = await (await browser.newContext(phone)).newPage()
    await page.goto(`${t.node.url}/signin?next=/`)
    await page.getByLabel('读者证号 / 手机号 / 用户名 / 身份证号').fill('13600136019')
    await page.getByLabel('密码').fill('reading2026')
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(`${t.node.url}/`)
    await page.getByRole('heading', { name: '猜你喜欢' }).waitFor()
    const first = page.getByRole('link', { name: /史记\s*因为你读过《红楼梦》/ })
    await first.waitFor()
    await first.scrollIntoViewIfNeeded()
    await shot(page, 'recommend-home-phone')
    // Already read: never recommended back.
    const section = page.locator('shulin-recommendations')
    expect(await section.getByRole('link', { name: /史记|时间简史/ }).count()).toBe(2)
    expect(await section.getByRole('link', { name: /^\s*红楼梦/ }).count()).toBe(0)

    await page.goto(`${t.node.url}/r/${id['红楼梦']}`)
    await page.getByRole('heading', { name: '读过这本的人也读了' }).waitFor()
    const also = page.getByRole('link', { name: /史记\s*常被一起阅读/ })
    await also.scrollIntoViewIfNeeded()
    await shot(page, 'recommend-record-phone')
    await also.click()
    await page.waitForURL(`${t.node.url}/r/${id['史记']}`)
    await page.getByRole('heading', { name: '史记', level: 1 }).waitFor()
  }, 90_000)
})
