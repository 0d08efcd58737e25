/**
 * The portal at the three sizes the seed names — phone 390×844, tablet 768×1024, desktop
 * 1280×800 — in real Chromium against a real node with a small catalogue: the home page, a
 * record page and search are screenshotted at each (test-artifacts/screenshots/size-*.png)
 * and axe finds no WCAG 2.1 A/AA violation on any of them; no page scrolls sideways.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import AxeBuilder from '@axe-core/playwright'
import type { Browser, BrowserContextOptions } from 'playwright-core'
import { signedInAdmin, startTempNode, type TempNode } from '../../node/src/testing/temp-node.js'
import { hasChromium, launch, shot } from './browser.js'

const sizes: Array<[string, BrowserContextOptions]> = [
  ['phone', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }],
  ['tablet', { viewport: { width: 768, height: 1024 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }],
  ['desktop', { viewport: { width: 1280, height: 800 } }],
]

const books = [
  ['春江花月夜', '张若虚', '唐诗'],
  ['唐诗三百首', '蘅塘退士', '唐诗'],
  ['乡土中国', '费孝通', '社会学'],
  ['边城', '沈从文', '小说'],
  ['呐喊', '鲁迅', '小说'],
  ['人间词话', '王国维', '文学评论'],
] as const

describe.skipIf(!hasChromium)('the portal at phone, tablet and desktop sizes', () => {
  let t: TempNode
  let browser: Browser
  let id: string

  beforeAll(async () => {
    t = await startTempNode({ name: '县图书馆' })
    const staff = await signedInAdmin(t)
    for (const [title, creator, subject] of books) {
      const created = await staff.post('/api/staff/resources', {
        type: 'book',
        metadata: {
          title,
          creators: [creator],
          subjects: [subject],
          language: 'zh',
          description: `${title}，${creator}著，馆藏精选。`,
        },
      })
      expect(created.status).toBe(201)
      await staff.post(`/api/staff/resources/${created.body.id}/publish`)
      id ??= created.body.id
    }
    browser = await launch()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  for (const [size, device] of sizes) {
    it(`home, a record page and search pass axe and are screenshotted at ${size} size`, async () => {
      const context = await browser.newContext({ ...device, locale: 'zh-CN' })
      const page = await context.newPage()
      const errors: string[] = []
      page.on('pageerror', (e) => errors.push(e.message))
      const found: string[] = []
      for (const [name, path, ready] of [
        ['home', '/', 'shulin-home .grid li'],
        ['record', `/r/${id}`, 'h1'],
        ['search', `/search?q=${encodeURIComponent('诗')}`, 'shulin-resource-card'],
      ] as const) {
        await page.goto(t.node.url + path)
        await page.locator(ready).first().waitFor({ timeout: 15_000 })
        await page.waitForLoadState('networkidle')
        const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()
        found.push(
          ...axe.violations.map((v) => `${name} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`),
        )
        const sideways = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)
        if (sideways) found.push(`${name} scrolls sideways`)
        await shot(page, `size-${size}-${name}`)
      }
      expect(found).toEqual([])
      expect(errors).toEqual([])
      await context.close()
    }, 90_000)
  }
})
