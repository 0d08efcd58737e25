/**
 * Debian's Chromium for the browser tests, driven by playwright-core (which never downloads a
 * browser of its own). Screenshots go to test-artifacts/screenshots/.
 */
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContextOptions, type Locator, type Page } from 'playwright-core'

export const chromiumPath = '/usr/bin/chromium'
export const hasChromium = existsSync(chromiumPath)
export const screenshotDir = join(process.cwd(), 'test-artifacts', 'screenshots')

/** `args`: more Chromium switches (a fake microphone and camera for the recorder's test). */
export async function launch(args: string[] = []): Promise<Browser> {
  await mkdir(screenshotDir, { recursive: true })
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...args,
    ],
  })
}

export const phone = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
  locale: 'zh-CN',
}
export const desktop = { viewport: { width: 1280, height: 800 }, locale: 'zh-CN' }

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(screenshotDir, `${name}.png`) })
}

/** Signs the temp node's first admin (`signedInAdmin`'s credentials) in through the sign-in page, landing on `next`. */
export async function signInAsAdmin(
  browser: Browser,
  base: string,
  next: string,
  device: BrowserContextOptions = desktop,
): Promise<Page> {
  const page = await (await browser.newContext(device)).newPage()
  await page.goto(`${base}/signin?next=${encodeURIComponent(next)}`)
  await page.getByLabel('读者证号 / 手机号 / 用户名 / 身份证号').fill('libadmin')
  await page.getByLabel('密码').fill('county-library-2026')
  await page.getByRole('button', { name: '登录' }).click()
  await page.waitForURL(`${base}${next}`)
  return page
}

/**
 * Reloads `page` until `target` shows, for what another node sends between loads. Each load is
 * given up to `settleMs` for its data to arrive and render before it is reloaded: a count taken
 * the moment the load event fires sees a page still fetching, and reloading every second then
 * threw away pages that were about to show it (the channel menu took 13–32 s to be seen that
 * way on a quiet machine, and did not show within 45 s in one CI run, where the API had it
 * within 4 s).
 */
export async function reloadUntilShown(
  page: Page,
  target: Locator,
  { timeoutMs, settleMs = 5_000 }: { timeoutMs: number; settleMs?: number },
): Promise<void> {
  const end = Date.now() + timeoutMs
  for (;;) {
    await page.reload()
    try {
      await target.first().waitFor({ state: 'visible', timeout: Math.max(1, Math.min(settleMs, end - Date.now())) })
      return
    } catch (err) {
      if (Date.now() >= end) throw new Error(`${target.toString()} did not show within ${timeoutMs} ms`, { cause: err })
    }
  }
}
