/**
 * The network in the consoles, in Chromium: the hub's admin invites a library, that library's
 * admin pastes the invite and joins, the hub sees the member and suspends it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { signedInAdmin, startTempNode, type TempNode } from '../../node/src/testing/temp-node.js'
import { hasChromium, launch, shot, signInAsAdmin } from './browser.js'

describe.skipIf(!hasChromium)('network in the staff consoles', () => {
  let hub: TempNode
  let node: TempNode
  let browser: Browser
  beforeAll(async () => {
    hub = await startTempNode({ role: 'hub', name: '国家数字图书馆' })
    node = await startTempNode({ name: '临安县图书馆' })
    await signedInAdmin(hub)
    await signedInAdmin(node)
    browser = await launch()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await node?.close()
    await hub?.close()
  })

  const signIn = (base: string): Promise<Page> => signInAsAdmin(browser, base, '/staff/network')

  it('invite on the hub, join on the node, suspend on the hub', async () => {
    const h = await signIn(hub.node.url)
    await h.getByRole('textbox', { name: '馆名' }).fill('临安县图书馆')
    await h.getByLabel('行政区划代码（6 位）').fill('330185')
    await h.getByRole('button', { name: '新建' }).click()
    const invite = h.locator('#i-out')
    await expect.poll(() => invite.inputValue(), { timeout: 10_000 }).toMatch(/^shulin-invite:/)
    const token = await invite.inputValue()
    await shot(h, 'desktop-hub-invite')

    const n = await signIn(node.node.url)
    await n.getByLabel('粘贴中心节点发来的邀请码').fill(token)
    await n.getByRole('button', { name: '加入网络' }).click()
    await expect.poll(() => n.getByRole('status').first().textContent(), { timeout: 15_000 }).toMatch(/已加入/)
    await expect.poll(() => n.locator('dl').textContent()).toContain(hub.node.nodeId)
    await shot(n, 'desktop-node-network')

    await h.reload()
    const row = h.getByRole('row', { name: /临安县图书馆/ })
    await expect.poll(() => row.count()).toBe(1)
    await row.getByRole('button', { name: '暂停' }).click()
    await expect.poll(() => h.getByRole('row', { name: /临安县图书馆/ }).textContent()).toContain('已暂停')
    await shot(h, 'desktop-hub-members')
    const members = await (await fetch(`${hub.node.url}/api/federation/members`)).json()
    expect(members.members[0]).toMatchObject({ name: '临安县图书馆', status: 'suspended', seq: 2 })
  }, 90_000)
})
