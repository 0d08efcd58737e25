/**
 * The app shell's navigation in Chromium against a real node: the tab bar's icons and one tab
 * per destination (书架 has its own page), the language switch on a phone, the search page's
 * facets in the reader's language (语种 中文, 1990 年代) and English plurals ("1 result"),
 * leaving the EPUB reader while it is still opening a book (once "Cannot read properties of
 * null (reading 'defaultView')"), and the 30-day chart of an empty library (its axis once ran
 * to 2029). Screenshots in test-artifacts/screenshots/ (nav-*.png); axe WCAG 2.1 AA on the new
 * pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import AxeBuilder from '@axe-core/playwright'
import type { Browser, Page } from 'playwright-core'
import { signedInAdmin, startTempNode, type Client, type TempNode } from '../../node/src/testing/temp-node.js'
import { epubEntries, zip } from '../../node/src/testing/fixtures.js'
import { desktop, hasChromium, launch, phone, shot, signInAsAdmin } from './browser.js'

/** A book with enough pages that opening it takes foliate a while. */
function longEpub(title: string): Buffer {
  const para = (n: number) => `<p>第${n}段：春江潮水连海平，海上明月共潮生。滟滟随波千万里，何处春江无月明。</p>`
  const chapter = (c: number) =>
    `<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>第${c}章</title></head><body><h1>第${c}章</h1>${Array.from({ length: 80 }, (_, i) => para(i + 1)).join('')}</body></html>`
  return zip(
    epubEntries({ title, isbn: '9787020002207' }).map((e) =>
      e.name.endsWith('c1.xhtml')
        ? { ...e, data: chapter(1) }
        : e.name.endsWith('c2.xhtml')
          ? { ...e, data: chapter(2) }
          : e,
    ),
  )
}

const audit = async (page: Page): Promise<string[]> => {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()
  return r.violations.map(
    (v) =>
      `${v.id}: ${v.nodes
        .map((n) => n.target.join(' '))
        .slice(0, 3)
        .join(' | ')}`,
  )
}

/** Moves the app to `path` as its own links do (the router's pushState and 'route-changed'), with no page load. */
const goInApp = (page: Page, path: string): Promise<void> =>
  page.evaluate((p) => {
    history.pushState(null, '', p)
    window.dispatchEvent(new Event('route-changed'))
  }, path)

describe.skipIf(!hasChromium)('navigation: tabs, language, facets, plurals, reader and chart bugs', () => {
  let t: TempNode
  let empty: TempNode
  let staff: Client
  let browser: Browser
  let bookId: string

  beforeAll(async () => {
    ;[t, empty] = await Promise.all([startTempNode({ name: '县图书馆' }), startTempNode({ name: '空图书馆' })])
    staff = await signedInAdmin(t)
    const add = async (metadata: Record<string, unknown>) => {
      const id = (await staff.post('/api/staff/resources', { type: 'book', metadata })).body.id as string
      return id
    }
    bookId = await add({ title: '春江花月夜', creators: ['张若虚'], subjects: ['唐诗'], language: 'zh', date: '1995' })
    await staff.put(`/api/staff/resources/${bookId}/files/content`, longEpub('春江花月夜'), {
      'content-type': 'application/epub+zip',
    })
    const other = await add({
      title: 'Moonlight on the Spring River',
      creators: ['Zhang Ruoxu'],
      language: 'en',
      date: '1998',
    })
    for (const id of [bookId, other]) expect((await staff.post(`/api/staff/resources/${id}/publish`)).status).toBe(200)
    browser = await launch()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await Promise.all([t?.close(), empty?.close()])
  })

  const tabHrefs = (page: Page) => page.locator('nav.tabs a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))

  it('the tab bar: an icon on every tab, one tab per destination, 书架 its own page; axe clean', async () => {
    const page = await (await browser.newContext(phone)).newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${t.node.url}/`)
    await page.locator('nav.tabs a').first().waitFor()
    expect(await tabHrefs(page)).toEqual(['/', '/search', '/courses', '/activities', '/shelf', '/signin'])
    // Each tab draws its icon (inline SVG from lucide, hidden from screen readers) beside its label.
    expect(await page.locator('nav.tabs a svg.icon[aria-hidden="true"] path').count()).toBeGreaterThanOrEqual(6)
    expect(await page.locator('nav.tabs a:not(:has(svg.icon))').count()).toBe(0)
    await shot(page, 'nav-phone-tabs')

    // Signed out, 书架 explains itself and offers sign-in (it no longer doubles as the sign-in tab).
    await page.getByRole('link', { name: '书架' }).click()
    await page.waitForURL(`${t.node.url}/shelf`)
    await expect.poll(() => page.getByRole('heading', { name: '书架' }).count()).toBe(1)
    expect(await page.locator('main a[href="/signin?next=/shelf"]').count()).toBe(1)
    expect(await audit(page)).toEqual([])

    // Signed in: 书架 and 我的 are two destinations, and the shelf shows what the reader saved.
    expect((await staff.put(`/api/me/shelf/${bookId}`)).status).toBe(200)
    const me = await signInAsAdmin(browser, t.node.url, '/shelf', phone)
    await expect.poll(() => me.locator('main').getByText('春江花月夜').count()).toBeGreaterThan(0)
    expect(await tabHrefs(me)).toEqual(['/', '/search', '/courses', '/activities', '/shelf', '/me'])
    expect(await me.locator('nav.tabs a[aria-current="page"]').textContent()).toContain('书架')
    expect(await me.locator('main a[href="/r/' + bookId + '"]').count()).toBe(1)
    await shot(me, 'nav-phone-shelf')
    expect(await audit(me)).toEqual([])
    await me.getByRole('link', { name: '我的' }).click()
    await me.waitForURL(`${t.node.url}/me`)
    await expect.poll(() => me.locator('nav.tabs a[aria-current="page"]').textContent()).toContain('我的')
    expect(errors).toEqual([])
  }, 90_000)

  it('the language switch is on a phone’s screen; facets and counts read in the reader’s language', async () => {
    const page = await (await browser.newContext(phone)).newPage()
    await page.goto(`${t.node.url}/search?q=`)
    const facet = (name: string) => page.locator('aside button.chip', { hasText: name })
    await expect.poll(() => facet('中文').count()).toBe(1)
    // 语种 "zh" → 中文, "en" → 英语; 年代 "1990" → 1990 年代 (it showed "zh" and "1990s").
    expect(await facet('英语').count()).toBe(1)
    expect(await facet('1990 年代').count()).toBe(1)
    expect(await facet('图书').count()).toBe(1)
    expect(await page.locator('aside button.chip', { hasText: /^\s*zh\b/ }).count()).toBe(0)
    await shot(page, 'nav-phone-facets-zh')

    // The switch is visible and big enough to tap at 390 px wide, where the top links are hidden.
    const lang = page.getByRole('button', { name: '切换到英文' })
    await expect.poll(() => lang.isVisible()).toBe(true)
    const box = (await lang.boundingBox())!
    expect(box.height).toBeGreaterThanOrEqual(40)
    expect(box.x + box.width).toBeLessThanOrEqual(390)
    await lang.click()
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('en')
    await expect.poll(() => facet('Chinese').count()).toBe(1)
    expect(await facet('1990s').count()).toBe(1)
    expect(await page.locator('nav.tabs').textContent()).toContain('Shelf')
    // English plurals: "2 results", and "1 result" for one (it said "1 results").
    await expect.poll(() => page.locator('p.count').textContent()).toBe('2 results')
    await facet('Chinese').click()
    await expect.poll(() => page.locator('p.count').textContent()).toBe('1 result')
    await shot(page, 'nav-phone-facets-en')
    expect(await audit(page)).toEqual([])
    await page.getByRole('button', { name: 'Switch to Chinese' }).click()
    await expect.poll(() => page.locator('p.count').textContent()).toBe('1 条结果')
  }, 90_000)

  it('leaving the EPUB reader while it opens raises no error', async () => {
    const page = await (await browser.newContext(phone)).newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${t.node.url}/r/${bookId}`)
    for (const wait of [0, 50, 100, 150, 200, 300, 450, 600, 800, 1000, 1500]) {
      await goInApp(page, `/read/${bookId}`)
      await page.waitForTimeout(wait)
      await goInApp(page, '/search?q=春江')
      await page.waitForTimeout(300)
    }
    await page.waitForTimeout(1500)
    expect(errors, errors.join('\n')).toEqual([])
  }, 60_000)

  it('leaving the reader in the moment it styles the book raises no error', async () => {
    // foliate styles each section it loads (setStyles), and reads its view again in the next
    // animation frame. Leaving between the two once tore the view down first ("reading
    // 'docBackground'" of null, seen in CI under load). Here the leave lands there every time:
    // foliate announces the load ('load') right after styling it, and a microtask queued then
    // runs before the frame (a browser API wrapped, not our code).
    const context = await browser.newContext(phone)
    await context.addInitScript(() => {
      const dispatch = EventTarget.prototype.dispatchEvent
      EventTarget.prototype.dispatchEvent = function (this: EventTarget, event: Event) {
        const w = window as unknown as { left?: boolean }
        if ((this as Element).localName === 'foliate-paginator' && event.type === 'load' && !w.left)
          queueMicrotask(() => {
            w.left = true
            history.pushState(null, '', '/search?q=春江')
            window.dispatchEvent(new Event('route-changed'))
          })
        return dispatch.call(this, event)
      }
    })
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message + '\n' + e.stack))
    // The search page's module is loaded first, so the way back to it takes no round trip.
    await page.goto(`${t.node.url}/search?q=春江`)
    await page.locator('shulin-search').waitFor({ state: 'attached' })
    await goInApp(page, `/read/${bookId}`)
    await page.waitForFunction(() => (window as unknown as { left?: boolean }).left === true, null, { timeout: 20_000 })
    await page.waitForTimeout(1000)
    expect(page.url()).toContain('/search')
    // The reader left is closed and gone once foliate has finished opening it.
    await expect.poll(() => page.evaluate(() => document.querySelectorAll('foliate-view').length)).toBe(0)
    expect(errors, errors.join('\n')).toEqual([])
    await context.close()
  }, 60_000)

  it('a reader left while its book downloads builds no reader in the page left behind', async () => {
    const context = await browser.newContext(phone)
    // Counts the foliate readers the page makes (a browser API wrapped, not our code).
    await context.addInitScript(() => {
      const make = document.createElement.bind(document)
      ;(window as unknown as { made: number }).made = 0
      document.createElement = ((name: string, opts?: ElementCreationOptions) => {
        if (name === 'foliate-view') (window as unknown as { made: number }).made++
        return make(name, opts)
      }) as typeof document.createElement
    })
    // The book takes a second to arrive, as on a slow phone network.
    await context.route(`**/api/resources/${bookId}/content`, async (route) => {
      await new Promise((r) => setTimeout(r, 1500))
      await route.continue()
    })
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${t.node.url}/read/${bookId}`)
    await page.locator('shulin-read-epub').waitFor({ state: 'attached' })
    await goInApp(page, '/search?q=春江')
    await page.waitForTimeout(3000)
    expect(await page.evaluate(() => (window as unknown as { made: number }).made)).toBe(0)
    // Opened and read, then left: the reader is torn down, and coming back opens it again.
    await page.goto(`${t.node.url}/read/${bookId}`)
    await page.locator('shulin-read-epub[data-cfi]').waitFor({ state: 'attached', timeout: 20_000 })
    expect(await page.evaluate(() => (window as unknown as { made: number }).made)).toBe(1)
    await page.goBack()
    await page.waitForTimeout(500)
    expect(errors).toEqual([])
  }, 60_000)

  it('an empty library’s 30-day chart spans the 30 days asked for', async () => {
    const page = await (await browser.newContext(desktop)).newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await signedInAdmin(empty)
    await page.goto(`${empty.node.url}/signin?next=${encodeURIComponent('/staff/stats')}`)
    await page.getByLabel('读者证号 / 手机号 / 用户名 / 身份证号').fill('libadmin')
    await page.getByLabel('密码').fill('county-library-2026')
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(`${empty.node.url}/staff/stats`)
    const chart = page.locator('shulin-trend-chart .chart canvas')
    await chart.waitFor({ timeout: 20_000 })
    const box = page.locator('shulin-trend-chart .chart')
    await expect.poll(() => box.getAttribute('data-x-to'), { timeout: 10_000 }).not.toBeNull()
    // The axis spans exactly the 30 days asked for, ending today (it once ran to 2029).
    const today = await page.evaluate(() => {
      const d = new Date()
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
    })
    const from = await page.evaluate(
      (to) => new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10),
      today,
    )
    expect(await box.getAttribute('data-x-to')).toBe(today)
    expect(await box.getAttribute('data-x-from')).toBe(from)
    // Every day is in the table too, each a zero.
    await page.getByText('逐日数据').click()
    expect(await page.locator('shulin-trend-chart details tbody tr').count()).toBe(30)
    await shot(page, 'nav-empty-chart')
    expect(errors).toEqual([])
  }, 60_000)
})
