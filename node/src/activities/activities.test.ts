/**
 * The recitation campaign against a real node: real LevelDB, real HTTP, real ffmpeg on tiny
 * generated recordings. The contract (create, list, submit, like, ranking), the bad
 * inputs (not audio, over-long, silent, a like outside the window, a second like the same day),
 * and the day rule with the node's clock moved across Shanghai midnight.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../testing/temp-node.js'
import { until } from '../testing/videos.js'

const run = promisify(execFile)
const hour = 3_600_000
const day = 24 * hour

let dir: string
/** A recording made by ffmpeg from a lavfi source (`sine=d=2`, `anullsrc`). */
async function recording(name: string, lavfi: string, seconds: number, ext = 'wav'): Promise<Buffer> {
  const out = join(dir, `${name}.${ext}`)
  await run('ffmpeg', ['-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i', lavfi, '-t', String(seconds), out], {
    timeout: 60_000,
  })
  return readFile(out)
}

/** Posts a multipart form with the client's session (cookie and CSRF token). */
async function upload(
  client: Client,
  path: string,
  fields: Record<string, string | Blob>,
  extra: Record<string, string> = {},
) {
  const form = new FormData()
  for (const [k, v] of Object.entries(fields)) form.append(k, v)
  const headers: Record<string, string> = { ...extra }
  if (client.cookie) headers.cookie = client.cookie
  if (client.csrf) headers['x-csrf-token'] = client.csrf
  const res = await fetch(client.baseUrl + path, { method: 'POST', headers, body: form })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined }
}

let phoneSeq = 0
async function reader(t: TempNode, name?: string): Promise<Client> {
  const c = new Client(t.node.url)
  const phone = `1390013${String(9000 + phoneSeq++).padStart(4, '0')}`
  const r = await c.post('/api/auth/register', {
    mode: 'quick',
    phone,
    password: 'reading2026',
    ...(name ? { name } : {}),
  })
  if (r.status !== 201) throw new Error(`register failed: ${JSON.stringify(r.body)}`)
  // Two weeks' session: the tests move the node's clock by days.
  const login = await c.post('/api/auth/login', { identifier: phone, password: 'reading2026', remember: true })
  if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`)
  return c
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shulin-activities-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('recitation over HTTP with ffmpeg', () => {
  let t: TempNode
  let staff: Client
  let sine: Buffer
  /** 2026-06-01 10:00 Shanghai (02:00 UTC). */
  const start = Date.parse('2026-06-01T02:00:00Z')

  beforeAll(async () => {
    t = await startTempNode()
    t.clock.now = start
    staff = await signedInAdmin(t)
    await staff.post('/api/auth/login', { identifier: 'libadmin', password: 'county-library-2026', remember: true })
    sine = await recording('sine', 'sine=f=440:d=2', 2)
  })
  afterAll(() => t.close())

  const iso = (ms: number) => new Date(ms).toISOString()
  async function recitation(extra: Record<string, unknown> = {}) {
    const r = await staff.post('/api/staff/activities', {
      kind: 'recitation',
      title: '中华经典诵读',
      phases: {
        submission: { from: iso(start - hour), to: iso(start + 10 * day) },
        voting: { from: iso(start - hour), to: iso(start + 10 * day) },
      },
      maxSeconds: 10,
      // The readers here are made during voting: their likes count unless a test says otherwise.
      newAccountLikes: 'count',
      ...extra,
    })
    expect(r.status).toBe(201)
    return r.body.id as string
  }
  async function readyEntry(client: Client, activity: string, title = '静夜思') {
    const r = await upload(client, `/api/activities/${activity}/entries`, {
      audio: new Blob([sine], { type: 'audio/wav' }),
      title,
    })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    const id = r.body.id as string
    const done = await until(`entry ${id} ready`, async () => {
      const e = await client.get(`/api/activities/${activity}/entries/${id}`)
      return e.body.status === 'processing' ? { last: e.body } : { done: e.body }
    })
    expect(done.status).toBe('ready')
    return id
  }

  it('the contract: create, list, submit (normalised M4A, ranges), like once a day, ranking', async () => {
    const a = await recitation()
    const list = await new Client(t.node.url).get('/api/activities')
    expect(list.body.activities.map((x: { id: string }) => x.id)).toContain(a)
    const one = await new Client(t.node.url).get(`/api/activities/${a}`)
    expect(one.body).toMatchObject({ id: a, kind: 'recitation', phase: 'voting', scope: 'local' })

    const author = await reader(t)
    const e1 = await readyEntry(author, a)
    const e2 = await readyEntry(author, a, '春晓')
    const view = (await author.get(`/api/activities/${a}/entries/${e1}`)).body
    expect(view).toMatchObject({ status: 'ready', likes: 0, share: `/share/entries/${e1}` })
    expect(view.duration).toBeGreaterThan(1.5)
    expect(view.duration).toBeLessThan(2.6)

    // The normalised audio: M4A, served with byte ranges.
    const audio = await fetch(t.node.url + view.audio, { headers: { range: 'bytes=0-15' } })
    expect(audio.status).toBe(206)
    expect(audio.headers.get('content-type')).toMatch(/audio\/mp4/)
    const head = Buffer.from(await audio.arrayBuffer())
    expect(head.length).toBe(16)
    expect(head.subarray(4, 8).toString('latin1')).toBe('ftyp')

    const voter = await reader(t)
    const like = await voter.post(`/api/activities/${a}/entries/${e2}/like`)
    expect(like.status).toBe(200)
    expect(like.body).toEqual({ id: e2, likes: 1 })
    const again = await voter.post(`/api/activities/${a}/entries/${e2}/like`)
    expect(again.status).toBe(409)
    expect(again.body.code).toBe('already_liked_today')
    expect((await voter.get(`/api/activities/${a}/entries/${e2}`)).body).toMatchObject({ likes: 1, likedToday: true })

    // The next day by the node's clock, it counts again.
    t.clock.now += day
    const next = await voter.post(`/api/activities/${a}/entries/${e2}/like`)
    expect(next.status).toBe(200)
    expect(next.body.likes).toBe(2)
    expect((await author.post(`/api/activities/${a}/entries/${e1}/like`)).body.likes).toBe(1)

    const ranking = await new Client(t.node.url).get(`/api/activities/${a}/ranking`)
    expect(ranking.status).toBe(200)
    expect(
      ranking.body.entries.map((e: { id: string; likes: number; rank: number }) => [e.id, e.likes, e.rank]),
    ).toEqual([
      [e2, 2, 1],
      [e1, 1, 2],
    ])
    const today = await new Client(t.node.url).get(`/api/activities/${a}/ranking?scope=today`)
    // Today both have one like: they share the first place.
    expect(
      today.body.entries.map((e: { id: string; likes: number; rank: number }) => [e.id, e.likes, e.rank]).sort(),
    ).toEqual(
      [
        [e1, 1, 1],
        [e2, 1, 1],
      ].sort(),
    )
    const library = await new Client(t.node.url).get(`/api/activities/${a}/ranking?scope=library`)
    expect(library.body.entries.map((e: { id: string }) => e.id)).toEqual([e2, e1])

    // My entries, in every state.
    const mine = await author.get('/api/me/activity-entries')
    expect(mine.body.entries.map((e: { id: string }) => e.id).sort()).toEqual([e1, e2].sort())
    t.clock.now = start
  })

  it('the day is Asia/Shanghai’s: a like at 23:59:59 and one at 00:00 the next day (UTC 16:00) both count', async () => {
    const a = await recitation()
    const e = await readyEntry(await reader(t), a)
    const voter = await reader(t)
    t.clock.now = Date.parse('2026-06-01T15:59:59Z')
    expect((await voter.post(`/api/activities/${a}/entries/${e}/like`)).status).toBe(200)
    t.clock.now = Date.parse('2026-06-01T15:59:59.900Z')
    expect((await voter.post(`/api/activities/${a}/entries/${e}/like`)).body.code).toBe('already_liked_today')
    t.clock.now = Date.parse('2026-06-01T16:00:00Z')
    const r = await voter.post(`/api/activities/${a}/entries/${e}/like`)
    expect(r.status).toBe(200)
    expect(r.body.likes).toBe(2)
    t.clock.now = start
  })

  it('refuses what is not audio, over-long and silent recordings, with the reason', async () => {
    const a = await recitation()
    const author = await reader(t)
    const post = (body: Buffer | string, type: string) =>
      upload(author, `/api/activities/${a}/entries`, { audio: new Blob([body], { type }) })

    const pdf = await post('%PDF-1.4\n%not audio at all\n', 'audio/mpeg')
    expect(pdf.status).toBe(422)
    expect(pdf.body.code).toBe('audio_rejected')
    expect(pdf.body.errors).toEqual([{ pointer: '/audio', detail: expect.stringMatching(/不是录音/) }])
    expect(pdf.body.detail).toMatch(/不是录音/)

    const long = await post(await recording('long', 'sine=d=12', 12), 'audio/wav')
    expect(long.status).toBe(422)
    expect(long.body.errors[0].detail).toMatch(/过长/)
    expect(long.body.detail).toMatch(/10 秒/)

    const silent = await post(await recording('silent', 'anullsrc=r=44100:cl=mono', 3), 'audio/wav')
    expect(silent.status).toBe(422)
    expect(silent.body.errors[0].detail).toMatch(/没有声音/)

    // English when asked.
    const en = await upload(
      author,
      `/api/activities/${a}/entries`,
      { audio: new Blob([await recording('silent2', 'anullsrc=r=8000:cl=mono', 3)], { type: 'audio/wav' }) },
      { 'accept-language': 'en' },
    )
    expect(en.status).toBe(422)
    expect(en.body.detail).toMatch(/silent/)
    expect(en.body.errors[0].detail).toBe('is silent')

    // A video with no sound track is not a recording either.
    const mute = await post(await recording('mute', 'testsrc=size=64x64:rate=5', 2, 'mp4'), 'video/mp4')
    expect(mute.status).toBe(422)
    expect(mute.body.errors[0].detail).toMatch(/不是录音/)

    const none = await upload(author, `/api/activities/${a}/entries`, { title: 'no file' })
    expect(none.status).toBe(400)
    expect(none.body.code).toBe('validation_failed')

    // Nothing refused was kept: the reader has no entries.
    expect((await author.get('/api/me/activity-entries')).body.entries).toEqual([])
    // Not signed in: 401.
    const anon = await upload(new Client(t.node.url), `/api/activities/${a}/entries`, {
      audio: new Blob([sine], { type: 'audio/wav' }),
    })
    expect(anon.status).toBe(401)
  })

  it('refuses a like outside the voting window and an entry outside submission, with the phase named', async () => {
    const a = await recitation({
      phases: {
        submission: { from: iso(start - hour), to: iso(start + hour) },
        voting: { from: iso(start + 2 * hour), to: iso(start + 3 * hour) },
      },
      maxEntries: 1,
    })
    const author = await reader(t)
    const e = await readyEntry(author, a)
    const second = await upload(author, `/api/activities/${a}/entries`, { audio: new Blob([sine]) })
    expect(second.status).toBe(409)
    expect(second.body.code).toBe('entry_limit_reached')

    const voter = await reader(t)
    const early = await voter.post(`/api/activities/${a}/entries/${e}/like`)
    expect(early.status).toBe(409)
    expect(early.body.code).toBe('outside_phase')
    t.clock.now = start + 2.5 * hour
    expect((await voter.post(`/api/activities/${a}/entries/${e}/like`)).status).toBe(200)
    const late = await upload(await reader(t), `/api/activities/${a}/entries`, { audio: new Blob([sine]) })
    expect(late.status).toBe(409)
    expect(late.body.code).toBe('outside_phase')
    t.clock.now = start + 3 * hour
    const after = await voter.post(`/api/activities/${a}/entries/${e}/like`)
    expect(after.status).toBe(409)
    expect(after.body.code).toBe('outside_phase')
    t.clock.now = start
    expect((await voter.post(`/api/activities/${a}/entries/nope/like`)).status).toBe(404)
  })

  it('a disabled reader’s likes leave the counts, and the audit trail says so', async () => {
    const a = await recitation()
    const e = await readyEntry(await reader(t), a)
    const voter = await reader(t)
    const me = (await voter.get('/api/me')).body
    expect((await voter.post(`/api/activities/${a}/entries/${e}/like`)).body.likes).toBe(1)
    expect((await (await reader(t)).post(`/api/activities/${a}/entries/${e}/like`)).body.likes).toBe(2)
    const accountId = (me.account ?? me).id as string
    expect((await staff.post(`/api/staff/readers/${accountId}/disable`)).status).toBe(200)
    const ranking = await staff.get(`/api/activities/${a}/ranking`)
    expect(ranking.body.entries[0]).toMatchObject({ id: e, likes: 1 })
    const audit = await staff.get(`/api/staff/activities/${a}/audit`)
    expect(audit.body.events).toEqual([
      expect.objectContaining({ action: 'likes_removed', delta: { [e]: -2 }, by: 'system' }),
    ])
  })

  it('likes by accounts made during voting are held for review, then released into the counts', async () => {
    const a = await recitation({ newAccountLikes: 'hold' })
    const e = await readyEntry(await reader(t), a)
    const voter = await reader(t)
    const r = await voter.post(`/api/activities/${a}/entries/${e}/like`)
    expect(r.status).toBe(200)
    expect(r.body.likes).toBe(0)
    expect((await voter.post(`/api/activities/${a}/entries/${e}/like`)).body.code).toBe('already_liked_today')
    const held = await staff.get(`/api/staff/activities/${a}/held`)
    expect(held.body.likes).toHaveLength(1)
    expect((await staff.post(`/api/staff/activities/${a}/held/release`)).body).toEqual({ released: 1 })
    expect((await staff.get(`/api/activities/${a}/ranking`)).body.entries[0].likes).toBe(1)
    expect((await staff.get(`/api/staff/activities/${a}/audit`)).body.events).toEqual([
      expect.objectContaining({ action: 'likes_released', delta: { [e]: 2 } }),
    ])
    // A reader asking is refused the staff lists.
    expect((await voter.get(`/api/staff/activities/${a}/held`)).status).toBe(403)
  })

  it('judges score finalists (top 2 per reader), results by weights, each participant notified', async () => {
    const a = await recitation({
      phases: {
        submission: { from: iso(start - hour), to: iso(start + hour) },
        voting: { from: iso(start - hour), to: iso(start + hour) },
        judging: { from: iso(start + hour), to: iso(start + 2 * hour) },
      },
      weights: { judges: 0.5, likes: 0.5 },
    })
    const alice = await reader(t)
    const bob = await reader(t)
    const [a1, a2, a3] = [
      await readyEntry(alice, a, 'a1'),
      await readyEntry(alice, a, 'a2'),
      await readyEntry(alice, a, 'a3'),
    ]
    const b1 = await readyEntry(bob, a, 'b1')
    const voters = [await reader(t), await reader(t)]
    for (const v of voters) {
      await v.post(`/api/activities/${a}/entries/${a1}/like`)
      await v.post(`/api/activities/${a}/entries/${b1}/like`)
    }
    expect((await voters[0]!.post(`/api/activities/${a}/entries/${a2}/like`)).body).toEqual({ id: a2, likes: 1 })

    const judgeName = 'judge-li'
    expect(
      (await staff.post('/api/staff/accounts', { username: judgeName, password: 'judging-2026-ok', role: 'judge' }))
        .status,
    ).toBe(201)
    const judge = new Client(t.node.url)
    expect((await judge.post('/api/auth/login', { identifier: judgeName, password: 'judging-2026-ok' })).status).toBe(
      200,
    )
    // Still voting: no scores yet.
    expect((await judge.post(`/api/judge/activities/${a}/entries/${a1}/score`, { score: 90 })).body.code).toBe(
      'outside_phase',
    )
    t.clock.now = start + 1.5 * hour
    const finalists = await judge.get(`/api/judge/activities/${a}/finalists`)
    expect(finalists.body.entries.map((e: { id: string }) => e.id).sort()).toEqual([a1, a2, b1].sort())
    const notFinal = await judge.post(`/api/judge/activities/${a}/entries/${a3}/score`, { score: 99 })
    expect(notFinal.status).toBe(409)
    expect(notFinal.body.code).toBe('not_a_finalist')
    expect((await alice.post(`/api/judge/activities/${a}/entries/${a1}/score`, { score: 100 })).status).toBe(403)
    expect((await judge.post(`/api/judge/activities/${a}/entries/${a1}/score`, { score: 60 })).status).toBe(200)
    expect((await judge.post(`/api/judge/activities/${a}/entries/${b1}/score`, { score: 90 })).status).toBe(200)
    expect((await judge.post(`/api/judge/activities/${a}/entries/${a2}/score`, { score: 101 })).status).toBe(400)

    const results = await staff.post(`/api/staff/activities/${a}/results`)
    expect(results.status).toBe(200)
    // b1: 0.5×90 + 0.5×100 = 95; a1: 0.5×60 + 0.5×100 = 80; a2: 0 + 0.5×50 = 25.
    expect(
      results.body.entries.map((r: { id: string; final: number; rank: number }) => [r.id, r.final, r.rank]),
    ).toEqual([
      [b1, 95, 1],
      [a1, 80, 2],
      [a2, 25, 3],
    ])
    const inbox = await alice.get('/api/me/inbox')
    expect(inbox.body.items).toEqual([expect.objectContaining({ kind: 'activity-results', link: `/activities/${a}` })])
    expect(inbox.body.items[0].body).toMatch(/placed 2 of 3/)
    // Published twice: one notice still.
    await staff.post(`/api/staff/activities/${a}/results`)
    expect((await bob.get('/api/me/inbox')).body.items).toHaveLength(1)
    const ranking = await new Client(t.node.url).get(`/api/activities/${a}/ranking`)
    expect(ranking.body.entries.find((e: { id: string }) => e.id === b1)).toMatchObject({ score: 90, final: 95 })
    // The results are final: the winner cannot withdraw the entry they name.
    const late = await bob.call('DELETE', `/api/activities/${a}/entries/${b1}`)
    expect(late.status).toBe(409)
    expect(late.body.code).toBe('results_published')
    expect((await bob.get(`/api/activities/${a}/entries/${b1}`)).body.status).toBe('ready')
    t.clock.now = start
  })

  it('a withdrawn or disqualified entry leaves the rankings at once (today’s too), audited; only its author withdraws', async () => {
    const a = await recitation()
    const author = await reader(t)
    const [e1, e2, e3] = [
      await readyEntry(author, a, '一'),
      await readyEntry(author, a, '二'),
      await readyEntry(author, a, '三'),
    ]
    const voter = await reader(t)
    for (const e of [e1, e1, e2]) await voter.post(`/api/activities/${a}/entries/${e}/like`)
    await (await reader(t)).post(`/api/activities/${a}/entries/${e1}/like`)
    const ids = async (scope: string) =>
      (await new Client(t.node.url).get(`/api/activities/${a}/ranking?scope=${scope}`)).body.entries.map(
        (e: { id: string }) => e.id,
      )
    expect(await ids('total')).toEqual([e1, e2, e3])

    expect((await voter.call('DELETE', `/api/activities/${a}/entries/${e1}`)).status).toBe(404)
    expect((await author.call('DELETE', `/api/activities/${a}/entries/${e1}`)).status).toBe(204)
    expect(await ids('total')).toEqual([e2, e3])
    expect(await ids('today')).toEqual([e2])
    expect((await author.call('DELETE', `/api/activities/${a}/entries/${e1}`)).body.code).toBe('conflict')

    const dq = await staff.post(`/api/staff/activities/${a}/entries/${e2}/disqualify`, { reason: '非本人朗读' })
    expect(dq.status).toBe(200)
    expect(dq.body).toMatchObject({ status: 'disqualified', error: '非本人朗读' })
    expect(await ids('total')).toEqual([e3])
    expect(await ids('today')).toEqual([])
    expect((await (await reader(t)).post(`/api/activities/${a}/entries/${e2}/like`)).status).toBe(404)
    expect((await author.post(`/api/staff/activities/${a}/entries/${e3}/disqualify`, { reason: 'x' })).status).toBe(403)
    const audit = (await staff.get(`/api/staff/activities/${a}/audit`)).body.events
    expect(audit.map((r: { action: string; delta: Record<string, number> }) => [r.action, r.delta])).toEqual([
      ['entry_status', { [e1]: -4 }],
      ['entry_status', { [e2]: -2 }],
    ])
    // The author sees them in their list, with their state.
    const mine = (await author.get('/api/me/activity-entries')).body.entries
    expect(Object.fromEntries(mine.map((e: { id: string; status: string }) => [e.id, e.status]))).toEqual({
      [e1]: 'withdrawn',
      [e2]: 'disqualified',
      [e3]: 'ready',
    })
  })

  it('staff upload a text’s model reading (checked, normalised); everyone plays it with ranges', async () => {
    const a = await recitation({ texts: [{ resource: 'jingyesi', title: '静夜思' }] })
    const path = `/api/staff/activities/${a}/texts/jingyesi/model`
    const before = await new Client(t.node.url).get(`/api/activities/${a}`)
    expect(before.body.texts).toEqual([{ resource: 'jingyesi', title: '静夜思', model: null }])
    expect((await fetch(`${t.node.url}/api/activities/${a}/texts/jingyesi/model`)).status).toBe(404)

    // Not audio, a reader, a text the activity does not have: refused.
    const notAudio = await upload(staff, path, { audio: new Blob(['just text'], { type: 'audio/wav' }) })
    expect(notAudio.status).toBe(422)
    expect(notAudio.body.code).toBe('audio_rejected')
    expect((await upload(await reader(t), path, { audio: new Blob([sine], { type: 'audio/wav' }) })).status).toBe(403)
    expect(
      (
        await upload(staff, `/api/staff/activities/${a}/texts/nope/model`, {
          audio: new Blob([sine], { type: 'audio/wav' }),
        })
      ).status,
    ).toBe(404)

    const up = await upload(staff, path, { audio: new Blob([sine], { type: 'audio/wav' }) })
    expect(up.status, JSON.stringify(up.body)).toBe(200)
    expect(up.body.texts[0].model).toMatch(/^[0-9a-f]{64}$/)
    const res = await fetch(`${t.node.url}/api/activities/${a}/texts/jingyesi/model`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('audio/mp4')
    const bytes = Buffer.from(await res.arrayBuffer())
    // Normalised to M4A, not the WAV sent.
    expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp')
    const part = await fetch(`${t.node.url}/api/activities/${a}/texts/jingyesi/model`, {
      headers: { range: 'bytes=0-99' },
    })
    expect(part.status).toBe(206)
    expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(0, 100))
  })

  it('the national ranking: only for a national activity; a node with no hub to ask says so', async () => {
    const local = await recitation()
    const national = await recitation({ audience: 'member-readers' })
    const anyone = new Client(t.node.url)
    const notNational = await anyone.get(`/api/activities/${local}/ranking?scope=national`)
    expect(notNational.status).toBe(404)
    // This node belongs to no network: the hub cannot be asked, and the answer says so.
    const noHub = await anyone.get(`/api/activities/${national}/ranking?scope=national`)
    expect(noHub.status).toBe(502)
    expect(noHub.body.code).toBe('peer_unreachable')
    expect(noHub.body.detail).toMatch(/hub cannot be reached/)
  })

  it('refuses a bad activity with field errors, and readers cannot create one', async () => {
    const bad = await staff.post('/api/staff/activities', {
      kind: 'recitation',
      title: 'x',
      phases: { voting: { from: iso(start + hour), to: iso(start) } },
    })
    expect(bad.status).toBe(400)
    expect(bad.body.code).toBe('validation_failed')
    expect(
      (await (await reader(t)).post('/api/staff/activities', { kind: 'recitation', title: 'x', phases: {} })).status,
    ).toBe(403)
    expect((await new Client(t.node.url).get('/api/activities/nope')).status).toBe(404)
  })
})
