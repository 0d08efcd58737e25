/**
 * The library's face in real Chromium. An admin on a phone uploads a logo and picks theme colours
 * in the console: a colour under AA contrast is flagged and cannot be saved; good ones recolour the
 * header at once. A reader then sees the library's name and logo in the header, "<page> · <library>"
 * as the tab's title, and generated covers on search cards and on a record without a cover.
 * axe (WCAG 2.1 AA) is clean on the console page and the record page. Screenshots:
 * phone-library-face-console, phone-library-face-search, phone-library-face-record (390×844),
 * desktop-library-face-record (1280×800), desktop-generated-covers (eight covers side by side),
 * phone-library-face-hub (the hub's portal under the network's name).
 */
import sharp from 'sharp'
import AxeBuilder from '@axe-core/playwright'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { signedInAdmin, startTempNode, type Client, type TempNode } from '../../node/src/testing/temp-node.js'
import { desktop, hasChromium, launch, phone, screenshotDir, shot, signInAsAdmin } from './browser.js'

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

describe.skipIf(!hasChromium)('the library’s face in Chromium', () => {
  let t: TempNode
  let staff: Client
  let browser: Browser
  const ids: string[] = []

  beforeAll(async () => {
    t = await startTempNode({ name: '桐庐县图书馆' })
    staff = await signedInAdmin(t)
    for (const [title, creators, clc] of [
      ['边城', ['沈从文'], 'I246.5'],
      ['中国哲学简史', ['冯友兰'], 'B2'],
      ['万历十五年', ['黄仁宇'], 'K248'],
    ] as const) {
      const r = await staff.post('/api/staff/resources', { type: 'book', metadata: { title, creators, clc } })
      await staff.post(`/api/staff/resources/${r.body.id}/publish`)
      ids.push(r.body.id)
    }
    browser = await launch()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  it('an admin uploads a logo and sets colours that keep AA; a pale one is flagged and cannot be saved', async () => {
    const page = await signInAsAdmin(browser, t.node.url, '/staff/node', phone)
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await expect.poll(() => page.getByRole('heading', { name: '主题颜色' }).count()).toBe(1)

    const logo = await sharp({ create: { width: 256, height: 128, channels: 4, background: '#c8a24a' } })
      .png()
      .toBuffer()
    await page.getByLabel('上传馆标').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: logo })
    await expect.poll(() => page.getByText('馆标已更新。').count()).toBe(1)
    await expect
      .poll(() => page.locator('header .brand img').getAttribute('src'))
      .toMatch(/^\/api\/library\/logo\?v=[0-9a-f]{12}$/)

    const ink = page.getByLabel('主色')
    await ink.evaluate((el: HTMLInputElement) => {
      el.value = '#f5d76e'
      el.dispatchEvent(new Event('input', { bubbles: true }))
    })
    await expect.poll(() => page.getByText(/低于 4\.5 : 1/).count()).toBe(1)
    expect(await page.getByRole('button', { name: '保存颜色' }).isDisabled()).toBe(true)

    await ink.evaluate((el: HTMLInputElement) => {
      el.value = '#0b5d3b'
      el.dispatchEvent(new Event('input', { bubbles: true }))
    })
    await page.getByRole('button', { name: '保存颜色' }).click()
    await expect.poll(() => page.getByText('颜色已保存，已生效。').count()).toBe(1)
    // The header took the colour without a reload.
    await expect
      .poll(() => page.locator('header').evaluate((h) => getComputedStyle(h).backgroundColor))
      .toBe('rgb(11, 93, 59)')
    expect((await staff.get('/api/library')).body.theme).toEqual({ ink: '#0b5d3b', accent: '#b23a2a' })
    await expect.poll(() => page.title()).toBe('管理后台 · 桐庐县图书馆')
    expect(await audit(page)).toEqual([])
    await page.getByRole('heading', { name: '主题颜色' }).scrollIntoViewIfNeeded()
    await shot(page, 'phone-library-face-console')
    expect(errors).toEqual([])
  }, 90_000)

  it('a reader sees the library’s name, logo and colours, page titles, and generated covers', async () => {
    const page = await (await browser.newContext(phone)).newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${t.node.url}/search?q=${encodeURIComponent('边城')}`)
    await expect.poll(() => page.locator('header .brand').innerText()).toBe('桐庐县图书馆')
    await expect.poll(() => page.title()).toBe('检索 · 桐庐县图书馆')
    const card = page.locator('shulin-resource-card img').first()
    await expect.poll(() => card.getAttribute('src')).toBe(`/api/resources/${ids[0]}/cover?size=small`)
    // The SVG loaded and drew (an image that failed has no natural size).
    await expect.poll(() => card.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0)
    await shot(page, 'phone-library-face-search')

    await page.goto(`${t.node.url}/r/${ids[1]}`)
    await expect.poll(() => page.title()).toBe('中国哲学简史 · 桐庐县图书馆')
    const cover = page.locator('shulin-resource img.cover')
    await expect.poll(() => cover.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(300)
    expect(await cover.getAttribute('src')).toBe(`/api/resources/${ids[1]}/cover`)
    expect(await audit(page)).toEqual([])
    await shot(page, 'phone-library-face-record')

    const wide = await (await browser.newContext(desktop)).newPage()
    await wide.goto(`${t.node.url}/r/${ids[2]}`)
    await expect
      .poll(() => wide.locator('shulin-resource img.cover').evaluate((img: HTMLImageElement) => img.naturalWidth))
      .toBe(300)
    expect(await audit(wide)).toEqual([])
    await shot(wide, 'desktop-library-face-record')
    expect(errors).toEqual([])
  }, 90_000)

  it('generated covers of different classes and types draw in Chromium, each its own colour', async () => {
    const shelf: Array<[string, string[], string | undefined, string]> = [
      ['时间简史：从大爆炸到黑洞', ['史蒂芬·霍金', '许明贤', '吴忠超'], 'P159', 'book'],
      ['The Art of Computer Programming, Volume 1: Fundamental Algorithms', ['Donald E. Knuth'], 'TP311', 'book'],
      ['乡土中国', ['费孝通'], undefined, 'book'],
      ['三体', ['刘慈欣'], undefined, 'audiobook'],
      ['<b>红楼梦</b> & "脂评"', ['曹雪芹'], 'I242.4', 'book'],
    ]
    const more: string[] = []
    for (const [title, creators, clc, type] of shelf) {
      const r = await staff.post('/api/staff/resources', {
        type,
        metadata: { title, creators, ...(clc ? { clc } : {}), language: /^[A-Z]/.test(title) ? 'en' : 'zh' },
      })
      await staff.post(`/api/staff/resources/${r.body.id}/publish`)
      more.push(r.body.id)
    }
    const all = [...ids, ...more]
    const page = await (await browser.newContext({ ...desktop, deviceScaleFactor: 2 })).newPage()
    await page.goto(`${t.node.url}/manifest.webmanifest`)
    await page.setContent(
      `<main style="display:flex;flex-wrap:wrap;gap:12px;padding:12px;background:#eee">${all
        .map((id) => `<img width="150" height="200" alt="" src="${t.node.url}/api/resources/${id}/cover">`)
        .join('')}</main>`,
    )
    await expect
      .poll(() => page.$$eval('img', (imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth)))
      .toEqual(all.map(() => 300))
    // The top-left pixel of each is its background: the classes and types give different colours.
    const colours = await page.$$eval('img', (imgs) =>
      imgs.map((img) => {
        const c = document.createElement('canvas')
        c.width = 300
        c.height = 400
        const g = c.getContext('2d')!
        g.drawImage(img as HTMLImageElement, 0, 0)
        return Array.from(g.getImageData(40, 390, 1, 1).data.slice(0, 3)).join(',')
      }),
    )
    expect(new Set(colours).size).toBeGreaterThanOrEqual(6)
    await page.screenshot({ path: `${screenshotDir}/desktop-generated-covers.png`, fullPage: true })
  }, 90_000)

  it('the hub’s portal shows the network’s name, the hub library’s under it', async () => {
    const hub = await startTempNode({ role: 'hub', name: '国家图书馆' })
    try {
      const hubAdmin = await signedInAdmin(hub)
      expect((await hubAdmin.put('/api/staff/library', { networkName: '全国公共图书馆数字服务网' })).status).toBe(200)
      const page = await (await browser.newContext(phone)).newPage()
      await page.goto(`${hub.node.url}/search?q=${encodeURIComponent('书')}`)
      await expect.poll(() => page.locator('header .brand .name').innerText()).toBe('全国公共图书馆数字服务网')
      expect(await page.locator('header .brand .library').innerText()).toBe('国家图书馆')
      await expect.poll(() => page.title()).toBe('检索 · 全国公共图书馆数字服务网')
      await expect.poll(() => page.getByText('加载中…').count()).toBe(0)
      expect(await audit(page)).toEqual([])
      await shot(page, 'phone-library-face-hub')
    } finally {
      await hub.close()
    }
  }, 90_000)
})
