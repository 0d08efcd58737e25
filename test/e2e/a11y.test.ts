/**
 * WCAG 2.1 A and AA rules (axe-core) on the portal's pages in Chromium, phone and desktop,
 * Chinese and English: no violations allowed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import AxeBuilder from '@axe-core/playwright'
import type { Browser, Page } from 'playwright-core'
import { signedInAdmin, startTempNode, type TempNode } from '../../node/src/testing/temp-node.js'
import { desktop, hasChromium, launch, phone, shot } from './browser.js'

describe.skipIf(!hasChromium)('accessibility (axe, WCAG 2.1 AA)', () => {
  let t: TempNode
  let browser: Browser
  let id: string

  beforeAll(async () => {
    t = await startTempNode()
    const staff = await signedInAdmin(t)
    id = (
      await staff.post('/api/staff/resources', {
        type: 'book',
        metadata: {
          title: '春江花月夜',
          creators: ['张若虚'],
          subjects: ['唐诗'],
          description: '春江潮水连海平，海上明月共潮生。',
        },
      })
    ).body.id
    await staff.post(`/api/staff/resources/${id}/publish`)
    browser = await launch()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

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

  it('sees inside the components’ shadow roots (an unlabelled field there is caught)', async () => {
    const context = await browser.newContext(desktop)
    const page = await context.newPage()
    await page.goto(`${t.node.url}/signin`)
    await page.locator('#identifier').waitFor()
    await page.evaluate(() => {
      const signIn = document.querySelector('shulin-app')!.shadowRoot!.querySelector('shulin-sign-in')!
      signIn
        .shadowRoot!.querySelector('form')!
        .append(Object.assign(document.createElement('input'), { id: 'unlabelled' }))
    })
    expect((await audit(page)).some((v) => v.startsWith('label:'))).toBe(true)
    await context.close()
  }, 60_000)

  for (const [name, options] of [
    ['phone zh-CN', { ...phone }],
    ['desktop en', { ...desktop, locale: 'en' }],
    ['library touch screen zh-CN', { viewport: { width: 1920, height: 1080 }, hasTouch: true, locale: 'zh-CN' }],
  ] as const) {
    it(`home, search, record, sign-in and registration pass on ${name}`, async () => {
      const context = await browser.newContext(options)
      const page = await context.newPage()
      if (name.endsWith('en')) await page.addInitScript(() => localStorage.setItem('shulin.locale', 'en'))
      const pages: Array<[string, string]> = [
        ['/', 'shulin-home .grid li'],
        [`/search?q=${encodeURIComponent('明月')}`, 'shulin-resource-card'],
        [`/r/${id}`, 'h1'],
        ['/signin', '#identifier'],
        ['/register', '#password'],
      ]
      const found: string[] = []
      for (const [path, ready] of pages) {
        await page.goto(t.node.url + path)
        await page.locator(ready).first().waitFor({ timeout: 15_000 })
        found.push(...(await audit(page)).map((v) => `${path} ${v}`))
      }
      await shot(page, `${name.replace(/\W+/g, '-')}-register`)
      await page.goto(t.node.url + '/')
      await page.locator('shulin-home .grid li').first().waitFor()
      await shot(page, `${name.replace(/\W+/g, '-')}-home`)
      expect(found).toEqual([])
      await context.close()
    }, 90_000)
  }
})
