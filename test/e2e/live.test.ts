/**
 * Live lectures (公开课直播), issue 19's "Done when", in real Chromium against `shulin` processes
 * (a hub and two members on loopback): the hub's staff schedule a lecture in the console, which
 * shows the RTMP URL and stream key once; readers find it on the portal with a Beijing-time
 * countdown and add it to their reminders (anonymous readers are shown the way to sign in);
 * the watch page waits with the countdown. Screenshots at 390×844 and 1280×800.
 *
 * The parts that need the ingest (ffmpeg pushing), the room's WebSocket and the relay follow in
 * this file as those branches land.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import AxeBuilder from '@axe-core/playwright'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, BrowserContextOptions, Page } from 'playwright-core'
import type { LiveList, LiveView } from '@shulin/protocol'
import { desktop, hasChromium, launch, phone, shot } from './browser.js'
import { killAll, run, start, type Started } from './processes.js'

const hasFfmpeg = existsSync('/usr/bin/ffmpeg')
const poll = { timeout: 30_000, interval: 250 }
const admin = { identifier: 'hubadmin', password: 'correct-horse-battery' }

/** A page signed in through the API (the context keeps the cookie), then opened at `path`. */
async function signedIn(
  browser: Browser,
  base: string,
  path: string,
  how: { login: typeof admin } | { register: { phone: string; password: string } },
  device: BrowserContextOptions = desktop,
): Promise<Page> {
  const context = await browser.newContext(device)
  const page = await context.newPage()
  const res =
    'login' in how
      ? await context.request.post(`${base}/api/auth/login`, { data: how.login })
      : await context.request.post(`${base}/api/auth/register`, { data: { mode: 'quick', ...how.register } })
  expect(res.ok(), await res.text()).toBe(true)
  await page.goto(`${base}${path}`)
  return page
}

/** ffmpeg pushing a test pattern and a tone, in real time, as a speaker's encoder would. */
function push(target: string): ChildProcess {
  return spawn(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25']
      .concat(['-f', 'lavfi', '-i', 'sine=frequency=440', '-c:v', 'libx264', '-preset', 'veryfast'])
      .concat(['-tune', 'zerolatency', '-g', '25', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-f', 'flv', target]),
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
}

/** The player's state inside a live watch page (shadow DOM). */
const liveState = (page: Page) =>
  page.evaluate(() => {
    const host = document
      .querySelector('shulin-app')
      ?.shadowRoot?.querySelector('shulin-live-watch')
      ?.shadowRoot?.querySelector('shulin-player')
    const v = host?.shadowRoot?.querySelector('video')
    if (!host || !v) return null
    return {
      engine: host.getAttribute('data-engine'),
      live: host.getAttribute('data-live'),
      reconnects: Number(host.getAttribute('data-reconnects') ?? 0),
      fragments: Number(host.getAttribute('data-fragments') ?? 0),
      time: v.currentTime,
      paused: v.paused,
    }
  })

/** Waits until the video on the page has played `seconds` more than when asked. */
async function advances(page: Page, seconds: number, timeout = 60_000): Promise<void> {
  await expect.poll(async () => (await liveState(page))?.live, { timeout, interval: 250 }).toBe('playing')
  const from = (await liveState(page))!.time
  await expect
    .poll(async () => (await liveState(page))?.time ?? 0, { timeout, interval: 250 })
    .toBeGreaterThan(from + seconds)
}

const axe = async (page: Page, what: string) => {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()
  expect(r.violations.map((v) => `${what}: ${v.id} ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([])
}

describe.skipIf(!hasChromium || !hasFfmpeg)('live lectures in Chromium', () => {
  let work: string
  let hub: Started
  let browser: Browser
  /** What the console showed once: where the encoder pushes. */
  let created: { liveId: string; rtmpUrl: string; streamKey: string }
  let encoder: ChildProcess | undefined
  let bearer: { authorization: string }
  let courseId: string

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'shulin-e2e-live-'))
    const hubData = join(work, 'hub')
    hub = await start([
      '--port',
      '0',
      '--rtmp-port',
      '0',
      '--data',
      hubData,
      '--role',
      'hub',
      '--name',
      '国家数字图书馆',
    ])
    const made = await run([
      'admin',
      'create',
      '--username',
      admin.identifier,
      '--password',
      admin.password,
      '--data',
      hubData,
    ])
    expect(made.code, made.stderr).toBe(0)
    const login = await fetch(`${hub.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...admin, bearer: true }),
    })
    bearer = { authorization: `Bearer ${((await login.json()) as { token: string }).token}` }
    // The course the replay joins.
    const course = await fetch(`${hub.url}/api/courses`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({ title: '唐诗讲座', speakers: [{ name: '戴建业' }] }),
    })
    expect(course.status).toBe(201)
    courseId = ((await course.json()) as { id: string }).id
    const published = await fetch(`${hub.url}/api/courses/${courseId}/publish`, { method: 'POST', headers: bearer })
    expect(published.status, await published.text()).toBe(200)
    browser = await launch()
  }, 120_000)
  afterAll(async () => {
    encoder?.kill('SIGKILL')
    await browser?.close()
    killAll()
    if (work) await rm(work, { recursive: true, force: true })
  })

  it('staff schedule a lecture in the console (the key shown once); readers see its countdown and add a reminder', async () => {
    const staff = await signedIn(browser, hub.url, '/staff/live', { login: admin })
    const errors: string[] = []
    staff.on('pageerror', (e) => errors.push(e.message))
    await staff.getByLabel('直播标题').fill('唐诗的声音：从吟诵到朗读')
    await staff.getByLabel('主讲人（用顿号或逗号分隔）').fill('戴建业、叶嘉莹')
    // Ten minutes from now, Beijing time, as the form reads it.
    const start = new Date(Date.now() + 10 * 60_000)
    const beijing = new Date(start.getTime() + 8 * 3600_000).toISOString().slice(0, 16)
    await staff.getByLabel('开始时间（北京时间）').fill(beijing)
    await expect.poll(() => staff.getByRole('option', { name: '唐诗讲座' }).count(), poll).toBe(1)
    await staff.getByLabel('所属课程（回放将成为其中一讲）').selectOption({ label: '唐诗讲座' })
    await staff.getByRole('button', { name: '安排直播' }).click()
    await expect.poll(() => staff.getByLabel('串流密钥').count(), poll).toBe(1)
    const rtmpUrl = await staff.getByLabel('推流地址（RTMP）').inputValue()
    const streamKey = await staff.getByLabel('串流密钥').inputValue()
    expect(rtmpUrl).toMatch(/^rtmp:\/\/127\.0\.0\.1:[1-9]\d*\/live$/)
    expect(streamKey.length).toBeGreaterThanOrEqual(16)
    const list = (await (await fetch(`${hub.url}/api/live`)).json()) as LiveList
    const view = list.lectures.find((l) => l.title === '唐诗的声音：从吟诵到朗读')!
    expect(view.status).toBe('scheduled')
    // The minute the form was given, in Beijing time, is the instant the node keeps.
    expect(Math.abs(Date.parse(view.start) - start.getTime())).toBeLessThan(60_000)
    created = { liveId: view.id, rtmpUrl, streamKey }
    await expect.poll(() => staff.getByRole('link', { name: '唐诗的声音：从吟诵到朗读' }).count(), poll).toBe(1)
    await shot(staff, 'desktop-staff-live-created')
    await axe(staff, 'staff live')
    // Shown once: after a reload the key is nowhere on the page.
    await staff.reload()
    await expect.poll(() => staff.getByRole('link', { name: '唐诗的声音：从吟诵到朗读' }).count(), poll).toBe(1)
    expect(await staff.getByLabel('串流密钥').count()).toBe(0)
    expect(await staff.content()).not.toContain(streamKey)
    expect(errors).toEqual([])
    await staff.context().close()

    // An anonymous reader on a phone: the list shows the countdown and the way to sign in for a reminder.
    const anon = await (await browser.newContext(phone)).newPage()
    await anon.goto(`${hub.url}/courses`)
    await anon.getByRole('link', { name: '直播 ›' }).click()
    await anon.waitForURL(`${hub.url}/live`)
    const card = anon.locator('article').filter({ hasText: '唐诗的声音' })
    await expect.poll(() => card.getByRole('timer').textContent(), poll).toMatch(/^距开始还有 0:(08|09|10):\d\d$/)
    const first = await card.getByRole('timer').textContent()
    await expect.poll(() => card.getByRole('timer').textContent(), poll).not.toBe(first) // it ticks
    await expect.poll(() => card.getByText(/开始（北京时间）/).count()).toBe(1)
    expect(await card.getByText('戴建业、叶嘉莹').count()).toBe(1)
    expect(await card.getByRole('link', { name: '登录后可设置开播提醒' }).getAttribute('href')).toBe(
      '/signin?next=%2Flive',
    )
    await shot(anon, 'phone-live-list')
    await axe(anon, 'live list')
    // Its watch page waits with the countdown.
    await card.getByRole('link', { name: '唐诗的声音：从吟诵到朗读' }).click()
    await anon.waitForURL(`${hub.url}/live/${created.liveId}`)
    await expect.poll(() => anon.getByText('直播尚未开始，开播后这里会自动播放。').count(), poll).toBe(1)
    expect(await anon.getByRole('timer').textContent()).toMatch(/^距开始还有 0:(08|09|10):\d\d$/)
    await shot(anon, 'phone-live-scheduled')
    await anon.context().close()

    // A reader signed in adds it to their reminders.
    const reader = await signedIn(
      browser,
      hub.url,
      '/live',
      { register: { phone: '13800138001', password: 'reader-password-1' } },
      phone,
    )
    const remind = reader
      .locator('article')
      .filter({ hasText: '唐诗的声音' })
      .getByRole('button', { name: '开播提醒我' })
    await expect.poll(() => remind.count(), poll).toBe(1)
    const answered = reader.waitForResponse((r) => r.url().endsWith(`/api/live/${created.liveId}/remind`))
    await remind.click()
    expect((await answered).status()).toBe(200)
    const done = reader.getByRole('button', { name: /已加入我的提醒/ })
    await expect.poll(() => done.getAttribute('aria-pressed'), poll).toBe('true')
    await reader.context().close()
  }, 120_000)

  it('ffmpeg pushes to the key shown; a reader waiting on the watch page sees it go live and watches it through hls.js', async () => {
    const page = await (await browser.newContext(phone)).newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${hub.url}/live/${created.liveId}`)
    await expect.poll(() => page.getByRole('timer').count(), poll).toBe(1)
    expect(await liveState(page)).toBeNull()

    encoder = push(`${created.rtmpUrl}/${created.streamKey}`)
    // The page asks while it waits: the player replaces the countdown by itself, and plays.
    await advances(page, 3)
    const s = (await liveState(page))!
    expect(s.engine).toBe('hls.js')
    expect(s.paused).toBe(false)
    expect(s.fragments).toBeGreaterThan(0)
    expect(await page.getByText('正在直播').count()).toBeGreaterThan(0)
    await shot(page, 'phone-live-playing')

    // The list puts it under "live now".
    await page.goto(`${hub.url}/live`)
    const now = page.getByRole('region', { name: '正在直播' })
    await expect.poll(() => now.getByRole('link', { name: '进入直播' }).count(), poll).toBe(1)
    await shot(page, 'phone-live-list-now')
    expect(errors).toEqual([])
    await page.context().close()

    const wide = await signedIn(browser, hub.url, `/live/${created.liveId}`, {
      register: { phone: '13800138002', password: 'reader-password-2' },
    })
    await advances(wide, 2)
    await shot(wide, 'desktop-live-playing')
    await axe(wide, 'live watch')
    await wide.context().close()
  }, 180_000)

  it('staff end the lecture in the console; the watch page says so, and its replay becomes a lecture of the course', async () => {
    const reader = await (await browser.newContext(phone)).newPage()
    await reader.goto(`${hub.url}/live/${created.liveId}`)
    await advances(reader, 1)

    const staff = await signedIn(browser, hub.url, '/staff/live', { login: admin })
    staff.on('dialog', (d) => void d.accept())
    const row = staff.getByRole('listitem').filter({ hasText: '唐诗的声音' })
    await expect.poll(() => row.getByText('正在直播').count(), poll).toBe(1)
    await row.getByRole('button', { name: '结束直播' }).click()
    await expect.poll(() => staff.getByText('已结束《唐诗的声音：从吟诵到朗读》').count(), poll).toBe(1)
    await expect.poll(() => encoder!.exitCode !== null || encoder!.signalCode !== null, poll).toBe(true)
    await staff.context().close()

    await expect.poll(() => reader.getByText('直播已结束。').count(), poll).toBe(1)
    const replay = reader.getByRole('link', { name: '观看回放' })
    await expect.poll(() => replay.count(), { timeout: 150_000, interval: 500 }).toBe(1)
    await shot(reader, 'phone-live-ended')
    await replay.click()
    await reader.waitForURL(/\/lectures\//)
    const view = (await (await fetch(`${hub.url}/api/live/${created.liveId}`)).json()) as LiveView
    expect(reader.url()).toBe(`${hub.url}/lectures/${view.replay}`)
    // A lecture of the course it was scheduled into, whose player plays the recording.
    expect(await reader.getByRole('link', { name: '‹ 返回课程' }).getAttribute('href')).toBe(`/courses/${courseId}`)
    const course = (await (await fetch(`${hub.url}/api/courses/${courseId}`)).json()) as {
      lectures: Array<{ id: string }>
    }
    expect(course.lectures.map((l) => l.id)).toContain(view.replay)
    await reader.context().close()
  }, 240_000)
})
