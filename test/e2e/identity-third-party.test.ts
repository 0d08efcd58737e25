/**
 * Third-party sign-in against a real OpenID provider (`oidc-provider`, started here as QQ
 * would be), in Chromium: a newcomer signs in with the provider and gets a quick account; a
 * reader already registered links the provider to their account from their page and from then
 * on signs in with it; a callback with a made-up state is refused.
 */
import { createServer, type Server } from 'node:http'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import Provider from 'oidc-provider'
import type { Browser, Page } from 'playwright-core'
import { startTempNode, type TempNode } from '../../node/src/testing/temp-node.js'
import { hasChromium, launch, phone, shot } from './browser.js'
import { freePort } from '../../node/src/testing/free-port.js'

describe.skipIf(!hasChromium)('third-party sign-in with a real OpenID provider', () => {
  let work: string
  let idp: Server
  let node: TempNode
  let browser: Browser
  let base: string

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'shulin-e2e-3p-'))
    const [idpPort, nodePort] = [await freePort(), await freePort()]
    const issuer = `http://127.0.0.1:${idpPort}`
    base = `http://127.0.0.1:${nodePort}`
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: 'shulin-county',
          client_secret: 'a-long-enough-client-secret-for-tests',
          redirect_uris: [`${base}/oidc/external/callback`],
          token_endpoint_auth_method: 'client_secret_post',
        },
      ],
      async findAccount(_ctx, sub) {
        return { accountId: sub, claims: async () => ({ sub, name: `QQ 读者 ${sub}` }) }
      },
      claims: { openid: ['sub'], profile: ['name'] },
      features: { devInteractions: { enabled: true } },
      cookies: { keys: ['third-party-test-cookie-key'] },
    })
    idp = createServer(provider.callback())
    await new Promise<void>((r) => idp.listen(idpPort, '127.0.0.1', r))
    const providers = join(work, 'providers.json')
    await writeFile(
      providers,
      JSON.stringify([
        {
          id: 'qq',
          name: 'QQ',
          issuer,
          clientId: 'shulin-county',
          clientSecret: 'a-long-enough-client-secret-for-tests',
          allowHttp: true,
        },
      ]),
    )
    node = await startTempNode({ port: nodePort, oidcProviders: providers })
    browser = await launch()
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await node?.close()
    await new Promise((r) => idp?.close(r))
    if (work) await rm(work, { recursive: true, force: true })
  })

  /** The provider's own (development) login and consent pages. */
  async function atProvider(page: Page, login: string, screenshot?: string): Promise<void> {
    await page.waitForURL(/\/interaction\//)
    await page.locator('input[name="login"]').fill(login)
    await page.locator('input[name="password"]').fill('anything')
    if (screenshot) await shot(page, screenshot)
    await page.getByRole('button', { name: 'Sign-in' }).click()
    await page.getByRole('button', { name: 'Continue' }).click()
  }

  it('a newcomer signs in with the provider and gets a quick account', async () => {
    const page = await (await browser.newContext(phone)).newPage()
    await page.goto(`${base}/signin?next=/me`)
    await page.getByRole('button', { name: '使用 QQ 登录' }).click()
    await atProvider(page, 'qq-10001', 'phone-third-party-provider')
    await page.waitForURL(`${base}/me`)
    await expect
      .poll(() => page.getByRole('heading', { name: 'QQ 读者 qq-10001' }).count(), { timeout: 10_000 })
      .toBe(1)
    await shot(page, 'phone-third-party-signed-in')
    const me = await page.evaluate(async () => (await fetch('/api/me')).json())
    expect(me.account).toMatchObject({
      kind: 'reader',
      name: 'QQ 读者 qq-10001',
      hasPassword: false,
      cardNo: expect.stringMatching(/^8\d{9}$/),
    })
    // Again later: the same reader, not a second account.
    await page.evaluate(
      async (csrf) => fetch('/api/auth/logout', { method: 'POST', headers: { 'x-csrf-token': csrf } }),
      me.session.csrfToken,
    )
    await page.goto(`${base}/signin?next=/me`)
    await page.getByRole('button', { name: '使用 QQ 登录' }).click()
    await page.waitForURL(`${base}/me`)
    expect((await page.evaluate(async () => (await fetch('/api/me')).json())).account.id).toBe(me.account.id)
  }, 60_000)

  it('a registered reader links the provider from their page, then signs in with it', async () => {
    const ctx = await browser.newContext(phone)
    const page = await ctx.newPage()
    await page.goto(`${base}/`)
    const reg = await page.evaluate(async () =>
      (
        await fetch('/api/auth/register', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ mode: 'quick', phone: '13800138000', password: 'reading-is-fun-2026' }),
        })
      ).json(),
    )
    await page.goto(`${base}/me`)
    await page.getByRole('button', { name: '绑定 QQ' }).click()
    await atProvider(page, 'qq-20002')
    await page.waitForURL(`${base}/me`)
    await expect
      .poll(async () => (await page.evaluate(async () => (await fetch('/api/me/identity/external')).json())).linked)
      .toEqual(['qq'])
    await shot(page, 'phone-third-party-linked')
    const fresh = await (await browser.newContext(phone)).newPage()
    await fresh.goto(`${base}/signin?next=/me`)
    await fresh.getByRole('button', { name: '使用 QQ 登录' }).click()
    await atProvider(fresh, 'qq-20002')
    await fresh.waitForURL(`${base}/me`)
    const me = await fresh.evaluate(async () => (await fetch('/api/me')).json())
    expect(me.account).toMatchObject({ id: reg.account.id, phone: '13800138000' })
  }, 60_000)

  it('refuses a callback whose state it never issued', async () => {
    const res = await fetch(`${base}/oidc/external/callback?state=made-up&code=whatever`, { redirect: 'manual' })
    expect(res.status).toBe(403)
    expect((await res.json()).code).toBe('sign_in_refused')
  })
})
