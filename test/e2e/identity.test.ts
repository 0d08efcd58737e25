/**
 * Unified identity across processes, in Chromium: a hub and two libraries each run as their
 * own `shulin start`; a reader registered at 临安县图书馆 (A) picks A on 东莞市图书馆's (B)
 * sign-in page, signs in at A, comes back signed in at B, opens a "member readers" book there
 * and is refused a "this library's readers only" one; then does the same on the hub's portal;
 * sees both at home and ends one; and loses B when the hub suspends A. The full cross-node
 * sign-in is timed in the browser and printed.
 */
import { fileURLToPath } from 'node:url'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import AxeBuilder from '@axe-core/playwright'
import { Client } from '../../node/src/testing/temp-node.js'
import { pdf } from '../../node/src/testing/fixtures.js'
import { desktop, hasChromium, launch, phone, shot, signInAsAdmin } from './browser.js'
import { killAll, run, start, type Started } from './processes.js'
import './identity-loopback-names.mjs'
import { freePort } from '../../node/src/testing/free-port.js'

const password = 'reading-is-fun-2026'
const json = async (url: string) => (await fetch(url)).json()
const loopbackNames = fileURLToPath(new URL('./identity-loopback-names.mjs', import.meta.url))

/** Starts a node under its own host name (`<name>.localhost`): cookies ignore ports. */
async function startNamed(host: string, args: string[], env: Record<string, string>): Promise<Started> {
  const port = await freePort()
  const node = await start(['--port', String(port), '--public-url', `http://${host}.localhost:${port}`, ...args], {
    ...env,
    NODE_OPTIONS: `--import=${loopbackNames}`,
  })
  return { ...node, url: `http://${host}.localhost:${port}` }
}

/** Polls until `ok` holds (expect.poll works only inside a test, not in beforeAll). */
async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms: number): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await read()
    if (ok(v) || Date.now() > deadline) return v
    await new Promise((r) => setTimeout(r, 250))
  }
}

describe.skipIf(!hasChromium)('unified identity across a hub and two libraries', () => {
  let work: string
  let hub: Started
  let a: Started
  let b: Started
  let ids: { hub: string; a: string; b: string }
  let browser: Browser
  const books: Record<'member' | 'local', string> = { member: '', local: '' }

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'shulin-e2e-identity-'))
    // Visitors are re-checked with their home every 2 s here (5 minutes by default).
    // and the hub pulls the phone directory every second (a minute by default).
    const env = { SHULIN_VISITOR_CHECK_SECONDS: '2', SHULIN_DIRECTORY_PULL_SECONDS: '1', SHULIN_LOG_LEVEL: 'warn' }
    hub = await startNamed('hub', ['--data', join(work, 'hub'), '--role', 'hub', '--name', '国家数字图书馆'], env)
    a = await startNamed('a', ['--data', join(work, 'a'), '--name', '临安县图书馆'], env)
    b = await startNamed('b', ['--data', join(work, 'b'), '--name', '东莞市图书馆'], env)
    // A reader of A, registered before A joins: the hub's first pull of A's counts includes them.
    const reader = new Client(a.url)
    expect((await reader.post('/api/auth/register', { mode: 'quick', phone: '13800138000', password })).status).toBe(
      201,
    )
    for (const [data, name, region] of [
      ['a', '临安县图书馆', '330185'],
      ['b', '东莞市图书馆', '441900'],
    ] as const) {
      const invite = await run([
        'invite',
        '--data',
        join(work, 'hub'),
        '--name',
        name,
        '--region',
        region,
        '--level',
        data === 'a' ? 'county' : 'city',
      ])
      expect(invite.code, invite.stderr).toBe(0)
      const joined = await run(['join', invite.stdout.trim(), '--data', join(work, data)])
      expect(joined.code, joined.stderr).toBe(0)
    }
    ids = {
      hub: (await json(`${hub.url}/api/health`)).nodeId,
      a: (await json(`${a.url}/api/health`)).nodeId,
      b: (await json(`${b.url}/api/health`)).nodeId,
    }
    // B learns of A (which joined first) at its next registry pull.
    const names = async () =>
      (await json(`${b.url}/api/identity/libraries`)).libraries.map((l: { name: string }) => l.name) as string[]
    expect(await until(names, (n) => n.includes('临安县图书馆'), 15_000)).toContain('临安县图书馆')

    // Two books at B: one for readers of any member library, one for B's own readers.
    expect(
      (
        await run([
          'admin',
          'create',
          '--data',
          join(work, 'b'),
          '--username',
          'libadmin',
          '--password',
          'county-library-2026',
        ])
      ).code,
    ).toBe(0)
    const staff = new Client(b.url)
    expect(
      (await staff.post('/api/auth/login', { identifier: 'libadmin', password: 'county-library-2026' })).status,
    ).toBe(200)
    for (const [which, access, title] of [
      ['member', 'member-readers', '全国共享：四库全书总目'],
      ['local', 'node-readers', '本馆专享：东莞地方志'],
    ] as const) {
      const id = (await staff.post('/api/staff/resources', { type: 'book', metadata: { title }, access })).body
        .id as string
      expect(
        (await staff.put(`/api/staff/resources/${id}/files/content`, pdf(2), { 'content-type': 'application/pdf' }))
          .status,
      ).toBe(200)
      expect((await staff.post(`/api/staff/resources/${id}/publish`)).status).toBe(200)
      books[which] = id
    }
    expect(
      (
        await run([
          'admin',
          'create',
          '--data',
          join(work, 'a'),
          '--username',
          'libadmin',
          '--password',
          'county-library-2026',
        ])
      ).code,
    ).toBe(0)
    expect(
      (
        await run([
          'admin',
          'create',
          '--data',
          join(work, 'hub'),
          '--username',
          'libadmin',
          '--password',
          'county-library-2026',
        ])
      ).code,
    ).toBe(0)
    browser = await launch()
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await killAll()
    if (work) await rm(work, { recursive: true, force: true })
  })

  /** From a library's sign-in page, through the reader's home library and back. */
  async function signInThroughHome(
    page: Page,
    at: string,
    next: string,
    query: string,
    screenshots: string,
  ): Promise<number> {
    await page.goto(`${at}/signin?next=${encodeURIComponent(next)}`)
    await page.getByRole('button', { name: '其他图书馆的读者？' }).click()
    await page.getByLabel('查找您的图书馆（馆名、行政区划代码或拼音）').fill(query)
    const pick = page.getByRole('button', { name: /临安县图书馆/ })
    await expect.poll(() => pick.count()).toBe(1)
    await pick.scrollIntoViewIfNeeded()
    await shot(page, `${screenshots}-picker`)
    expect(await axe(page)).toEqual([])
    const t0 = performance.now()
    await pick.click()
    await page.waitForURL(`${a.url}/signin?next=**`)
    await page.getByLabel('读者证号 / 手机号 / 用户名 / 身份证号').fill('13800138000')
    await page.getByLabel('密码').fill(password)
    await shot(page, `${screenshots}-home-sign-in`)
    await page.getByRole('button', { name: '登录', exact: true }).click()
    await page.waitForURL(`${at}${next}`)
    return performance.now() - t0
  }

  /** Runs a browser story; a failure says where the page was (and leaves a screenshot). */
  async function explained(page: Page, story: () => Promise<void>): Promise<void> {
    try {
      await story()
    } catch (err) {
      await shot(page, 'identity-failure').catch(() => {})
      throw new Error(`${(err as Error).message}\n(page at ${page.url()})`, { cause: err })
    }
  }

  /** WCAG 2.1 A/AA problems axe finds on the page as it is now (the open picker, the lists). */
  async function axe(page: Page): Promise<string[]> {
    const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()
    return r.violations.map(
      (v) =>
        `${v.id}: ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(' | ')}`,
    )
  }

  /** What the page's own session may open (the browser's cookie, the browser's fetch). */
  const status = (page: Page, path: string) => page.evaluate(async (p) => (await fetch(p)).status, path)

  it('a reader of A signs in at B and on the hub portal, and sees member books but not B-only ones', async () => {
    const page = await (await browser.newContext(phone)).newPage()
    await explained(page, async () => {
      const ms = await signInThroughHome(page, b.url, `/r/${books.member}`, 'linan', 'phone-identity-b')
      await expect
        .poll(() => page.getByRole('heading', { name: '全国共享：四库全书总目' }).count(), { timeout: 10_000 })
        .toBe(1)
      await shot(page, 'phone-identity-b-signed-in')
      console.log(`cross-node sign-in (B → A's sign-in page → back at B, in Chromium): ${ms.toFixed(0)} ms`)
      expect(ms).toBeLessThan(15_000)

      const me = await page.evaluate(async () => (await fetch('/api/me')).json())
      expect(me.account).toMatchObject({
        kind: 'reader',
        hasPassword: false,
        home: { nodeId: ids.a, name: '临安县图书馆', federatedId: expect.stringMatching(new RegExp(`@${ids.a}$`)) },
      })
      expect(await status(page, `/api/resources/${books.member}/content`)).toBe(200)
      expect(await status(page, `/api/resources/${books.local}/content`)).toBe(403)
      // The page of the B-only book says so instead of offering to read it.
      await page.goto(`${b.url}/r/${books.local}`)
      await expect
        .poll(() => page.getByRole('note').textContent(), { timeout: 10_000 })
        .toContain('本书仅限本馆读者阅读')
      expect(await page.getByRole('button', { name: '阅读' }).count()).toBe(0)
      await shot(page, 'phone-identity-b-node-only-book')

      // The hub's portal: same reader, same home; A already knows the browser, so no password again.
      const t0 = performance.now()
      await page.goto(`${hub.url}/signin?next=/me`)
      await page.getByRole('button', { name: '其他图书馆的读者？' }).click()
      await page.getByLabel('查找您的图书馆（馆名、行政区划代码或拼音）').fill('330185')
      await page.getByRole('button', { name: /临安县图书馆/ }).click()
      await page.waitForURL(`${hub.url}/me`)
      console.log(`hub portal sign-in with the home session already open: ${(performance.now() - t0).toFixed(0)} ms`)
      await expect.poll(() => page.getByText('临安县图书馆的读者').count(), { timeout: 10_000 }).toBe(1)
      await shot(page, 'phone-identity-hub-signed-in')

      // At home the reader sees both and ends the hub one; the hub signs them out at its next check.
      await page.goto(`${a.url}/me`)
      const list = page.getByRole('region', { name: '在其他图书馆的登录' })
      await expect.poll(() => list.getByRole('listitem').count(), { timeout: 10_000 }).toBe(2)
      await shot(page, 'phone-identity-home-elsewhere')
      expect(await axe(page)).toEqual([])
      // The reader agrees to be found by phone number anywhere in the network (the phone route below).
      await page.getByLabel('允许在其他图书馆凭手机号找到本馆（只提交手机号的加密摘要，不提交号码本身）').check()
      await expect
        .poll(async () => (await page.evaluate(async () => (await fetch('/api/me/identity/directory')).json())).listed)
        .toBe(true)
      await list.getByRole('button', { name: '退出该馆: 中心门户' }).click()
      // Like its neighbours: a request and a re-render take more than a second on a loaded machine.
      await expect.poll(() => list.getByRole('listitem').count(), { timeout: 10_000 }).toBe(1)
      await page.goto(`${hub.url}/`)
      await expect.poll(async () => status(page, '/api/me'), { timeout: 10_000, interval: 250 }).toBe(401)
      await page.goto(`${b.url}/`)
      expect(await status(page, '/api/me')).toBe(200)

      // A's librarian disables the reader: B signs them out at its next check with A (2 s here).
      const librarian = new Client(a.url)
      expect(
        (await librarian.post('/api/auth/login', { identifier: 'libadmin', password: 'county-library-2026' })).status,
      ).toBe(200)
      const readerId = (await librarian.get('/api/staff/readers?q=13800138000')).body.readers[0].id as string
      expect((await librarian.post(`/api/staff/readers/${readerId}/disable`)).status).toBe(200)
      const t2 = Date.now()
      await expect.poll(async () => status(page, '/api/me'), { timeout: 10_000, interval: 200 }).toBe(401)
      console.log(
        `visiting session ended ${Date.now() - t2} ms after the home library disabled the reader (check every 2 s)`,
      )
      expect((await librarian.post(`/api/staff/readers/${readerId}/enable`)).status).toBe(200)
      await signInThroughHome(page, b.url, '/me', 'linan', 'phone-identity-b-again')

      // The hub suspends A: B refuses A's readers within 10 s of the change.
      const suspended = await run(['member', 'suspend', ids.a, '--data', join(work, 'hub')])
      expect(suspended.code, suspended.stderr).toBe(0)
      const t1 = Date.now()
      await expect.poll(async () => status(page, '/api/me'), { timeout: 10_000, interval: 200 }).toBe(401)
      console.log(`visiting session refused ${Date.now() - t1} ms after the hub suspended the home library`)
      expect(Date.now() - t1).toBeLessThan(10_000)
      expect((await run(['member', 'reinstate', ids.a, '--data', join(work, 'hub')])).code).toBe(0)
    })
  }, 120_000)

  it('desktop English: the picker finds a library by pinyin initials', async () => {
    const ctx = await browser.newContext({ ...desktop, locale: 'en' })
    const page = await ctx.newPage()
    await page.addInitScript(() => localStorage.setItem('shulin.locale', 'en'))
    // A was suspended and reinstated just before: B hears of it at its next registry pull.
    const names = async () =>
      (await json(`${b.url}/api/identity/libraries`)).libraries.map((l: { name: string }) => l.name) as string[]
    expect(await until(names, (n) => n.includes('临安县图书馆'), 15_000)).toContain('临安县图书馆')
    await page.goto(`${b.url}/signin`)
    await page.getByRole('button', { name: 'Reader of another library?' }).click()
    await page.getByLabel('Find your library (name, region code or pinyin)').fill('lax')
    await expect.poll(() => page.getByRole('button', { name: /临安县图书馆/ }).count(), { timeout: 10_000 }).toBe(1)
    await expect.poll(() => page.getByRole('status').first().textContent()).toMatch(/Libraries found: 1/)
    await shot(page, 'desktop-identity-picker-en')
    expect(await axe(page)).toEqual([])
  }, 60_000)

  it('the phone route finds the home library, and the hub counts readers without knowing them', async () => {
    const hubStaff = new Client(hub.url)
    expect(
      (await hubStaff.post('/api/auth/login', { identifier: 'libadmin', password: 'county-library-2026' })).status,
    ).toBe(200)
    const view = async () => (await hubStaff.get('/api/staff/identity/readers')).body
    const counted = await until(
      view,
      (v) => v.libraries?.some((l: { name: string }) => l.name === '临安县图书馆'),
      15_000,
    )
    expect(counted.libraries.find((l: { name: string }) => l.name === '临安县图书馆')).toMatchObject({
      nodeId: ids.a,
      region: '330185',
      registered: 1,
      realNameVerified: 0,
    })
    expect(counted.regions.map((r: { region: string }) => r.region)).toEqual(['330185', '441900'])
    expect(JSON.stringify(counted)).not.toContain('13800138000')
    // The same figures in the hub's staff console (readers tab), as tables.
    const console = await signInAsAdmin(browser, hub.url, '/staff/readers', phone)
    const row = console.getByRole('row', { name: /临安县图书馆/ })
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1)
    expect(await row.getByRole('cell').first().textContent()).toBe('1')
    await shot(console, 'phone-identity-hub-readers')
    expect(await axe(console)).toEqual([])

    const names = async () =>
      (await json(`${b.url}/api/identity/libraries`)).libraries.map((l: { name: string }) => l.name) as string[]
    expect(await until(names, (n) => n.includes('临安县图书馆'), 15_000)).toContain('临安县图书馆')
    const page = await (await browser.newContext(phone)).newPage()
    await explained(page, async () => {
      await page.goto(`${b.url}/signin?next=/me`)
      await page.getByRole('button', { name: '其他图书馆的读者？' }).click()
      await page.getByLabel('或输入手机号，找到您的图书馆').fill('138 0013 8000')
      await page.getByRole('button', { name: '查找', exact: true }).click()
      await page.waitForURL(`${a.url}/signin?next=**`)
      await shot(page, 'phone-identity-phone-route-home')
      // A number nobody listed: said so on the page, and nothing else.
      await page.goto(`${b.url}/signin`)
      await page.getByRole('button', { name: '其他图书馆的读者？' }).click()
      await page.getByLabel('或输入手机号，找到您的图书馆').fill('13900139000')
      await page.getByRole('button', { name: '查找', exact: true }).click()
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('找不到该读者所在的图书馆')
      await shot(page, 'phone-identity-phone-route-unknown')
      // A callback nobody started (a replayed or forged link): back on the sign-in page, told so.
      await page.goto(`${b.url}/oidc/callback?state=${'s'.repeat(43)}&code=${'c'.repeat(43)}&iss=${ids.a}`)
      await page.waitForURL(`${b.url}/signin?elsewhere=failed`)
      await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('未能通过您所在的图书馆登录')
      expect(await status(page, '/api/me')).toBe(401)
    })
  }, 60_000)
})
