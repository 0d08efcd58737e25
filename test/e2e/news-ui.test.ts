/**
 * News in Chromium on a phone (390×844): staff write a post in the console's editor (toolbar,
 * an uploaded image, pinned, published) with attacks in its HTML; the portal home shows the news
 * section with the hub's post and its source beside the library's own; the news page and the
 * article render the server-sanitised HTML — no script runs, no onerror or javascript: survives
 * in the page. The portal's <head> links the Atom feed.
 */
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { generateNodeKey } from '@shulin/federation'
import { signedInAdmin, startTempNode, type TempNode } from '../../node/src/testing/temp-node.js'
import { hasChromium, launch, phone, shot, signInAsAdmin } from './browser.js'

const attacks =
  '<p>开馆时间调整为 9:00—21:00。</p>' +
  '<script>window.__xss = "script"</script>' +
  '<img src="x" onerror="window.__xss = \'onerror\'">' +
  '<a href="javascript:window.__xss=\'href\'">详情</a>' +
  '<p onmouseover="window.__xss=\'over\'">欢迎到馆。</p>'

/** The rendered article's markup, through its shadow roots. */
const articleHtml = (page: Page) =>
  page.evaluate(() => {
    const app = document.querySelector('shulin-app')!.shadowRoot!
    const article = app.querySelector('shulin-news-article')!.shadowRoot!
    return article.querySelector('.body')!.innerHTML
  })

describe.skipIf(!hasChromium)('news on the portal', () => {
  let t: TempNode
  let browser: Browser

  beforeAll(async () => {
    t = await startTempNode()
    await signedInAdmin(t)
    // A post of the hub, as a member takes it in from the signed catalog.
    const hub = await generateNodeKey()
    await t.node.news.upsertFromHub({
      id: 'hub-post-1',
      source: { nodeId: hub.nodeId, name: '国家数字图书馆' },
      title: '全民阅读月启动',
      html: '<p>全国各成员馆同步开展诵读、讲座与书展。</p>',
      pinned: false,
      from: null,
      to: null,
      status: 'published',
      createdAt: new Date(Date.now() - 3_600_000).toISOString(),
      updatedAt: new Date(Date.now() - 3_600_000).toISOString(),
      publishedAt: new Date(Date.now() - 3_600_000).toISOString(),
    })
    browser = await launch()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  it('staff write a post; readers see it sanitised, with the hub’s beside it', async () => {
    const page = await signInAsAdmin(browser, t.node.url, '/staff/news', phone)
    await page.getByRole('button', { name: '写新闻' }).click()
    await page.getByLabel('标题').fill('春节开馆安排')
    const body = page.getByLabel('正文（HTML）')
    await body.fill(attacks)
    // The toolbar wraps the selection: a heading first.
    await body.evaluate((ta: HTMLTextAreaElement) => {
      ta.value = '节假日安排' + ta.value
      ta.dispatchEvent(new Event('input'))
      ta.setSelectionRange(0, 5)
    })
    await page.getByRole('button', { name: '小标题' }).click()
    expect(await body.inputValue()).toMatch(/^<h3>节假日安排<\/h3><p>/)
    const png = await sharp({ create: { width: 600, height: 300, channels: 3, background: '#b23a2a' } })
      .png()
      .toBuffer()
    await page.locator('input[type=file]').setInputFiles({ name: 'poster.png', mimeType: 'image/png', buffer: png })
    // Inserted at the caret, after the heading (not inside it).
    await expect
      .poll(() => body.inputValue())
      .toMatch(/^<h3>节假日安排<\/h3>\n<figure><img src="\/api\/news\/images\/[0-9a-f]{64}"/)
    await page.getByLabel('状态').selectOption('published')
    await page.getByLabel('置顶').check()
    await shot(page, 'news-editor-phone')
    await page.getByRole('button', { name: '保存' }).click()
    await page.getByText('已保存').waitFor()
    // The editor now holds what the server stored: sanitised.
    const stored = await body.inputValue()

    expect(stored).not.toMatch(/script|onerror|onmouseover|javascript:/i)
    await page.getByRole('button', { name: '预览' }).click()
    await page.frameLocator('iframe').getByText('欢迎到馆。').waitFor()
    await shot(page, 'news-editor-preview-phone')

    // A reader (no session) on the home page.
    const reader = await (await browser.newContext(phone)).newPage()
    await reader.goto(t.node.url + '/')
    const section = reader.getByRole('region', { name: /新闻公告/ })
    await section.getByText('春节开馆安排').waitFor()
    await section.getByText('来自国家数字图书馆').waitFor()
    expect(await reader.locator('link[rel=alternate][type="application/atom+xml"]').getAttribute('href')).toBe(
      '/news.atom',
    )
    await shot(reader, 'news-home-phone')

    await section.getByRole('link', { name: '全部 ›' }).click()
    await reader.waitForURL(`${t.node.url}/news`)
    await reader.getByRole('heading', { name: /新闻公告/, level: 1 }).waitFor()
    // Both, pinned first (polled: the list renders once its page has loaded).
    await expect
      .poll(() => reader.locator('shulin-news-page shulin-news-list .title').allTextContents())
      .toEqual(['置顶春节开馆安排', '全民阅读月启动'])
    await shot(reader, 'news-list-phone')

    await reader.getByRole('link', { name: /春节开馆安排/ }).click()
    await reader.getByRole('heading', { name: '春节开馆安排' }).waitFor()
    await reader.getByRole('heading', { name: '节假日安排' }).waitFor()
    await reader.locator('.body img').waitFor()
    expect(await reader.locator('.body img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(600)
    // The link lost its javascript: href (no longer a link); hovering and clicking run nothing.
    expect(await reader.getByRole('link', { name: '详情' }).count()).toBe(0)
    await reader.getByText('欢迎到馆。').hover()
    await reader.getByText('详情').click()
    const rendered = await articleHtml(reader)
    expect(rendered).not.toMatch(/<script|onerror|onmouseover|javascript:/i)
    expect(await reader.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined()
    await shot(reader, 'news-article-phone')

    // The hub's post shows its source on its page too.
    await reader.goto(`${t.node.url}/news/hub-post-1`)
    await reader.getByText('来自国家数字图书馆').waitFor()
  }, 120_000)
})
