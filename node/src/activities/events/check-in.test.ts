/**
 * Check-in at the desk over HTTP on a real node: a reader's code checks them in once, the desk
 * sees the name masked; a second scan, another event's code, a forged code, a cancelled
 * sign-up's code and an expired code are each refused with their own reason; the code carries
 * nothing personal; only staff may check readers in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../../testing/temp-node.js'

const hour = 3_600_000
const day = 24 * hour

describe('check-in by the signed code', () => {
  let t: TempNode
  let staff: Client
  let zhang: Client
  let li: Client
  let zhangId: string

  async function event(title = '馆长讲座：宋词里的城市', capacity = 5): Promise<string> {
    const r = await staff.post('/api/staff/activities', {
      kind: 'event',
      title,
      eventKind: 'lecture',
      capacity,
      phases: {
        signup: { from: new Date(t.clock.now - hour).toISOString(), to: new Date(t.clock.now + day).toISOString() },
      },
    })
    if (r.status !== 201 && r.status !== 200) throw new Error(`create: ${r.status} ${JSON.stringify(r.body)}`)
    return r.body.id as string
  }
  async function codeOf(c: Client, activity: string): Promise<string> {
    const r = await c.post(`/api/activities/${activity}/signup`)
    expect(r.status).toBe(201)
    expect(r.body.status).toBe('confirmed')
    return r.body.checkInCode as string
  }
  const checkIn = (activity: string, code: string) => staff.post(`/api/staff/activities/${activity}/check-in`, { code })

  beforeAll(async () => {
    t = await startTempNode()
    staff = await signedInAdmin(t)
    staff.headers['accept-language'] = 'en'
    zhang = new Client(t.node.url, { 'accept-language': 'en' })
    const r = await zhang.post('/api/auth/register', {
      mode: 'real-name',
      name: '张三丰',
      idNumber: '11010519491231002X',
      phone: '13900139000',
      password: 'reading2026',
    })
    expect(r.status).toBe(201)
    zhangId = (await zhang.get('/api/me')).body.account.id
    li = new Client(t.node.url, { 'accept-language': 'en' })
    expect(
      (await li.post('/api/auth/register', { mode: 'quick', phone: '13900139001', password: 'reading2026' })).status,
    ).toBe(201)
  }, 60_000)
  afterAll(async () => {
    await t?.close()
  })

  it('checks a reader in once and shows the desk the masked name', async () => {
    const id = await event()
    const code = await codeOf(zhang, id)
    // Nothing personal in the code: no name, phone, ID number or account id.
    for (const secret of ['张三丰', '13900139000', '11010519491231002X', zhangId]) expect(code).not.toContain(secret)
    // The same code on every visit (a screenshot taken yesterday still works).
    expect((await zhang.get(`/api/activities/${id}/signup`)).body.checkInCode).toBe(code)

    const ok = await checkIn(id, code)
    expect(ok.status).toBe(200)
    expect(ok.body).toEqual({
      activity: id,
      signup: expect.any(String),
      name: '张*丰',
      status: 'checked-in',
      checkedInAt: new Date(t.clock.now).toISOString(),
    })
    expect((await zhang.get(`/api/activities/${id}/signup`)).body.status).toBe('checked-in')

    const again = await checkIn(id, code)
    expect(again.status).toBe(409)
    expect(again.body).toMatchObject({ code: 'already_checked_in', title: 'Already checked in' })
    // Checked in: too late to cancel.
    const cancel = await zhang.call('DELETE', `/api/activities/${id}/signup`)
    expect(cancel.status).toBe(409)
    expect(cancel.body.code).toBe('already_checked_in')

    const list = await staff.get(`/api/staff/activities/${id}/signups`)
    expect(list.body).toMatchObject({ confirmed: 1, checkedIn: 1 })
    expect(list.body.signups[0]).toMatchObject({ name: '张*丰', phone: '139****9000', status: 'checked-in' })
  })

  it('checks in once when several desks scan the same code at the same moment', async () => {
    const id = await event('讲座 G')
    const code = await codeOf(li, id)
    const scans = await Promise.all(Array.from({ length: 8 }, () => checkIn(id, code)))
    expect(scans.filter((s) => s.status === 200)).toHaveLength(1)
    expect(scans.filter((s) => s.status === 409 && s.body.code === 'already_checked_in')).toHaveLength(7)
    expect((await staff.get(`/api/staff/activities/${id}/signups`)).body.checkedIn).toBe(1)
  })

  it('refuses a code for another event', async () => {
    const lecture = await event('讲座 A')
    const exhibition = await event('展览 B')
    const code = await codeOf(li, exhibition)
    const r = await checkIn(lecture, code)
    expect(r.status).toBe(409)
    expect(r.body.code).toBe('check_in_wrong_activity')
    // Still good where it belongs.
    expect((await checkIn(exhibition, code)).status).toBe(200)
  })

  it('refuses forged codes', async () => {
    const id = await event('讲座 C')
    const code = await codeOf(li, id)
    const [a, s, e, mac] = code.split('.') as [string, string, string, string]
    const otherSignup = s.split('').reverse().join('')
    const laterExpiry = (parseInt(e, 36) + 365 * 86_400).toString(36)
    const flipped = (mac[0] === 'A' ? 'B' : 'A') + mac.slice(1)
    for (const forged of [
      [a, otherSignup, e, mac].join('.'),
      [a, s, laterExpiry, mac].join('.'),
      [a, s, e, flipped].join('.'),
      'not a code',
      `<img src=x onerror=alert(1)>`,
    ]) {
      const r = await checkIn(id, forged)
      expect(r.status, forged).toBe(400)
      expect(r.body.code).toBe('check_in_invalid')
    }
    expect((await staff.get(`/api/staff/activities/${id}/signups`)).body.checkedIn).toBe(0)
    const empty = await staff.post(`/api/staff/activities/${id}/check-in`, { code: '' })
    expect(empty.status).toBe(400)
    expect(empty.body.code).toBe('validation_failed')
  })

  it('refuses the code of a cancelled sign-up', async () => {
    const id = await event('读书会 D')
    const code = await codeOf(li, id)
    expect((await li.call('DELETE', `/api/activities/${id}/signup`)).status).toBe(200)
    const r = await checkIn(id, code)
    expect(r.status).toBe(409)
    expect(r.body.code).toBe('check_in_cancelled')
    // Signing up again gives a new code; the old one stays refused.
    const fresh = await codeOf(li, id)
    expect(fresh).not.toBe(code)
    expect((await checkIn(id, code)).body.code).toBe('check_in_cancelled')
    expect((await checkIn(id, fresh)).status).toBe(200)
  })

  it('refuses an expired code', async () => {
    const id = await event('展览 E')
    const code = await codeOf(li, id)
    const saved = t.clock.now
    // Past the sign-up's end and the 30 days' grace after it; a desk signed in then (the
    // sessions of now would have expired, and a move back is not their concern).
    t.clock.now = saved + day + 31 * day
    try {
      const desk = new Client(t.node.url, { 'accept-language': 'en' })
      expect(
        (await desk.post('/api/auth/login', { identifier: 'libadmin', password: 'county-library-2026' })).status,
      ).toBe(200)
      const r = await desk.post(`/api/staff/activities/${id}/check-in`, { code })
      expect(r.status).toBe(409)
      expect(r.body.code).toBe('check_in_expired')
    } finally {
      t.clock.now = saved
    }
  })

  it('lets only staff check readers in', async () => {
    const id = await event('讲座 F')
    const code = await codeOf(li, id)
    expect((await li.post(`/api/staff/activities/${id}/check-in`, { code })).status).toBe(403)
    expect((await new Client(t.node.url).post(`/api/staff/activities/${id}/check-in`, { code })).status).toBe(401)
  })
})
