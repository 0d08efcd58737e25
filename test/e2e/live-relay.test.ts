/**
 * Members relay the hub's live lecture, as real processes: a hub and two members started with
 * `--relay-live`, ffmpeg pushing a small test pattern to the hub over RTMP. Member A lists the
 * hub's lecture (origin: the hub) and serves its readers the playlist and segments from its
 * own folder, while the hub gives each member each segment once, however many readers fetch
 * it at the member.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killAll, run, start, removeWork } from './processes.js'
import { hubAdminToken, hubAndMembers, json, type Member } from './network.js'
import type { Started } from './processes.js'
import { Client, tempDir } from '../../node/src/testing/temp-node.js'
import { connectRoom, type RoomConnection } from '../../node/src/testing/ws-client.js'

const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0

/** The segment names a playlist lists. */
const segmentsOf = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#'))

describe.skipIf(!hasFfmpeg)('live relay through members (processes)', () => {
  let work: string
  let hub: Started
  let hubData: string
  let a: Member
  let b: Member
  let hubId: string
  let liveId: string
  let encoder: ChildProcess | undefined
  let auth: { authorization: string }

  beforeAll(async () => {
    work = await tempDir('shulin-e2e-live-relay-')
    // Every node: any free RTMP port; the members relay the hub's lectures.
    process.env.SHULIN_RTMP_PORT = '0'
    process.env.SHULIN_RELAY_LIVE = '1'
    const net = await hubAndMembers(work, 'hub', [
      ['330100', '杭州市图书馆'],
      ['330200', '宁波市图书馆'],
    ])
    delete process.env.SHULIN_RELAY_LIVE
    ;({ hub, hubData } = net)
    ;[a, b] = net.members as [Member, Member]
    hubId = (await json(`${hub.url}/api/health`)).nodeId
    auth = await hubAdminToken(hubData, hub.url)
    const added = await run([
      'live',
      'add',
      '--title',
      '宋词里的四季',
      '--start',
      new Date(Date.now() + 60_000).toISOString(),
      '--data',
      hubData,
    ])
    expect(added.code, added.stderr).toBe(0)
    const created = JSON.parse(added.stdout.trim().split('\n').at(-1)!)
    liveId = created.liveId
    // A small, short test pattern: 320×180, 25 fps, 1 s GOP, a sine tone, for at most 150 s.
    encoder = spawn(
      'ffmpeg',
      [
        ...['-hide_banner', '-loglevel', 'error', '-re'],
        ...['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25'],
        ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100'],
        ...['-t', '150', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25'],
        ...[
          '-pix_fmt',
          'yuv420p',
          '-c:a',
          'aac',
          '-b:a',
          '64k',
          '-f',
          'flv',
          `${created.rtmpUrl}/${created.streamKey}`,
        ],
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    )
  }, 120_000)

  const rooms: RoomConnection[] = []
  const room = async (base: string, headers: Record<string, string> = {}) => {
    const conn = await connectRoom(`${base.replace(/^http/, 'ws')}/api/live/${liveId}/room`, headers)
    rooms.push(conn)
    await conn.next('welcome')
    return conn
  }

  afterAll(async () => {
    for (const r of rooms) r.close()
    encoder?.kill('SIGKILL')
    await killAll()
    await removeWork(work)
  })

  it("member A's readers get the hub's segments from A; the hub gives each member each segment once", async () => {
    // The hub is live once the encoder pushes.
    await expect
      .poll(async () => (await json(`${hub.url}/api/live/${liveId}`)).status, { timeout: 30_000, interval: 500 })
      .toBe('live')
    // A mirrors it (origin: the hub) and goes live once it holds segments.
    await expect
      .poll(async () => (await json(`${a.node.url}/api/live/${liveId}`)).status, { timeout: 30_000, interval: 500 })
      .toBe('live')
    const view = await json(`${a.node.url}/api/live/${liveId}`)
    expect(view.origin).toEqual({ nodeId: hubId, name: '国家数字图书馆' })
    expect(view.hls).toBe(`${a.node.url}/api/live/${liveId}/hls/index.m3u8`)
    // B asks the hub on its own clock (every 5 s, later under load): it lists the lecture too.
    await expect
      .poll(async () => (await json(`${b.node.url}/api/live`)).lectures.map((l: { id: string }) => l.id), {
        timeout: 30_000,
        interval: 500,
      })
      .toContain(liveId)

    // Five readers of A poll A's playlist and fetch each new segment, for eight seconds.
    const fetched = new Map<string, number>()
    const firstSeen = new Map<string, number>()
    const until = Date.now() + 8000
    await Promise.all(
      Array.from({ length: 5 }, async () => {
        const seen = new Set<string>()
        while (Date.now() < until) {
          const res = await fetch(view.hls)
          expect(res.status).toBe(200)
          for (const name of segmentsOf(await res.text())) {
            if (seen.has(name)) continue
            seen.add(name)
            if (!firstSeen.has(name)) firstSeen.set(name, Date.now())
            const seg = await fetch(`${a.node.url}/api/live/${liveId}/hls/${name}`)
            expect(seg.status).toBe(200)
            expect((await seg.arrayBuffer()).byteLength).toBeGreaterThan(0)
            fetched.set(name, (fetched.get(name) ?? 0) + 1)
          }
          await new Promise((r) => setTimeout(r, 300))
        }
      }),
    )
    expect(fetched.size).toBeGreaterThanOrEqual(4)
    // Every reader fetched every segment, except one that appeared in the last two seconds: a
    // reader whose eight seconds ran out before its next poll never saw it (1 run in 3 under load).
    const settled = [...fetched].filter(([name]) => firstSeen.get(name)! < until - 2000)
    expect(settled.length).toBeGreaterThanOrEqual(3)
    expect(settled.filter(([, n]) => n !== 5)).toEqual([])

    const aId = (await json(`${a.node.url}/api/health`)).nodeId
    const bId = (await json(`${b.node.url}/api/health`)).nodeId
    const counts = (await json(`${hub.url}/api/staff/live-relay`, { headers: auth })).members
    // Each segment left the hub once per member: 5 readers at A cost the hub nothing more.
    expect(counts[aId].segments).toBeGreaterThanOrEqual(fetched.size)
    for (const id of [aId, bId]) {
      expect(counts[id].segments).toBeGreaterThanOrEqual(4)
      expect(counts[id].segments).toBe(counts[id].distinct)
    }
    const relay = await json(`${a.node.url}/api/live/${liveId}/relay`)
    expect(relay).toMatchObject({ state: 'connected' })
    expect(relay.segments).toBe(counts[aId].segments)
  }, 90_000)

  it("a question asked on A reaches the hub and B; the hub's moderator hides it everywhere", async () => {
    const reader = new Client(a.node.url)
    const registered = await reader.post('/api/auth/register', {
      mode: 'quick',
      phone: '13800138001',
      password: 'reading2026',
    })
    expect(registered.status, JSON.stringify(registered.body)).toBe(201)
    const onA = await room(a.node.url, { cookie: reader.cookie! })
    const onHub = await room(hub.url, auth)
    const onB = await room(b.node.url)
    const aId = (await json(`${a.node.url}/api/health`)).nodeId

    onA.send({ type: 'question', text: '宋词的词牌怎么读?' })
    const asked = (q: { text: string }) => q.text === '宋词的词牌怎么读?'
    const atHub = await onHub.next('question', asked, { ms: 10_000 })
    // Named reader@node by the hub, with A's name from the hub's registry.
    expect(atHub.author.id.endsWith(`@${aId}`)).toBe(true)
    expect(atHub.author.library).toBe('杭州市图书馆')
    const atB = await onB.next('question', asked, { ms: 10_000 })
    expect(atB.id).toBe(atHub.id)
    await onA.next('question', asked, { ms: 10_000 })

    onHub.send({ type: 'hide', id: atHub.id })
    await onB.next('hidden', (m) => m.id === atHub.id, { ms: 10_000 })
    await onA.next('hidden', (m) => m.id === atHub.id, { ms: 10_000 })
    // A reader arriving at B later does not see it.
    const late = await room(b.node.url)
    const welcome = await late.next('welcome')
    expect(welcome.questions.map((q) => q.id)).not.toContain(atHub.id)
  }, 60_000)

  /** The media sequence number of A's playlist (its first listed segment), or -1. */
  const sequenceAt = async (url: string) => {
    const res = await fetch(`${url}/api/live/${liveId}/hls/index.m3u8`).catch(() => undefined)
    const m = /#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(res?.ok ? await res.text() : '')
    return m ? Number(m[1]) : -1
  }

  it("A's viewers are told when A loses the hub, and the relay resumes at the live edge", async () => {
    const onA = await room(a.node.url)
    const before = await sequenceAt(a.node.url)
    const skipped = (await json(`${a.node.url}/api/live/${liveId}/relay`)).skipped
    // The hub stops answering (frozen, its connections open): A's pulls time out.
    hub.child.kill('SIGSTOP')
    try {
      await onA.next('relay' as never, (m: { state: string }) => m.state === 'reconnecting', { ms: 30_000 })
      expect((await json(`${a.node.url}/api/live/${liveId}/relay`)).state).toBe('reconnecting')
    } finally {
      hub.child.kill('SIGCONT')
    }
    await onA.next('relay' as never, (m: { state: string }) => m.state === 'connected', { ms: 30_000 })
    // Back at the live edge: what went by meanwhile is skipped, not fetched.
    await expect.poll(() => sequenceAt(a.node.url), { timeout: 20_000, interval: 500 }).toBeGreaterThan(before + 5)
    expect((await json(`${a.node.url}/api/live/${liveId}/relay`)).skipped).toBeGreaterThan(skipped)
  }, 90_000)

  it('A killed and restarted mid-stream: its viewers resume from A', async () => {
    const before = await sequenceAt(a.node.url)
    expect(before).toBeGreaterThanOrEqual(0)
    a.node.child.kill('SIGKILL')
    await a.node.exited
    const again = await start(['--port', '0', '--data', a.data], { SHULIN_RELAY_LIVE: '1', SHULIN_RTMP_PORT: '0' })
    expect((await json(`${again.url}/api/live/${liveId}`)).origin.nodeId).toBe(hubId)
    await expect.poll(() => sequenceAt(again.url), { timeout: 30_000, interval: 500 }).toBeGreaterThan(before)
    const list = await (await fetch(`${again.url}/api/live/${liveId}/hls/index.m3u8`)).text()
    const last = segmentsOf(list).at(-1)!
    expect((await fetch(`${again.url}/api/live/${liveId}/hls/${last}`)).status).toBe(200)
  }, 90_000)
})
