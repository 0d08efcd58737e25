/**
 * The console's SUSHI credentials in Chromium: a librarian names a harvester, copies the three
 * values shown once, the harvester gets a 5.1 report with them, and a revoke in the console
 * shuts it out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { signedInAdmin, startTempNode, type TempNode } from '../../node/src/testing/temp-node.js'
import { hasChromium, launch, shot, signInAsAdmin } from './browser.js'

describe.skipIf(!hasChromium)('SUSHI credentials in the console', () => {
  let t: TempNode
  let browser: Browser

  beforeAll(async () => {
    t = await startTempNode()
    await signedInAdmin(t)
    browser = await launch()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  it('makes a credential a harvester can use, and revokes it', { timeout: 60_000 }, async () => {
    const page = await signInAsAdmin(browser, t.node.url, '/staff/stats')
    await page.getByRole('heading', { name: 'SUSHI 采集凭据' }).waitFor()
    await page.getByLabel('采集方名称').fill('浙江省图书馆 ERM')
    await page.getByRole('button', { name: '生成凭据' }).click()
    const made = page.getByRole('status').filter({ hasText: 'api_key 只显示这一次' })
    await made.waitFor()
    const values = await made.locator('dd code').allTextContents()
    expect(values).toHaveLength(4)
    const [url, customer_id, requestor_id, api_key] = values as [string, string, string, string]
    expect(url).toBe(`${t.node.url}/sushi/r51`)
    await page.getByRole('cell', { name: '浙江省图书馆 ERM' }).waitFor()
    await shot(page, 'sushi-credentials-desktop')

    const month = new Date().toISOString().slice(0, 7)
    const harvest = () =>
      fetch(
        `${url}/reports/pr?${new URLSearchParams({ customer_id, requestor_id, api_key, begin_date: month, end_date: month })}`,
      )
    const ok = await harvest()
    expect(ok.status).toBe(200)
    expect(((await ok.json()) as { Report_Header: { Release: string } }).Report_Header.Release).toBe('5.1')

    page.once('dialog', (d) => void d.accept())
    await page.getByRole('button', { name: '撤销' }).click()
    await page.getByText('还没有凭据。').waitFor()
    const refused = await harvest()
    expect(refused.status).toBe(401)
    expect(((await refused.json()) as { Code: number }).Code).toBe(2000)
  })
})
