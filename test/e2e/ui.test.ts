/**
 * The web UI in real Chromium against a real node: a reader registers, signs in, searches,
 * opens an EPUB, changes the text size, reloads and finds both the size and the place kept;
 * staff upload an EPUB that then appears in search; sign-in by keyboard alone; a book opened
 * once reopens offline. Screenshots at 390×844 and 1280×800 in test-artifacts/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { signedInAdmin, startTempNode, tempDir, type Client, type TempNode } from '../../node/src/testing/temp-node.js'
import { epubEntries, mp3, pdf, png, zip } from '../../node/src/testing/fixtures.js'
import { desktop, hasChromium, launch, phone, shot } from './browser.js'

/** A book long enough to turn pages in: two chapters of 60 paragraphs. */
function longEpub(title: string): Buffer {
  const para = (n: number) =>
    `<p>第${n}段：春江潮水连海平，海上明月共潮生。滟滟随波千万里，何处春江无月明。江流宛转绕芳甸，月照花林皆似霰。</p>`
  const chapter = (c: number) =>
    `<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>第${c}章</title></head><body><h1>第${c}章</h1>${Array.from({ length: 60 }, (_, i) => para(i + 1)).join('')}</body></html>`
  return zip(
    epubEntries({ title, isbn: title === '春江花月夜' ? '9787020002207' : '9787020002214' }).map((e) =>
      e.name.endsWith('c1.xhtml')
        ? { ...e, data: chapter(1) }
        : e.name.endsWith('c2.xhtml')
          ? { ...e, data: chapter(2) }
          : e,
    ),
  )
}

describe.skipIf(!hasChromium)('web UI in Chromium', () => {
  let t: TempNode
  let staff: Client
  let browser: Browser
  let bookId: string

  beforeAll(async () => {
    t = await startTempNode({ name: '县图书馆' })
    staff = await signedInAdmin(t)
    const created = await staff.post('/api/staff/resources', {
      type: 'book',
      metadata: { title: '春江花月夜', creators: ['张若虚'], subjects: ['唐诗'], description: '孤篇横绝，竟为大家。' },
    })
    bookId = created.body.id
    expect(
      (
        await staff.put(`/api/staff/resources/${bookId}/files/content`, longEpub('春江花月夜'), {
          'content-type': 'application/epub+zip',
        })
      ).status,
    ).toBe(200)
    expect((await staff.post(`/api/staff/resources/${bookId}/publish`)).status).toBe(200)
    browser = await launch()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  const readerCfi = (page: Page) => page.locator('shulin-read-epub').getAttribute('data-cfi')

  it('register → sign in → search → open an EPUB → larger text → reload: size and place restored; then offline', async () => {
    const context = await browser.newContext(phone)
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${t.node.url}/register`)
    await page.getByLabel('手机号', { exact: true }).fill('13700137000')
    await page.getByLabel('密码', { exact: true }).fill('reading-2026!')
    await shot(page, 'phone-register')
    await page.getByRole('button', { name: '注册' }).click()
    await page.waitForURL(`${t.node.url}/`)
    await expect.poll(() => page.getByText('春江花月夜').count()).toBeGreaterThan(0)
    await shot(page, 'phone-home')

    // Sign out, then in again with "keep me signed in".
    await page.goto(`${t.node.url}/me`)
    await page.getByRole('button', { name: '退出登录' }).click()
    await page.goto(`${t.node.url}/signin`)
    await page.getByLabel('读者证号 / 手机号 / 用户名 / 身份证号').fill('13700137000')
    await page.getByLabel('密码').fill('reading-2026!')
    await page.getByLabel('两周内保持登录').check()
    await shot(page, 'phone-signin')
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(`${t.node.url}/`)

    // Search, with suggestions, by pinyin.
    const box = page.getByRole('combobox')
    await box.fill('chunjiang')
    await expect.poll(() => page.getByRole('option').count()).toBeGreaterThan(0)
    await shot(page, 'phone-suggest')
    await box.fill('江花月')
    await box.press('Enter')
    await page.waitForURL(/\/search\?q=/)
    await expect.poll(() => page.locator('shulin-resource-card').count()).toBe(1)
    await shot(page, 'phone-search')
    expect(await page.locator('shulin-resource-card mark').first().textContent({ timeout: 5000 })).toBe('江花月')

    await page.locator('shulin-resource-card a').click()
    await page.waitForURL(`${t.node.url}/r/${bookId}`)
    await shot(page, 'phone-resource')
    await page.getByRole('button', { name: '阅读' }).click()
    await page.waitForURL(`${t.node.url}/read/${bookId}`)
    await expect.poll(() => readerCfi(page), { timeout: 15_000 }).toMatch(/^epubcfi\(/)
    for (let i = 0; i < 4; i++) {
      await page.getByRole('button', { name: '下一页' }).click()
      await page.waitForTimeout(150)
    }
    await page.getByRole('button', { name: '阅读设置' }).click()
    await page.getByRole('button', { name: '放大字号' }).click()
    await page.getByRole('button', { name: '放大字号' }).click()
    expect(await page.getByTestId('font-size').textContent()).toBe('22')
    await shot(page, 'phone-reader-settings')
    await page.getByRole('button', { name: '关闭' }).click()
    await page.getByRole('button', { name: '下一页' }).click()
    const place = await (async () => {
      await expect
        .poll(
          async () => (await page.locator('shulin-read-epub').getAttribute('data-saved')) === (await readerCfi(page)),
          { timeout: 10_000 },
        )
        .toBe(true)
      return readerCfi(page)
    })()
    expect(place).toMatch(/^epubcfi\(/)
    await shot(page, 'phone-reader')

    // The server kept the place (another device would get it) and the size.
    const state = await page.evaluate(async (id) => (await fetch(`/api/me/reading/${id}`)).json(), bookId)
    expect(state.progress.position).toEqual({ kind: 'epub', cfi: place })
    const settings = await page.evaluate(async () => (await fetch('/api/me/settings/reading')).json())
    expect(settings.fontSize).toBe(22)

    await page.reload()
    await expect.poll(() => readerCfi(page), { timeout: 15_000 }).toBe(place)
    await page.getByRole('button', { name: '阅读设置' }).click()
    expect(await page.getByTestId('font-size').textContent()).toBe('22')
    await page.getByRole('button', { name: '关闭' }).click()

    // Offline: the service worker serves the shell and the book opened before.
    await expect
      .poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 10_000 })
      .toBe(true)
    await page.goto(`${t.node.url}/r/${bookId}`)
    await page.waitForTimeout(500)
    await context.setOffline(true)
    await page.goto(`${t.node.url}/read/${bookId}`)
    await expect.poll(() => readerCfi(page), { timeout: 15_000 }).toBe(place)
    await shot(page, 'phone-reader-offline')
    await context.setOffline(false)
    expect(errors).toEqual([])
    await context.close()
  }, 120_000)

  it('staff upload an EPUB by drag-and-drop form, and readers find it', async () => {
    const file = join(await tempDir(), '乡土读本.epub')
    await writeFile(file, longEpub('乡土读本'))
    const context = await browser.newContext(desktop)
    const page = await context.newPage()
    // A step that stalls fails on its own, naming itself, not as the whole test's timeout
    // (it once timed out on a fresh clone under load without saying where).
    page.setDefaultTimeout(20_000)
    await page.goto(`${t.node.url}/signin?next=/staff/upload`)
    await page.getByLabel('读者证号 / 手机号 / 用户名 / 身份证号').fill('libadmin')
    await page.getByLabel('密码').fill('county-library-2026')
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(`${t.node.url}/staff/upload`)
    await page.locator('input[type=file]').setInputFiles(file)
    await page.getByLabel('责任者（多个用逗号分隔）').fill('县文化馆')
    await shot(page, 'desktop-staff-upload')
    await page.getByRole('button', { name: '上传并发布' }).click()
    await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 15_000 }).toContain('已发布')
    await page.goto(`${t.node.url}/search?q=${encodeURIComponent('乡土')}`)
    await expect.poll(() => page.locator('shulin-resource-card').count()).toBe(1)
    await shot(page, 'desktop-search')
    await page.goto(`${t.node.url}/`)
    // The home page's new arrivals: a grid of covers.
    await expect.poll(() => page.locator('shulin-home .grid li').count()).toBe(2)
    await shot(page, 'desktop-home')
    await page.goto(`${t.node.url}/read/${bookId}`)
    await expect.poll(() => readerCfi(page), { timeout: 15_000 }).toMatch(/^epubcfi\(/)
    await shot(page, 'desktop-reader')
    await context.close()
  }, 120_000)

  it('reads a PDF, plays an audiobook and shows an image set, each keeping its place across a reload', async () => {
    const make = async (type: string, title: string, upload: (id: string) => Promise<void>) => {
      const id = (await staff.post('/api/staff/resources', { type, metadata: { title, creators: ['县图书馆'] } })).body
        .id as string
      await upload(id)
      expect((await staff.post(`/api/staff/resources/${id}/publish`)).status).toBe(200)
      return id
    }
    const pdfId = await make(
      'book',
      '县志（扫描本）',
      async (id) =>
        void (await staff.put(`/api/staff/resources/${id}/files/content`, pdf(4), {
          'content-type': 'application/pdf',
        })),
    )
    const audioId = await make(
      'audiobook',
      '评书·岳飞传',
      async (id) =>
        void (await staff.put(`/api/staff/resources/${id}/files/content`, mp3(60), { 'content-type': 'audio/mpeg' })),
    )
    const imagesId = await make('image-set', '老照片', async (id) => {
      for (let i = 0; i < 3; i++)
        expect(
          (await staff.post(`/api/staff/resources/${id}/files/page-image`, png, { 'content-type': 'image/png' }))
            .status,
        ).toBe(200)
    })
    const reader = new (await import('../../node/src/testing/temp-node.js')).Client(t.node.url)
    await reader.post('/api/auth/register', { mode: 'quick', phone: '13700137002', password: 'reading-2026!' })
    const context = await browser.newContext(phone)
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${t.node.url}/signin`)
    await page.getByLabel('读者证号 / 手机号 / 用户名 / 身份证号').fill('13700137002')
    await page.getByLabel('密码').fill('reading-2026!')
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(`${t.node.url}/`)

    // PDF: turn to page 3, reload, still on page 3.
    await page.goto(`${t.node.url}/r/${pdfId}`)
    await page.getByRole('button', { name: '阅读' }).click()
    const pdfView = page.locator('shulin-read-pdf')
    await expect.poll(() => pdfView.getAttribute('data-rendered'), { timeout: 15_000 }).toBe('1')
    await page.getByRole('button', { name: '下一页' }).click()
    await page.getByRole('button', { name: '下一页' }).click()
    await expect.poll(() => pdfView.getAttribute('data-rendered')).toBe('3')
    await expect.poll(() => pdfView.getAttribute('data-saved'), { timeout: 10_000 }).toBe('3')
    await shot(page, 'phone-pdf')
    await page.reload()
    await expect
      .poll(() => page.locator('shulin-read-pdf').getAttribute('data-rendered'), { timeout: 15_000 })
      .toBe('3')

    // Audio: seek to 0:20, pause (the place is saved), reload, resume there.
    await page.goto(`${t.node.url}/r/${audioId}`)
    await page.getByRole('button', { name: '播放' }).click()
    const audio = page.locator('shulin-play audio')
    await expect
      .poll(() => audio.evaluate((a: HTMLAudioElement) => a.duration), { timeout: 15_000 })
      .toBeGreaterThan(50)
    await audio.evaluate(
      (a: HTMLAudioElement) => (
        (a.currentTime = 20),
        a.dispatchEvent(new Event('timeupdate')),
        a.dispatchEvent(new Event('pause'))
      ),
    )
    await expect.poll(() => page.locator('shulin-play').getAttribute('data-saved'), { timeout: 10_000 }).toBe('20')
    await page.getByLabel('定时关闭').selectOption('15')
    expect(await page.getByRole('status').first().textContent()).toMatch(/后暂停/)
    await shot(page, 'phone-audio')
    await page.reload()
    await expect
      .poll(() => page.locator('shulin-play audio').evaluate((a: HTMLAudioElement) => Math.round(a.currentTime)), {
        timeout: 15_000,
      })
      .toBe(20)

    // Image set: next image, reload, same image.
    await page.goto(`${t.node.url}/read/${imagesId}`)
    const img = page.locator('shulin-view-images img')
    await expect.poll(() => img.getAttribute('src'), { timeout: 15_000 }).toBe(`/api/resources/${imagesId}/images/1`)
    await page.getByRole('button', { name: '下一页' }).click()
    await expect.poll(() => img.getAttribute('src')).toBe(`/api/resources/${imagesId}/images/2`)
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0)).toBe(true)
    await shot(page, 'phone-images')
    await page.waitForTimeout(1200)
    await page.reload()
    await expect
      .poll(() => page.locator('shulin-view-images img').getAttribute('src'), { timeout: 15_000 })
      .toBe(`/api/resources/${imagesId}/images/2`)
    expect(errors).toEqual([])
    await context.close()
  }, 120_000)

  it('staff console: edit and withdraw a record, order a column by keyboard and by dragging, import readers with a report', async () => {
    const ids: string[] = []
    for (const title of ['甲本', '乙本', '丙本']) {
      const id = (await staff.post('/api/staff/resources', { type: 'book', metadata: { title: `馆藏${title}` } })).body
        .id as string
      await staff.post(`/api/staff/resources/${id}/publish`)
      ids.push(id)
    }
    const context = await browser.newContext(desktop)
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${t.node.url}/signin?next=/staff`)
    await page.getByLabel('读者证号 / 手机号 / 用户名 / 身份证号').fill('libadmin')
    await page.getByLabel('密码').fill('county-library-2026')
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(`${t.node.url}/staff`)

    // Records: find, edit the title, withdraw.
    await page.getByRole('searchbox').fill('馆藏甲本')
    await page.getByRole('button', { name: '检索' }).last().click()
    const row = page.getByRole('row', { name: /馆藏甲本/ })
    await row.getByRole('button', { name: '编辑' }).click()
    await page.getByLabel('题名').fill('馆藏甲本（修订）')
    await page.getByRole('button', { name: '保存' }).click()
    await expect.poll(() => page.getByRole('row', { name: /馆藏甲本（修订）/ }).count()).toBe(1)
    await page
      .getByRole('row', { name: /馆藏甲本（修订）/ })
      .getByRole('button', { name: '下架' })
      .click()
    await expect.poll(async () => (await staff.get(`/api/staff/resources/${ids[0]}`)).body.status).toBe('withdrawn')
    await shot(page, 'desktop-staff-records')

    // A column: create, add two records, reorder with the keyboard and by dragging.
    await page.getByRole('link', { name: '栏目与专题' }).click()
    await page.getByPlaceholder('新栏目或专题的名称').fill('本馆推荐')
    await page.getByRole('button', { name: '新建' }).click()
    for (const title of ['馆藏乙本', '馆藏丙本']) {
      await page.getByPlaceholder('查找要加入的资源').fill(title)
      await page.getByRole('button', { name: '检索' }).last().click()
      await page.getByRole('listitem').filter({ hasText: title }).getByRole('button', { name: '加入' }).click()
      await expect.poll(() => page.getByRole('status').first().textContent()).toContain(title)
    }
    const order = async () =>
      (await staff.get('/api/staff/collections')).body.collections.find(
        (c: { title: string }) => c.title === '本馆推荐',
      ).items
    expect(await order()).toEqual([ids[1], ids[2]])
    await page.getByRole('button', { name: '下移“馆藏乙本”' }).focus()
    await page.keyboard.press('Enter')
    await expect.poll(order).toEqual([ids[2], ids[1]])
    const items = page.locator('ol.items li')
    await items.nth(1).dragTo(items.nth(0))
    await expect.poll(order).toEqual([ids[1], ids[2]])
    await shot(page, 'desktop-staff-collections')

    // Readers: import an ILS export; a bad row is reported, the rest imported.
    const csv = join(await tempDir(), 'readers.csv')
    await writeFile(csv, '读者证号,姓名,手机号\nA0001,张三,13800138001\nA0002,李四,13800138002\n,无证号,13800138003\n')
    await page.getByRole('link', { name: '读者' }).click()
    await page.locator('input[type=file]').setInputFiles(csv)
    await expect.poll(() => page.getByRole('status').first().textContent()).toMatch(/新增 2.*拒绝 1/)
    expect(await page.getByRole('table').first().textContent()).toMatch(/4/)
    await shot(page, 'desktop-staff-readers')
    // Find one of them (typing alone does not search) and disable the card: the list is fetched again.
    await page.getByLabel('读者证号、手机号或姓名').fill('A0002')
    await page.getByRole('button', { name: '检索' }).last().click()
    await expect.poll(() => page.getByRole('row').filter({ hasText: 'A0' }).count()).toBe(1)
    await page.getByRole('row', { name: /A0002/ }).getByRole('button', { name: '停用' }).click()
    await expect
      .poll(() => page.getByRole('row', { name: /A0002/ }).getByRole('button', { name: '启用' }).count())
      .toBe(1)

    // The node: its settings (read-only, set by flags) and the searches that found nothing.
    await page.getByRole('link', { name: '本馆节点' }).click()
    await expect.poll(() => page.locator('dl').first().textContent()).toContain(t.node.nodeId)
    expect(await page.locator('dl').first().textContent()).toContain('embedded')
    await shot(page, 'desktop-staff-node')
    expect(errors).toEqual([])
    await context.close()
  }, 90_000)

  it('resets a forgotten password with the code sent to the phone, then bookmarks a place in a book', async () => {
    const reader = new (await import('../../node/src/testing/temp-node.js')).Client(t.node.url)
    const registered = await reader.post('/api/auth/register', {
      mode: 'quick',
      phone: '13700137003',
      password: 'reading-2026!',
    })
    expect(registered.status, JSON.stringify(registered.body)).toBeLessThan(300)
    const context = await browser.newContext(phone)
    const page = await context.newPage()
    await page.goto(`${t.node.url}/signin`)
    await page.getByRole('link', { name: '忘记密码？' }).click()
    // The sign-in form has a field of the same label: wait for the new page before filling
    // (under load the fill once went to the old form, and the code was asked for nobody).
    await page.getByRole('heading', { name: '找回密码' }).waitFor()
    await page.getByLabel('读者证号 / 手机号 / 用户名 / 身份证号').fill('13700137003')
    await page.getByRole('button', { name: '发送验证码' }).click()
    // The click, the request and the send take more than the default second on a loaded machine.
    await expect.poll(() => t.sent.filter((s) => s.phone === '13700137003').length, { timeout: 10_000 }).toBe(1)
    const code = t.sent.find((s) => s.phone === '13700137003')!.message.code
    await page.getByLabel('验证码（6 位数字）').fill(code)
    await page.getByLabel('新密码').fill('a-new-reading-pass')
    await shot(page, 'phone-forgot')
    await page.getByRole('button', { name: '重设密码' }).click()
    await page.waitForURL(/\/signin\?reset=1/)
    await page.getByLabel('读者证号 / 手机号 / 用户名 / 身份证号').fill('13700137003')
    await page.getByLabel('密码').fill('a-new-reading-pass')
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(`${t.node.url}/`)

    await page.goto(`${t.node.url}/read/${bookId}`)
    const view = page.locator('shulin-read-epub')
    await expect.poll(() => view.getAttribute('data-cfi'), { timeout: 15_000 }).toMatch(/^epubcfi\(/)
    await page.getByRole('button', { name: '下一页' }).click()
    await page.getByRole('button', { name: '书签' }).click()
    await page.getByRole('button', { name: '在此处加书签' }).click()
    await expect.poll(() => page.locator('aside [role=status]').textContent()).toBe('已加书签')
    const state = await page.evaluate(async (id) => (await fetch(`/api/me/reading/${id}`)).json(), bookId)
    expect(state.annotations).toHaveLength(1)
    expect(state.annotations[0]).toMatchObject({ kind: 'bookmark', position: { kind: 'epub' } })
    await shot(page, 'phone-bookmarks')
    await page.getByRole('button', { name: '删除书签' }).click()
    await expect.poll(() => page.locator('aside [role=status]').textContent()).toBe('已删除书签')
    await context.close()
  }, 90_000)

  it('signs in with the keyboard alone', async () => {
    const reader = new (await import('../../node/src/testing/temp-node.js')).Client(t.node.url)
    expect(
      (await reader.post('/api/auth/register', { mode: 'quick', phone: '13700137001', password: 'reading-2026!' }))
        .status,
    ).toBe(201)
    const context = await browser.newContext(desktop)
    const page = await context.newPage()
    await page.goto(`${t.node.url}/signin`)
    const focused = (p: Page) =>
      p
        .getByLabel('读者证号 / 手机号 / 用户名 / 身份证号')
        .evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)
    await expect.poll(() => focused(page)).toBe(true)
    // The identifier field has focus on arrival; Tab moves on to the password, the checkbox, the button.
    await page.keyboard.type('13700137001')
    await page.keyboard.press('Tab')
    await page.keyboard.type('reading-2026!')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Space') // keep me signed in
    await page.keyboard.press('Tab')
    await page.keyboard.press('Enter') // the sign-in button
    await page.waitForURL(`${t.node.url}/`)
    await expect.poll(() => page.getByRole('link', { name: '我的' }).count()).toBeGreaterThan(0)
    await shot(page, 'desktop-signed-in-by-keyboard')
    // A wrong password shows the server's message, in Chinese, not a blank page.
    const other = await browser.newContext(phone)
    const p2 = await other.newPage()
    await p2.goto(`${t.node.url}/signin`)
    await expect.poll(() => focused(p2)).toBe(true)
    await p2.keyboard.type('13700137001')
    await p2.keyboard.press('Tab')
    await p2.keyboard.type('wrong-password')
    await p2.keyboard.press('Enter')
    await expect.poll(() => p2.getByRole('alert').count()).toBeGreaterThan(0)
    await shot(p2, 'phone-signin-error')
    await other.close()
    await context.close()
  }, 60_000)
})
