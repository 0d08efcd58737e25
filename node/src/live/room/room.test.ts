/**
 * The room of a live lecture over real sockets: a real node on 127.0.0.1 with its LevelDB in a
 * temporary folder, several real WebSocket clients (readers, a moderator, anonymous watchers),
 * and every bad input of the issue: a flood, oversize frames, HTML, a muted reader coming
 * back, a page of another site.
 */
import { rm } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { commentMaxChars, questionMaxChars, roomFrameMaxBytes, type RoomQuestion } from '@shulin/protocol'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../../testing/temp-node.js'
import { connectRoom, type RoomConnection } from '../../testing/ws-client.js'

let t: TempNode
let admin: Client
let moderator: Client
const readers: Client[] = []
let liveId: string
let roomUrl: string
const open: RoomConnection[] = []

const wsUrl = (base: string, id: string) => `${base.replace(/^http/, 'ws')}/api/live/${id}/room`
const cookieOf = (c: Client) => ({ cookie: c.cookie! })

async function lecture(access = 'public'): Promise<string> {
  const r = await admin.post('/api/staff/live', {
    title: '宋词里的江南',
    start: new Date(t.clock.now + 3_600_000).toISOString(),
    access,
  })
  expect(r.status, JSON.stringify(r.body)).toBe(201)
  return r.body.liveId as string
}

async function join(headers: Record<string, string> = {}, url = roomUrl): Promise<RoomConnection> {
  const conn = await connectRoom(url, headers)
  open.push(conn)
  await conn.next('welcome')
  return conn
}

async function reader(phone: string): Promise<Client> {
  const c = new Client(t.node.url)
  const r = await c.post('/api/auth/register', { mode: 'quick', phone, password: 'reading2026' })
  expect(r.status, JSON.stringify(r.body)).toBe(201)
  return c
}

/** Moves the node's clock past every reader's rate limit and slow mode. */
const rest = (seconds = 700) => void (t.clock.now += seconds * 1000)

beforeAll(async () => {
  t = await startTempNode()
  admin = await signedInAdmin(t)
  const created = await admin.post('/api/staff/accounts', {
    username: 'zhuchi',
    password: 'moderate-2026-ok',
    role: 'moderator',
  })
  expect(created.status, JSON.stringify(created.body)).toBe(201)
  moderator = new Client(t.node.url)
  expect((await moderator.post('/api/auth/login', { identifier: 'zhuchi', password: 'moderate-2026-ok' })).status).toBe(
    200,
  )
  readers.push(await reader('13600136001'), await reader('13600136002'), await reader('13600136003'))
  liveId = await lecture()
  roomUrl = wsUrl(t.node.url, liveId)
}, 60_000)

afterAll(async () => {
  for (const c of open) c.close()
  await t?.close()
  // The restarted node (last test) was opened on the first one's folder, which it leaves behind.
  if (t) await rm(t.dir, { recursive: true, force: true })
})

describe('live room', () => {
  it('broadcasts a reader’s question to every client, anonymous watchers included', async () => {
    const [a, b] = [await join(cookieOf(readers[0]!)), await join(cookieOf(readers[1]!))]
    const anon = await join()
    const welcome = await a.next('welcome')
    expect(welcome).toMatchObject({ canSpeak: true, canModerate: false, status: 'scheduled' })
    expect(await anon.next('welcome')).toMatchObject({ canSpeak: false, canModerate: false })

    a.send({ type: 'question', text: '请问柳永的词为何在市井流行？' })
    for (const c of [a, b, anon]) {
      const q = await c.next('question', (m) => m.text === '请问柳永的词为何在市井流行？')
      expect(q).toMatchObject({ votes: 0, answered: false, offset: null })
      expect(q.author.id).toMatch(new RegExp(`@${t.node.nodeId}$`))
      expect(q.author.name).toMatch(/^读者\*{4}/)
      // Never a phone number or card number in what the room shows.
      expect(JSON.stringify(q.author)).not.toContain('13600136001')
    }
  })

  it('refuses an anonymous watcher’s question but keeps the connection and takes its delay report', async () => {
    const anon = await join()
    anon.send({ type: 'question', text: '匿名提问' })
    expect(await anon.next('refused')).toMatchObject({ code: 'unauthenticated' })
    anon.send({ type: 'ping', at: t.clock.now - 1000 })
    anon.send({ type: 'comment', text: '还在吗' })
    expect(
      await anon.next('refused', undefined, { from: 1 + anon.received.findIndex((m) => m.type === 'refused') }),
    ).toMatchObject({
      code: 'unauthenticated',
    })
    expect(anon.ws.readyState).toBe(anon.ws.OPEN)
  })

  it('sends HTML as the literal text it is', async () => {
    rest()
    const a = await join(cookieOf(readers[0]!))
    const b = await join(cookieOf(readers[1]!))
    const html = '<script>alert("x")</script><img src=x onerror=alert(1)> & &amp;'
    a.send({ type: 'comment', text: html.slice(0, commentMaxChars) })
    a.send({ type: 'question', text: html })
    expect((await b.next('comment')).text).toBe(html.slice(0, commentMaxChars))
    expect((await b.next('question', (q) => q.text.startsWith('<script>'))).text).toBe(html)
    // And in the raw frame: JSON-escaped only, not HTML-escaped or stripped.
    const raw = await new Promise<string>((done) => {
      b.ws.once('message', (d) => done(String(d)))
      a.send({ type: 'question', text: '<b>bold</b>' })
    })
    expect(JSON.parse(raw).text).toBe('<b>bold</b>')
  })

  it('refuses bad frames with a message and keeps the connection', async () => {
    rest()
    const a = await join(cookieOf(readers[0]!))
    const refusals = () => a.received.filter((m) => m.type === 'refused')
    const expectRefusal = async (frame: unknown, code: string) => {
      const before = refusals().length
      a.send(frame)
      await a.next('refused', () => refusals().length > before, { from: 0 })
      expect(refusals().at(-1)).toMatchObject({ code })
    }
    await expectRefusal('{"type":"question","text":', 'invalid')
    await expectRefusal({ type: 'shout', text: 'hi' }, 'invalid')
    await expectRefusal({ type: 'question', text: 'x', extra: 1 }, 'invalid')
    await expectRefusal(Buffer.from([1, 2, 3]), 'invalid')
    await expectRefusal({ type: 'question', text: '问'.repeat(questionMaxChars + 1) }, 'too_long')
    await expectRefusal({ type: 'comment', text: '弹'.repeat(commentMaxChars + 1) }, 'too_long')
    // Over the frame limit: refused by its size, whatever it holds (here not even JSON).
    await expectRefusal('{'.repeat(roomFrameMaxBytes + 1), 'too_long')
    await expectRefusal(JSON.stringify({ type: 'question', text: 'x'.repeat(roomFrameMaxBytes) }), 'too_long')
    expect(a.ws.readyState).toBe(a.ws.OPEN)
    a.send({ type: 'question', text: '还能提问吗？' })
    expect((await a.next('question', (q) => q.text === '还能提问吗？')).author.id).toMatch(/@/)
    // A frame far beyond any room message is cut off by the transport before it is buffered.
    const big = await join(cookieOf(readers[1]!))
    big.send('x'.repeat(200 * 1024))
    expect((await big.closed).code).toBe(1009)
  })

  it('lets a flood through at the rate limit and no faster', async () => {
    rest()
    const flooder = await join(cookieOf(readers[2]!))
    const watcher = await join()
    const from = watcher.received.length
    for (let i = 0; i < 40; i++) flooder.send({ type: 'comment', text: `刷屏 ${i}` })
    await flooder.next('comment', (m) => m.text === '刷屏 4')
    await flooder.next('refused', (m) => m.code === 'rate_limited')
    // The node's clock stands still: the burst (5) and nothing more.
    await new Promise((r) => setTimeout(r, 300))
    const seen = () => watcher.received.slice(from).filter((m) => m.type === 'comment' && m.text.startsWith('刷屏'))
    await expect.poll(() => flooder.received.filter((m) => m.type === 'refused').length).toBe(35)
    expect(seen()).toHaveLength(5)
    // Two seconds later, one more.
    t.clock.now += 2_000
    flooder.send({ type: 'comment', text: '刷屏 again' })
    await watcher.next('comment', (m) => m.text === '刷屏 again')
  })

  it('refuses frames past the ones waiting to be judged instead of queueing them', async () => {
    rest()
    const a = await join(cookieOf(readers[2]!))
    const burst = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ type: 'comment', text: `洪水 ${i}` }))
    // Sent in one go: they arrive together, faster than any can be judged.
    for (const f of burst) a.send(f)
    await expect
      .poll(() => a.received.filter((m) => m.type === 'refused' || m.type === 'comment').length, { timeout: 20_000 })
      .toBe(2000)
    const atOnce = a.received.filter((m) => m.type === 'refused' && m.detail === 'Too many messages at once.')
    expect(atOnce.length).toBeGreaterThan(0)
    expect(a.received.filter((m) => m.type === 'comment')).toHaveLength(5)
    expect(a.ws.readyState).toBe(a.ws.OPEN)
  })

  it('checks a connection’s sign-in again: a reader who signed out no longer speaks', async () => {
    rest()
    const leaving = await reader('13600136009')
    const a = await join(cookieOf(leaving))
    a.send({ type: 'comment', text: '我还在' })
    await a.next('comment', (m) => m.text === '我还在')
    expect((await leaving.post('/api/auth/logout')).status).toBeLessThan(300)
    t.clock.now += 61_000
    a.send({ type: 'comment', text: '我走了吗' })
    expect(await a.next('refused')).toMatchObject({ code: 'unauthenticated' })
  })

  it('lets moderators hide, mark answered, set slow mode; readers may not', async () => {
    rest()
    const a = await join(cookieOf(readers[0]!))
    const b = await join(cookieOf(readers[1]!))
    const mod = await join(cookieOf(moderator))
    expect(await mod.next('welcome')).toMatchObject({ canModerate: true })
    a.send({ type: 'question', text: '要被隐藏的问题' })
    const hidden = await b.next('question', (q) => q.text === '要被隐藏的问题')
    a.send({ type: 'question', text: '会被回答的问题' })
    const answered = await b.next('question', (q) => q.text === '会被回答的问题')

    b.send({ type: 'hide', id: hidden.id })
    expect(await b.next('refused')).toMatchObject({ code: 'forbidden' })
    mod.send({ type: 'hide', id: hidden.id })
    mod.send({ type: 'answered', id: answered.id })
    for (const c of [a, b, mod]) {
      await c.next('hidden', (m) => m.id === hidden.id)
      await c.next('answered', (m) => m.id === answered.id)
    }
    // A newcomer's history leaves the hidden one out; a moderator's keeps it.
    const late = await join()
    const lateWelcome = await late.next('welcome')
    expect(lateWelcome.questions.map((q) => q.id)).not.toContain(hidden.id)
    expect(lateWelcome.questions.find((q) => q.id === answered.id)).toMatchObject({ answered: true })
    const lateMod = await join(cookieOf(moderator))
    expect((await lateMod.next('welcome')).questions.map((q) => q.id)).toContain(hidden.id)
    // Hidden questions take no votes.
    b.send({ type: 'upvote', id: hidden.id })
    expect(await b.next('refused', (m) => m.code === 'invalid')).toBeTruthy()

    mod.send({ type: 'slow', seconds: 30 })
    await a.next('slow', (m) => m.seconds === 30)
    // A minute after a's questions above: the first comment passes, the next within 30 s does not.
    t.clock.now += 60_000
    a.send({ type: 'comment', text: '慢速一' })
    await b.next('comment', (m) => m.text === '慢速一')
    a.send({ type: 'comment', text: '慢速二' })
    expect(await a.next('refused', (m) => m.code === 'slow_mode')).toBeTruthy()
    mod.send({ type: 'comment', text: '主持人不受慢速限制' })
    mod.send({ type: 'comment', text: '主持人第二条' })
    await b.next('comment', (m) => m.text === '主持人第二条')
    t.clock.now += 31_000
    a.send({ type: 'comment', text: '慢速三' })
    await b.next('comment', (m) => m.text === '慢速三')
    mod.send({ type: 'slow', seconds: 0 })
    await a.next('slow', (m) => m.seconds === 0)
  })

  it('counts one upvote per reader per question', async () => {
    rest()
    const a = await join(cookieOf(readers[0]!))
    const b = await join(cookieOf(readers[1]!))
    a.send({ type: 'question', text: '值得点赞的问题' })
    const q = await b.next('question', (m) => m.text === '值得点赞的问题')
    b.send({ type: 'upvote', id: q.id })
    expect(await a.next('votes', (m) => m.id === q.id)).toMatchObject({ votes: 1 })
    b.send({ type: 'upvote', id: q.id })
    expect(await b.next('refused', (m) => m.code === 'invalid')).toMatchObject({ detail: 'Already upvoted.' })
    a.send({ type: 'upvote', id: q.id })
    expect(await b.next('votes', (m) => m.id === q.id && m.votes === 2)).toBeTruthy()
    const late = await join()
    expect((await late.next('welcome')).questions.find((m) => m.id === q.id)).toMatchObject({ votes: 2 })
  })

  it('keeps a muted reader muted when they reconnect, until the mute ends', async () => {
    rest()
    const a = await join(cookieOf(readers[0]!))
    const mod = await join(cookieOf(moderator))
    a.send({ type: 'comment', text: '捣乱' })
    const said = await mod.next('comment', (m) => m.text === '捣乱')
    mod.send({ type: 'mute', author: said.author.id, minutes: 10 })
    await expect.poll(async () => t.node.rooms.isMuted(liveId, said.author.id)).toBe(true)
    a.send({ type: 'comment', text: '还在捣乱' })
    expect(await a.next('refused', (m) => m.code === 'muted')).toBeTruthy()
    a.close()
    await a.closed

    const again = await join(cookieOf(readers[0]!))
    expect(await again.next('welcome')).toMatchObject({ canSpeak: false })
    again.send({ type: 'question', text: '换个连接再来' })
    expect(await again.next('refused', (m) => m.code === 'muted')).toBeTruthy()
    again.send({ type: 'upvote', id: said.id })
    expect(
      await again.next(
        'refused',
        (m) => m.code === 'muted' && again.received.filter((x) => x.type === 'refused').length === 2,
      ),
    ).toBeTruthy()

    t.clock.now += 11 * 60_000
    const later = await join(cookieOf(readers[0]!))
    expect(await later.next('welcome')).toMatchObject({ canSpeak: true })
    later.send({ type: 'comment', text: '改过自新' })
    await mod.next('comment', (m) => m.text === '改过自新')
  })

  it('filters listed words after NFKC and case folding', async () => {
    rest()
    const put = await moderator.put('/api/staff/live/keywords', { keywords: ['违禁词', 'Spam'] })
    expect(put.status, JSON.stringify(put.body)).toBe(200)
    expect((await readers[0]!.get('/api/staff/live/keywords')).status).toBe(403)
    const a = await join(cookieOf(readers[0]!))
    for (const text of ['这是违禁词吗', 'ＳＰＡＭ here', 's p a m', 'SP\u200bAM']) {
      const before = a.received.filter((m) => m.type === 'refused').length
      a.send({ type: 'comment', text })
      await a.next('refused', () => a.received.filter((m) => m.type === 'refused').length > before)
      expect(a.received.filter((m) => m.type === 'refused').at(-1)).toMatchObject({ code: 'filtered' })
    }
    a.send({ type: 'comment', text: '正常的弹幕' })
    await a.next('comment', (m) => m.text === '正常的弹幕')
    await moderator.put('/api/staff/live/keywords', { keywords: [] })
  })

  it('refuses a page of another site, and answers a page of this node', async () => {
    await expect(
      connectRoom(roomUrl, { ...cookieOf(readers[0]!), origin: 'https://evil.example' }),
    ).rejects.toMatchObject({ status: 403 })
    await expect(connectRoom(roomUrl, { origin: 'null' })).rejects.toMatchObject({ status: 403 })
    const same = await join({ ...cookieOf(readers[0]!), origin: t.node.url })
    expect(await same.next('welcome')).toMatchObject({ canSpeak: true })
    expect((await readers[0]!.get(`/api/live/${liveId}/room`)).status).toBe(400)
    await expect(connectRoom(wsUrl(t.node.url, 'no-such-lecture'))).rejects.toMatchObject({ status: 404 })
  })

  it('lets only signed-in readers watch a lecture for this node’s readers', async () => {
    const id = await lecture('node-readers')
    await expect(connectRoom(wsUrl(t.node.url, id))).rejects.toMatchObject({ status: 401 })
    const c = await join(cookieOf(readers[1]!), wsUrl(t.node.url, id))
    expect(await c.next('welcome')).toMatchObject({ canSpeak: true })
    const staffOnly = await lecture('staff')
    await expect(connectRoom(wsUrl(t.node.url, staffOnly), cookieOf(readers[1]!))).rejects.toMatchObject({
      status: 403,
    })
  })

  it('gives moderators the viewers’ median delay, and nobody else', async () => {
    const id = await lecture()
    const url = wsUrl(t.node.url, id)
    const mod = await join(cookieOf(moderator), url)
    const viewer = await join(cookieOf(readers[0]!), url)
    const anons = [await join({}, url), await join({}, url)]
    viewer.send({ type: 'ping', at: t.clock.now - 4_000 })
    anons[0]!.send({ type: 'ping', at: t.clock.now - 2_000 })
    anons[1]!.send({ type: 'ping', at: t.clock.now - 3_000 })
    expect(await mod.next('delay', (m) => m.viewers === 3, { ms: 10_000 })).toMatchObject({ ms: 3_000 })
    expect([viewer, ...anons].flatMap((c) => c.received).filter((m) => m.type === 'delay')).toEqual([])
  })

  it('drops a client that stops reading instead of buffering for it', async () => {
    const id = await lecture()
    const url = wsUrl(t.node.url, id)
    const stalled = await join({}, url)
    const mod = await join(cookieOf(moderator), url)
    stalled.ws.pause()
    expect(t.node.rooms.subscribers(id)).toBe(2)
    const text = '慢'.repeat(questionMaxChars)
    let sent = 0
    let echoed = 0
    mod.ws.on('message', (d) => void (String(d).startsWith('{"type":"question"') && echoed++))
    // Moderators are not rate limited: one of them floods (in batches the room judges without
    // refusing them as too many at once) until the stalled client is let go.
    while (t.node.rooms.subscribers(id) === 2 && sent < 40_000) {
      for (let i = 0; i < 25; i++) mod.send({ type: 'question', text })
      sent += 25
      await expect.poll(() => echoed, { timeout: 20_000, interval: 5 }).toBeGreaterThanOrEqual(sent)
    }
    expect(t.node.rooms.subscribers(id)).toBe(1)
    expect(mod.ws.readyState).toBe(mod.ws.OPEN)
    // Cut at once, not left to a closing handshake it would never answer.
    stalled.ws.resume()
    expect((await stalled.closed).code).toBe(1006)
    console.log(`stalled client dropped after ${sent} questions of ${Buffer.byteLength(text)} bytes`)
  }, 60_000)

  it('refuses speech once the lecture has ended, and keeps its log', async () => {
    rest()
    const id = await lecture()
    const url = wsUrl(t.node.url, id)
    const a = await join(cookieOf(readers[1]!), url)
    const mod = await join(cookieOf(moderator), url)
    a.send({ type: 'question', text: '保留下来的问题' })
    const kept = await a.next('question')
    a.send({ type: 'question', text: '被隐藏的问题' })
    const gone = await a.next('question', (q) => q.text === '被隐藏的问题')
    mod.send({ type: 'hide', id: gone.id })
    await a.next('hidden')
    expect((await admin.post(`/api/staff/live/${id}/end`)).status).toBeLessThan(300)
    await a.next('status', (m) => m.status === 'ended')
    a.send({ type: 'question', text: '结束后的问题' })
    expect(await a.next('refused', (m) => m.code === 'ended')).toBeTruthy()
    expect((await t.node.rooms.questions(id)).map((q: RoomQuestion) => q.text)).toEqual(['保留下来的问题'])
    expect((await t.node.rooms.acts(id)).map((act) => act.type)).toEqual(['hide'])
    expect(kept.id).toBeTruthy()
  })

  it('closes its sockets when the node stops; restarted, the node has the room’s log and its mutes', async () => {
    rest()
    const id = await lecture()
    const url = wsUrl(t.node.url, id)
    const a = await join(cookieOf(readers[1]!), url)
    const mod = await join(cookieOf(moderator), url)
    a.send({ type: 'question', text: '留到重启之后' })
    const kept = await mod.next('question', (q) => q.text === '留到重启之后')
    a.send({ type: 'question', text: '重启前隐藏' })
    const hidden = await mod.next('question', (q) => q.text === '重启前隐藏')
    mod.send({ type: 'hide', id: hidden.id })
    await a.next('hidden')
    mod.send({ type: 'mute', author: kept.author.id, minutes: 10_080 })
    await expect.poll(() => t.node.rooms.isMuted(id, kept.author.id)).toBe(true)

    const stopping = Date.now()
    await t.node.close()
    expect((await a.closed).code).toBe(1001)
    expect((await mod.closed).code).toBe(1001)
    // Open sockets do not hold the stop for the whole grace period (10 s).
    expect(Date.now() - stopping).toBeLessThan(8_000)

    t = await startTempNode({ dataDir: t.dir })
    const again = await join(cookieOf(readers[1]!), wsUrl(t.node.url, id))
    const welcome = await again.next('welcome')
    expect(welcome.questions.map((q) => q.text)).toEqual(['留到重启之后'])
    expect(welcome.canSpeak).toBe(false)
    again.send({ type: 'comment', text: '重启后还能说吗' })
    expect(await again.next('refused')).toMatchObject({ code: 'muted' })
  }, 30_000)
})

describe('live room limits', () => {
  let small: TempNode
  beforeAll(async () => {
    small = await startTempNode({ liveRoomClients: 2, liveRoomClientsPerAddress: 3 })
  }, 30_000)
  afterAll(async () => small?.close())

  it('caps connections per lecture and per address', async () => {
    const staff = await signedInAdmin(small)
    const make = async () =>
      (
        await staff.post('/api/staff/live', {
          title: '限流',
          start: new Date(small.clock.now + 60_000).toISOString(),
        })
      ).body.liveId as string
    const [x, y] = [await make(), await make()]
    const conns = [await connectRoom(wsUrl(small.node.url, x)), await connectRoom(wsUrl(small.node.url, x))]
    await expect(connectRoom(wsUrl(small.node.url, x))).rejects.toMatchObject({ status: 503 })
    conns.push(await connectRoom(wsUrl(small.node.url, y)))
    await expect(connectRoom(wsUrl(small.node.url, y))).rejects.toMatchObject({ status: 429 })
    // A place freed is a place again.
    conns[0]!.close()
    await conns[0]!.closed
    await expect.poll(() => small.node.rooms.subscribers(x)).toBe(1)
    conns.push(await connectRoom(wsUrl(small.node.url, y)))
    for (const c of conns) c.close()
  })
})
