/**
 * A topic's page in Chromium, on a phone: the home page links the topic to `/collections/:id`,
 * which lists its items; a signed-in reader taps "订阅专题", the button turns pressed, and new
 * items staff add then reach the reader's inbox as one notice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../../node/src/testing/temp-node.js'
import { topicQuietMs } from '../../node/src/subscriptions/service.js'
import { hasChromium, launch, phone, shot } from './browser.js'

describe.skipIf(!hasChromium)('the topic page', () => {
  let t: TempNode
  let browser: Browser
  let staff: Client
  let topic: string
  const books: string[] = []
  beforeAll(async () => {
    t = await startTempNode()
    staff = await signedInAdmin(t)
    for (const title of ['诗经', '楚辞', '乐府']) {
      const id = (await staff.post('/api/staff/resources', { type: 'book', metadata: { title } })).body.id as string
      await staff.post(`/api/staff/resources/${id}/publish`)
      books.push(id)
    }
    topic = (
      await staff.post('/api/staff/collections', {
        kind: 'topic',
        title: '古典诗歌专题',
        description: '从《诗经》到乐府',
        items: [books[0]],
      })
    ).body.id as string
    const reader = new Client(t.node.url)
    expect(
      (await reader.post('/api/auth/register', { mode: 'quick', phone: '13600139001', password: 'reading2026' }))
        .status,
    ).toBe(201)
    browser = await launch()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  it('subscribes from the topic page and hears of new items', async () => {
    const page = await (await browser.newContext(phone)).newPage()
    await page.goto(`${t.node.url}/signin?next=${encodeURIComponent('/')}`)
    await page.getByLabel('读者证号 / 手机号 / 用户名 / 身份证号').fill('13600139001')
    await page.getByLabel('密码').fill('reading2026')
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(`${t.node.url}/`)
    await page.getByRole('link', { name: '古典诗歌专题' }).click()
    await page.waitForURL(`${t.node.url}/collections/${topic}`)
    // The home's shelf for the topic has the same title as an h2; the topic page's own is the h1.
    await page.getByRole('heading', { name: '古典诗歌专题', level: 1 }).waitFor({ timeout: 10_000 })
    expect(await page.getByRole('link', { name: '诗经' }).count()).toBe(1)
    const button = page.getByRole('button', { name: '订阅专题' })
    await button.click()
    await page.getByRole('button', { name: /已订阅专题/ }).waitFor({ timeout: 10_000 })
    expect(await page.getByRole('button', { name: /已订阅专题/ }).getAttribute('aria-pressed')).toBe('true')
    await shot(page, 'phone-topic-subscribed')

    const r = await staff.call('PATCH', `/api/staff/collections/${topic}`, { items: books }, { 'if-match': '"r1"' })
    expect(r.status).toBe(200)
    t.clock.now += topicQuietMs + 60_000
    expect(await t.node.services.subscriptions.tellTopics()).toBe(1)
  })
})
