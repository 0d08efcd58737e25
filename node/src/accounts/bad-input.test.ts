import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../testing/temp-node.js'

describe('bad input gets a clear 4xx and changes nothing', () => {
  let t: TempNode
  let admin: Client
  const readerCount = async () => (await admin.get('/api/staff/readers?limit=200')).body.readers.length as number

  beforeAll(async () => {
    t = await startTempNode({ maxBodyBytes: 4096 })
    admin = await signedInAdmin(t)
    const r = await new Client(t.node.url).post('/api/auth/register', {
      mode: 'real-name',
      name: '林黛玉',
      idNumber: '11010519491231002X',
      password: 'reading2026',
      phone: '13800138000',
    })
    expect(r.status).toBe(201)
  })
  afterAll(() => t.close())

  const cases: Array<[string, string | object, number, string, Record<string, string>?]> = [
    ['malformed JSON', '{"mode":"quick",', 400, 'malformed_json', { 'content-type': 'application/json' }],
    ['wrong types', { mode: 'quick', phone: 13900139000, password: true }, 400, 'validation_failed'],
    [
      'unknown fields',
      { mode: 'quick', phone: '13900139000', password: 'reading2026', isAdmin: true },
      400,
      'validation_failed',
    ],
    ['unknown mode', { mode: 'vip', phone: '13900139000', password: 'reading2026' }, 400, 'validation_failed'],
    [
      'control characters in a name',
      { mode: 'real-name', name: '张\u0000三', idNumber: '110105194912310038', password: 'reading2026' },
      400,
      'validation_failed',
    ],
    [
      'bidi override in a name',
      { mode: 'real-name', name: 'abc\u202eexe', idNumber: '110105194912310038', password: 'reading2026' },
      400,
      'validation_failed',
    ],
    [
      'a very long name',
      { mode: 'real-name', name: '长'.repeat(500), idNumber: '110105194912310038', password: 'reading2026' },
      400,
      'validation_failed',
    ],
    [
      'an ID number with a bad checksum',
      { mode: 'real-name', name: '张三', idNumber: '110105194912310039', password: 'reading2026' },
      400,
      'validation_failed',
    ],
    [
      'an ID number with an impossible birth date',
      { mode: 'real-name', name: '张三', idNumber: '110105194902300035', password: 'reading2026' },
      400,
      'validation_failed',
    ],
    [
      'a second registration with the same phone',
      { mode: 'quick', phone: '13800138000', password: 'reading2026' },
      409,
      'phone_taken',
    ],
    [
      'a second registration with the same ID number',
      { mode: 'real-name', name: '林黛玉', idNumber: '11010519491231002x', password: 'reading2026' },
      409,
      'id_number_taken',
    ],
    ['a common password', { mode: 'quick', phone: '13900139000', password: 'password1' }, 400, 'validation_failed'],
    ['a short password', { mode: 'quick', phone: '13900139000', password: 'abc12' }, 400, 'validation_failed'],
    [
      'an oversized body',
      { mode: 'quick', phone: '13900139000', password: 'x'.repeat(5000) },
      413,
      'payload_too_large',
    ],
    [
      'a form post',
      'mode=quick&phone=13900139000&password=reading2026',
      415,
      'unsupported_media_type',
      { 'content-type': 'application/x-www-form-urlencoded' },
    ],
  ]

  for (const [name, body, status, code, headers] of cases) {
    it(name, async () => {
      const before = await readerCount()
      const r = await new Client(t.node.url).post('/api/auth/register', body, headers)
      expect(r.status).toBe(status)
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/)
      expect(r.body).toMatchObject({
        status,
        code,
        type: expect.stringMatching(/^urn:shulin:problem:/),
        title: expect.any(String),
      })
      expect(await readerCount()).toBe(before)
    })
  }

  it('points at each bad field, in the reader’s language', async () => {
    const r = await new Client(t.node.url, { 'accept-language': 'en' }).post('/api/auth/register', {
      mode: 'real-name',
      name: '',
      idNumber: '123',
      password: 'reading2026',
      extra: 1,
    })
    const pointers = (r.body.errors as Array<{ pointer: string; detail: string }>).map((e) => e.pointer).sort()
    expect(pointers).toEqual(['/extra', '/idNumber', '/name'])
    expect(r.body.errors.find((e: { pointer: string }) => e.pointer === '/idNumber').detail).toBe(
      'is not a valid resident ID number',
    )
    const zh = await new Client(t.node.url).post('/api/auth/register', {
      mode: 'quick',
      phone: '12345',
      password: 'reading2026',
    })
    expect(zh.body.errors[0]).toEqual({ pointer: '/phone', detail: '请输入有效的 11 位手机号' })
  })

  it('accepts 64+ character and non-ASCII passwords without truncating them', async () => {
    const long = '书林'.repeat(40) + 'ŝ€cret'
    const c = new Client(t.node.url)
    expect((await c.post('/api/auth/register', { mode: 'quick', phone: '13700137000', password: long })).status).toBe(
      201,
    )
    expect(
      (await new Client(t.node.url).post('/api/auth/login', { identifier: '13700137000', password: long })).status,
    ).toBe(200)
    expect(
      (await new Client(t.node.url).post('/api/auth/login', { identifier: '13700137000', password: long.slice(0, -1) }))
        .status,
    ).toBe(401)
  })

  it('never changes state on GET, and unknown paths are problems too', async () => {
    expect((await new Client(t.node.url).get('/api/auth/logout')).status).toBe(404)
    const r = await new Client(t.node.url).get('/api/nothing-here')
    expect(r.status).toBe(404)
    expect(r.body.code).toBe('not_found')
  })

  it('refuses staff routes to readers and to nobody', async () => {
    const reader = new Client(t.node.url)
    await reader.post('/api/auth/login', { identifier: '13800138000', password: 'reading2026' })
    expect((await reader.get('/api/staff/readers')).status).toBe(403)
    expect((await new Client(t.node.url).get('/api/staff/readers')).status).toBe(401)
  })
})
