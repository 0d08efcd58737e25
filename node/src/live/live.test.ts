/**
 * Live lectures on a real node (real LevelDB, real sockets, real ffmpeg pushing RTMP): staff
 * schedule a lecture; an encoder with its key makes it live and low-latency HLS appears; a wrong
 * key, a second encoder and RTMP playing are refused; an encoder that drops and comes back
 * continues the same playlist; staff end it and the recording becomes a lecture of its course
 * with the room's questions as its timeline; an encoder gone past the grace period ends the
 * lecture; HLS files follow the lecture's access policy with the right cache headers; reminders
 * reach the inbox, also across a restart; without ffmpeg scheduling still works.
 *
 * Pushes are small (320×240, ultrafast) and short (a few seconds), every one time-bounded.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { connect } from 'node:net'
import { existsSync } from 'node:fs'
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LiveCreated, RoomQuestion } from '@shulin/protocol'
import { Client, signedInAdmin, startTempNode, tempDir, type TempNode } from '../testing/temp-node.js'
import { until } from '../testing/videos.js'

/** Pushes the test pattern for `seconds`; resolves with ffmpeg's exit code (killed at 30 s). */
function push(
  url: string,
  seconds: number,
  codecs = ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25', '-c:a', 'aac'],
): { done: Promise<number | null>; signal: (s: NodeJS.Signals) => void } {
  const child = spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-re'],
      ...['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine'],
      ...['-t', String(seconds), ...codecs, '-f', 'flv', url],
    ],
    { stdio: 'ignore' },
  )
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  const done = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve(code)
    }),
  )
  return { done, signal: (s) => child.kill(s) }
}

async function reader(t: TempNode, phone: string): Promise<Client> {
  const c = new Client(t.node.url, { 'accept-language': 'en' })
  const r = await c.post('/api/auth/register', { mode: 'quick', phone, password: 'reading2026' })
  expect(r.status).toBe(201)
  return c
}

const segments = (playlist: string) => playlist.split('\n').filter((l) => l.endsWith('.ts'))

describe('live lectures: ingest, HLS, end and replay', () => {
  let t: TempNode
  let staff: Client
  let anon: Client
  let courseId: string
  beforeAll(async () => {
    t = await startTempNode({ rtmpPort: 0 })
    staff = await signedInAdmin(t)
    anon = new Client(t.node.url, { 'accept-language': 'en' })
    const course = await staff.post('/api/courses', { title: '宋词十讲' })
    courseId = course.body.id
    await staff.post(`/api/courses/${courseId}/publish`)
  }, 60_000)
  afterAll(() => t?.close())

  const schedule = async (extra: Record<string, unknown> = {}) => {
    const r = await staff.post<LiveCreated>('/api/staff/live', {
      title: '第一讲 柳永（直播）',
      start: new Date(t.clock.now + 3600_000).toISOString(),
      course: courseId,
      ...extra,
    })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    return r.body
  }

  it('schedules a lecture; readers see it with its room and no playlist; bad requests are 4xx', async () => {
    const created = await schedule({ speakers: [{ name: '叶嘉莹' }] })
    expect(created.rtmpUrl).toBe(`rtmp://127.0.0.1:${t.node.live.ingest.port()}/live`)
    expect(created.streamKey.length).toBeGreaterThanOrEqual(32)
    const view = await anon.get(`/api/live/${created.liveId}`)
    expect(view.body).toMatchObject({
      id: created.liveId,
      status: 'scheduled',
      hls: null,
      course: courseId,
      room: `/api/live/${created.liveId}/room`,
      replay: null,
      speakers: [{ name: '叶嘉莹' }],
    })
    expect((await anon.get('/api/live')).body.lectures.map((l: { id: string }) => l.id)).toContain(created.liveId)
    // The key is kept only as a hash.
    const stored = await t.node.live.service.store.get(created.liveId)
    expect(JSON.stringify(stored)).not.toContain(created.streamKey)

    const at = new Date(t.clock.now).toISOString()
    expect((await anon.post('/api/staff/live', { title: 'x', start: at })).status).toBe(401)
    expect((await staff.post('/api/staff/live', { title: 'x', start: 'tomorrow' })).status).toBe(400)
    expect((await staff.post('/api/staff/live', { title: 'x', start: at, course: 'nope' })).status).toBe(400)
    expect((await anon.get('/api/live/..%2F..%2Fetc')).status).toBe(404)
    expect((await anon.get('/api/live/01NOPE')).status).toBe(404)
  })

  it('refuses a wrong stream key, a known key under another application, and playing over RTMP', async () => {
    const created = await schedule()
    const wrong = push(`${created.rtmpUrl}/${created.streamKey.slice(0, -2)}xx`, 3)
    const otherApp = push(`${created.rtmpUrl.replace(/\/live$/, '/other')}/${created.streamKey}`, 3)
    expect(await wrong.done).not.toBe(0)
    expect(await otherApp.done).not.toBe(0)
    const view = await anon.get(`/api/live/${created.liveId}`)
    expect(view.body.status).toBe('scheduled')
    expect(existsSync(join(t.node.live.service.hlsDir(created.liveId), 'index.m3u8'))).toBe(false)
    // Playing the stream over RTMP is refused (readers watch HLS): ffmpeg cannot read it.
    const play = spawn('ffmpeg', [
      '-v',
      'error',
      '-i',
      `${created.rtmpUrl}/${created.streamKey}`,
      '-t',
      '1',
      '-f',
      'null',
      '-',
    ])
    const killer = setTimeout(() => play.kill('SIGKILL'), 15_000)
    const code = await new Promise((r) => play.on('exit', r))
    clearTimeout(killer)
    expect(code).not.toBe(0)
  }, 30_000)

  it('cuts a peer that sends bytes that are not RTMP, or declares huge messages; the node goes on', async () => {
    const port = t.node.live.ingest.port()!
    const send = (bytes: Buffer) =>
      new Promise<boolean>((resolve) => {
        const s = connect(port, '127.0.0.1', () => s.write(bytes))
        s.on('error', () => {})
        s.on('close', () => resolve(true))
        s.resume() // read the node's handshake answer, so its close is seen
        setTimeout(() => (s.destroy(), resolve(false)), 10_000)
      })
    const handshake = Buffer.concat([Buffer.from([3]), randomBytes(3072)])
    const huge = Buffer.alloc(140)
    huge[0] = 3
    huge.writeUIntBE(0xffffff, 4, 3)
    huge[7] = 9
    // Closed by the node (not by the 30 s idle limit): random bytes, and a 16 MiB message before any key.
    expect(await send(Buffer.concat([handshake, randomBytes(64 * 1024)]))).toBe(true)
    expect(await send(Buffer.concat([handshake, huge]))).toBe(true)
    expect((await anon.get('/api/health')).status).toBe(200)
  })

  let live: LiveCreated
  it('an encoder makes the lecture live: 1 s HLS segments; a second encoder is refused while it pushes', async () => {
    live = await schedule()
    const first = push(`${live.rtmpUrl}/${live.streamKey}`, 6)
    const view = await until(
      'live with a playlist',
      async () => {
        const v = await anon.get(`/api/live/${live.liveId}`)
        if (v.body.status !== 'live') return { last: v.body }
        const p = await fetch(v.body.hls)
        const text = p.ok ? await p.text() : ''
        return segments(text).length >= 2 ? { done: v.body } : { last: text }
      },
      20_000,
    )
    expect(view.hls).toBe(`${t.node.url}/api/live/${live.liveId}/hls/index.m3u8`)
    expect(view.startedAt).not.toBeNull()

    const second = push(`${live.rtmpUrl}/${live.streamKey}`, 4)
    expect(await second.done).not.toBe(0)

    const res = await fetch(view.hls)
    expect(res.headers.get('content-type')).toBe('application/vnd.apple.mpegurl')
    expect(res.headers.get('cache-control')).toBe('no-cache')
    const playlist = await res.text()
    expect(playlist).toMatch(/#EXT-X-TARGETDURATION:[12]\n/)
    const seg = await fetch(`${t.node.url}/api/live/${live.liveId}/hls/${segments(playlist)[0]}`)
    expect(seg.status).toBe(200)
    expect(seg.headers.get('content-type')).toBe('video/mp2t')
    expect(seg.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(Buffer.from(await seg.arrayBuffer())[0]).toBe(0x47) // an MPEG-TS sync byte

    // The first encoder was not disturbed: it pushes to its end.
    expect(await first.done).toBe(0)
    const after = await (await fetch(view.hls)).text()
    expect(segments(after).length).toBeGreaterThanOrEqual(4)
  }, 40_000)

  it('an encoder that drops and comes back continues the same lecture and playlist', async () => {
    // The first push has ended (the encoder dropped): the lecture stays live, waiting.
    expect((await anon.get(`/api/live/${live.liveId}`)).body.status).toBe('live')
    const before = segments(await (await fetch(`${t.node.url}/api/live/${live.liveId}/hls/index.m3u8`)).text())
    const back = push(`${live.rtmpUrl}/${live.streamKey}`, 3)
    expect(await back.done).toBe(0)
    const playlist = await until(
      'the returning encoder’s segments',
      async () => {
        const text = await (await fetch(`${t.node.url}/api/live/${live.liveId}/hls/index.m3u8`)).text()
        return segments(text).some((s) => s.startsWith('p00002-')) ? { done: text } : { last: text }
      },
      10_000,
    )
    expect(playlist).toContain('#EXT-X-DISCONTINUITY')
    expect(segments(playlist)).toContain(before.at(-1))
    expect((await anon.get(`/api/live/${live.liveId}`)).body.status).toBe('live')
    expect((await readdir(t.node.live.service.recordingDir(live.liveId))).sort()).toEqual([
      'part-00001.ts',
      'part-00002.ts',
    ])
  }, 30_000)

  it('an encoder whose link died silently is replaced by the one that reconnects with the key', async () => {
    const stuck = push(`${live.rtmpUrl}/${live.streamKey}`, 20)
    const playlist = () => fetch(`${t.node.url}/api/live/${live.liveId}/hls/index.m3u8`).then((r) => r.text())
    await until(
      'the third push’s segments',
      async () => ((await playlist()).includes('p00003-') ? { done: true } : { last: await playlist() }),
      15_000,
    )
    // Frozen: its TCP connection stays open but nothing comes (as when a link dies without a FIN).
    stuck.signal('SIGSTOP')
    try {
      const t0 = Date.now()
      // Refused while the first may still be pushing, taken once it has been silent 5 s.
      let code: number | null = null
      while (Date.now() - t0 < 15_000) {
        code = await push(`${live.rtmpUrl}/${live.streamKey}`, 2).done
        if (code === 0) break
      }
      expect(code).toBe(0)
      expect(Date.now() - t0).toBeGreaterThanOrEqual(4000)
      const text = await playlist()
      // The fourth push (the refused ones made no part) is on the playlist.
      expect(segments(text).some((name) => name.startsWith('p00004-'))).toBe(true)
    } finally {
      stuck.signal('SIGKILL')
    }
    expect((await anon.get(`/api/live/${live.liveId}`)).body.status).toBe('live')
  }, 60_000)

  it('staff end it: the recording becomes a lecture of its course, with the questions as its timeline', async () => {
    const asked: RoomQuestion[] = [5, 1].map((offset) => ({
      type: 'question',
      id: `q${offset}`,
      text: `问题 ${offset}`,
      author: { id: 'r@n', name: '读者****0001', library: '县图书馆' },
      at: new Date(t.clock.now).toISOString(),
      offset,
      votes: 0,
      answered: false,
    }))
    t.node.live.questions = (id) => (id === live.liveId ? asked : [])
    expect((await anon.post(`/api/staff/live/${live.liveId}/end`)).status).toBe(401)
    const ended = await staff.post(`/api/staff/live/${live.liveId}/end`)
    expect(ended.status).toBe(200)
    expect(ended.body).toMatchObject({ status: 'ended', hls: null })
    // Ending twice is ending once.
    expect((await staff.post(`/api/staff/live/${live.liveId}/end`)).body.endedAt).toBe(ended.body.endedAt)
    await t.node.live.replays.settled()
    const view = (await anon.get(`/api/live/${live.liveId}`)).body
    expect(view.replay).toEqual(expect.any(String))
    const lecture = await staff.get(`/api/lectures/${view.replay}`)
    expect(lecture.body).toMatchObject({ course: courseId, title: '第一讲 柳永（直播）' })
    // Its video went to the transcode queue like any upload.
    expect((await t.node.services.courses.jobs.get(view.replay))?.state).toMatch(/queued|running|done/)
    const timeline = await staff.get(`/api/lectures/${view.replay}/questions`)
    expect(timeline.body.questions.map((q: RoomQuestion) => q.id)).toEqual(['q1', 'q5'])

    // No encoder is taken after the end.
    const late = push(`${live.rtmpUrl}/${live.streamKey}`, 2)
    expect(await late.done).not.toBe(0)
    expect((await anon.get(`/api/live/${live.liveId}`)).body.status).toBe('ended')
  }, 60_000)

  it('encodes a stream that is not H.264/AAC (Sorenson H.263 + MP3) into H.264/AAC segments', async () => {
    const created = await schedule()
    const pushed = push(`${created.rtmpUrl}/${created.streamKey}`, 3, ['-c:v', 'flv', '-g', '25', '-c:a', 'libmp3lame'])
    expect(await pushed.done).toBe(0)
    const dir = t.node.live.service.hlsDir(created.liveId)
    const first = await until(
      'a segment',
      async () => {
        const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.ts')).sort()
        return names.length ? { done: names[0]! } : { last: names }
      },
      10_000,
    )
    const probe = await new Promise<string>((resolve) => {
      const p = spawn('ffprobe', [
        '-v',
        'error',
        '-show_entries',
        'stream=codec_name',
        '-of',
        'csv=p=0',
        join(dir, first),
      ])
      let out = ''
      p.stdout.on('data', (d) => (out += d))
      p.on('exit', () => resolve(out))
    })
    // Each stream is listed once per program too: the codecs, once each.
    expect([...new Set(probe.split('\n').filter(Boolean))].sort()).toEqual(['aac', 'h264'])
  }, 30_000)

  it('serves HLS files by the lecture’s access policy, privately cached when not public', async () => {
    const created = await schedule({ access: 'node-readers' })
    await t.node.live.service.setStatus(created.liveId, 'live')
    const dir = t.node.live.service.hlsDir(created.liveId)
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, 'index.m3u8'), '#EXTM3U\n#EXTINF:1.0,\nseg-1.ts\n')
    await writeFile(join(dir, 'seg-1.ts'), Buffer.alloc(188, 0x47))
    const base = `/api/live/${created.liveId}/hls`
    expect((await anon.get(`${base}/index.m3u8`)).status).toBe(401)
    const r = await reader(t, '13600136009')
    expect((await r.get(`${base}/index.m3u8`)).status).toBe(200)
    const seg = await r.get(`${base}/seg-1.ts`)
    expect(seg.headers.get('cache-control')).toBe('private, max-age=31536000, immutable')
    for (const bad of ['..%2Findex.m3u8', 'index.txt', '.m3u8', 'a%00.ts', 'nope.ts'])
      expect((await r.get(`${base}/${bad}`)).status).toBe(404)
    const hidden = await schedule({ access: 'staff' })
    expect((await r.get(`/api/live/${hidden.liveId}`)).status).toBe(404)
    expect((await r.get('/api/live')).body.lectures.map((l: { id: string }) => l.id)).not.toContain(hidden.liveId)
  }, 30_000)
})

describe('an encoder that does not come back within the grace period', () => {
  let t: TempNode
  let staff: Client
  beforeAll(async () => {
    t = await startTempNode({ rtmpPort: 0 }, { liveGraceMs: 1500 })
    staff = await signedInAdmin(t)
  }, 60_000)
  afterAll(() => t?.close())

  it('ends the lecture, and its recording becomes a lecture (of a course with its title, none given)', async () => {
    const start = new Date(t.clock.now).toISOString()
    const created = (await staff.post<LiveCreated>('/api/staff/live', { title: '临时讲座', start })).body
    expect(await push(`${created.rtmpUrl}/${created.streamKey}`, 3).done).toBe(0)
    const view = await until(
      'the lecture ended with a replay',
      async () => {
        const v = (await staff.get(`/api/live/${created.liveId}`)).body
        return v.status === 'ended' && v.replay ? { done: v } : { last: v }
      },
      20_000,
    )
    const lecture = (await staff.get(`/api/lectures/${view.replay}`)).body
    const course = (await staff.get(`/api/courses/${lecture.course}`)).body
    expect(course.title).toBe('临时讲座')
  }, 40_000)
})

describe('reminders', () => {
  let dir: string
  let t: TempNode
  beforeAll(async () => {
    dir = await tempDir()
  })
  afterAll(async () => {
    await t?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('a reader’s reminder becomes one inbox notice before the start, also across a restart', async () => {
    t = await startTempNode({ dataDir: dir, rtmpPort: 0 })
    const staff = await signedInAdmin(t)
    const soon = new Date(t.clock.now + 5 * 60_000).toISOString()
    const later = new Date(t.clock.now + 2 * 3600_000).toISOString()
    const a = (await staff.post('/api/staff/live', { title: '马上开始', start: soon })).body as LiveCreated
    const b = (await staff.post('/api/staff/live', { title: '两小时后', start: later })).body as LiveCreated
    const r = await reader(t, '13600136011')
    expect((await new Client(t.node.url).post(`/api/live/${a.liveId}/remind`)).status).toBe(401)
    const first = await r.post(`/api/live/${a.liveId}/remind`)
    expect(first.status).toBe(200)
    expect(first.body.due).toBe(new Date(t.clock.now).toISOString())
    await r.post(`/api/live/${a.liveId}/remind`)
    const remindB = await r.post(`/api/live/${b.liveId}/remind`)
    expect(remindB.body.due).toBe(new Date(Date.parse(later) - 10 * 60_000).toISOString())
    const inbox = await until(
      'the notice',
      async () => {
        const n = (await r.get('/api/me/inbox')).body.items
        return n.length ? { done: n } : { last: n }
      },
      10_000,
    )
    expect(inbox).toHaveLength(1)
    expect(inbox[0]).toMatchObject({ kind: 'live-starting', title: '马上开始', link: `/live/${a.liveId}` })

    // The node stops; when it starts again after the second lecture's reminder is due, it is sent.
    await t.close()
    const now = t.clock.now + 2 * 3600_000 - 5 * 60_000
    t = await startTempNode({ dataDir: dir, rtmpPort: 0 })
    t.clock.now = now
    // The clock moved after the start: the reminders look again when asked to remind anything.
    const r2 = new Client(t.node.url, { 'accept-language': 'en' })
    expect((await r2.post('/api/auth/login', { identifier: '13600136011', password: 'reading2026' })).status).toBe(200)
    await t.node.live.reminders.stop()
    t.node.live.reminders.start()
    const notices = await until(
      'the second notice',
      async () => {
        const n = (await r2.get('/api/me/inbox')).body.items
        return n.length >= 2 ? { done: n } : { last: n }
      },
      10_000,
    )
    expect(notices.map((n: { title: string }) => n.title)).toEqual(['两小时后', '马上开始'])
  }, 60_000)
})

describe('a reader’s reminder state', () => {
  let t: TempNode
  afterAll(async () => {
    await t?.close()
  })

  it('GET says whether I am reminded; asking twice keeps one reminder; DELETE cancels, twice harmlessly', async () => {
    t = await startTempNode({ rtmpPort: 0 })
    // Nothing is sent during the test: the reminders stay in the store to be counted.
    await t.node.live.reminders.stop()
    const staff = await signedInAdmin(t)
    const soon = new Date(t.clock.now + 5 * 60_000).toISOString()
    const a = (await staff.post('/api/staff/live', { title: '马上开始', start: soon })).body as LiveCreated
    const r = await reader(t, '13600136021')
    const other = await reader(t, '13600136022')
    const path = `/api/live/${a.liveId}/remind`
    expect((await new Client(t.node.url).get(path)).status).toBe(401)
    expect((await r.get(path)).body).toEqual({ liveId: a.liveId, reminded: false, due: null })
    expect((await r.post(path)).status).toBe(200)
    // Within the lead the notice is due "now", so the second ask has another due time: still one.
    t.clock.now += 1000
    expect((await r.post(path)).status).toBe(200)
    const stored = () => t.node.live.service.store.dueReminders(Number.MAX_SAFE_INTEGER)
    expect(await stored()).toHaveLength(1)
    expect((await r.get(path)).body).toEqual({
      liveId: a.liveId,
      reminded: true,
      due: new Date(t.clock.now).toISOString(),
    })
    expect((await other.get(path)).body).toMatchObject({ reminded: false })
    expect((await other.post(path)).status).toBe(200)
    expect(await stored()).toHaveLength(2)

    const cancelled = await r.call('DELETE', path)
    expect(cancelled.status).toBe(200)
    expect(cancelled.body).toEqual({ liveId: a.liveId, reminded: false, due: null })
    expect((await r.call('DELETE', path)).body).toMatchObject({ reminded: false })
    expect((await r.get(path)).body).toMatchObject({ reminded: false })
    // The other reader's reminder stays.
    expect((await stored()).map((x) => x.accountId)).toHaveLength(1)
    expect((await other.get(path)).body).toMatchObject({ reminded: true })
    expect((await r.call('DELETE', '/api/live/nope/remind')).status).toBe(404)
  }, 60_000)
})

describe('without ffmpeg', () => {
  it('lectures are scheduled; the ingest does not listen and says why', async () => {
    const t = await startTempNode({ rtmpPort: 0, ffmpeg: '/nonexistent/ffmpeg' })
    try {
      const staff = await signedInAdmin(t)
      const start = new Date(t.clock.now).toISOString()
      expect((await staff.post('/api/staff/live', { title: '无 ffmpeg', start })).status).toBe(201)
      const state = t.node.live.ingest.state
      expect(state.ready).toBe(false)
      expect(!state.ready && state.reason).toMatch(/ffmpeg \(\/nonexistent\/ffmpeg\) does not run.*SHULIN_FFMPEG/)
    } finally {
      await t.close()
    }
  }, 30_000)
})
