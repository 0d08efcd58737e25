/**
 * A national recitation across real `shulin` processes (issue 20's "Done when"): the hub creates
 * it for every member's readers and uploads a text's model reading (范读); it reaches members A
 * and B (signed by the hub, listed as national) with the model reading, which A's readers play;
 * readers of A and B each record an entry in Chromium (a fake microphone) and submit it;
 * a reader likes an entry, a second like that day is refused, the next day (every node
 * restarted a day later with SHULIN_CLOCK_SKEW_MS) it counts; a reader of A visiting B likes
 * B's entry as their home identity, once a day, counted by B alone; member B is offline for a
 * whole day and catches up; the hub's national ranking then equals the likes cast, exactly; a
 * like on a member's entry at the hub is refused (it would count twice); and at judging the hub
 * pulls the finalists' audio from their libraries. A member shows the hub's national ranking
 * (asked of the hub; in the browser as the ranking's "national" tab), and says so when the hub
 * cannot be reached.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { desktop, hasChromium, launch } from './browser.js'
import { killAll, run, start, type Started } from './processes.js'
import { json } from './network.js'
import { Client } from '../../node/src/testing/temp-node.js'
import { freePort } from '../../node/src/testing/free-port.js'

const day = 86_400_000
const poll = { timeout: 30_000, interval: 300 }
const password = 'reading-is-fun-2026'
/** Every node's clock is put at noon in Shanghai (never near a day's end), then moved a day at a time. */
const noonSkew = (() => {
  const now = Date.now()
  const shanghaiMidnight = Math.floor((now + 8 * 3600_000) / day) * day - 8 * 3600_000
  return shanghaiMidnight + day + 4 * 3600_000 - now // 12:00 Shanghai tomorrow
})()

let work: string
/** Chromium with a fake microphone (it beeps), for the readers' recordings. */
let browser: Browser | undefined
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shulin-e2e-activities-'))
  if (hasChromium) browser = await launch(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'])
})
afterAll(async () => {
  await browser?.close()
  await killAll()
  await rm(work, { recursive: true, force: true })
})

interface Peer {
  name: string
  data: string
  p2p: number
  id: string
  node: Started | undefined
}

const skewEnv = (days: number) => ({ SHULIN_CLOCK_SKEW_MS: String(noonSkew + days * day) })
const url = (p: Peer) => p.node!.url

async function boot(p: Peer, days: number, role: 'hub' | 'node' = 'node'): Promise<void> {
  const args = ['--port', '0', '--p2p-port', String(p.p2p), '--data', p.data, '--name', p.name]
  p.node = await start(role === 'hub' ? [...args, '--role', 'hub'] : args, skewEnv(days))
  p.id = (await json(`${url(p)}/api/health`)).nodeId
}

async function halt(p: Peer): Promise<void> {
  p.node?.child.kill('SIGTERM')
  await p.node?.exited
  p.node = undefined
}

/** A reader registered at `p` and signed in there (a browser-like client). */
async function reader(p: Peer, phone: string): Promise<Client> {
  const c = new Client(url(p))
  expect((await c.post('/api/auth/register', { mode: 'quick', phone, password })).status).toBe(201)
  expect((await c.post('/api/auth/login', { identifier: phone, password })).status).toBe(200)
  return c
}

async function signedIn(p: Peer, identifier: string, pass: string): Promise<Client> {
  const c = new Client(url(p))
  const r = await c.post('/api/auth/login', { identifier, password: pass })
  expect(r.status, JSON.stringify(r.body)).toBe(200)
  return c
}

/** The cookies a response sets, as one `Cookie` header. */
const cookiesOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .filter((c) => !/=$/.test(c))
    .join('; ')

/** The browser's part of a cross-library sign-in: a reader of `home` signed in at `at` as a visitor. */
async function visitor(at: Peer, home: Peer, homeReader: Client): Promise<Client> {
  const started = await fetch(`${url(at)}/api/identity/start?home=${home.id}&next=/`, { redirect: 'manual' })
  expect(started.status).toBe(302)
  const authorized = await fetch(started.headers.get('location')!, {
    redirect: 'manual',
    headers: { cookie: homeReader.cookie! },
  })
  expect(authorized.status).toBe(302)
  const back = await fetch(authorized.headers.get('location')!, {
    redirect: 'manual',
    headers: { cookie: cookiesOf(started), accept: 'application/json' },
  })
  expect(back.status).toBe(302)
  const c = new Client(url(at))
  c.cookie = cookiesOf(back)
  const me = await c.get('/api/me')
  expect(me.body.account.home.nodeId).toBe(home.id)
  c.csrf ??= me.body.session?.csrfToken ?? me.body.csrfToken
  return c
}

/** Submits a recording (multipart) and waits until it is transcoded. */
async function submit(p: Peer, c: Client, activity: string, audio: Buffer, title: string): Promise<string> {
  const form = new FormData()
  form.set('audio', new Blob([new Uint8Array(audio)], { type: 'audio/wav' }), 'reading.wav')
  form.set('title', title)
  const res = await fetch(`${url(p)}/api/activities/${activity}/entries`, {
    method: 'POST',
    headers: { cookie: c.cookie!, ...(c.csrf ? { 'x-csrf-token': c.csrf } : {}) },
    body: form,
  })
  const body = (await res.json()) as { id: string }
  expect(res.status, JSON.stringify(body)).toBe(201)
  await expect
    .poll(async () => (await c.get(`/api/activities/${activity}/entries/${body.id}`)).body.status, poll)
    .toBe('ready')
  return body.id
}

/**
 * A reader of `p` (registered, `c` their session) records about two seconds in Chromium on the
 * activity's page and submits it, as on their phone; the entry, once transcoded at `p`.
 * Without Chromium (a machine without it) the recording is posted as a file instead.
 */
async function record(p: Peer, c: Client, phone: string, activity: string, title: string, audio: Buffer) {
  if (!browser) return submit(p, c, activity, audio, title)
  const context = await browser.newContext(desktop)
  await context.grantPermissions(['microphone'], { origin: url(p) })
  const page = await context.newPage()
  try {
    await page.goto(`${url(p)}/signin?next=${encodeURIComponent(`/activities/${activity}`)}`)
    await page.getByLabel('读者证号 / 手机号 / 用户名 / 身份证号').fill(phone)
    await page.getByLabel('密码').fill(password)
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(`${url(p)}/activities/${activity}`)
    await page.getByRole('button', { name: '我要诵读' }).click()
    await page.getByLabel('作品标题').fill(title)
    await page.getByRole('button', { name: '开始录音' }).click()
    const stop = page.getByRole('button', { name: '停止' })
    await stop.waitFor()
    await page.waitForTimeout(2_000)
    await stop.click()
    await page.getByRole('button', { name: '提交作品' }).click()
    await page.getByText('已提交，正在处理').waitFor({ timeout: 30_000 })
  } finally {
    await context.close()
  }
  const mine = (await c.get('/api/me/activity-entries')).body.entries as Array<{ id: string; title: string }>
  const id = mine.find((e) => e.title === title)?.id
  expect(id, JSON.stringify(mine)).toBeTruthy()
  await expect
    .poll(async () => (await c.get(`/api/activities/${activity}/entries/${id}`)).body.status, poll)
    .toBe('ready')
  return id!
}

/** Posts a recording as staff (multipart) to `path`. */
async function postAudio(base: string, c: Client, path: string, audio: Buffer) {
  const form = new FormData()
  form.set('audio', new Blob([new Uint8Array(audio)], { type: 'audio/wav' }), 'model.wav')
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { cookie: c.cookie!, ...(c.csrf ? { 'x-csrf-token': c.csrf } : {}) },
    body: form,
  })
  return { status: res.status, body: await res.json() }
}

const bytesOf = async (href: string) => {
  const res = await fetch(href)
  return res.ok ? Buffer.from(await res.arrayBuffer()) : res.status
}

const like = (c: Client, activity: string, entry: string) =>
  c.post(`/api/activities/${activity}/entries/${encodeURIComponent(entry)}/like`)

describe('a national recitation across the network', () => {
  it(
    'reaches members, counts likes once a day, and the hub’s ranking equals the likes cast',
    { timeout: 240_000 },
    async () => {
      const hub: Peer = {
        name: '国家数字图书馆',
        data: join(work, 'hub'),
        p2p: await freePort(),
        id: '',
        node: undefined,
      }
      const a: Peer = { name: '临安县图书馆', data: join(work, 'a'), p2p: await freePort(), id: '', node: undefined }
      const b: Peer = { name: '从化区图书馆', data: join(work, 'b'), p2p: await freePort(), id: '', node: undefined }
      await boot(hub, 0, 'hub')
      for (const [m, region] of [
        [a, '330185'],
        [b, '440117'],
      ] as const) {
        await boot(m, 0)
        const inv = await run(['invite', '--data', hub.data, '--name', m.name, '--region', region, '--level', 'county'])
        expect(inv.code, inv.stderr).toBe(0)
        const j = await run(['join', inv.stdout.trim(), '--data', m.data])
        expect(j.code, j.stderr).toBe(0)
      }
      const created = await run([
        'admin',
        'create',
        '--username',
        'hubadmin',
        '--password',
        password,
        '--data',
        hub.data,
      ])
      expect(created.code, created.stderr).toBe(0)
      const operator = await signedIn(hub, 'hubadmin', password)

      // The hub creates a national recitation: submission and voting open now (by the nodes' clocks).
      const t = Date.now() + noonSkew
      const iso = (ms: number) => new Date(ms).toISOString()
      const res = await operator.post('/api/staff/activities', {
        kind: 'recitation',
        title: '全民诵读·静夜思',
        audience: 'member-readers',
        newAccountLikes: 'count',
        texts: [{ resource: 'jingyesi', title: '静夜思' }],
        phases: {
          // From the real now too: the browser (not skewed) offers the recorder while submission
          // is open by its own clock as well as the node's.
          submission: { from: iso(Math.min(t, Date.now()) - 3600_000), to: iso(t + 3 * day) },
          voting: { from: iso(t - 3600_000), to: iso(t + 3 * day) },
          judging: { from: iso(t + 3 * day), to: iso(t + 10 * day) },
        },
      })
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      const activity = res.body.id as string

      // It reaches both members, signed by the hub: national, organised by the hub.
      for (const m of [a, b])
        await expect
          .poll(
            async () =>
              (await json(`${url(m)}/api/activities`)).activities?.find((x: { id: string }) => x.id === activity),
            poll,
          )
          .toMatchObject({ scope: 'national', organiser: { nodeId: hub.id }, title: '全民诵读·静夜思' })

      const wav = join(work, 'reading.wav')
      await promisify(execFile)('ffmpeg', [
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=440:duration=2',
        '-ac',
        '1',
        '-y',
        wav,
      ])
      const audio = await readFile(wav)

      // The hub's operator uploads the text's model reading; it reaches the members with the
      // activity (pulled from the hub, chunk by checked chunk), and A's readers play it.
      const model = await postAudio(url(hub), operator, `/api/staff/activities/${activity}/texts/jingyesi/model`, audio)
      expect(model.status, JSON.stringify(model.body)).toBe(200)
      const modelPath = `/api/activities/${activity}/texts/jingyesi/model`
      const modelBytes = await bytesOf(`${url(hub)}${modelPath}`)
      expect(Buffer.isBuffer(modelBytes)).toBe(true)
      for (const m of [a, b]) await expect.poll(() => bytesOf(`${url(m)}${modelPath}`), poll).toEqual(modelBytes)

      // Readers of A and B record their entries in the browser and submit them at their own libraries.
      const a1 = await reader(a, '13800138001')
      const b1 = await reader(b, '13900139001')
      const entryA = await record(a, a1, '13800138001', activity, '静夜思（临安）', audio)
      const entryB = await record(b, b1, '13900139001', activity, '静夜思（从化）', audio)

      // Day 0: a reader likes an entry; a second like the same day is refused.
      const a2 = await reader(a, '13800138002')
      expect((await like(a2, activity, entryA)).body).toMatchObject({ id: entryA, likes: 1 })
      const again = await like(a2, activity, entryA)
      expect(again.status).toBe(409)
      expect(again.body.code).toBe('already_liked_today')
      const b2 = await reader(b, '13900139002')
      expect((await like(b2, activity, entryB)).body).toMatchObject({ likes: 1 })
      // A reader of A visiting B likes B's entry as their home identity: once a day, counted by B.
      const visiting = await visitor(b, a, a2)
      expect((await like(visiting, activity, entryB)).body).toMatchObject({ likes: 2 })
      expect((await like(visiting, activity, entryB)).status).toBe(409)
      // At the hub, members' entries are for the ranking and the judges: a like there would count twice.
      const likesCast = new Map([
        [`${a.id}/${entryA}`, 1],
        [`${b.id}/${entryB}`, 2],
      ])

      // Day 1: everyone's clock a day on, but B is offline all day.
      await halt(b)
      for (const p of [hub, a]) {
        await halt(p)
        await boot(p, 1, p === hub ? 'hub' : 'node')
      }
      const a2Again = await signedIn(a, '13800138002', password)
      expect((await like(a2Again, activity, entryA)).body).toMatchObject({ likes: 2 })
      likesCast.set(`${a.id}/${entryA}`, 2)
      // A's day 0 reaches the hub; B's does not yet.
      const ranking = async () =>
        Object.fromEntries(
          (
            (await json(`${url(hub)}/api/activities/${activity}/ranking`)).entries as Array<{
              id: string
              likes: number
            }>
          ).map((e) => [e.id, e.likes]),
        )
      await expect.poll(ranking, poll).toEqual({ [`${a.id}/${entryA}`]: 1 })

      // Day 2: B is back; A's day 1 and B's days 0 and 1 reach the hub.
      for (const p of [hub, a]) await halt(p)
      await boot(hub, 2, 'hub')
      await boot(a, 2)
      await boot(b, 2)
      await expect.poll(ranking, poll).toEqual(Object.fromEntries(likesCast))
      const national = (await json(`${url(hub)}/api/activities/${activity}/ranking`)).entries
      expect(national[0]).toMatchObject({ rank: 1, likes: 2, author: { library: expect.any(String) } })
      // Entry names carry no personal data: the masked name only.
      expect(JSON.stringify(national)).not.toContain('13800138001')
      // Members show the hub's national ranking: the same, asked of the hub over the network.
      const nationalAt = async (m: Peer) => {
        const res = await fetch(`${url(m)}/api/activities/${activity}/ranking?scope=national`)
        const body = (await res.json()) as { entries?: Array<{ id: string; likes: number }>; code?: string }
        return res.ok ? Object.fromEntries(body.entries!.map((e) => [e.id, e.likes])) : body.code
      }
      for (const m of [a, b]) await expect.poll(() => nationalAt(m), poll).toEqual(Object.fromEntries(likesCast))
      if (browser) {
        // In A's portal: the ranking's national tab, and the model reading plays.
        const page = await browser.newPage(desktop)
        try {
          await page.goto(`${url(a)}/activities/${activity}`)
          const modelAudio = page.getByLabel('范读：静夜思')
          await modelAudio.waitFor()
          const played = await modelAudio.evaluate(async (el) => {
            const a = el as HTMLAudioElement
            a.muted = true
            await a.play()
            await new Promise((r) => setTimeout(r, 400))
            return !a.paused && a.currentTime > 0
          })
          expect(played).toBe(true)
          await page.getByRole('tab', { name: '全国' }).click()
          const rows = page.locator('#rank-panel li')
          await expect.poll(() => rows.count(), poll).toBe(2)
          // Two likes each (a tie): both libraries' entries, with their likes summed by the hub.
          for (const title of ['静夜思（临安）', '静夜思（从化）'])
            expect(await rows.filter({ hasText: title }).textContent()).toContain('2 赞')
        } finally {
          await page.close()
        }
      }
      // A reader at the hub cannot like a member's entry there: it counts at its own library.
      const h1 = await reader(hub, '13700137001')
      const atHub = await like(h1, activity, `${b.id}/${entryB}`)
      expect(atHub.status).toBe(403)
      expect(atHub.body.code).toBe('forbidden')
      // Nothing more to send; the hub's sum stays exact after another restart of the members.
      for (const m of [a, b]) {
        await halt(m)
        await boot(m, 2)
      }
      await new Promise((r) => setTimeout(r, 3000))
      expect(await ranking()).toEqual(Object.fromEntries(likesCast))

      // Day 4: judging. The hub pulls its finalists' audio from their libraries; its judges hear
      // exactly what the reader recorded (the bytes the member serves).
      for (const p of [hub, a, b]) await halt(p)
      await boot(hub, 4, 'hub')
      await boot(a, 4)
      await boot(b, 4)
      const audioAt = async (p: Peer, entry: string) => {
        const res = await fetch(`${url(p)}/api/activities/${activity}/entries/${encodeURIComponent(entry)}/audio`)
        return res.ok ? Buffer.from(await res.arrayBuffer()) : res.status
      }
      const own = await audioAt(a, entryA)
      expect(Buffer.isBuffer(own)).toBe(true)
      await expect
        .poll(() => audioAt(hub, `${a.id}/${entryA}`), poll)
        .toEqual(own)
        .catch((err: unknown) => {
          const log = hub
            .node!.output()
            .split('\n')
            .filter((l) => !l.includes('"msg":"request"'))
            .join('\n')
          throw new Error(`${(err as Error).message}\nhub:\n${log.slice(-8000)}`)
        })
      await expect.poll(() => audioAt(hub, `${b.id}/${entryB}`), poll).toEqual(await audioAt(b, entryB))
      expect(await ranking()).toEqual(Object.fromEntries(likesCast))

      // The hub goes away: A says so (after its brief cache) rather than showing nothing.
      await halt(hub)
      await expect.poll(() => nationalAt(a), poll).toBe('peer_unreachable')
    },
  )
})
