/**
 * The portal's device modes in real Chromium against a real node. KIOSK (portrait 1080×1920,
 * touch): `/kiosk` puts the device in the mode, which a reload at `/` keeps; no tab bar and no
 * sign-in (a record's 加入书架 says so); the language switch; tapping the pinyin initials C J H
 * finds 春江花月夜; left untouched on a record, the kiosk goes back to its start with its letters
 * cleared, but not while a lecture plays; `/mode/off` ends it. TV (1920×1080): keyboard only,
 * from `/tv` — live lectures and courses first — the arrow keys and Enter walk to a course, a
 * lecture and its video, which plays, with the focus on screen and drawn thick at every step;
 * up to the header's 首页 and the back key. The console's 设备模式 tab checks the idle time and
 * sets the device up; a kiosk that allows sign-in signs out whoever walked away when it resets.
 * axe (WCAG 2.1 AA) on each; screenshots kiosk-home, kiosk-search, kiosk-record, tv-home,
 * tv-course, tv-lecture and staff-devices.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import AxeBuilder from '@axe-core/playwright'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import type { CourseDetail, LectureView } from '@shulin/protocol'
import { signedInAdmin, startTempNode, tempDir, type TempNode } from '../../node/src/testing/temp-node.js'
import { hasChromium, launch, shot, signInAsAdmin } from './browser.js'

const hasFfmpeg = existsSync('/usr/bin/ffmpeg')
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

/** The focused element (through shadow roots): what it is, its text, and how its focus is drawn. */
const focused = (page: Page) =>
  page.evaluate(() => {
    let a = document.activeElement
    while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement
    if (!a || a === document.body) return null
    const r = a.getBoundingClientRect()
    const style = getComputedStyle(a)
    return {
      tag: a.tagName,
      text: (a.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 60),
      href: a.getAttribute('href') ?? '',
      outline: style.outlineStyle === 'none' ? 0 : parseFloat(style.outlineWidth),
      onScreen: r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth,
    }
  })

describe.skipIf(!hasChromium || !hasFfmpeg)('kiosk and TV modes in Chromium', () => {
  let t: TempNode
  let browser: Browser
  let dir: string
  let bookId: string
  let courseId: string
  let lectureId: string

  beforeAll(async () => {
    dir = await tempDir('shulin-modes-ui-')
    const file = join(dir, 'x.mp4')
    execFileSync(
      'ffmpeg',
      [
        ...['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25', '-f', 'lavfi'],
        ...['-i', 'sine=frequency=440', '-t', '8', '-c:v', 'libx264', '-c:a', 'aac', '-pix_fmt', 'yuv420p', file],
      ],
      { timeout: 60_000 },
    )
    t = await startTempNode({ name: '县图书馆' })
    const staff = await signedInAdmin(t)
    for (const [title, creator] of [
      ['春江花月夜', '张若虚'],
      ['静夜思', '李白'],
    ] as const) {
      const r = await staff.post('/api/staff/resources', { type: 'book', metadata: { title, creators: [creator] } })
      expect(r.status).toBe(201)
      await staff.post(`/api/staff/resources/${r.body.id}/publish`)
      if (title === '春江花月夜') bookId = r.body.id
    }
    const course = await staff.post<CourseDetail>('/api/courses', {
      title: '宋词十讲',
      description: '从柳永到辛弃疾。',
      speakers: [{ name: '叶嘉莹' }],
    })
    courseId = course.body.id
    lectureId = (await staff.post<LectureView>(`/api/courses/${courseId}/lectures`, { title: '第一讲 词之为体' })).body
      .id
    const video = await readFile(file)
    expect((await staff.put(`/api/lectures/${lectureId}/video`, video, { 'content-type': 'video/mp4' })).status).toBe(
      202,
    )
    expect((await staff.post(`/api/courses/${courseId}/publish`)).status).toBe(200)
    const live = await staff.post('/api/staff/live', {
      title: '周末诗词直播',
      start: new Date(Date.now() + 86_400_000).toISOString(),
      speakers: [{ name: '蒙曼' }],
    })
    expect(live.status, JSON.stringify(live.body)).toBe(201)
    const deadline = Date.now() + 150_000
    let now = (await staff.get<LectureView>(`/api/lectures/${lectureId}`)).body
    while (now.status === 'processing' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000))
      now = (await staff.get<LectureView>(`/api/lectures/${lectureId}`)).body
    }
    expect(now.status, now.error).toBe('ready')
    browser = await launch()
  }, 240_000)
  afterAll(async () => {
    await browser?.close()
    await t?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('kiosk: kept on the device, no sign-in, pinyin initials find a book, an idle kiosk goes back to its start', async () => {
    const context = await browser.newContext(kiosk)
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${t.node.url}/kiosk?idle=600`)
    await page.locator('shulin-resource-card').first().waitFor({ timeout: 15_000 })
    // A reload at the portal's root stays a kiosk: the mode is kept on the device.
    await page.goto(`${t.node.url}/`)
    await page.getByRole('group', { name: '拼音首字母键盘' }).waitFor({ timeout: 15_000 })
    await page.locator('shulin-resource-card').first().waitFor()
    expect(await page.getByRole('link', { name: '登录' }).count()).toBe(0)
    expect(await page.locator('nav.tabs').count()).toBe(0)
    // Visitors read English too: the switch is in the kiosk's header.
    await page.locator('shulin-mode-shell button.lang').tap()
    await page.getByRole('heading', { name: 'Touch search' }).waitFor()
    await page.locator('shulin-mode-shell button.lang').tap()
    await page.getByRole('heading', { name: '触屏检索' }).waitFor()
    await shot(page, 'kiosk-home')
    expect(await audit(page)).toEqual([])

    // The keys are large targets: at least 64 px each way on the 1080-wide screen.
    const key = page.getByRole('button', { name: 'C', exact: true })
    const box = (await key.boundingBox())!
    expect(Math.min(box.width, box.height)).toBeGreaterThanOrEqual(64)
    for (const l of ['C', 'J', 'H']) await page.getByRole('button', { name: l, exact: true }).tap()
    await expect.poll(() => page.locator('output').textContent()).toBe('cjh')
    await expect.poll(() => page.getByRole('heading', { name: '检索结果' }).count()).toBe(1)
    const hit = page.locator('shulin-resource-card', { hasText: '春江花月夜' })
    await hit.waitFor({ timeout: 15_000 })
    expect(await page.locator('shulin-resource-card', { hasText: '静夜思' }).count()).toBe(0)
    await shot(page, 'kiosk-search')
    expect(await audit(page)).toEqual([])

    // A record opens from its card; 加入书架 needs an account, and a kiosk without sign-in says so
    // instead of showing a sign-in form.
    await hit.locator('a').tap()
    await page.getByRole('heading', { name: '春江花月夜' }).waitFor({ timeout: 15_000 })
    await shot(page, 'kiosk-record')
    expect(await audit(page)).toEqual([])
    await page.getByRole('button', { name: '加入书架' }).tap()
    await page.getByRole('alert').filter({ hasText: '这台触屏不提供登录' }).waitFor({ timeout: 15_000 })
    expect(await page.locator('#identifier').count()).toBe(0)
    expect(await audit(page)).toEqual([])

    // Left alone on a record page, the kiosk goes back to its start, its letters cleared.
    await page.goto(`${t.node.url}/kiosk?idle=4`)
    await page.getByRole('button', { name: 'J', exact: true }).tap()
    await page.getByRole('button', { name: 'Y', exact: true }).tap()
    await page.getByRole('button', { name: 'S', exact: true }).tap()
    await page.locator('shulin-resource-card', { hasText: '静夜思' }).locator('a').tap()
    const touched = Date.now()
    await page.getByRole('heading', { name: '静夜思' }).waitFor({ timeout: 15_000 })
    await page.waitForURL(`${t.node.url}/kiosk`, { timeout: 20_000 })
    expect(Date.now() - touched).toBeGreaterThanOrEqual(2000)
    await expect.poll(() => page.locator('output').textContent()).toBe('')
    await expect.poll(() => page.getByRole('heading', { name: '新书上架' }).count()).toBe(1)

    // A visitor watching a lecture touches nothing: no reset while it plays, one after it ends.
    await page.locator('shulin-resource-card', { hasText: '第一讲' }).locator('a').tap()
    await page.waitForURL(`${t.node.url}/lectures/${lectureId}`)
    const video = page.locator('shulin-player video')
    await video.waitFor({ timeout: 15_000 })
    const started = Date.now()
    // The player may still be swapping its source in: a play() it interrupts is asked again.
    await expect
      .poll(
        () =>
          video.evaluate(async (v: HTMLVideoElement) => {
            v.muted = true
            if (v.paused) await v.play().catch(() => undefined)
            return v.currentTime > 0
          }),
        { timeout: 20_000 },
      )
      .toBe(true)
    await page.waitForTimeout(Math.max(0, 5500 - (Date.now() - started)))
    expect(page.url()).toBe(`${t.node.url}/lectures/${lectureId}`)
    await page.waitForURL(`${t.node.url}/kiosk`, { timeout: 30_000 })

    // Staff take the device out of the mode: the ordinary portal, tab bar and sign-in back.
    await page.goto(`${t.node.url}/mode/off`)
    await page.waitForURL(`${t.node.url}/`)
    await page.locator('shulin-home').waitFor({ timeout: 15_000 })
    expect(await page.locator('shulin-kiosk-home').count()).toBe(0)
    expect(errors).toEqual([])
    await context.close()
  }, 120_000)

  it('TV: keyboard only, from the home (live lectures and courses first) to a course’s video playing', async () => {
    const context = await browser.newContext(tv)
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${t.node.url}/tv`)
    await page
      .getByRole('link', { name: /宋词十讲/ })
      .first()
      .waitFor({ timeout: 15_000 })
    const rows = await page.locator('shulin-tv-home h2').allTextContents()
    expect(rows.slice(0, 3)).toEqual(['直播', '公开课', '新书上架'])
    // The focus lands on the first card by itself, on screen and drawn 6 px thick.
    await expect.poll(async () => (await focused(page))?.text ?? '', { timeout: 10_000 }).toContain('周末诗词直播')
    await page.keyboard.press('ArrowRight') // a first key press: the focus now shows as keyboard focus
    await page.keyboard.press('ArrowLeft')
    expect(await focused(page)).toMatchObject({ onScreen: true, outline: 6 })
    await shot(page, 'tv-home')
    expect(await audit(page)).toEqual([])

    /** Presses `key` until the focus is on what `want` accepts (at most `max` presses), checking it stays visible. */
    const walk = async (
      key: string,
      want: (f: NonNullable<Awaited<ReturnType<typeof focused>>>) => boolean,
      max = 8,
    ) => {
      for (let i = 0; i < max; i++) {
        const f = await focused(page)
        if (f && want(f)) return f
        await page.keyboard.press(key)
        // The move lands after the row re-renders and scrolls the card to the centre: wait for it.
        await expect
          .poll(() => focused(page), { timeout: 5_000, message: `nothing focused after ${key}` })
          .not.toBeNull()
        await expect.poll(async () => (await focused(page))?.onScreen, { timeout: 5_000 }).toBe(true)
      }
      throw new Error(`never reached: focus is ${JSON.stringify(await focused(page))}`)
    }
    await walk('ArrowDown', (f) => f.href === `/courses/${courseId}`)
    await page.keyboard.press('Enter')
    await page.waitForURL(`${t.node.url}/courses/${courseId}`)
    await page.getByText('从柳永到辛弃疾').waitFor({ timeout: 15_000 })
    await walk('ArrowDown', (f) => f.href === `/lectures/${lectureId}`)
    expect((await focused(page))!.outline).toBeGreaterThanOrEqual(6)
    await shot(page, 'tv-course')
    expect(await audit(page)).toEqual([])
    await page.keyboard.press('Enter')
    await page.waitForURL(`${t.node.url}/lectures/${lectureId}`)
    await walk('ArrowDown', (f) => f.tag === 'VIDEO')
    const video = page.locator('shulin-player video')
    expect(await video.evaluate((v: HTMLVideoElement) => v.paused)).toBe(true)
    await page.keyboard.press('Enter')
    const state = () =>
      video.evaluate((v: HTMLVideoElement) => ({
        paused: v.paused,
        time: v.currentTime,
        ready: v.readyState,
        network: v.networkState,
        error: v.error?.message ?? null,
        engine: v.closest('shulin-player')?.getAttribute('data-engine') ?? null,
      }))
    await expect
      .poll(
        async () => {
          const s = await state()
          return !s.paused && s.time > 0.5
        },
        { timeout: 20_000, message: 'the lecture does not play' },
      )
      .toBe(true)
      .catch(async (err: Error) => {
        throw new Error(`${err.message}: ${JSON.stringify(await state())}`)
      })
    await shot(page, 'tv-lecture')
    expect(await audit(page)).toEqual([])
    // Up reaches the mode's header too: 首页 and Enter, back to the TV's start.
    await walk('ArrowUp', (f) => f.tag === 'BUTTON' && f.text === '‹ 返回')
    await walk('ArrowRight', (f) => f.text === '首页')
    await page.keyboard.press('Enter')
    await page.waitForURL(`${t.node.url}/tv`)
    await page.getByRole('heading', { name: '公开课' }).waitFor({ timeout: 15_000 })
    // The remote's back key goes back to the lecture.
    await page.keyboard.press('Backspace')
    await page.waitForURL(`${t.node.url}/lectures/${lectureId}`)
    expect(errors).toEqual([])
    await context.close()
  }, 120_000)

  it('staff set a screen up from the console: the kiosk’s idle time checked and kept, sign-in allowed, and a reset signs out', async () => {
    const page = await signInAsAdmin(browser, t.node.url, '/staff/devices')
    const idle = page.getByLabel('无人操作多少秒后回到首页（3–3600）')
    await idle.fill('2')
    await page.getByText('请填 3 到 3600 之间的整数。').waitFor()
    expect(await idle.getAttribute('aria-invalid')).toBe('true')
    expect(await page.getByRole('link', { name: '把这台设备设为此模式' }).count()).toBe(1) // only the TV's
    await idle.fill('45')
    await page.getByLabel('允许读者在这台触屏上登录').check()
    expect(await page.getByText(`${t.node.url}/kiosk?idle=45&signin=1`).count()).toBe(1)
    await shot(page, 'staff-devices')
    expect(await audit(page)).toEqual([])
    await page.getByRole('link', { name: '把这台设备设为此模式' }).first().click()
    await page.waitForURL(`${t.node.url}/kiosk?idle=45&signin=1`)
    await page.getByText('无人操作 45 秒后回到首页').waitFor({ timeout: 15_000 })
    // Sign-in allowed: the sign-in page is the ordinary one.
    await page.goto(`${t.node.url}/signin`)
    await page.locator('#identifier').waitFor({ timeout: 15_000 })
    await page.goto(`${t.node.url}/staff/devices`)
    await page.getByText('这台设备当前：触屏一体机（竖屏 1080×1920）').waitFor({ timeout: 15_000 })
    expect(await page.getByRole('link', { name: '恢复普通门户' }).getAttribute('href')).toBe('/mode/off')
    // Whoever signed in on a shared screen and walked away is signed out when it resets.
    const me = () => page.evaluate(async () => (await fetch('/api/me')).status)
    expect(await me()).toBe(200)
    await page.goto(`${t.node.url}/kiosk?idle=3&signin=1`)
    await page.getByText('无人操作 3 秒后回到首页').waitFor({ timeout: 15_000 })
    await expect.poll(me, { timeout: 20_000 }).toBe(401)
    await page.getByRole('link', { name: '登录' }).waitFor({ timeout: 15_000 })
    await page.goto(`${t.node.url}/mode/off`)
    await page.waitForURL(`${t.node.url}/`)
    await page.locator('shulin-home').waitFor({ timeout: 15_000 })
    await page.context().close()
  }, 90_000)
})
