/**
 * The statistics dashboards in Chromium: two member libraries with two weeks of reading
 * (evenings and weekends busier), their roll-ups pushed to the hub over libp2p; a librarian
 * reads the library's dashboard on a phone and a computer, a hub operator the nation's with the
 * members' indicators, in Chinese and in English. No axe violations (WCAG 2.1 AA).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import AxeBuilder from '@axe-core/playwright'
import type { Browser, Page } from 'playwright-core'
import { signedInAdmin, startTempNode, type TempNode } from '../../node/src/testing/temp-node.js'
import { desktop, hasChromium, launch, phone, shot } from './browser.js'

const titles = ['红楼梦', '三国演义', '水浒传', '西游记', '聊斋志异', '唐诗三百首']
const mobileUa = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148'

/** Two weeks of reading at one library, deterministic: more in the evening and at weekends. */
async function twoWeeks(t: TempNode, ids: string[], scale: number): Promise<void> {
  const stats = t.node.stats.service
  const real = Date.now()
  let seed = scale * 7919
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647
  for (let d = 14; d >= 1; d--) {
    const dayStart = Math.floor((real + 8 * 3_600_000) / 86_400_000) * 86_400_000 - 8 * 3_600_000 - d * 86_400_000
    const weekend = [0, 6].includes(new Date(dayStart + 8 * 3_600_000).getUTCDay())
    for (let h = 7; h < 24; h++) {
      const evening = h >= 19 && h <= 22
      const n = Math.round(scale * (evening ? 6 : 2) * (weekend ? 1.8 : 1) * random())
      for (let i = 0; i < n; i++) {
        t.clock.now = dayStart + h * 3_600_000 + i * 45_000
        const who = `reader-${d}-${h}-${i % 4}`
        const device = random() < 0.7 ? 'mobile' : random() < 0.5 ? 'desktop' : 'tablet'
        const method = random() < 0.85 ? 'web' : 'opds'
        const r = ids[Math.floor(random() * random() * ids.length)]!
        stats.record({ k: 'search', q: titles[ids.indexOf(r)]!, d: device, m: method }, who)
        stats.record({ k: 'view', r, d: device, m: method }, who)
        if (random() < 0.6) stats.record({ k: 'content', r, d: device, m: method }, who)
      }
      if (h === 21) stats.record({ k: 'search', q: '三体', z: true, d: 'mobile', m: 'web' }, `miss-${d}`)
      if (h === 20) stats.record({ k: 'sign_in', d: 'mobile', m: 'web' }, `s-${d}`)
    }
    await stats.capture.flush()
  }
  t.clock.now = real
  await stats.aggregatePending()
}

describe.skipIf(!hasChromium)('statistics dashboards', () => {
  let hub: TempNode
  let members: TempNode[] = []
  let browser: Browser
  beforeAll(async () => {
    hub = await startTempNode({ role: 'hub', name: '国家数字图书馆' })
    const hubAdmin = await signedInAdmin(hub)
    for (const [name, region, level, scale] of [
      ['临安县图书馆', '330185', 'county', 2],
      ['杭州图书馆', '330100', 'city', 4],
    ] as const) {
      const m = await startTempNode({ name })
      const admin = await signedInAdmin(m)
      const invite = await hubAdmin.post('/api/staff/federation/invites', { name, region, level, validHours: 1 })
      expect((await admin.post('/api/staff/federation/join', { invite: invite.body.invite })).status).toBe(200)
      const ids: string[] = []
      for (const title of titles)
        ids.push((await admin.post('/api/staff/resources', { type: 'book', metadata: { title } })).body.id)
      await twoWeeks(m, ids, scale)
      expect(await m.node.stats.pusher!.pushNow()).toMatchObject({ sent: 14, pending: 0 })
      members.push(m)
    }
    browser = await launch()
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    for (const m of members) await m.close()
    await hub?.close()
  })

  async function signIn(base: string, device: object, path = '/staff/stats'): Promise<Page> {
    const page = await (await browser.newContext({ ...device, userAgent: mobileUa })).newPage()
    await page.goto(`${base}/signin?next=${path}`)
    await page.getByLabel('读者证号 / 手机号 / 用户名 / 身份证号').fill('libadmin')
    await page.getByLabel('密码').fill('county-library-2026')
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(`${base}${path}`)
    return page
  }
  const violations = async (page: Page) =>
    (await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()).violations.map(
      (v) =>
        `${v.id}: ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(' | ')}`,
    )

  it('a library’s dashboard on a phone and a computer', async () => {
    const page = await signIn(members[1]!.node.url, phone)
    await expect.poll(() => page.locator('shulin-trend-chart canvas').count(), { timeout: 15_000 }).toBe(1)
    await expect.poll(() => page.getByRole('heading', { name: '最常用的资源' }).count()).toBe(1)
    const top = page.getByRole('table', { name: '最常用的资源' })
    expect(await top.textContent()).toContain('红楼梦')
    expect(await page.getByRole('table', { name: '无结果的检索' }).textContent()).toContain('三体')
    expect(await page.getByText(/已报送 14 天/).count()).toBe(1)
    await shot(page, 'phone-staff-stats')
    await page.screenshot({ path: 'test-artifacts/screenshots/phone-staff-stats-full.png', fullPage: true })
    expect(await violations(page)).toEqual([])
    // Another range fetches that range's figures.
    const week = page.waitForRequest((r) => r.url().includes('/api/staff/stats/summary?from='))
    await page.getByLabel('时间范围').selectOption('7')
    const from = new URL((await week).url()).searchParams.get('from')!
    expect(Date.parse(new URL((await week).url()).searchParams.get('to')!) - Date.parse(from)).toBe(6 * 86_400_000)
    await expect.poll(() => page.getByRole('heading', { name: '最常用的资源' }).count()).toBe(1)

    const wide = await signIn(members[1]!.node.url, desktop)
    await expect.poll(() => wide.locator('shulin-trend-chart canvas').count(), { timeout: 15_000 }).toBe(1)
    await wide.screenshot({ path: 'test-artifacts/screenshots/desktop-staff-stats.png', fullPage: true })
  }, 60_000)

  it('the nation’s dashboard at the hub, with the members’ indicators, in Chinese and English', async () => {
    const page = await signIn(hub.node.url, desktop)
    await expect.poll(() => page.locator('shulin-trend-chart canvas').count(), { timeout: 15_000 }).toBe(1)
    const rows = page.getByRole('table').filter({ hasText: '得分' }).getByRole('row')
    await expect.poll(() => rows.count()).toBe(3)
    expect(await rows.nth(1).textContent()).toMatch(/杭州图书馆|临安县图书馆/)
    expect(await page.getByRole('table', { name: '最常用的资源' }).textContent()).toContain('红楼梦（杭州图书馆）')
    const national = await (await page.request.get(`${hub.node.url}/api/hub/stats/summary`)).json()
    const sum = (
      await Promise.all(members.map((m) => m.node.stats.service.summary('2000-01-01', '2999-12-31')))
    ).reduce((a, s) => a + s.totals.Total_Item_Requests, 0)
    expect(national.totals.Total_Item_Requests).toBe(sum)
    await page.screenshot({ path: 'test-artifacts/screenshots/desktop-hub-stats.png', fullPage: true })
    expect(await violations(page)).toEqual([])
    const csv = await page.request.get(`${hub.node.url}/api/hub/stats/indicators.csv`)
    expect(csv.headers()['content-type']).toMatch(/text\/csv/)
    expect((await csv.text()).split('\r\n')[0]).toBe(
      '\uFEFFyear,nodeId,name,region,level,status,requests,investigations,searches,signIns,registrations,daysReported,score,lastDay,lastReceivedAt',
    )

    // Another scope fetches that scope's figures; saved weights come back with the members' scores.
    const scoped = page.waitForRequest((r) => r.url().includes('/api/hub/stats/summary?scope=l%3Acounty'))
    await page.locator('shulin-hub-stats #scope').selectOption('l:county')
    await scoped
    await expect.poll(() => page.locator('shulin-hub-stats #scope').inputValue()).toBe('l:county')
    await expect.poll(() => page.locator('shulin-trend-chart canvas').count()).toBe(1)
    const saved = page.waitForResponse(
      (r) => r.url().endsWith('/api/hub/stats/weights') && r.request().method() === 'PUT',
    )
    const again = page.waitForRequest((r) => r.url().endsWith('/api/hub/stats/members'))
    await page.locator('shulin-hub-stats #w-requests').fill('50')
    await page.locator('shulin-hub-stats form.weights button[type=submit]').click()
    expect((await saved).status()).toBe(200)
    await again
    await expect.poll(() => page.locator('shulin-hub-stats #w-requests').inputValue()).toBe('50')
    expect(await page.locator('shulin-hub-stats #scope').inputValue()).toBe('l:county')
    // The hub's own library's figures are one switch away.
    const own = page.waitForRequest((r) => r.url().includes('/api/staff/stats/summary?from='))
    await page.getByRole('button', { name: '本馆', exact: true }).click()
    await own
    await expect.poll(() => page.getByText(/已报送|未加入/).count()).toBeGreaterThan(0)
    await page.getByRole('button', { name: '全国', exact: true }).click()
    await expect.poll(() => page.locator('shulin-hub-stats').count()).toBe(1)

    await page.evaluate(() => localStorage.setItem('shulin.locale', 'en'))
    await page.reload()
    await expect.poll(() => page.locator('shulin-trend-chart canvas').count(), { timeout: 15_000 }).toBe(1)
    expect(await page.getByRole('heading', { name: 'National statistics' }).count()).toBe(1)
    expect(await page.getByRole('heading', { name: 'Most used resources' }).count()).toBe(1)
    await shot(page, 'desktop-hub-stats-en')

    const small = await signIn(hub.node.url, phone)
    await expect.poll(() => small.locator('shulin-trend-chart canvas').count(), { timeout: 15_000 }).toBe(1)
    await shot(small, 'phone-hub-stats')
  }, 60_000)
})
