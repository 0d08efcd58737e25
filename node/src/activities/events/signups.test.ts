/**
 * Event sign-up over HTTP on a real node (real LevelDB, loopback socket): 20 readers race for
 * 2 seats and exactly 2 get one, the rest wait in order; one sign-up per reader; a cancelled
 * seat goes to the first waiting, who finds a notice in the inbox; sign-up only inside the
 * sign-up phase; the staff's list (JSON and CSV) with masked names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../../testing/temp-node.js'

const hour = 3_600_000

async function reader(t: TempNode, phone: string): Promise<Client> {
  const c = new Client(t.node.url, { 'accept-language': 'en' })
  const r = await c.post('/api/auth/register', { mode: 'quick', phone, password: 'reading2026' })
  if (r.status !== 201) throw new Error(`register ${phone}: ${r.status} ${JSON.stringify(r.body)}`)
  return c
}

/** An event whose sign-up is open by the node's clock (an hour ago until a day from now). */
async function createEvent(t: TempNode, staff: Client, extra: Record<string, unknown> = {}): Promise<{ id: string }> {
  const from = t.clock.now - hour
  const to = t.clock.now + 24 * hour
  const r = await staff.post('/api/staff/activities', {
    kind: 'event',
    title: '《红楼梦》读书会',
    eventKind: 'reading-club',
    location: '三楼报告厅',
    capacity: 2,
    phases: { signup: { from: new Date(from).toISOString(), to: new Date(to).toISOString() } },
    ...extra,
  })
  if (r.status !== 201 && r.status !== 200) throw new Error(`create: ${r.status} ${JSON.stringify(r.body)}`)
  return { id: r.body.id as string }
}

describe('event sign-up', () => {
  let t: TempNode
  let staff: Client
  let readers: Client[]

  beforeAll(async () => {
    t = await startTempNode()
    staff = await signedInAdmin(t)
    readers = []
    for (let i = 0; i < 20; i++) readers.push(await reader(t, `1360013${String(6000 + i)}`))
  }, 120_000)
  afterAll(async () => {
    await t?.close()
  })

  it('gives exactly the seats there are to 20 readers signing up at once; the rest wait in order', async () => {
    const { id } = await createEvent(t, staff)
    const answers = await Promise.all(readers.map((r) => r.post(`/api/activities/${id}/signup`)))
    expect(answers.map((a) => a.status)).toEqual(readers.map(() => 201))
    const confirmed = answers.filter((a) => a.body.status === 'confirmed')
    const waiting = answers.filter((a) => a.body.status === 'waitlisted')
    expect(confirmed).toHaveLength(2)
    expect(waiting).toHaveLength(18)
    for (const c of confirmed)
      expect(c.body).toMatchObject({ activity: id, position: null, checkInCode: expect.any(String) })
    for (const w of waiting) expect(w.body.checkInCode).toBeNull()
    // The waiting list: 1…18, each once.
    expect(waiting.map((w) => w.body.position as number).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 18 }, (_, i) => i + 1),
    )
    const view = await readers[0]!.get(`/api/activities/${id}`)
    expect(view.body.signups).toEqual({ confirmed: 2, waitlisted: 18 })

    const list = await staff.get(`/api/staff/activities/${id}/signups`)
    expect(list.status).toBe(200)
    expect(list.body).toMatchObject({ activity: id, capacity: 2, confirmed: 2, waitlisted: 18, checkedIn: 0 })
    expect(list.body.signups).toHaveLength(20)
    // Names are masked: no whole phone number in the staff's list.
    for (const s of list.body.signups) expect(s.phone).toMatch(/^136\*{4}\d{4}$/)
  })

  it('keeps one sign-up per reader', async () => {
    const { id } = await createEvent(t, staff)
    expect((await readers[0]!.post(`/api/activities/${id}/signup`)).status).toBe(201)
    const again = await readers[0]!.post(`/api/activities/${id}/signup`)
    expect(again.status).toBe(409)
    expect(again.body.code).toBe('already_signed_up')
    // Even ten at once from the same reader: one sign-up.
    const burst = await Promise.all(Array.from({ length: 10 }, () => readers[1]!.post(`/api/activities/${id}/signup`)))
    expect(burst.filter((b) => b.status === 201)).toHaveLength(1)
    expect(burst.filter((b) => b.status === 409 && b.body.code === 'already_signed_up')).toHaveLength(9)
    expect((await staff.get(`/api/staff/activities/${id}/signups`)).body.signups).toHaveLength(2)
  })

  it('gives a cancelled seat to the first waiting, who is told in the inbox', async () => {
    const { id } = await createEvent(t, staff)
    const [a, b, c, d] = readers as [Client, Client, Client, Client]
    for (const r of [a, b, c, d]) expect((await r.post(`/api/activities/${id}/signup`)).status).toBe(201)
    expect((await c.get(`/api/activities/${id}/signup`)).body).toMatchObject({ status: 'waitlisted', position: 1 })
    expect((await d.get(`/api/activities/${id}/signup`)).body).toMatchObject({ status: 'waitlisted', position: 2 })
    const unreadBefore = (await c.get('/api/me/inbox/unread')).body.unread as number

    const cancelled = await a.call('DELETE', `/api/activities/${id}/signup`)
    expect(cancelled.status).toBe(200)
    expect(cancelled.body).toMatchObject({ status: 'cancelled', checkInCode: null })

    const promoted = await c.get(`/api/activities/${id}/signup`)
    expect(promoted.body).toMatchObject({ status: 'confirmed', position: null, checkInCode: expect.any(String) })
    expect((await d.get(`/api/activities/${id}/signup`)).body).toMatchObject({ status: 'waitlisted', position: 1 })
    const inbox = await c.get('/api/me/inbox')
    expect(inbox.body.unread).toBe(unreadBefore + 1)
    expect(inbox.body.items[0]).toMatchObject({ kind: 'signup-confirmed', link: `/activities/${id}` })
    expect(inbox.body.items[0].title).toContain('《红楼梦》读书会')
    // Nobody else was told anything.
    expect(
      (await d.get('/api/me/inbox')).body.items.filter((n: { kind: string }) => n.kind === 'signup-confirmed'),
    ).toEqual([])

    // A waiting reader who cancels frees no seat: nobody is promoted, the list closes up.
    expect((await d.call('DELETE', `/api/activities/${id}/signup`)).body.status).toBe('cancelled')
    expect((await staff.get(`/api/staff/activities/${id}/signups`)).body).toMatchObject({ confirmed: 2, waitlisted: 0 })
    // Cancelling twice: nothing to cancel.
    const twice = await a.call('DELETE', `/api/activities/${id}/signup`)
    expect(twice.status).toBe(404)
    expect(twice.body.code).toBe('not_signed_up')
    // The reader who cancelled may sign up again, at the end of the list.
    expect((await a.post(`/api/activities/${id}/signup`)).body).toMatchObject({ status: 'waitlisted', position: 1 })

    const mine = await a.get('/api/me/signups')
    expect(mine.body.signups.find((s: { activity: string }) => s.activity === id)).toMatchObject({
      title: '《红楼梦》读书会',
      location: '三楼报告厅',
      status: 'waitlisted',
    })
  })

  it('takes sign-ups only inside the sign-up phase', async () => {
    // A short window: moving the clock past it leaves the readers' sessions (2 hours idle) alive.
    const signupTo = t.clock.now + 30 * 60_000
    const { id } = await createEvent(t, staff, {
      phases: {
        signup: { from: new Date(t.clock.now - hour).toISOString(), to: new Date(signupTo).toISOString() },
      },
    })
    const later = await createEvent(t, staff, {
      phases: {
        signup: {
          from: new Date(t.clock.now + 2 * hour).toISOString(),
          to: new Date(t.clock.now + 3 * hour).toISOString(),
        },
      },
    })
    const early = await readers[0]!.post(`/api/activities/${later.id}/signup`)
    expect(early.status).toBe(409)
    expect(early.body.code).toBe('signup_closed')

    const saved = t.clock.now
    t.clock.now = signupTo
    try {
      // The window is [from, to): at its end it is closed.
      const late = await readers[0]!.post(`/api/activities/${id}/signup`)
      expect(late.status).toBe(409)
      expect(late.body).toMatchObject({ code: 'signup_closed', title: expect.any(String) })
      expect(late.body.detail).toContain('closed')
    } finally {
      t.clock.now = saved
    }
    expect((await readers[0]!.post(`/api/activities/${id}/signup`)).status).toBe(201)
  })

  it('refuses sign-up for what is not an event, an unknown activity, and anyone signed out', async () => {
    const recitation = await staff.post('/api/staff/activities', {
      kind: 'recitation',
      title: '诵读中国',
      phases: {
        submission: {
          from: new Date(t.clock.now - hour).toISOString(),
          to: new Date(t.clock.now + hour).toISOString(),
        },
      },
    })
    const r = await readers[0]!.post(`/api/activities/${recitation.body.id}/signup`)
    expect(r.status).toBe(409)
    expect(r.body.code).toBe('conflict')
    expect((await readers[0]!.post('/api/activities/no-such-event/signup')).status).toBe(404)
    const { id } = await createEvent(t, staff)
    expect((await new Client(t.node.url).post(`/api/activities/${id}/signup`)).status).toBe(401)
    // A withdrawn event takes no sign-ups (and is gone for readers).
    const withdrawn = await createEvent(t, staff)
    expect((await staff.post(`/api/staff/activities/${withdrawn.id}/withdraw`)).status).toBe(200)
    expect((await readers[0]!.post(`/api/activities/${withdrawn.id}/signup`)).status).toBe(404)
    // Readers do not see the staff's list.
    expect((await readers[0]!.get(`/api/staff/activities/${id}/signups`)).status).toBe(403)
  })

  it('exports the staff list as CSV a spreadsheet opens safely', async () => {
    const { id } = await createEvent(t, staff, { capacity: 1 })
    for (const r of readers.slice(0, 3)) await r.post(`/api/activities/${id}/signup`)
    const csv = await staff.get(`/api/staff/activities/${id}/signups?format=csv`)
    expect(csv.status).toBe(200)
    expect(csv.headers.get('content-type')).toContain('text/csv')
    expect(csv.headers.get('content-disposition')).toContain('attachment')
    const text = csv.body as string
    expect(text.startsWith('\ufeff')).toBe(true)
    const lines = text.slice(1).trim().split('\r\n')
    expect(lines[0]).toBe('id,name,cardNo,phone,status,position,createdAt,checkedInAt')
    expect(lines).toHaveLength(4)
    expect(lines.slice(1).map((l) => l.split(',')[4])).toEqual(['confirmed', 'waitlisted', 'waitlisted'])
    expect(lines.slice(1).map((l) => l.split(',')[5])).toEqual(['', '1', '2'])
    expect(text).not.toMatch(/1360013600\d/)
  })
})
