/**
 * The staff console's settings in real Chromium: an admin renames the library, gives its
 * contact and logo, and the header changes at once (no reload, no restart) — and for a reader
 * opening the portal afterwards; a bad public URL is refused under its field; "back up now"
 * shows the result. A librarian sees the form read-only. Screenshots at 390×844 and 1280×800
 * in test-artifacts/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { signedInAdmin, startTempNode, tempDir, type Client, type TempNode } from '../../node/src/testing/temp-node.js'
import { hasChromium, launch, phone, shot, signInAsAdmin } from './browser.js'

describe.skipIf(!hasChromium)('console settings in Chromium', () => {
  let t: TempNode
  let staff: Client
  let browser: Browser

  beforeAll(async () => {
    t = await startTempNode({ name: '临安县图书馆', backupDir: `${await tempDir('shulin-ui-backups-')}/b` })
    staff = await signedInAdmin(t)
    browser = await launch()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  it('an admin renames the library and the header follows at once; a bad URL is refused under its field; back up now', async () => {
    const page = await signInAsAdmin(browser, t.node.url, '/staff/node')
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await expect.poll(() => page.locator('header .brand').innerText()).toBe('临安县图书馆')
    await expect.poll(() => page.getByRole('heading', { name: '本馆信息' }).count()).toBe(1)
    await shot(page, 'desktop-staff-settings-before')

    await page.getByLabel('馆名').fill('临安区图书馆')
    await page.getByLabel('联系方式').fill('0571-63700000')
    await page.getByLabel('馆标图片地址').fill('/icon.svg')
    await page.getByRole('region', { name: '本馆信息' }).getByRole('button', { name: '保存' }).click()
    await expect.poll(() => page.getByText('已保存，已生效。').count()).toBe(1)
    // The header, outside the settings page, changed without a reload.
    await expect.poll(() => page.locator('header .brand').innerText()).toBe('临安区图书馆')
    expect(await page.locator('header .brand img').getAttribute('src')).toBe('/icon.svg')
    await expect.poll(() => page.title()).toBe('管理后台 · 临安区图书馆')
    await shot(page, 'desktop-staff-settings-saved')

    await page.getByLabel('对外地址').fill('ftp://lib.example')
    await page.getByRole('region', { name: '本馆信息' }).getByRole('button', { name: '保存' }).click()
    await expect.poll(() => page.locator('.field-error').count()).toBeGreaterThan(0)
    await shot(page, 'desktop-staff-settings-bad-url')
    expect((await staff.get('/api/library')).body.publicUrl).toBeNull()
    await page.getByLabel('对外地址').fill('')

    await page.getByRole('button', { name: '立即备份' }).click()
    await expect.poll(() => page.getByText(/^成功: .*shulin-backup-.*\.gz$/).count(), { timeout: 20_000 }).toBe(1)
    await expect.poll(() => page.locator('shulin-staff-backups code').count()).toBeGreaterThan(0)
    await shot(page, 'desktop-staff-settings-backup')
    expect(errors).toEqual([])

    // A reader opening the portal on a phone sees the new name.
    const reader = await (await browser.newContext(phone)).newPage()
    await reader.goto(t.node.url + '/')
    await expect.poll(() => reader.locator('header .brand').innerText()).toBe('临安区图书馆')
    await shot(reader, 'phone-home-renamed')
    const manifest = await (await fetch(t.node.url + '/manifest.webmanifest')).json()
    expect(manifest.name).toBe('临安区图书馆')
  }, 60_000)

  it('a librarian sees the profile read-only and no back-up button', async () => {
    expect(
      (
        await staff.post('/api/staff/accounts', {
          username: 'librarian1',
          password: 'librarian-pass-2026',
          role: 'librarian',
        })
      ).status,
    ).toBe(201)
    const page = await (await browser.newContext(phone)).newPage()
    await page.goto(`${t.node.url}/signin?next=${encodeURIComponent('/staff/node')}`)
    await page.getByLabel('读者证号 / 手机号 / 用户名 / 身份证号').fill('librarian1')
    await page.getByLabel('密码').fill('librarian-pass-2026')
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(`${t.node.url}/staff/node`)
    await expect.poll(() => page.getByText('只有管理员可以修改。').count()).toBe(1)
    expect(await page.getByLabel('馆名').getAttribute('readonly')).not.toBeNull()
    expect(await page.getByRole('button', { name: '保存' }).count()).toBe(0)
    expect(await page.getByRole('button', { name: '立即备份' }).count()).toBe(0)
    await shot(page, 'phone-staff-settings-librarian')
  }, 60_000)

  it('a member whose hub runs a newer Shulin shows the notice in its console', async () => {
    const hub = await startTempNode({ role: 'hub', name: '国家数字图书馆' }, { version: '0.3.0' })
    const member = await startTempNode({ name: '富阳区图书馆' }, { version: '0.2.1' })
    try {
      const invite = await (
        await signedInAdmin(hub)
      ).post('/api/staff/federation/invites', {
        name: '富阳区图书馆',
        region: '330111',
        level: 'county',
        validHours: 1,
      })
      const memberAdmin = await signedInAdmin(member)
      expect((await memberAdmin.post('/api/staff/federation/join', { invite: invite.body.invite })).status).toBe(200)
      // The console's look asks the hub in the background when its version is unknown.
      await expect
        .poll(async () => (await memberAdmin.get('/api/staff/node')).body.newerVersion, {
          timeout: 20_000,
          interval: 500,
        })
        .toBe('0.3.0')
      const page = await signInAsAdmin(browser, member.node.url, '/staff/node')
      await expect
        .poll(() => page.getByText('有新版本 0.3.0（本馆 0.2.1）', { exact: false }).count(), { timeout: 10_000 })
        .toBe(1)
      await shot(page, 'desktop-staff-newer-version')
    } finally {
      await member.close()
      await hub.close()
    }
  }, 90_000)
})
