/**
 * Reading activities in Chromium on a phone, with a fake microphone (Chromium's beep): a reader
 * opens a recitation, records about two seconds (the level meter moves), listens back, submits,
 * and finds the entry in "my entries" until it is published; likes it once on the ranking, and
 * the second like the same day is refused in words; signs up for an event and is shown a check-in
 * QR code that decodes (from the screenshot) to the code the node gave, which staff then check
 * in at the desk by typing it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import sharp from 'sharp'
import jsQR from 'jsqr'
import AxeBuilder from '@axe-core/playwright'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../../node/src/testing/temp-node.js'
import { desktop, hasChromium, launch, phone, shot, signInAsAdmin } from './browser.js'

const hour = 3600_000

/** WCAG 2.1 A and AA violations (axe) on the page as it stands, as `rule: targets`. */
async function audit(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()
  return r.violations.map(
    (v) =>
      `${v.id}: ${v.nodes
        .map((n) => n.target.join(' '))
        .slice(0, 3)
        .join(' | ')}`,
  )
}
const reader = { phone: '13700137011', password: 'recite-2026' }

describe.skipIf(!hasChromium)('reading activities in the browser', () => {
  let t: TempNode
  let staff: Client
  let browser: Browser
  let page: Page
  /** The script files the reader's page fetched, in order (the recorder and QR code load on demand). */
  const scripts: string[] = []
  let recitation: string
  let event: string

  beforeAll(async () => {
    t = await startTempNode()
    staff = await signedInAdmin(t)
    const now = t.clock.now
    const window = (from: number, to: number) => ({
      from: new Date(now + from).toISOString(),
      to: new Date(now + to).toISOString(),
    })
    const r = await staff.post('/api/staff/activities', {
      kind: 'recitation',
      title: '春天的诗·诵读',
      rules: '每人最多三件作品，每件不超过一分钟。',
      // Submission and voting both open now: the entry is liked the day it is submitted.
      phases: { submission: window(-hour, 24 * hour), voting: window(-hour / 2, 48 * hour) },
      maxSeconds: 60,
      // The reader's account is new in the voting window: counted, so the like shows at once.
      newAccountLikes: 'count',
    })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    recitation = r.body.id
    const e = await staff.post('/api/staff/activities', {
      kind: 'event',
      eventKind: 'lecture',
      title: '读书分享会：苏轼的一生',
      location: '二楼报告厅',
      capacity: 2,
      phases: { signup: window(-hour, 24 * hour) },
    })
    expect(e.status, JSON.stringify(e.body)).toBe(201)
    event = e.body.id
    const register = await new Client(t.node.url).post('/api/auth/register', { mode: 'quick', ...reader })
    expect(register.status).toBe(201)
    browser = await launch(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'])
    const context = await browser.newContext(phone)
    await context.grantPermissions(['microphone', 'camera'], { origin: t.node.url })
    page = await context.newPage()
    page.on('request', (r) => r.resourceType() === 'script' && scripts.push(new URL(r.url()).pathname))
    await page.goto(`${t.node.url}/signin?next=${encodeURIComponent('/activities')}`)
    await page.getByLabel('读者证号 / 手机号 / 用户名 / 身份证号').fill(reader.phone)
    await page.getByLabel('密码').fill(reader.password)
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(`${t.node.url}/activities`)
  }, 90_000)
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  it('lists the activities with their phase in words', async () => {
    const card = page.getByRole('link', { name: /春天的诗·诵读/ })
    await card.waitFor()
    expect(await card.textContent()).toContain('投票中')
    expect(await page.getByRole('link', { name: /读书分享会/ }).textContent()).toContain('报名中')
    await shot(page, 'activities-list-phone')
    expect(await audit(page)).toEqual([])
    // The list pays for neither the recorder nor the QR code library.
    expect(scripts.some((s) => s.includes('recitation-recorder') || s.includes('check-in-qr'))).toBe(false)
  }, 30_000)

  it('records about two seconds, listens back, submits, and sees the entry in my entries', async () => {
    await page.getByRole('link', { name: /春天的诗·诵读/ }).click()
    await page.waitForURL(`${t.node.url}/activities/${recitation}`)
    await page.getByRole('heading', { name: '活动规则' }).waitFor()
    expect(scripts.some((s) => s.includes('recitation-recorder'))).toBe(false)
    await page.getByRole('button', { name: '我要诵读' }).click()
    await page.getByLabel('作品标题').fill('春晓')
    expect(scripts.some((s) => s.includes('recitation-recorder'))).toBe(true)
    expect(scripts.some((s) => s.includes('check-in-qr'))).toBe(false)
    await page.getByRole('button', { name: '开始录音' }).click()
    const stop = page.getByRole('button', { name: '停止' })
    await stop.waitFor()
    // The fake microphone beeps: within two seconds the meter has heard something.
    await expect
      .poll(() => page.locator('meter#level').evaluate((m) => (m as HTMLMeterElement).value), { timeout: 5_000 })
      .toBeGreaterThan(0.2)
    await page.waitForTimeout(2_000)
    await shot(page, 'activities-recording-phone')
    await stop.click()

    // Listen back: the recording plays in the page's own audio element.
    const audio = page.getByLabel('试听', { exact: true }).and(page.locator('audio'))
    await audio.waitFor()
    const heard = await audio.evaluate(async (a) => {
      const el = a as HTMLAudioElement
      const size = (await (await fetch(el.src)).blob()).size
      el.muted = true
      await el.play()
      await new Promise((r) => setTimeout(r, 400))
      return { size, playing: !el.paused && el.currentTime > 0 }
    })
    expect(heard.size).toBeGreaterThan(2_000)
    expect(heard.playing).toBe(true)
    expect(await page.getByRole('button', { name: '重新录制' }).isVisible()).toBe(true)
    await shot(page, 'activities-recorded-phone')
    expect(await audit(page)).toEqual([])

    await page.getByRole('button', { name: '提交作品' }).click()
    await page.getByText('已提交，正在处理').waitFor({ timeout: 30_000 })
    await page.getByRole('link', { name: '我的作品' }).first().click()
    await page.waitForURL(`${t.node.url}/me/entries`)
    await page.getByRole('link', { name: '春晓' }).waitFor()
    // ffmpeg normalises it in the node's queue; the list asks again until it is published.
    await page.getByText('已发布').waitFor({ timeout: 60_000 })
    await shot(page, 'activities-my-entries-phone')
    expect(await audit(page)).toEqual([])
  }, 120_000)

  it('likes once; the second like the same day is refused in words', async () => {
    await page.goto(`${t.node.url}/activities/${recitation}`)
    const like = page.getByRole('button', { name: '为《春晓》点赞，当前 0 赞' })
    await like.click()
    const liked = page.getByRole('button', { name: '今日已为《春晓》点赞，当前 1 赞' })
    await liked.waitFor()
    expect(await liked.getAttribute('aria-pressed')).toBe('true')
    await liked.click()
    await page.getByText('今天已经为这件作品点过赞了，明天再来吧。').waitFor()
    // Still one like: the refusal counted nothing.
    const ranking = await staff.get(`/api/activities/${recitation}/ranking`)
    expect(ranking.body.entries[0].likes).toBe(1)
    await shot(page, 'activities-liked-phone')

    // The entry's own page: its share link (the node's page with Open Graph tags).
    await page.getByRole('link', { name: '春晓' }).click()
    const share = page.getByLabel('分享链接')
    await share.waitFor()
    expect(await share.inputValue()).toMatch(new RegExp(`^${t.node.url}/share/entries/`))
    expect(await page.getByRole('button', { name: /今日已为《春晓》点赞/ }).getAttribute('aria-pressed')).toBe('true')
    expect(await audit(page)).toEqual([])
    await shot(page, 'activities-entry-phone')
  }, 60_000)

  it('signs up for an event and shows a check-in QR code that scans; the desk checks it in', async () => {
    await page.goto(`${t.node.url}/activities/${event}`)
    await page.getByRole('button', { name: '我要报名' }).click()
    await page.getByText('报名成功').waitFor()
    const qr = page.getByRole('img', { name: '签到码' })
    await qr.locator('svg').waitFor()
    const box = (await qr.boundingBox())!
    expect(box.width).toBeGreaterThanOrEqual(260)
    await qr.scrollIntoViewIfNeeded()
    await shot(page, 'activities-signup-qr-phone')
    expect(await audit(page)).toEqual([])

    // What a desk scanner sees: the QR code in a screenshot of the phone decodes to the code.
    const png = await qr.screenshot()
    const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
    const decoded = jsQR(new Uint8ClampedArray(data), info.width, info.height)
    const mine = await page.evaluate(async (id) => {
      const r = await fetch(`/api/activities/${id}/signup`, { headers: { accept: 'application/json' } })
      return ((await r.json()) as { checkInCode: string }).checkInCode
    }, event)
    expect(decoded?.data).toBe(mine)

    // In a hall with no signal: the page (opened once before under the service worker) shows the
    // code kept on the phone.
    await expect
      .poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 10_000 })
      .toBe(true)
    await page.reload()
    await qr.locator('svg').waitFor()
    await page.context().setOffline(true)
    try {
      await page.reload()
      await page.getByText('当前离线，显示的是上次保存的签到码。').waitFor({ timeout: 15_000 })
      await qr.locator('svg').waitFor()
      const offline = await sharp(await qr.screenshot())
        .ensureAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true })
      expect(jsQR(new Uint8ClampedArray(offline.data), offline.info.width, offline.info.height)?.data).toBe(mine)
      await shot(page, 'activities-signup-qr-offline-phone')
    } finally {
      await page.context().setOffline(false)
    }

    const desk = await signInAsAdmin(browser, t.node.url, '/staff/desk', phone)
    await desk.getByLabel('选择活动').selectOption({ label: '读书分享会：苏轼的一生' })
    await desk.getByLabel('签到码').fill(mine)
    await desk.getByRole('button', { name: '签到', exact: true }).click()
    await desk.getByText(/签到成功/).waitFor()
    await shot(desk, 'activities-desk-phone')
    expect(await audit(desk)).toEqual([])
    await page.reload()
    await page.getByText('已签到').waitFor()
    expect(await qr.count()).toBe(0)
  }, 90_000)

  it('staff create an event in Beijing time on the console, and readers see it', async () => {
    const office = await signInAsAdmin(browser, t.node.url, '/staff/activities', desktop)
    await office.getByLabel('活动报名').check()
    await office.getByLabel('活动名称').fill('读书会：《红楼梦》第一回')
    await office.getByLabel('报名开始').fill('2027-03-01T09:00')
    await office.getByLabel('报名结束').fill('2027-03-05T18:00')
    await office.getByLabel('活动形式').selectOption('reading-club')
    await office.getByLabel('地点').fill('少儿阅览室')
    await office.getByLabel('名额').fill('30')
    expect(await audit(office)).toEqual([])
    await office.getByRole('button', { name: '创建活动' }).click()
    await office.getByText('已创建活动《读书会：《红楼梦》第一回》').waitFor()
    await shot(office, 'activities-staff-create-desktop')
    const list = await staff.get('/api/activities')
    const made = list.body.activities.find((a: { title: string }) => a.title === '读书会：《红楼梦》第一回')
    // 09:00 in Beijing is 01:00 UTC, whatever the desk computer's zone.
    expect(made.phases.signup).toEqual({ from: '2027-03-01T01:00:00.000Z', to: '2027-03-05T10:00:00.000Z' })
    expect(made).toMatchObject({ kind: 'event', eventKind: 'reading-club', location: '少儿阅览室', capacity: 30 })
    await office.context().close()
  }, 60_000)

  it('shows the activity on a desktop screen too', async () => {
    const wide = await (await browser.newContext(desktop)).newPage()
    await wide.goto(`${t.node.url}/activities/${recitation}`)
    await wide.getByRole('tab', { name: '总榜' }).waitFor()
    await wide.getByRole('link', { name: '春晓' }).waitFor()
    await shot(wide, 'activities-page-desktop')
    // Signed out: likes and taking part ask to sign in first.
    expect(await wide.getByRole('link', { name: '登录后即可参加诵读' }).count()).toBe(1)
    await wide.context().close()
  }, 30_000)

  it('a judge-only account sees the judging tab alone (the others would answer 403)', async () => {
    const made = await staff.post('/api/staff/accounts', {
      username: 'judge-wang',
      password: 'judging-2026-ok',
      role: 'judge',
    })
    expect(made.status, JSON.stringify(made.body)).toBe(201)
    const judge = await (await browser.newContext(desktop)).newPage()
    await judge.goto(`${t.node.url}/signin?next=${encodeURIComponent('/staff')}`)
    await judge.getByLabel('读者证号 / 手机号 / 用户名 / 身份证号').fill('judge-wang')
    await judge.getByLabel('密码').fill('judging-2026-ok')
    await judge.getByRole('button', { name: '登录' }).click()
    // The console opens on judging, the one tab a judge may use.
    await judge.waitForURL(`${t.node.url}/staff/judging`)
    await judge.getByLabel('选择活动').waitFor()
    const tabs = judge.getByRole('navigation', { name: '管理' }).getByRole('link')
    expect(await tabs.allTextContents()).toEqual(['评审'])
    // Typed by hand, a tab for librarians sends the judge back to judging.
    await judge.goto(`${t.node.url}/staff/readers`)
    await judge.waitForURL(`${t.node.url}/staff/judging`)
    await judge.context().close()
  }, 30_000)

  it('after voting, a judge listens to the finalist and scores it; the results are published; the entry can no longer be withdrawn', async () => {
    // Voting is over (the node's clock moves past it): judging.
    t.clock.now += 49 * hour
    const judge = await signInAsAdmin(browser, t.node.url, '/staff/judging', desktop)
    await judge.getByLabel('选择活动').selectOption({ label: '春天的诗·诵读' })
    await judge.getByRole('heading', { name: '春晓' }).waitFor()
    const audio = judge.getByLabel('春晓').and(judge.locator('audio'))
    expect(await audio.getAttribute('src')).toMatch(/\/audio$/)
    await judge.getByLabel('评分（0–100）').fill('92')
    await judge.getByLabel('评语（可不填）').fill('字正腔圆，情感饱满。')
    await judge.getByRole('button', { name: '提交评分' }).click()
    await judge.getByText('已评分：92').waitFor()
    expect(await audit(judge)).toEqual([])
    await shot(judge, 'activities-judging-desktop')
    await judge.getByRole('button', { name: '按权重计算并发布结果' }).click()
    await judge.getByText('结果已发布，参与者会收到通知。').waitFor()
    const ranking = await staff.get(`/api/activities/${recitation}/ranking`)
    expect(ranking.body.entries[0]).toMatchObject({ title: '春晓', score: 92 })
    await judge.context().close()

    // The reader (signed in again: two days idle ended the session) tries to withdraw the entry,
    // after saying yes to the question: the results are final, so it is refused in words.
    await page.goto(`${t.node.url}/signin?next=${encodeURIComponent('/me/entries')}`)
    await page.getByLabel('读者证号 / 手机号 / 用户名 / 身份证号').fill(reader.phone)
    await page.getByLabel('密码').fill(reader.password)
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(`${t.node.url}/me/entries`)
    page.once('dialog', (d) => void d.accept())
    await page.getByRole('button', { name: '撤回作品《春晓》' }).click()
    await page.getByText('活动结果已公布，作品不能再撤回').waitFor()
    expect((await staff.get(`/api/activities/${recitation}/ranking`)).body.entries).toHaveLength(1)
    await shot(page, 'activities-withdraw-refused-phone')
  }, 60_000)
})
