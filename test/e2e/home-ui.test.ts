/**
 * The home page in Chromium as staff arranged it: a banner strip, one sideways shelf per column
 * and topic (covers, scroll-snap, walked by keyboard), new arrivals; staff reorder and hide its
 * sections in the console; a topic's "more" opens its own page and `search?collection=` searches
 * within it. axe (WCAG 2.1 AA) on each, screenshots at phone, tablet and desktop sizes.
 */
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import AxeBuilder from '@axe-core/playwright'
import type { Browser, Page } from 'playwright-core'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../../node/src/testing/temp-node.js'
import { desktop, hasChromium, launch, phone, screenshotDir, shot, signInAsAdmin } from './browser.js'

const books = [
  ['红楼梦', '曹雪芹', 'I242.4'],
  ['三国演义', '罗贯中', 'I242.4'],
  ['西游记', '吴承恩', 'I242.4'],
  ['水浒传', '施耐庵', 'I242.4'],
  ['呐喊', '鲁迅', 'I210'],
  ['边城', '沈从文', 'I246.5'],
  ['围城', '钱锺书', 'I246.5'],
  ['乡土中国', '费孝通', 'C912.82'],
  ['人间词话', '王国维', 'I207.23'],
  ['唐诗三百首', '蘅塘退士', 'I222.742'],
] as const
const tablet = { viewport: { width: 768, height: 1024 }, isMobile: true, hasTouch: true, locale: 'zh-CN' }

const audit = async (page: Page) => {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()
  return r.violations.map(
    (v) =>
      `${v.id}: ${v.nodes
        .map((n) => n.target.join(' '))
        .slice(0, 3)
        .join(' | ')}`,
  )
}

describe.skipIf(!hasChromium)('the home page as staff arrange it', () => {
  let t: TempNode
  let browser: Browser
  let staff: Client
  let topic: string
  const ids: string[] = []

  beforeAll(async () => {
    t = await startTempNode({ name: '书林县图书馆' })
    staff = await signedInAdmin(t)
    for (const [title, creator, cls] of books) {
      const r = await staff.post('/api/staff/resources', {
        type: 'book',
        metadata: { title, creators: [creator], clc: cls },
      })
      expect(r.status, title).toBe(201)
      ids.push(r.body.id)
      await staff.post(`/api/staff/resources/${ids.at(-1)}/publish`)
    }
    topic = (
      await staff.post('/api/staff/collections', {
        kind: 'topic',
        title: '四大名著',
        description: '中国古典长篇小说的高峰。',
        items: ids.slice(0, 4),
      })
    ).body.id
    await staff.post('/api/staff/collections', { kind: 'column', title: '现代文学', items: ids.slice(4), position: 1 })
    const banner = await staff.post('/api/staff/portal/banners', {
      alt: '四大名著专题：读经典，过书香年',
      href: `/collections/${topic}`,
    })
    const image = await sharp({
      create: { width: 1200, height: 400, channels: 3, background: '#8a2f24' },
    })
      .composite([
        {
          input: Buffer.from(
            '<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="400"><text x="80" y="230" font-size="96" fill="#fff" font-family="Noto Serif CJK SC, serif">读经典 · 过书香年</text></svg>',
          ),
        },
      ])
      .png()
      .toBuffer()
    const put = await staff.put(`/api/staff/portal/banners/${banner.body.banners[0].id}/image`, image, {
      'content-type': 'image/png',
    })
    expect(put.status).toBe(200)
    const day = 86_400_000
    const live = await staff.post('/api/staff/live', {
      title: '宋词里的江南',
      start: new Date(Date.now() + 3_600_000).toISOString(),
      access: 'public',
    })
    expect(live.status).toBe(201)
    const activity = await staff.post('/api/staff/activities', {
      kind: 'recitation',
      title: '中华经典诵读',
      phases: {
        submission: {
          from: new Date(Date.now() - day).toISOString(),
          to: new Date(Date.now() + 10 * day).toISOString(),
        },
      },
      maxSeconds: 60,
    })
    expect(activity.status, JSON.stringify(activity.body)).toBe(201)
    browser = await launch()
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  const app = (page: Page) => page.locator('shulin-home')

  it('shows the banner, a shelf per column and topic that the keyboard walks, and new arrivals; axe clean at three sizes', async () => {
    for (const [name, device] of [
      ['home-phone-390x844', phone],
      ['home-tablet-768x1024', tablet],
      ['home-desktop-1280x800', desktop],
    ] as const) {
      const page = await (await browser.newContext(device)).newPage()
      await page.goto(t.node.url)
      const banner = page.getByRole('link', { name: '四大名著专题：读经典，过书香年' })
      await banner.waitFor()
      expect(await banner.getAttribute('href')).toBe(`/collections/${topic}`)
      const shelf = page.getByRole('list', { name: '四大名著：横向滚动' })
      await expect.poll(() => shelf.getByRole('link').count()).toBe(4)
      expect(await page.getByRole('list', { name: '现代文学：横向滚动' }).getByRole('link').count()).toBe(6)
      // Covers load (the generated ones for records without their own).
      await expect
        .poll(() =>
          shelf.locator('img').evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).naturalWidth > 0)),
        )
        .toBe(true)
      await page.getByRole('heading', { name: '新书上架' }).waitFor()
      // Lectures to come and activities under way, as shelves of their own.
      expect(await page.getByRole('list', { name: '讲座直播：横向滚动' }).getByRole('link').allTextContents()).toEqual([
        expect.stringContaining('宋词里的江南'),
      ])
      expect(await page.getByRole('list', { name: '阅读活动：横向滚动' }).getByRole('link').count()).toBe(1)
      await page.waitForLoadState('networkidle')
      expect(await audit(page), name).toEqual([])
      await shot(page, name)
      // The whole page too: every section in the staff's order, as a reader scrolls through it.
      await page.screenshot({ path: join(screenshotDir, `${name}-full.png`), fullPage: true })
      await page.context().close()
    }
  }, 120_000)

  it('walks a shelf by keyboard: focus moves along the covers and the row scrolls to keep it in view', async () => {
    const page = await (await browser.newContext(phone)).newPage()
    await page.goto(t.node.url)
    const row = page.getByRole('list', { name: '现代文学：横向滚动' })
    await row.getByRole('link').first().waitFor()
    await row.getByRole('link').first().focus()
    for (let i = 0; i < 5; i++) await page.keyboard.press('Tab')
    const focused = await page.evaluate(() => {
      let el: Element | null = document.activeElement
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement
      return el?.textContent?.trim() ?? ''
    })
    expect(focused).toContain('唐诗三百首')
    await expect.poll(() => row.evaluate((ul) => ul.scrollLeft)).toBeGreaterThan(100)
    await shot(page, 'home-phone-shelf-keyboard')
    await page.context().close()
  }, 120_000)

  it('follows a topic to its own page, and searches within it', async () => {
    const page = await (await browser.newContext(phone)).newPage()
    await page.goto(t.node.url)
    await page.getByRole('link', { name: '更多：四大名著' }).click()
    await page.waitForURL(`${t.node.url}/collections/${topic}`)
    await page.getByRole('heading', { name: '四大名著' }).waitFor()
    await expect.poll(() => page.locator('shulin-collection-page ol.items img').count()).toBe(4)
    expect(await audit(page)).toEqual([])
    await shot(page, 'topic-page-phone')
    await page.getByRole('link', { name: '在其中搜索' }).click()
    await page.waitForURL(`${t.node.url}/search?collection=${topic}`)
    await page.getByText('在“四大名著”中搜索').waitFor()
    await expect.poll(() => page.locator('shulin-resource-card').count()).toBe(4)
    const titles = await page.locator('shulin-resource-card .title').allTextContents()
    expect(titles.sort()).toEqual(['三国演义', '水浒传', '红楼梦', '西游记'].sort())
    expect(await audit(page)).toEqual([])
    await shot(page, 'search-in-topic-phone')
    await page.context().close()
  }, 120_000)

  it('asks for the home’s module and data while the session is still loading', async () => {
    const page = await (await browser.newContext(phone)).newPage()
    // The session answers only once the home's own request has gone out (or after 10 s): the page's
    // data does not wait for the session, so it goes out first.
    let dataAsked: () => void = () => {}
    const asked = new Promise<void>((resolve) => (dataAsked = resolve))
    const order: string[] = []
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname
      if (path === '/api/portal/home') (order.push('data'), dataAsked())
    })
    await page.route('**/api/session', async (route) => {
      await Promise.race([asked, new Promise((r) => setTimeout(r, 10_000))])
      order.push('session')
      await route.fallback()
    })
    await page.goto(t.node.url)
    await page.getByRole('heading', { name: /新书上架/ }).waitFor({ timeout: 20_000 })
    expect(order.slice(0, 2)).toEqual(['data', 'session'])
    await page.context().close()
  }, 60_000)

  it('staff hide new arrivals and move the shelves first; readers see that order', async () => {
    const page = await signInAsAdmin(browser, t.node.url, '/staff/home', phone)
    await page.getByRole('checkbox', { name: '新书上架' }).uncheck()
    for (let i = 0; i < 2; i++) await page.getByRole('button', { name: '上移：栏目和专题书架' }).click()
    await page.getByRole('button', { name: '保存布局' }).click()
    await page.getByText('已保存').waitFor()
    expect(await audit(page)).toEqual([])
    await shot(page, 'staff-home-layout-phone')
    const home = (await new Client(t.node.url).get('/api/portal/home')).body
    expect(home.sections[0]).toBe('shelves')
    expect(home.sections).not.toContain('newArrivals')
    const reader = await (await browser.newContext(phone)).newPage()
    await reader.goto(t.node.url)
    await reader.getByRole('list', { name: '四大名著：横向滚动' }).waitFor()
    expect(await reader.getByRole('heading', { name: '新书上架' }).count()).toBe(0)
    const order = await app(reader).evaluate((el) =>
      [...el.shadowRoot!.children].map((c) => c.tagName.toLowerCase()).filter((n) => n !== 'style'),
    )
    expect(order[0]).toBe('shulin-shelf')
    await reader.context().close()
    await page.context().close()
  }, 120_000)
})
