/**
 * Open courses in real Chromium against a real node: a lecture made through the API from an
 * ffmpeg-generated MP4 and a two-language SRT, transcoded by the node; the reader opens the
 * course and plays the lecture through hls.js (the master playlist and its media requested,
 * currentTime moving), switches subtitles, jumps to a chapter, reloads and resumes, opens
 * `?t=7` at 7 s and seeks by a transcript line; a sentence of the subtitles typed into the
 * search box finds the lecture, whose hit shows the line and opens the player at that cue's
 * second (the home page's cards and a course hit open their own pages too); staff upload a
 * video in the console and watch it until it is ready; axe on the new pages. Screenshots at
 * 390×844 and 1280×800.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import AxeBuilder from '@axe-core/playwright'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import type { CourseDetail, LectureView } from '@shulin/protocol'
import { signedInAdmin, startTempNode, tempDir, type Client, type TempNode } from '../../node/src/testing/temp-node.js'
import { desktop, hasChromium, launch, phone, shot, signInAsAdmin } from './browser.js'

const hasFfmpeg = existsSync('/usr/bin/ffmpeg')

/** Two cues a language, the second from 4 s. */
const srt = (first: string, second: string) =>
  `1\n00:00:00,500 --> 00:00:03,500\n${first}\n\n2\n00:00:04,000 --> 00:00:09,000\n${second}\n`

/** The first video element's state inside the page's player (shadow DOM). */
const videoState = (page: Page) =>
  page.evaluate(() => {
    const host = document
      .querySelector('shulin-app')
      ?.shadowRoot?.querySelector('shulin-lecture-page')
      ?.shadowRoot?.querySelector('shulin-player')
    const v = host?.shadowRoot?.querySelector('video')
    if (!host || !v) return null
    return {
      engine: host.getAttribute('data-engine'),
      manifest: host.getAttribute('data-manifest'),
      fragments: Number(host.getAttribute('data-fragments') ?? 0),
      time: v.currentTime,
      paused: v.paused,
      readyState: v.readyState,
      tracks: Array.from(v.textTracks).map((t) => ({ lang: t.language, mode: t.mode, cues: t.cues?.length ?? 0 })),
    }
  })

describe.skipIf(!hasChromium || !hasFfmpeg)('open courses in Chromium', () => {
  let t: TempNode
  let staff: Client
  let browser: Browser
  let dir: string
  let mp4: Buffer
  let courseId: string
  let lectureId: string
  let brokenId: string

  beforeAll(async () => {
    dir = await tempDir('shulin-courses-ui-')
    const file = join(dir, 'x.mp4')
    execFileSync(
      'ffmpeg',
      [
        ...['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-f', 'lavfi'],
        ...['-i', 'sine=frequency=440', '-t', '12', '-c:v', 'libx264', '-c:a', 'aac', '-pix_fmt', 'yuv420p', file],
      ],
      { timeout: 60_000 },
    )
    mp4 = await readFile(file)
    t = await startTempNode({ name: '县图书馆' })
    staff = await signedInAdmin(t)
    const course = await staff.post<CourseDetail>('/api/courses', {
      title: '宋词十讲',
      series: '中华诗词',
      description: '从柳永到辛弃疾，读宋词的十个入口。',
      speakers: [{ name: '叶嘉莹', bio: '古典诗词研究者。' }],
    })
    expect(course.status).toBe(201)
    courseId = course.body.id
    const lecture = await staff.post<LectureView>(`/api/courses/${courseId}/lectures`, {
      title: '第一讲 词之为体',
      chapters: [
        { title: '开场', start: 0 },
        { title: '小令与慢词', start: 6 },
      ],
    })
    expect(lecture.status).toBe(201)
    lectureId = lecture.body.id
    expect((await staff.put(`/api/lectures/${lectureId}/video`, mp4, { 'content-type': 'video/mp4' })).status).toBe(202)
    for (const [lang, label, text] of [
      ['zh', '中文', srt('词，是唱的诗。', '小令短，慢词长。')],
      ['en', 'English', srt('Ci are poems to be sung.', 'Short songs and long songs.')],
    ] as const) {
      const r = await staff.put(
        `/api/lectures/${lectureId}/subtitles/${lang}?label=${encodeURIComponent(label)}`,
        text,
        {
          'content-type': 'application/x-subrip',
        },
      )
      expect(r.status, JSON.stringify(r.body)).toBe(200)
    }
    // A second lecture whose video is cut short: its transcode fails, and the reader is told so.
    const broken = await staff.post<LectureView>(`/api/courses/${courseId}/lectures`, { title: '第二讲 残卷' })
    brokenId = broken.body.id
    const cut = await staff.put(`/api/lectures/${brokenId}/video`, mp4.subarray(0, 4000), {
      'content-type': 'video/mp4',
    })
    expect(cut.status, JSON.stringify(cut.body)).toBe(202)
    expect((await staff.post(`/api/courses/${courseId}/publish`)).status).toBe(200)
    // The node transcodes in the background; a 12-second source takes seconds, a busy machine longer.
    const deadline = Date.now() + 150_000
    let now = (await staff.get<LectureView>(`/api/lectures/${lectureId}`)).body
    while (now.status === 'processing' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000))
      now = (await staff.get<LectureView>(`/api/lectures/${lectureId}`)).body
    }
    expect(now.status, now.error).toBe('ready')
    let brokenNow = (await staff.get<LectureView>(`/api/lectures/${brokenId}`)).body
    while (brokenNow.status === 'processing' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000))
      brokenNow = (await staff.get<LectureView>(`/api/lectures/${brokenId}`)).body
    }
    expect(brokenNow.status).toBe('failed')
    browser = await launch()
  }, 240_000)
  afterAll(async () => {
    await browser?.close()
    await t?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('a reader opens the course, plays through hls.js, switches subtitles, jumps to a chapter, reloads and resumes; ?t=7; a transcript line seeks', async () => {
    const context = await browser.newContext(phone)
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    const requested: string[] = []
    const beacons: unknown[] = []
    page.on('request', (r) => {
      requested.push(new URL(r.url()).pathname)
      if (r.method() === 'POST' && r.url().endsWith(`/api/lectures/${lectureId}/watched`))
        beacons.push(r.postDataJSON())
    })
    // A stalled stream: the first three requests for the media fail; the player recovers.
    let failures = 3
    await page.route(`**/api/lectures/${lectureId}/hls/*`, (route) =>
      !route.request().url().endsWith('.m3u8') && failures-- > 0 ? route.abort('connectionreset') : route.fallback(),
    )

    await page.goto(`${t.node.url}/courses`)
    await page.getByRole('link', { name: /宋词十讲/ }).click()
    await page.waitForURL(`${t.node.url}/courses/${courseId}`)
    await expect.poll(() => page.getByText('从柳永到辛弃疾').count()).toBe(1)
    await shot(page, 'phone-course')
    // The list and the course page do not load hls.js; only the player does.
    const hlsChunk = (p: string) => /\/assets\/hls\.light-[\w-]+\.js$/.test(p)
    expect(requested.some(hlsChunk)).toBe(false)
    await page.getByRole('link', { name: /第一讲 词之为体/ }).click()
    await page.waitForURL(`${t.node.url}/lectures/${lectureId}`)

    // hls.js (its own chunk) loads the master playlist, then a rendition and its media.
    await expect.poll(async () => (await videoState(page))?.manifest, { timeout: 20_000 }).toBeTruthy()
    expect((await videoState(page))?.engine).toBe('hls.js')
    expect(requested).toContain(`/api/lectures/${lectureId}/hls/master.m3u8`)
    expect(requested.some(hlsChunk)).toBe(true)
    // The lecture answer names its course: no second request for the lecture's record.
    expect(requested).not.toContain(`/api/resources/${lectureId}`)
    expect(await page.getByRole('link', { name: '‹ 返回课程' }).getAttribute('href')).toBe(`/courses/${courseId}`)

    // Play by keyboard (K) with the video focused; the time moves.
    const video = page.locator('shulin-player video')
    await video.evaluate((v: HTMLVideoElement) => ((v.muted = true), v.focus()))
    await page.keyboard.press('k')
    await expect.poll(async () => (await videoState(page))?.time ?? 0, { timeout: 20_000 }).toBeGreaterThan(1.5)
    const state = await videoState(page)
    expect(state?.paused).toBe(false)
    expect(state?.engine).toBe('hls.js')
    expect(state?.fragments).toBeGreaterThan(0)
    expect(failures).toBeLessThan(0)
    expect(Number(await page.locator('shulin-player').getAttribute('data-recoveries'))).toBeGreaterThan(0)
    // Keys: → is 5 s on, ← 5 s back (the video still focused).
    await video.evaluate((v: HTMLVideoElement) => v.pause())
    const before = (await videoState(page))!.time
    await page.keyboard.press('ArrowRight')
    await expect.poll(async () => (await videoState(page))?.time ?? 0).toBeGreaterThan(before + 4.5)
    const ahead = (await videoState(page))!.time
    await page.keyboard.press('ArrowLeft')
    await expect.poll(async () => (await videoState(page))?.time ?? 99).toBeLessThan(ahead - 4.5)
    // M mutes and unmutes; C turns captions on (the first language) and off; the speed menu sets the rate.
    await page.keyboard.press('m')
    expect(await video.evaluate((v: HTMLVideoElement) => v.muted)).toBe(false)
    await page.keyboard.press('m')
    expect(await video.evaluate((v: HTMLVideoElement) => v.muted)).toBe(true)
    await page.keyboard.press('c')
    await expect.poll(async () => (await videoState(page))?.tracks.find((x) => x.lang === 'zh')?.mode).toBe('showing')
    await page.keyboard.press('c')
    await expect.poll(async () => (await videoState(page))?.tracks.every((x) => x.mode === 'disabled')).toBe(true)
    await page.getByLabel('倍速').selectOption('1.5')
    expect(await video.evaluate((v: HTMLVideoElement) => v.playbackRate)).toBe(1.5)
    await page.getByLabel('倍速').selectOption('1')
    await video.focus()
    // Pausing sent the seconds actually played (not the jumps) to the watched-time beacon.
    expect(beacons.length).toBe(1)
    expect((beacons[0] as { seconds: number }).seconds).toBeGreaterThanOrEqual(1)
    expect((beacons[0] as { seconds: number }).seconds).toBeLessThan(10)
    await video.evaluate((v: HTMLVideoElement) => v.play())
    await shot(page, 'phone-lecture')

    // Subtitles: English on, shown, its cues loaded; the Chinese track off.
    await page.getByLabel('字幕').selectOption('en')
    await expect
      .poll(async () => (await videoState(page))?.tracks.find((x) => x.lang === 'en'), { timeout: 10_000 })
      .toMatchObject({ mode: 'showing' })
    await expect
      .poll(async () => (await videoState(page))?.tracks.find((x) => x.lang === 'en')?.cues ?? 0, { timeout: 10_000 })
      .toBe(2)
    expect((await videoState(page))?.tracks.find((x) => x.lang === 'zh')?.mode).toBe('disabled')

    // A chapter jumps to its start.
    await page.getByRole('button', { name: /小令与慢词/ }).click()
    await expect.poll(async () => (await videoState(page))?.time ?? 0).toBeGreaterThanOrEqual(6)
    expect((await videoState(page))!.time).toBeLessThan(9)

    // Reload: the player resumes where the reader was.
    await video.evaluate((v: HTMLVideoElement) => v.pause())
    const left = (await videoState(page))!.time
    await page.waitForTimeout(300)
    await page.reload()
    await expect.poll(async () => (await videoState(page))?.readyState ?? 0, { timeout: 20_000 }).toBeGreaterThan(0)
    await expect.poll(async () => (await videoState(page))?.time ?? 0, { timeout: 10_000 }).toBeGreaterThan(left - 1)
    expect(Math.abs((await videoState(page))!.time - left)).toBeLessThan(1.5)

    // ?t=7 starts at 7 s (a search hit in a transcript links so).
    await page.goto(`${t.node.url}/lectures/${lectureId}?t=7`)
    await expect.poll(async () => (await videoState(page))?.readyState ?? 0, { timeout: 20_000 }).toBeGreaterThan(0)
    await expect.poll(async () => (await videoState(page))?.time ?? 0).toBeGreaterThanOrEqual(6.9)
    expect((await videoState(page))!.time).toBeLessThan(8)

    // The transcript: a line seeks there and is then the current one.
    await page.getByRole('tab', { name: '文稿' }).click()
    await page.getByRole('button', { name: /小令短，慢词长/ }).click()
    await expect.poll(async () => (await videoState(page))?.time ?? 0).toBeGreaterThanOrEqual(4)
    expect((await videoState(page))!.time).toBeLessThan(6.5)
    await video.evaluate((v: HTMLVideoElement) => v.pause())
    await expect
      .poll(() => page.locator('shulin-player .cue[aria-current="true"]').textContent())
      .toContain('小令短，慢词长')
    await shot(page, 'phone-lecture-transcript')

    // The failed lecture: listed as failed, and its page says so instead of a player.
    await page.goto(`${t.node.url}/courses/${courseId}`)
    await expect.poll(() => page.getByRole('link', { name: /第二讲 残卷.*视频处理失败/ }).count()).toBe(1)
    await page.goto(`${t.node.url}/lectures/${brokenId}`)
    await expect.poll(() => page.getByRole('alert').filter({ hasText: '视频处理失败' }).count()).toBe(1)
    expect(await page.locator('shulin-player').count()).toBe(0)
    expect(await page.getByText('moov atom').count()).toBe(0) // ffmpeg's words are for staff
    await shot(page, 'phone-lecture-failed')

    expect(errors).toEqual([])
    await context.close()

    const wide = await (await browser.newContext(desktop)).newPage()
    await wide.goto(`${t.node.url}/lectures/${lectureId}?t=4`)
    await expect.poll(async () => (await videoState(wide))?.readyState ?? 0, { timeout: 20_000 }).toBeGreaterThan(0)
    await wide.getByRole('tab', { name: '文稿' }).click()
    await expect.poll(async () => (await videoState(wide))?.readyState ?? 0, { timeout: 20_000 }).toBeGreaterThan(2)
    await shot(wide, 'desktop-lecture')
    // English: the page and the player's own words follow the switch.
    await wide.getByRole('button', { name: '切换到英文' }).click()
    await expect.poll(() => wide.getByLabel('Subtitles').count()).toBe(1)
    await expect.poll(() => wide.getByRole('tab', { name: 'Transcript' }).count()).toBe(1)
    await expect.poll(() => wide.getByText('‹ Back to the course').count()).toBe(1)
    await shot(wide, 'desktop-lecture-en')
    await wide.getByRole('button', { name: 'Switch to Chinese' }).click()
    await wide.goto(`${t.node.url}/courses`)
    await expect.poll(() => wide.getByText('宋词十讲').count()).toBe(1)
    await shot(wide, 'desktop-courses')
    await wide.context().close()
  }, 180_000)

  it('a reader searches a sentence of the subtitles; the lecture hit shows the line and its second and opens the player there', async () => {
    const page = await (await browser.newContext(phone)).newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${t.node.url}/`)
    // The home page's new arrivals (covers) open a course on its page and a lecture in its player.
    const newest = (title: string) =>
      page.locator('shulin-home .grid a').filter({ hasText: title }).getAttribute('href')
    await expect.poll(() => newest('宋词十讲')).toBe(`/courses/${courseId}`)
    expect(await newest('第一讲 词之为体')).toBe(`/lectures/${lectureId}`)
    const box = page.getByRole('combobox')
    // The zh track's second cue (00:00:04,000), typed without its comma.
    await box.fill('小令短慢词长')
    await box.press('Enter')
    await page.waitForURL(/\/search\?q=/)
    const hit = page.locator('shulin-resource-card').filter({ hasText: '第一讲 词之为体' })
    await expect.poll(() => hit.count()).toBe(1)
    // The reader sees why it matched: the transcript line, marked, and where it is said.
    await expect.poll(() => hit.locator('.snippet').textContent()).toContain('小令短，慢词长。')
    expect(await hit.locator('.at [aria-hidden="true"]').textContent()).toBe('▶ 0:04')
    expect(await hit.locator('mark').allTextContents()).toContain('小令短，慢词长')
    expect(await hit.getByRole('link').getAttribute('href')).toBe(`/lectures/${lectureId}?t=4`)
    // The course is a hit of its own kind and opens its page.
    await box.fill('宋词十讲')
    await box.press('Enter')
    await expect.poll(() => page.locator('shulin-resource-card').filter({ hasText: '从柳永到辛弃疾' }).count()).toBe(1)
    expect(
      await page
        .locator('shulin-resource-card')
        .filter({ hasText: '从柳永到辛弃疾' })
        .getByRole('link')
        .getAttribute('href'),
    ).toBe(`/courses/${courseId}`)
    await page.goBack()
    await expect.poll(() => hit.count()).toBe(1)
    await shot(page, 'phone-search-lecture')

    await hit.getByRole('link').click()
    await page.waitForURL(`${t.node.url}/lectures/${lectureId}?t=4`)
    await expect.poll(async () => (await videoState(page))?.readyState ?? 0, { timeout: 20_000 }).toBeGreaterThan(0)
    await expect.poll(async () => (await videoState(page))?.time ?? 0, { timeout: 10_000 }).toBeGreaterThan(2.5)
    expect(Math.abs((await videoState(page))!.time - 4)).toBeLessThan(1.5)
    // A link to the lecture's record page (a title suggestion, the shelf) lands on the player too.
    await page.goto(`${t.node.url}/r/${lectureId}`)
    await page.waitForURL(`${t.node.url}/lectures/${lectureId}`)
    await expect.poll(async () => (await videoState(page))?.readyState ?? 0, { timeout: 20_000 }).toBeGreaterThan(0)
    expect(errors).toEqual([])
    await page.context().close()
  }, 120_000)

  it('a signed-in reader resumes on another device from the position kept on the server', async () => {
    const first = await (await browser.newContext(phone)).newPage()
    await first.goto(`${t.node.url}/register`)
    await first.getByLabel('手机号', { exact: true }).fill('13700137018')
    await first.getByLabel('密码', { exact: true }).fill('lectures-2026!')
    await first.getByRole('button', { name: '注册' }).click()
    await first.waitForURL(`${t.node.url}/`)
    await first.goto(`${t.node.url}/lectures/${lectureId}`)
    await expect.poll(async () => (await videoState(first))?.readyState ?? 0, { timeout: 20_000 }).toBeGreaterThan(0)
    await first.getByRole('button', { name: /小令与慢词/ }).click()
    await first.locator('shulin-player video').evaluate((v: HTMLVideoElement) => ((v.muted = true), v.pause()))
    // Pausing hands the place to the server; the page marks what the server acknowledged.
    await expect
      .poll(() => first.locator('shulin-lecture-page').getAttribute('data-saved'), { timeout: 15_000 })
      .toMatch(/^[67]$/)
    const saved = Number(await first.locator('shulin-lecture-page').getAttribute('data-saved'))
    await first.context().close()

    // Another device: nothing kept locally, so the place comes from the server.
    const other = await (await browser.newContext(desktop)).newPage()
    await other.goto(`${t.node.url}/signin?next=${encodeURIComponent(`/lectures/${lectureId}`)}`)
    await other.getByLabel('读者证号 / 手机号 / 用户名 / 身份证号').fill('13700137018')
    await other.getByLabel('密码').fill('lectures-2026!')
    await other.getByRole('button', { name: '登录' }).click()
    await other.waitForURL(`${t.node.url}/lectures/${lectureId}`)
    await expect.poll(async () => (await videoState(other))?.readyState ?? 0, { timeout: 20_000 }).toBeGreaterThan(0)
    await expect.poll(async () => (await videoState(other))?.time ?? 0).toBeGreaterThan(saved - 1)
    expect((await videoState(other))!.time).toBeLessThan(saved + 1.5)
    await other.context().close()
  }, 120_000)

  it('a play asked for while hls.js is still loading (a slow phone) plays once the stream is in', async () => {
    // No service worker: its precache would hand the chunk over without the page's route.
    const context = await browser.newContext({ ...phone, serviceWorkers: 'block' })
    const page = await context.newPage()
    // hls.js's chunk comes 2 s late: the reader presses play on a video with no source yet.
    let chunk: () => void = () => {}
    const held = new Promise<void>((resolve) => (chunk = resolve))
    await page.route(/\/assets\/hls\.light-[\w-]+\.js$/, async (route) => {
      await held
      await route.fallback()
    })
    await page.goto(`${t.node.url}/lectures/${lectureId}`)
    const video = page.locator('shulin-player video')
    await video.waitFor({ timeout: 15_000 })
    expect(await page.locator('shulin-player').getAttribute('data-engine')).toBeNull()
    await video.evaluate((v: HTMLVideoElement) => ((v.muted = true), v.focus()))
    await page.keyboard.press('k')
    expect(await video.evaluate((v: HTMLVideoElement) => v.paused)).toBe(false)
    chunk()
    // The play waits for the stream hls.js attaches (it is not lost with the source put in).
    await expect.poll(async () => (await videoState(page))?.time ?? 0, { timeout: 20_000 }).toBeGreaterThan(0.5)
    expect((await videoState(page))?.engine).toBe('hls.js')
    await context.close()
  }, 60_000)

  it('staff create a course, add a lecture, upload its video and watch it until it is ready', async () => {
    const file = join(dir, 'upload.mp4')
    await writeFile(file, mp4)
    const page = await signInAsAdmin(browser, t.node.url, '/staff/courses', phone)
    await page.getByText('新建课程').click()
    await page.getByLabel('课程名称').fill('唐诗入门')
    await page.getByLabel('主讲人（用顿号或逗号分隔）').fill('王老师、李老师')
    await page.getByRole('button', { name: '创建课程' }).click()
    await expect.poll(() => page.getByText('已创建课程《唐诗入门》').count()).toBe(1)
    await page.getByLabel('添加一讲').fill('第一讲 李白')
    await page.getByRole('button', { name: '添加', exact: true }).click()
    await expect.poll(() => page.getByRole('link', { name: '1. 第一讲 李白' }).count()).toBe(1)
    expect(await page.locator('[data-status]').first().getAttribute('data-status')).toBe('empty')
    await page.getByLabel('视频文件（MP4 / MOV / MKV / WebM）').setInputFiles(file)
    await page.getByRole('button', { name: '上传视频' }).click()
    // Transcoding shows as processing with a progress bar, then ready.
    await expect
      .poll(() => page.locator('[data-status]').first().getAttribute('data-status'), { timeout: 30_000 })
      .toBe('processing')
    await page.locator('.lecture').first().scrollIntoViewIfNeeded()
    await shot(page, 'phone-staff-courses-processing')
    await expect
      .poll(() => page.locator('[data-status]').first().getAttribute('data-status'), {
        timeout: 150_000,
        interval: 1000,
      })
      .toBe('ready')
    await expect.poll(() => page.getByText('已完成').count()).toBeGreaterThan(0)
    await shot(page, 'phone-staff-courses')
    await page.context().close()
    const wide = await signInAsAdmin(browser, t.node.url, '/staff/courses', desktop)
    await expect.poll(() => wide.getByText('转码任务').count()).toBe(1)
    await shot(wide, 'desktop-staff-courses')
    await wide.context().close()
  }, 240_000)

  it('axe finds no WCAG 2.1 AA violations on the course pages and the console tab', async () => {
    for (const [device, name] of [
      [phone, 'phone'],
      [desktop, 'desktop'],
    ] as const) {
      const page = await (await browser.newContext(device)).newPage()
      for (const path of ['/courses', `/courses/${courseId}`, `/lectures/${lectureId}`]) {
        await page.goto(`${t.node.url}${path}`)
        await page.waitForLoadState('networkidle')
        const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()
        expect(r.violations.map((v) => `${name} ${path}: ${v.id} ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual(
          [],
        )
      }
      await page.context().close()
      const admin = await signInAsAdmin(browser, t.node.url, '/staff/courses', device)
      await expect.poll(() => admin.getByText('转码任务').count()).toBe(1)
      const r = await new AxeBuilder({ page: admin }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()
      expect(r.violations.map((v) => `${name} staff: ${v.id} ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([])
      await admin.context().close()
    }
  }, 120_000)
})
