/**
 * Courses as an operator and staff meet them, through the built CLI and real node processes:
 * an MP4 with SRT uploaded through the API is served as HLS (master → rendition → a byte range
 * of the media file), WebVTT and a poster; `shulin course add` with the node stopped (the job
 * runs when it starts) and running; a node killed with SIGKILL mid-transcode finishes the job
 * after its restart.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client } from '../../node/src/testing/temp-node.js'
import { makeVideo, until } from '../../node/src/testing/videos.js'
import { killAll, run, start, type Started } from './processes.js'

const admin = ['--username', 'libadmin', '--password', 'county-library-2026']

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shulin-courses-'))
})
afterAll(async () => {
  await killAll()
  await rm(work, { recursive: true, force: true })
})

async function newFolder(name: string): Promise<string> {
  const data = join(work, name)
  const made = await run(['admin', 'create', '--data', data, ...admin])
  expect(made.code, made.stderr).toBe(0)
  return data
}

async function staffOf(node: Started): Promise<Client> {
  const c = new Client(node.url)
  const r = await c.post('/api/auth/login', { identifier: 'libadmin', password: 'county-library-2026' })
  expect(r.status).toBe(200)
  return c
}

/** The lecture once its transcode has ended (ready or failed). */
function ended(c: Client, id: string, timeoutMs = 120_000) {
  return until(
    `lecture ${id}`,
    async () => {
      const r = await c.get(`/api/lectures/${id}`)
      return r.status === 200 && r.body.status !== 'processing' ? { done: r.body } : { last: r.body }
    },
    timeoutMs,
  )
}

async function stop(node: Started): Promise<void> {
  node.child.kill('SIGTERM')
  await node.exited
}

const lastJson = (stdout: string) =>
  JSON.parse(stdout.trim().split('\n').at(-1)!) as { courseId: string; lectureId: string }

describe('lectures through the API, served as HLS', () => {
  it('staff upload an MP4 and an SRT; readers get master → rendition → byte range, WebVTT, poster', async () => {
    const data = await newFolder('api')
    const node = await start(['--data', data, '--port', '0'])
    const staff = await staffOf(node)
    const course = (await staff.post('/api/courses', { title: '宋词十讲', subjects: ['宋词'] })).body
    const lecture = (await staff.post(`/api/courses/${course.id}/lectures`, { title: '第一讲 柳永' })).body
    const video = await makeVideo(work, 'api', { width: 854, height: 480, seconds: 6 })
    const up = await staff.put(`/api/lectures/${lecture.id}/video`, await readFile(video), {
      'content-type': 'video/mp4',
      'content-disposition': 'attachment; filename="liu-yong.mp4"',
    })
    expect(up.status).toBe(202)
    const srt =
      '1\n00:00:00,500 --> 00:00:02,000\n寒蝉凄切\n\n2\n00:00:02,500 --> 00:00:04,000\n<script>alert(1)</script>\n'
    expect(
      (await staff.put(`/api/lectures/${lecture.id}/subtitles/zh`, srt, { 'content-type': 'text/plain' })).status,
    ).toBe(200)
    await staff.put(`/api/lectures/${lecture.id}/chapters`, [
      { title: '生平', start: 0 },
      { title: '雨霖铃', start: 3 },
    ])
    expect((await staff.post(`/api/courses/${course.id}/publish`)).status).toBe(200)
    expect((await ended(staff, lecture.id)).status).toBe('ready')

    const reader = new Client(node.url)
    const detail = (await reader.get(`/api/courses/${course.id}`)).body
    const view = detail.lectures[0]
    expect(view).toMatchObject({ id: lecture.id, status: 'ready', subtitles: [{ lang: 'zh', label: '中文' }] })
    expect(view.chapters).toEqual([
      { title: '生平', start: 0 },
      { title: '雨霖铃', start: 3 },
    ])
    expect(view.duration).toBeCloseTo(6, 0)
    const master = String((await reader.get(new URL(view.hls).pathname)).body)
    const variants = [...master.matchAll(/#EXT-X-STREAM-INF:([^\n]+)\n(\S+)/g)]
    expect(variants.map((v) => v[2])).toEqual(['360p.m3u8', '480p.m3u8'])
    for (const v of variants) expect(v[1]).toMatch(/BANDWIDTH=\d+,RESOLUTION=\d+x\d+,CODECS="avc1\.[^"]+,mp4a\.40\.2"/)
    // Relative URLs resolve against the master's own address.
    const playlist = String((await reader.get(new URL(variants[1]![2]!, view.hls).pathname)).body)
    const piece = /#EXT-X-BYTERANGE:(\d+)@(\d+)\n(\S+)/.exec(playlist)!
    const [len, off] = [Number(piece[1]), Number(piece[2])]
    const seg = await reader.get(new URL(piece[3]!, view.hls).pathname, { range: `bytes=${off}-${off + len - 1}` })
    expect(seg.status).toBe(206)
    expect(seg.headers.get('content-range')).toBe(
      `bytes ${off}-${off + len - 1}/${seg.headers.get('content-range')!.split('/')[1]}`,
    )
    expect((seg.body as Buffer)[0]).toBe(0x47)
    const vtt = await reader.get(new URL(view.subtitles[0].url).pathname)
    expect(vtt.headers.get('content-type')).toMatch(/^text\/vtt/)
    expect(String(vtt.body)).toMatch(/^WEBVTT\n/)
    expect(String(vtt.body)).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(String(vtt.body)).not.toContain('<script>')
    const poster = await reader.get(new URL(view.poster).pathname)
    expect(poster.headers.get('content-type')).toBe('image/jpeg')
    // The ETag of a segment lets a player revalidate instead of refetching.
    const again = await reader.get(new URL(piece[3]!, view.hls).pathname, { 'if-none-match': seg.headers.get('etag')! })
    expect(again.status).toBe(304)
    await stop(node)
  }, 180_000)
})

describe('shulin course add', () => {
  it('with the node stopped: queued, transcoded once the node starts; then again while it runs', async () => {
    const data = await newFolder('cli')
    const video = await makeVideo(work, 'cli', { seconds: 4 })
    const srt = join(work, 'cli.zh.srt')
    await writeFile(srt, '1\n00:00:01,000 --> 00:00:02,000\n词以境界为最上\n')
    const chapters = join(work, 'cli.json')
    await writeFile(chapters, JSON.stringify([{ title: '开篇', start: 0 }]))

    const offline = await run([
      'course',
      'add',
      '--title',
      '人间词话',
      '--lecture',
      '第一讲',
      '--video',
      video,
      '--subtitles',
      srt,
      '--chapters',
      chapters,
      '--publish',
      '--data',
      data,
    ])
    expect(offline.code, offline.stderr).toBe(0)
    const first = lastJson(offline.stdout)

    const node = await start(['--data', data, '--port', '0'])
    const reader = new Client(node.url)
    const done = await ended(reader, first.lectureId)
    expect(done).toMatchObject({ status: 'ready', chapters: [{ title: '开篇', start: 0 }] })
    expect(done.hls).toMatch(/\/hls\/master\.m3u8$/)

    // Running: through the node; the same title finds the same course.
    const online = await run([
      'course',
      'add',
      '--title',
      '人间词话',
      '--lecture',
      '第二讲',
      '--video',
      video,
      '--publish',
      '--data',
      data,
    ])
    expect(online.code, online.stderr).toBe(0)
    const second = lastJson(online.stdout)
    expect(second.courseId).toBe(first.courseId)
    expect((await ended(reader, second.lectureId)).status).toBe('ready')
    const course = (await reader.get(`/api/courses/${first.courseId}`)).body
    expect(course.lectures.map((l: { title: string }) => l.title)).toEqual(['第一讲', '第二讲'])

    // Bad arguments: a clear message, a non-zero exit, nothing written.
    const before = (await (await staffOf(node)).get('/api/courses?status=published')).body.courses.length
    const bad = [
      ['course', 'add', '--lecture', 'x', '--video', video, '--data', data],
      ['course', 'add', '--title', '新课', '--lecture', 'x', '--video', chapters, '--data', data],
      ['course', 'add', '--title', '新课', '--lecture', 'x', '--video', join(work, 'missing.mp4'), '--data', data],
      [
        'course',
        'add',
        '--title',
        '新课',
        '--lecture',
        'x',
        '--video',
        video,
        '--course',
        'no-such-course',
        '--data',
        data,
      ],
      ['course', 'add', '--title', '新课', '--lecture', 'x', '--video', video, '--chapters', srt, '--data', data],
    ]
    for (const args of bad) {
      const r = await run(args)
      expect(r.code, args.join(' ')).not.toBe(0)
      expect(r.stderr.length, args.join(' ')).toBeGreaterThan(0)
    }
    const staff = await staffOf(node)
    expect((await staff.get('/api/courses?status=published')).body.courses.length).toBe(before)
    expect((await staff.get('/api/courses?status=draft')).body.courses).toEqual([])
    await stop(node)

    // Stopped again: a bad argument writes nothing there either.
    const broken = join(work, 'broken.srt')
    await writeFile(broken, '1\n00:00:01 --> 00:00:02,000\nx\n')
    const r = await run([
      'course',
      'add',
      '--title',
      '新课',
      '--lecture',
      'x',
      '--video',
      video,
      '--subtitles',
      broken,
      '--data',
      data,
    ])
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(/broken\.srt: line 2: broken timestamp/)
    const again = await start(['--data', data, '--port', '0'])
    expect((await (await staffOf(again)).get('/api/courses?status=draft')).body.courses).toEqual([])
    await stop(again)
  }, 240_000)
})

describe('a node killed mid-transcode', () => {
  it('queues the job again at restart and finishes it', async () => {
    const data = await newFolder('killed')
    // Long enough to be caught running on two busy cores, short enough to finish soon after.
    const video = await makeVideo(work, 'long', { width: 854, height: 480, seconds: 24 })
    const added = await run([
      'course',
      'add',
      '--title',
      '长课',
      '--lecture',
      '一讲',
      '--video',
      video,
      '--publish',
      '--data',
      data,
    ])
    expect(added.code, added.stderr).toBe(0)
    const { lectureId } = lastJson(added.stdout)
    const first = await start(['--data', data, '--port', '0'])
    const staff = await staffOf(first)
    const job = () => staff.get('/api/staff/transcode-jobs').then((r) => r.body.jobs[0])
    await until(
      'the job to run',
      async () => {
        const j = await job()
        return j?.state === 'running' ? { done: j } : { last: j }
      },
      60_000,
    )
    first.child.kill('SIGKILL')
    await first.exited

    const second = await start(['--data', data, '--port', '0'])
    const staff2 = await staffOf(second)
    const done = await ended(staff2, lectureId, 120_000)
    expect(done.status).toBe('ready')
    expect(done.duration).toBeCloseTo(24, 0)
    const j = (await staff2.get('/api/staff/transcode-jobs')).body.jobs[0]
    expect(j).toMatchObject({ state: 'done', attempts: 2, progress: 1 })
    expect(second.output()).toMatch(/queued again/)
    const master = await new Client(second.url).get(new URL(done.hls).pathname)
    expect(master.status).toBe(200)
    await stop(second)
  }, 300_000)
})
