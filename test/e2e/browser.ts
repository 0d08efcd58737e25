/**
 * Debian's Chromium for the browser tests, driven by playwright-core (which never downloads a
 * browser of its own). Screenshots go to test-artifacts/screenshots/.
 */
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core'

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
