import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../testing/temp-node.js'

describe('first admin, staff roles and reader management', () => {
  let t: TempNode
  let admin: Client
  beforeAll(async () => {
    t = await startTempNode()
  })
  afterAll(() => t.close())

  it('prints a one-time setup link on an empty node; the link works once', async () => {
    expect(t.node.setupUrl).toMatch(/\/setup#token=[\w-]{20,}$/)
    const page = await fetch(t.node.url + '/setup')
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('创建管理员')
    const wrong = await new Client(t.node.url).post('/api/setup', {
      token: 'x'.repeat(32),
      username: 'mallory',
      password: 'county-library-2026',
    })
    expect(wrong.status).toBe(400)
    admin = await signedInAdmin(t)
    const token = new URLSearchParams(t.node.setupUrl!.split('#')[1]).get('token')
    const again = await new Client(t.node.url).post('/api/setup', {
      token,
      username: 'another',
      password: 'county-library-2026',
    })
    expect(again.status).toBe(409)
    expect(again.body.code).toBe('setup_done')
  })

  it('an admin creates a librarian, who manages readers but not staff', async () => {
    const r = await admin.post('/api/staff/accounts', {
      username: 'xiaowang',
      password: 'shelf-reader-2026',
      role: 'librarian',
      name: '小王',
    })
    expect(r.status).toBe(201)
    const librarian = new Client(t.node.url)
    expect(
      (await librarian.post('/api/auth/login', { identifier: 'xiaowang', password: 'shelf-reader-2026' })).status,
    ).toBe(200)
    expect((await librarian.get('/api/staff/readers')).status).toBe(200)
    const denied = await librarian.post('/api/staff/accounts', {
      username: 'sneaky',
      password: 'shelf-reader-2026',
      role: 'admin',
    })
    expect(denied.status).toBe(403)
  })

  it('imports readers from an ILS CSV idempotently, with a per-row error report', async () => {
    const csv = [
      '读者证号,姓名,手机号',
      'A0001,王小明,13811112222',
      'A0002,李华,',
      'bad card!,张三,13811113333',
      'A0004,赵六,12345',
      'A0005,"钱\u0007七",13811114444',
      'A0006,孙八,13811112222',
    ].join('\r\n')
    const first = await admin.post('/api/staff/readers/import', csv, { 'content-type': 'text/csv; charset=utf-8' })
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({ created: 2, updated: 0, unchanged: 0 })
    expect(first.body.rejected.map((r: { line: number }) => r.line)).toEqual([4, 5, 6, 7])
    expect(first.body.rejected[3].reason).toContain('手机号已注册')
    const second = await admin.post('/api/staff/readers/import', csv.replace('李华,', '李华,13899990000'), {
      'content-type': 'text/csv',
    })
    expect(second.body).toMatchObject({ created: 0, updated: 1, unchanged: 1 })
    const list = await admin.get('/api/staff/readers?q=A000')
    expect(list.body.readers.map((r: { cardNo: string }) => r.cardNo).sort()).toEqual(['A0001', 'A0002'])
    expect(list.body.readers.find((r: { cardNo: string }) => r.cardNo === 'A0002').phone).toBe('13899990000')
    // An imported reader has no password: signing in fails like any wrong password.
    expect(
      (await new Client(t.node.url).post('/api/auth/login', { identifier: 'A0001', password: 'anything-at-all' }))
        .status,
    ).toBe(401)
  })

  it('refuses a CSV without a card-number column and a non-UTF-8 file, changing nothing', async () => {
    const before = (await admin.get('/api/staff/readers?limit=200')).body.readers.length
    const noCard = await admin.post('/api/staff/readers/import', 'name,phone\n王五,13800000000', {
      'content-type': 'text/csv',
    })
    expect(noCard.status).toBe(400)
    const gbk = await fetch(t.node.url + '/api/staff/readers/import', {
      method: 'POST',
      headers: { 'content-type': 'text/csv', cookie: admin.cookie!, 'x-csrf-token': admin.csrf! },
      body: new Uint8Array([0xb6, 0xc1, 0xd5, 0xdf, 0x2c, 0x0a, 0xff, 0xfe]),
    })
    expect(gbk.status).toBe(400)
    expect((await admin.get('/api/staff/readers?limit=200')).body.readers.length).toBe(before)
  })

  it('a librarian resets a password: temporary, must be changed, other sessions end', async () => {
    const reader = new Client(t.node.url)
    await reader.post('/api/auth/register', { mode: 'quick', phone: '13700137000', password: 'reading2026' })
    const id = (await reader.get('/api/me')).body.account.id
    const r = await admin.post(`/api/staff/readers/${id}/reset-password`)
    expect(r.status).toBe(200)
    expect((await reader.get('/api/me')).status).toBe(401)
    const again = new Client(t.node.url)
    const login = await again.post('/api/auth/login', { identifier: '13700137000', password: r.body.temporaryPassword })
    expect(login.status).toBe(200)
    expect(login.body.account.mustChangePassword).toBe(true)
    expect(
      (
        await again.post('/api/me/password', {
          currentPassword: r.body.temporaryPassword,
          password: 'my-own-password-1',
        })
      ).status,
    ).toBe(200)
    expect((await again.get('/api/me')).body.account.mustChangePassword).toBe(false)
  })

  it('disabling a reader ends their sessions at once and refuses sign-in; enabling lets them back', async () => {
    const reader = new Client(t.node.url)
    await reader.post('/api/auth/register', { mode: 'quick', phone: '13600136000', password: 'reading2026' })
    const id = (await reader.get('/api/me')).body.account.id
    expect((await admin.post(`/api/staff/readers/${id}/disable`)).body.status).toBe('disabled')
    expect((await reader.get('/api/me')).status).toBe(401)
    const refused = await new Client(t.node.url).post('/api/auth/login', {
      identifier: '13600136000',
      password: 'reading2026',
    })
    expect(refused.status).toBe(403)
    expect(refused.body.code).toBe('account_disabled')
    expect(
      (await admin.get('/api/staff/readers?status=disabled')).body.readers.map((r: { id: string }) => r.id),
    ).toEqual([id])
    await admin.post(`/api/staff/readers/${id}/enable`)
    expect(
      (await new Client(t.node.url).post('/api/auth/login', { identifier: '13600136000', password: 'reading2026' }))
        .status,
    ).toBe(200)
  })

  it('pages through readers with a cursor', async () => {
    const seen = new Set<string>()
    let cursor: string | null = null
    do {
      const r = await admin.get(`/api/staff/readers?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      for (const reader of r.body.readers) seen.add(reader.id)
      cursor = r.body.nextCursor
    } while (cursor)
    expect(seen.size).toBe((await admin.get('/api/staff/readers?limit=200')).body.readers.length)
    expect(seen.size).toBeGreaterThanOrEqual(4)
  })
})
