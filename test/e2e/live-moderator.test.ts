/**
 * The live moderator's console and the reader's reminder in Chromium on a phone (390×844), on
 * one node. An account with only the `moderator` role: the console shows it the 直播 tab alone
 * (no schedule form, no "end"), it edits the rooms' keyword filter there, mutes a reader from
 * the room's moderator view and unmutes them again; the node refuses it the staff routes. A
 * reader's "开播提醒我" survives a reload as "已设提醒" and can be cancelled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../../node/src/testing/temp-node.js'
import { connectRoom, type RoomConnection } from '../../node/src/testing/ws-client.js'
import { hasChromium, launch, phone, shot } from './browser.js'

const poll = { timeout: 15_000 }

async function signIn(browser: Browser, base: string, who: string, password: string, next: string): Promise<Page> {
  const page = await (await browser.newContext(phone)).newPage()
  await page.goto(`${base}/signin?next=${encodeURIComponent(next)}`)
  await page.getByLabel('读者证号 / 手机号 / 用户名 / 身份证号').fill(who)
  await page.getByLabel('密码').fill(password)
  await page.getByRole('button', { name: '登录' }).click()
  await page.waitForURL(`${base}${next}`)
  return page
}

describe.skipIf(!hasChromium)('live: the moderator’s console and the reminder', () => {
  let t: TempNode
  let browser: Browser
  let moderator: Client
  let reader: Client
  let liveId: string
  const open: RoomConnection[] = []

  beforeAll(async () => {
    t = await startTempNode({ rtmpPort: 0 })
    const admin = await signedInAdmin(t)
    const created = await admin.post('/api/staff/accounts', {
      username: 'zhuchi',
      password: 'moderate-2026-ok',
      role: 'moderator',
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    moderator = new Client(t.node.url)
    expect(
      (await moderator.post('/api/auth/login', { identifier: 'zhuchi', password: 'moderate-2026-ok' })).status,
    ).toBe(200)
    reader = new Client(t.node.url)
    expect(
      (await reader.post('/api/auth/register', { mode: 'quick', phone: '13600136031', password: 'reading2026' }))
        .status,
    ).toBe(201)
    const live = await admin.post('/api/staff/live', {
      title: '宋词里的江南',
      start: new Date(Date.now() + 3_600_000).toISOString(),
      access: 'public',
    })
    expect(live.status).toBe(201)
    liveId = live.body.liveId
    browser = await launch()
  }, 60_000)

  afterAll(async () => {
    for (const c of open) c.close()
    await browser?.close()
    await t?.close()
  })

  it('a moderator-only account is refused the staff routes, and may edit keywords', async () => {
    const schedule = await moderator.post('/api/staff/live', { title: '冒充', start: new Date().toISOString() })
    expect(schedule.status).toBe(403)
    expect((await moderator.get('/api/staff/readers')).status).toBe(403)
    expect((await moderator.post(`/api/staff/live/${liveId}/end`)).status).toBe(403)
    expect((await moderator.get('/api/staff/live/keywords')).status).toBe(200)
    // A reader is refused the keyword list.
    expect((await reader.get('/api/staff/live/keywords')).status).toBe(403)
  })

  it('the console shows a moderator the live tab alone; it saves keywords, mutes and unmutes a reader', async () => {
    const page = await signIn(browser, t.node.url, 'zhuchi', 'moderate-2026-ok', '/staff')
    const tabs = page.locator('shulin-staff nav a')
    await expect.poll(() => tabs.allTextContents(), poll).toEqual(['直播'])
    await expect.poll(() => page.locator('#keywords').count(), poll).toBe(1)
    expect(await page.getByRole('heading', { name: '安排一场直播' }).count()).toBe(0)
    expect(await page.getByRole('button', { name: '结束直播' }).count()).toBe(0)
    await page.locator('#keywords').fill('加微信\n代写论文\n加微信')
    await page.getByRole('button', { name: '保存关键词' }).click()
    await expect.poll(() => page.getByText('已保存 2 个关键词').count(), poll).toBe(1)
    expect((await moderator.get('/api/staff/live/keywords')).body.keywords).toEqual(['加微信', '代写论文'])
    await shot(page, 'live-moderator-keywords-phone')

    // The reader in the room (a real WebSocket); the moderator's view in Chromium.
    const ws = await connectRoom(`${t.node.url.replace(/^http/, 'ws')}/api/live/${liveId}/room`, {
      cookie: reader.cookie!,
    })
    open.push(ws)
    await ws.next('welcome')
    ws.send({ type: 'comment', text: '欢迎加微信了解' })
    expect(await ws.next('refused')).toMatchObject({ code: 'filtered' })

    await page.goto(`${t.node.url}/live/${liveId}`)
    await expect.poll(() => page.getByRole('heading', { name: '主持' }).count(), poll).toBe(1)
    ws.send({ type: 'question', text: '婉约派从何说起？' })
    await expect.poll(() => page.getByText('婉约派从何说起？').count(), poll).toBe(1)
    await page.getByRole('button', { name: /^禁言 .+ 60 分钟$/ }).click()
    const unmute = page.getByRole('button', { name: /^解除 .+ 的禁言$/ })
    // One beside the question, one in the list of readers muted here.
    await expect.poll(() => unmute.count(), poll).toBe(2)
    const refusals = () => ws.received.filter((m) => m.type === 'refused').length
    const before = refusals()
    ws.send({ type: 'comment', text: '我还能说话吗' })
    expect(await ws.next('refused', undefined, { from: ws.received.length })).toMatchObject({ code: 'muted' })
    expect(refusals()).toBe(before + 1)
    await shot(page, 'live-moderator-muted-phone')

    await unmute.last().click()
    await expect.poll(() => unmute.count(), poll).toBe(0)
    expect(await page.getByRole('button', { name: /^禁言 .+ 60 分钟$/ }).count()).toBe(1)
    // The room took the unmute: the reader speaks again.
    await expect
      .poll(async () => {
        const from = ws.received.length
        ws.send({ type: 'comment', text: '谢谢主持人' })
        const answer = await Promise.race([
          ws.next('comment', (c) => c.text === '谢谢主持人', { from, ms: 2000 }).then(() => 'said'),
          ws.next('refused', undefined, { from, ms: 2000 }).then((r) => r.code),
        ]).catch(() => 'nothing')
        return answer
      }, poll)
      .toBe('said')
    await page.context().close()
  }, 90_000)

  it('a reader’s reminder shows as 已设提醒 after a reload, and can be cancelled', async () => {
    const page = await signIn(browser, t.node.url, '13600136031', 'reading2026', `/live/${liveId}`)
    const remind = page.getByRole('button', { name: '开播提醒我' })
    await expect.poll(() => remind.count(), poll).toBe(1)
    await remind.click()
    await expect.poll(() => page.getByText('✓ 已设提醒').count(), poll).toBe(1)
    await page.reload()
    const cancel = page.getByRole('button', { name: '取消提醒' })
    await expect.poll(() => cancel.count(), poll).toBe(1)
    expect(await page.getByText('✓ 已设提醒').count()).toBe(1)
    expect(await remind.count()).toBe(0)
    await shot(page, 'live-reminded-phone')
    await cancel.click()
    await expect.poll(() => remind.count(), poll).toBe(1)
    expect((await reader.get(`/api/live/${liveId}/remind`)).body).toMatchObject({ reminded: false })
    await page.context().close()
  }, 60_000)
})
