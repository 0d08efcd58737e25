/**
 * Channels in the staff consoles, in Chromium: a member library's admin finds the hub's
 * channel on the national menu and subscribes (catalogue only), and sees the records arrive;
 * the hub's admin finds the member's submitted channel awaiting review and lists it; a hub's
 * course series shows on the menu as a course channel, first, with what subscribing does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { signedInAdmin, startTempNode, type Client, type TempNode } from '../../node/src/testing/temp-node.js'
import { desktop, hasChromium, launch, phone, reloadUntilShown, shot, signInAsAdmin } from './browser.js'

describe.skipIf(!hasChromium)('channels in the staff consoles', () => {
  let hub: TempNode
  let node: TempNode
  let hubAdmin: Client
  let nodeAdmin: Client
  let browser: Browser
  beforeAll(async () => {
    hub = await startTempNode({ role: 'hub', name: '国家数字图书馆' })
    node = await startTempNode({ name: '临安县图书馆' })
    hubAdmin = await signedInAdmin(hub)
    nodeAdmin = await signedInAdmin(node)
    const invite = await hubAdmin.post<{ invite: string }>('/api/staff/federation/invites', {
      name: '临安县图书馆',
      region: '330185',
      level: 'county',
    })
    expect((await nodeAdmin.post('/api/staff/federation/join', { invite: invite.body.invite })).status).toBe(200)
    browser = await launch()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await node?.close()
    await hub?.close()
  })

  const signIn = (base: string, device = desktop): Promise<Page> =>
    signInAsAdmin(browser, base, '/staff/channels', device)
  const importInto = async (c: Client, channel: string, lines: object[]) =>
    c.post<{ channel: { id: string } }>(
      `/api/staff/resources/import?format=jsonl&channel=${encodeURIComponent(channel)}`,
      Buffer.from(lines.map((l) => JSON.stringify(l)).join('\n')),
      { 'content-type': 'application/x-ndjson' },
    )

  it('subscribe from the menu on a phone; review a submitted channel on the hub', async () => {
    const national = await importInto(
      hubAdmin,
      '国家数字图书馆电子书',
      Array.from({ length: 40 }, (_, i) => ({ title: `中华经典第${i + 1}册`, creators: ['国家图书馆'] })),
    )
    expect(national.status).toBe(200)
    const nationalId = national.body.channel.id
    expect((await hubAdmin.post(`/api/staff/channels/menu/${nationalId}`, { state: 'listed' })).status).toBe(200)

    const n = await signIn(node.node.url, phone)
    const listed = n.getByRole('heading', { name: '国家数字图书馆电子书' })
    await reloadUntilShown(n, listed, { timeoutMs: 45_000 })
    expect(await listed.count()).toBe(1)
    await shot(n, 'phone-channel-menu')
    await n.getByRole('button', { name: '订阅' }).click()
    await expect.poll(() => n.getByRole('status').first().textContent(), { timeout: 10_000 }).toContain('已订阅')
    const arrived = n.getByText('国家数字图书馆电子书 · 仅目录（首次打开时取内容） · 40 条')
    await reloadUntilShown(n, arrived, { timeoutMs: 45_000 })
    expect(await arrived.count()).toBe(1)
    await shot(n, 'phone-channel-subscribed')
    // The search index follows the catalogue a moment later (34 of 40 once, with two test workers).
    await expect
      .poll(
        async () =>
          (await (await fetch(`${node.node.url}/api/search?q=${encodeURIComponent('中华经典')}`)).json()).total,
        { timeout: 20_000, interval: 500 },
      )
      .toBe(40)

    // A reader searches the whole network: the hub's record in no channel is found, marked as
    // held by the hub and not here; the subscribed ones open here.
    const only = await hubAdmin.post<{ id: string }>('/api/staff/resources', {
      type: 'book',
      metadata: { title: '中华经典善本图录', creators: ['国家图书馆'] },
    })
    expect((await hubAdmin.post(`/api/staff/resources/${only.body.id}/publish`)).status).toBe(200)
    const reader = await (await browser.newContext(phone)).newPage()
    await reader.goto(`${node.node.url}/search?q=${encodeURIComponent('经典善本')}`)
    await expect.poll(() => reader.getByRole('status').first().textContent()).toContain('0')
    await reader.getByRole('button', { name: '全国联盟' }).click()
    await expect.poll(() => reader.getByText('收藏于中心节点，本馆尚未订阅').count(), { timeout: 10_000 }).toBe(1)
    await expect.poll(() => reader.getByRole('status').first().textContent()).toContain('1')
    expect(await reader.getByRole('link', { name: /善本图录/ }).count()).toBe(0) // not held here: nothing to open
    await shot(reader, 'phone-search-network')

    // The member's local collection goes to the hub for review; the hub's admin lists it.
    const local = await importInto(nodeAdmin, '临安地方文献', [
      { title: '临安县志', creators: ['临安县志编纂委员会'], subjects: ['地方志'] },
    ])
    await n.reload()
    await n.getByRole('button', { name: '提交审核' }).click()
    await expect
      .poll(() => n.getByRole('status').first().textContent(), { timeout: 10_000 })
      .toContain('提交中心节点审核')

    const h = await signIn(hub.node.url)
    const submitted = h.getByRole('heading', { name: '临安地方文献' })
    await reloadUntilShown(h, submitted, { timeoutMs: 45_000 })
    expect(await submitted.count()).toBe(1)
    await shot(h, 'desktop-hub-channel-review')
    await h.getByRole('button', { name: '列入目录' }).click()
    await expect.poll(() => h.getByRole('status').first().textContent(), { timeout: 10_000 }).toContain('已列入目录')
    await shot(h, 'desktop-hub-channel-menu')
    const menu = await (await fetch(`${hub.node.url}/api/channels/menu`)).json()
    expect(menu.menu.map((m: { channel: string }) => m.channel).sort()).toEqual(
      [nationalId, local.body.channel.id].sort(),
    )
  }, 180_000)

  it('a hub’s course series is on the menu as a course channel, first', async () => {
    const course = await hubAdmin.post<{ id: string }>('/api/courses', { title: '宋词十讲', series: '中华诗词' })
    expect((await hubAdmin.post(`/api/courses/${course.body.id}/publish`)).status).toBe(200)
    const series = await hubAdmin.post<{ id: string }>('/api/staff/channels', { name: '中华诗词' })
    expect(
      (await hubAdmin.post(`/api/staff/channels/${series.body.id}/records`, { ids: [course.body.id] })).body,
    ).toEqual({ added: 1 })
    expect((await hubAdmin.post(`/api/staff/channels/menu/${series.body.id}`, { state: 'listed' })).status).toBe(200)

    const n = await signIn(node.node.url)
    const courseSeries = n.getByRole('heading', { name: '公开课 中华诗词' })
    await reloadUntilShown(n, courseSeries, { timeoutMs: 45_000 })
    expect(await courseSeries.count()).toBe(1)
    const menu = n.locator('section[aria-labelledby="menu"] h3')
    expect(await menu.first().textContent()).toContain('中华诗词')
    expect(await n.getByText('公开课专题：订阅后各门课程和讲座进入本馆的公开课').count()).toBe(1)
    await shot(n, 'desktop-channel-menu-courses')
  }, 120_000)
})
