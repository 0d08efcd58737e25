/**
 * What the portal engineers left over, in Chromium against a real hub and a member that joined
 * it: a bare /search (no query) lists the catalogue on both instead of staying on 加载中…; a
 * signed-out visitor's page logs nothing to the console (the shell asks `/api/session`, which
 * answers 200, not `/api/me`'s 401) while a signed-in reader is still recognised; the skip link
 * moves focus to the page's main region (it targeted a <main> inside the shell's shadow root);
 * TV cards, kiosk cards and the 书架 page draw each record's cover (uploaded or generated), not
 * a first character on a navy block; and at tablet size the record page sets the cover beside
 * the details. Screenshots polish-*.png in test-artifacts/screenshots/; axe WCAG 2.1 AA on each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import AxeBuilder from '@axe-core/playwright'
import type { Browser, Page } from 'playwright-core'
import { signedInAdmin, startTempNode, type Client, type TempNode } from '../../node/src/testing/temp-node.js'
import { desktop, hasChromium, launch, phone, shot, signInAsAdmin } from './browser.js'

const tablet = { viewport: { width: 768, height: 1024 }, isMobile: true, hasTouch: true, locale: 'zh-CN' }
const kiosk = { viewport: { width: 1080, height: 1920 }, hasTouch: true, locale: 'zh-CN' }
const tv = { viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' }

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

/** The <img> sources and the lettered placeholders under `host`'s shadow root (through nested roots). */
const coversIn = (page: Page, host: string) =>
  page.evaluate((host) => {
    const imgs: string[] = []
    let letters = 0
    const walk = (root: ParentNode) => {
      for (const el of root.querySelectorAll('*')) {
        if (el instanceof HTMLImageElement) imgs.push(el.getAttribute('src') ?? '')
        if (el.matches('span.cover') && [...(el.textContent ?? '').trim()].length === 1) letters++
        if (el.shadowRoot) walk(el.shadowRoot)
      }
    }
    const el = (function find(root: ParentNode): Element | null {
      for (const e of root.querySelectorAll('*')) {
        if (e.localName === host) return e
        const inner = e.shadowRoot && find(e.shadowRoot)
        if (inner) return inner
      }
      return null
    })(document)
    if (el?.shadowRoot) walk(el.shadowRoot)
    return { found: !!el, imgs, letters }
  }, host)

describe.skipIf(!hasChromium)(
  'portal polish: bare search, a quiet console, the skip link, covers, the tablet record',
  () => {
    let hub: TempNode
    let member: TempNode
    let memberAdmin: Client
    let browser: Browser
    let bookId: string

    beforeAll(async () => {
      hub = await startTempNode({ role: 'hub', name: '国家数字图书馆' })
      member = await startTempNode({ name: '临安县图书馆' })
      const hubAdmin = await signedInAdmin(hub)
      memberAdmin = await signedInAdmin(member)
      const invite = await hubAdmin.post<{ invite: string }>('/api/staff/federation/invites', {
        name: '临安县图书馆',
        region: '330185',
        level: 'county',
      })
      expect((await memberAdmin.post('/api/staff/federation/join', { invite: invite.body.invite })).status).toBe(200)
      for (const [admin, title, creator] of [
        [hubAdmin, '唐诗三百首', '蘅塘退士'],
        [memberAdmin, '春江花月夜', '张若虚'],
        [memberAdmin, '乡土中国', '费孝通'],
      ] as const) {
        const r = await admin.post<{ id: string }>('/api/staff/resources', {
          type: 'book',
          metadata: {
            title,
            creators: [creator],
            description: `${title}，${creator}著，馆藏精选。盛唐气象，江流宛转，月照花林，一部值得反复诵读的书。`,
            subjects: ['中国文学'],
            publisher: '人民文学出版社',
            date: '1998',
          },
        })
        expect(r.status).toBe(201)
        expect((await admin.post(`/api/staff/resources/${r.body.id}/publish`)).status).toBe(200)
        if (title === '春江花月夜') bookId = r.body.id
      }
      browser = await launch()
    }, 90_000)
    afterAll(async () => {
      await browser?.close()
      await Promise.all([member?.close(), hub?.close()])
    })

    it('a bare /search lists the catalogue on the hub and on the member (it stayed on 加载中…)', async () => {
      for (const [node, title] of [
        [hub, '唐诗三百首'],
        [member, '春江花月夜'],
      ] as const) {
        const page = await (await browser.newContext(phone)).newPage()
        await page.goto(`${node.node.url}/search`)
        await expect
          .poll(() => page.locator('shulin-search .count').textContent(), { timeout: 10_000 })
          .toMatch(/共 \d+ 条|\d+/)
        expect(await page.locator('shulin-search').getByText(title).count()).toBeGreaterThan(0)
        // From the tab bar too: the search tab opens /search with nothing typed.
        await page.goto(`${node.node.url}/`)
        await page.locator('nav.tabs').getByRole('link', { name: '检索' }).click()
        await page.waitForURL(`${node.node.url}/search`)
        await expect
          .poll(() => page.locator('shulin-search').getByText(title).count(), { timeout: 10_000 })
          .toBeGreaterThan(0)
        expect(await audit(page)).toEqual([])
        await shot(page, `polish-search-bare-${node === hub ? 'hub' : 'member'}-phone`)
        await page.context().close()
      }
    }, 90_000)

    it('signed out, the shell logs nothing to the console (no 401 from /api/me); signed in, it still knows the reader', async () => {
      const anon = await fetch(`${member.node.url}/api/session`)
      expect(anon.status).toBe(200)
      expect(await anon.json()).toEqual({ signedIn: false })
      expect(anon.headers.get('cache-control')).toBe('private, no-store')
      const mine = await memberAdmin.get<{ signedIn: boolean; account: { username?: string }; session: object }>(
        '/api/session',
      )
      expect(mine.status).toBe(200)
      expect(mine.body).toMatchObject({ signedIn: true, session: { csrfToken: expect.any(String) } })
      // `/api/me` keeps its contract for the callers that want a 401.
      expect((await fetch(`${member.node.url}/api/me`)).status).toBe(401)

      const page = await (await browser.newContext(phone)).newPage()
      const logged: string[] = []
      const refused: string[] = []
      page.on('console', (m) => m.type() === 'error' && logged.push(m.text()))
      page.on('response', (r) => r.status() >= 400 && refused.push(`${r.status()} ${new URL(r.url()).pathname}`))
      for (const path of ['/', `/r/${bookId}`, '/search?q=春江', '/shelf']) {
        await page.goto(`${member.node.url}${path}`)
        await page.locator('nav.tabs a').first().waitFor()
        await page.waitForLoadState('networkidle')
      }
      expect(refused).toEqual([])
      expect(logged).toEqual([])
      await page.context().close()

      const reader = await signInAsAdmin(browser, member.node.url, '/', phone)
      await reader.reload()
      await expect.poll(() => reader.locator('nav.tabs').getByRole('link', { name: '我的' }).count()).toBe(1)
      await reader.context().close()
    }, 90_000)

    it('the skip link moves the focus to the main region (it did nothing: its target is in the shell’s shadow root)', async () => {
      const page = await (await browser.newContext(desktop)).newPage()
      await page.goto(`${member.node.url}/r/${bookId}`)
      await page.locator('shulin-resource h1').waitFor()
      await page.keyboard.press('Tab')
      const active = () =>
        page.evaluate(() => {
          let a = document.activeElement
          while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement
          return a ? `${a.localName}${a.className ? `.${a.className}` : ''}` : null
        })
      expect(await active()).toBe('a.skip')
      await shot(page, 'polish-skip-link-desktop')
      await page.keyboard.press('Enter')
      await expect.poll(active).toBe('main')
      expect(new URL(page.url()).pathname).toBe(`/r/${bookId}`)
      // The next Tab goes into the page, past the header: the record page's first button.
      await page.keyboard.press('Tab')
      expect(await active()).not.toBe('a.skip')
      expect(
        await page.evaluate(() => {
          let a = document.activeElement
          while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement
          return !!a?.closest('main') || a?.getRootNode() !== document.querySelector('shulin-app')?.shadowRoot
        }),
      ).toBe(true)
      await page.context().close()
    }, 60_000)

    it('TV and kiosk cards and the 书架 page draw each record’s cover, not a first character', async () => {
      const t = await (await browser.newContext(tv)).newPage()
      await t.goto(`${member.node.url}/tv`)
      await t
        .getByRole('link', { name: /春江花月夜/ })
        .first()
        .waitFor({ timeout: 15_000 })
      await t.waitForLoadState('networkidle')
      const onTv = await coversIn(t, 'shulin-tv-home')
      expect(onTv.found).toBe(true)
      expect(onTv.letters).toBe(0)
      expect(onTv.imgs).toContain(`/api/resources/${bookId}/cover?size=small`)
      // Every cover drawn, none broken.
      expect(
        await t.evaluate(() => {
          const all: HTMLImageElement[] = []
          const walk = (root: ParentNode) => {
            for (const el of root.querySelectorAll('*')) {
              if (el instanceof HTMLImageElement) all.push(el)
              if (el.shadowRoot) walk(el.shadowRoot)
            }
          }
          walk(document)
          return all.filter((i) => i.complete && i.naturalWidth === 0).map((i) => i.src)
        }),
      ).toEqual([])
      await shot(t, 'polish-tv-1920x1080')
      expect(await audit(t)).toEqual([])
      await t.goto(`${member.node.url}/mode/off`)
      await t.context().close()

      const k = await (await browser.newContext(kiosk)).newPage()
      await k.goto(`${member.node.url}/kiosk?idle=600`)
      await k
        .getByRole('link', { name: /春江花月夜/ })
        .first()
        .waitFor({ timeout: 15_000 })
      await k.waitForLoadState('networkidle')
      const onKiosk = await coversIn(k, 'shulin-kiosk-home')
      expect(onKiosk.letters).toBe(0)
      expect(onKiosk.imgs).toContain(`/api/resources/${bookId}/cover?size=small`)
      await shot(k, 'polish-kiosk-1080x1920')
      expect(await audit(k)).toEqual([])
      await k.goto(`${member.node.url}/mode/off`)
      await k.context().close()

      expect((await memberAdmin.put(`/api/me/shelf/${bookId}`)).status).toBe(200)
      const s = await signInAsAdmin(browser, member.node.url, '/shelf', phone)
      await s.locator('main').getByText('春江花月夜').first().waitFor({ timeout: 10_000 })
      const onShelf = await coversIn(s, 'shulin-shelf-page')
      expect(onShelf.letters).toBe(0)
      expect(onShelf.imgs).toContain(`/api/resources/${bookId}/cover?size=small`)
      await shot(s, 'polish-shelf-phone')
      expect(await audit(s)).toEqual([])
      await s.context().close()
    }, 120_000)

    it('at tablet size the record page sets the cover beside the details (it was the phone layout stretched)', async () => {
      const box = async (page: Page) =>
        page.evaluate(() => {
          const root = document.querySelector('shulin-app')!.shadowRoot!.querySelector('shulin-resource')!.shadowRoot!
          const r = (sel: string) => root.querySelector(sel)!.getBoundingClientRect().toJSON() as DOMRect
          return { cover: r('.cover'), title: r('h1') }
        })
      for (const [device, name] of [
        [tablet, 'polish-record-tablet-768x1024'],
        [phone, 'polish-record-phone-390x844'],
        [desktop, 'polish-record-desktop-1280x800'],
      ] as const) {
        const page = await (await browser.newContext(device)).newPage()
        await page.goto(`${member.node.url}/r/${bookId}`)
        await page.locator('shulin-resource h1').waitFor()
        await page.waitForLoadState('networkidle')
        const { cover, title } = await box(page)
        if (device === phone) expect(title.top).toBeGreaterThanOrEqual(cover.bottom)
        else {
          expect(title.left).toBeGreaterThanOrEqual(cover.right)
          expect(title.top).toBeLessThan(cover.bottom)
        }
        await shot(page, name)
        expect(await audit(page)).toEqual([])
        await page.context().close()
      }
    }, 90_000)
  },
)
