/**
 * Subscriptions and the inbox in Chromium on a phone: a reader subscribes to a course on its
 * page (the button says so, pressed), a new lecture becomes playable, the header shows one
 * unread notice, the inbox lists it, and opening it goes to the lecture and clears the count.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../../node/src/testing/temp-node.js'
import { hasChromium, launch, phone, shot } from './browser.js'

describe.skipIf(!hasChromium)('subscribing to a course and reading the inbox', () => {
  let t: TempNode
  let staff: Client
  let browser: Browser
  let courseId: string
  let reader: Client

  beforeAll(async () => {
    t = await startTempNode()
    staff = await signedInAdmin(t)
    courseId = (await staff.post('/api/courses', { title: '宋词十讲', series: '中华诗词' })).body.id
    await staff.post(`/api/courses/${courseId}/publish`)
    reader = new Client(t.node.url)
    expect(
      (await reader.post('/api/auth/register', { mode: 'quick', phone: '13600136009', password: 'reading2026' }))
        .status,
    ).toBe(201)
    browser = await launch()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  it('subscribes on the course page, and the new lecture arrives in the inbox', async () => {
    const page = await (await browser.newContext(phone)).newPage()
    await page.goto(`${t.node.url}/signin?next=${encodeURIComponent(`/courses/${courseId}`)}`)
    await page.getByLabel('读者证号 / 手机号 / 用户名 / 身份证号').fill('13600136009')
    await page.getByLabel('密码').fill('reading2026')
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(`${t.node.url}/courses/${courseId}`)
    // Signing in from this browser after registering elsewhere is a new device (a notice of its
    // own, issue 21): read, so the count below is the lecture's alone.
    await reader.post('/api/me/inbox/read', { all: true })
    const subscribe = page.getByRole('button', { name: '订阅课程' })
    await subscribe.click()
    const pressed = page.getByRole('button', { name: '已订阅课程' })
    await pressed.waitFor()
    expect(await pressed.getAttribute('aria-pressed')).toBe('true')
    expect(await page.getByRole('button', { name: '订阅专题“中华诗词”' }).getAttribute('aria-pressed')).toBe('false')
    await shot(page, 'inbox-subscribe-phone')

    const lecture = (await staff.post(`/api/courses/${courseId}/lectures`, { title: '第一讲 柳永' })).body.id as string
    await staff.post(`/api/lectures/${lecture}/publish`)
    // Ready to play, as the transcode queue leaves it.
    await t.node.services.courses.service.amendLecture(lecture, () => ({ lecture: { status: 'ready' } }))
    await t.node.services.subscriptions.idle()

    await page.reload()
    const badge = page.getByRole('link', { name: '消息（1 条未读）' })
    await badge.waitFor()
    await badge.click()
    await page.waitForURL(`${t.node.url}/me/inbox`)
    // The URL changes before the course page leaves the DOM, and its lecture list has a link
    // of the same name: wait for the inbox's heading, then take the link from its list.
    await page.getByRole('heading', { name: '消息', level: 1 }).waitFor()
    const notice = page.getByRole('listitem').getByRole('link', { name: /第一讲 柳永/ })
    await notice.waitFor()
    expect(await notice.textContent()).toContain('宋词十讲')
    await shot(page, 'inbox-phone')
    await notice.click()
    await page.waitForURL(`${t.node.url}/lectures/${lecture}`)
    await page.getByRole('link', { name: '消息', exact: true }).waitFor()
  }, 90_000)
})
