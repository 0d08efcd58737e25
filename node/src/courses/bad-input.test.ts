/**
 * The bad inputs, each against a real node and real ffmpeg: a clear error (at upload,
 * or on the lecture with the original kept), and the node still serving.
 */
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../testing/temp-node.js'
import { makeVideo, until } from '../testing/videos.js'

/** The nice value of processes whose command line is `cmdline` (Linux /proc). */
async function niceOf(cmdline: string): Promise<number[]> {
  const out: number[] = []
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
    if (cmd !== cmdline) continue
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
    // Fields after the command's closing parenthesis: state is the 3rd field, nice the 19th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (fields[16] !== undefined) out.push(Number(fields[16]))
  }
  return out
}

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shulin-bad-video-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

async function nodeWithCourse(config: Parameters<typeof startTempNode>[0] = {}) {
  const t = await startTempNode(config)
  const staff = await signedInAdmin(t)
  const courseId = (await staff.post('/api/courses', { title: '坏输入' })).body.id as string
  const lecture = async () =>
    (await staff.post(`/api/courses/${courseId}/lectures`, { title: '一讲' })).body.id as string
  const ended = (id: string) =>
    until(`lecture ${id} to finish`, async () => {
      const r = await staff.get(`/api/lectures/${id}`)
      return r.body.status === 'processing' ? { last: r.body } : { done: r.body }
    })
  return { t, staff, courseId, lecture, ended }
}

describe('bad videos and subtitles, with ffmpeg', () => {
  let n: Awaited<ReturnType<typeof nodeWithCourse>>
  beforeAll(async () => {
    n = await nodeWithCourse({ maxVideoDuration: 8, maxVideoHeight: 480 })
  })
  afterAll(() => n.t.close())

  it('a file that is not video is refused at upload (422), and the lecture keeps what it had', async () => {
    const id = await n.lecture()
    const r = await n.staff.put(`/api/lectures/${id}/video`, Buffer.from('%PDF-1.4\n%…not a video\n'), {
      'content-type': 'video/mp4',
    })
    expect(r.status).toBe(422)
    expect(r.body.detail).toMatch(/not a video/)
    expect((await n.staff.get(`/api/lectures/${id}`)).body).toMatchObject({ original: null, status: 'processing' })
  })

  it('a 0-byte upload is refused with a clear message', async () => {
    const id = await n.lecture()
    const r = await n.staff.put(`/api/lectures/${id}/video`, new Uint8Array(0), { 'content-type': 'video/mp4' })
    expect([400, 422]).toContain(r.status)
    expect(JSON.stringify(r.body)).toMatch(/empty/)
  })

  it('a truncated MP4 fails with ffprobe’s reason; the original is kept and served', async () => {
    const whole = await readFile(await makeVideo(dir, 'whole', { seconds: 4 }))
    const id = await n.lecture()
    const cut = whole.subarray(0, Math.floor(whole.length / 2))
    expect((await n.staff.put(`/api/lectures/${id}/video`, cut, { 'content-type': 'video/mp4' })).status).toBe(202)
    const done = await n.ended(id)
    expect(done.status).toBe('failed')
    expect(done.error).toMatch(/not a readable video/)
    expect(done.hls).toBeNull()
    const original = await n.staff.get(`/api/lectures/${id}/original`)
    expect(original.status).toBe(200)
    expect((original.body as Buffer).length).toBe(cut.length)
  })

  it('over the duration limit, and over the height limit: failed, saying which setting', async () => {
    const long = await readFile(await makeVideo(dir, 'long', { width: 160, height: 120, seconds: 10 }))
    const tall = await readFile(await makeVideo(dir, 'tall', { width: 320, height: 576, seconds: 2 }))
    const a = await n.lecture()
    const b = await n.lecture()
    await n.staff.put(`/api/lectures/${a}/video`, long, { 'content-type': 'video/mp4' })
    await n.staff.put(`/api/lectures/${b}/video`, tall, { 'content-type': 'video/mp4' })
    const la = await n.ended(a)
    expect(la).toMatchObject({ status: 'failed', original: expect.any(String) })
    expect(la.error).toMatch(/lasts 10 s, over this node's limit of 8 s \(--max-video-duration\)/)
    const lb = await n.ended(b)
    expect(lb.error).toMatch(/320×576, taller than this node's limit of 480 pixels \(--max-video-height\)/)
  })

  it('SRT with a broken timestamp is refused with its line (422); nothing is stored', async () => {
    const id = await n.lecture()
    const broken = '1\n00:00:01,000 --> 00:00:04,000\n好\n\n2\n00:00:05,00 --> 00:00:0x,000\n坏\n'
    const r = await n.staff.put(`/api/lectures/${id}/subtitles/zh`, broken, { 'content-type': 'application/x-subrip' })
    expect(r.status).toBe(422)
    expect(r.body.detail).toMatch(/line 6: broken timestamp/)
    expect((await n.staff.get(`/api/lectures/${id}`)).body.subtitles).toEqual([])
  })

  it('a chapter past the end of the video is refused (422)', async () => {
    const id = await n.lecture()
    await n.staff.put(`/api/lectures/${id}/video`, await readFile(await makeVideo(dir, 'four', { seconds: 4 })), {
      'content-type': 'video/mp4',
    })
    expect((await n.ended(id)).status).toBe('ready')
    const past = await n.staff.put(`/api/lectures/${id}/chapters`, [
      { title: '开始', start: 0 },
      { title: '之后', start: 60 },
    ])
    expect(past.status).toBe(422)
    expect(past.body.detail).toMatch(/chapter 2 .* past the end of the video \(4 s\)/)
    const ok = await n.staff.put(`/api/lectures/${id}/chapters`, [{ title: '开始', start: 1 }])
    expect(ok.status).toBe(200)
    expect(ok.body.chapters).toEqual([{ title: '开始', start: 1 }])
  })
})

describe('ffmpeg crashing or hanging', () => {
  let n: Awaited<ReturnType<typeof nodeWithCourse>>
  let crashFlag: string
  beforeAll(async () => {
    // A stand-in ffmpeg: answers -version, then crashes while the flag file exists, else hangs.
    crashFlag = join(dir, 'crash')
    const fake = join(dir, 'fake-ffmpeg')
    await writeFile(
      fake,
      `#!/bin/sh\ncase "$*" in *-version*) echo "ffmpeg version test"; exit 0;; esac\nif [ -f ${crashFlag} ]; then echo "Conversion failed: simulated crash" >&2; exit 1; fi\nexec sleep 601\n`,
    )
    await chmod(fake, 0o755)
    n = await nodeWithCourse({ ffmpeg: fake, transcodeTimeout: 2 })
  })
  afterAll(() => n.t.close())

  it('a crash fails the lecture with ffmpeg’s last words; a hang is stopped at the timeout', async () => {
    const video = await readFile(await makeVideo(dir, 'ok', { seconds: 2 }))
    await writeFile(crashFlag, '')
    const a = await n.lecture()
    await n.staff.put(`/api/lectures/${a}/video`, video, { 'content-type': 'video/mp4' })
    const la = await n.ended(a)
    expect(la.status).toBe('failed')
    expect(la.error).toMatch(/exited with code 1: Conversion failed: simulated crash/)
    await rm(crashFlag)

    const b = await n.lecture()
    await n.staff.put(`/api/lectures/${b}/video`, video, { 'content-type': 'video/mp4' })
    // While it hangs: it runs niced (the stand-in execs `sleep 601`, at the priority it was given).
    const nices = await until(
      'the hanging transcode',
      async () => {
        const found = await niceOf('sleep\u0000601\u0000')
        return found.length ? { done: found } : { last: found }
      },
      10_000,
    )
    expect(nices).toEqual([10])
    const lb = await n.ended(b)
    expect(lb.error).toMatch(/did not finish within 2 s and was stopped \(--transcode-timeout is 2 s\)/)
    expect(lb.original).not.toBeNull()
    const jobs = (await n.staff.get('/api/staff/transcode-jobs')).body.jobs
    expect(jobs.map((j: { state: string }) => j.state)).toEqual(['failed', 'failed'])
    // Still serving.
    expect((await new Client(n.t.node.url).get('/api/health')).status).toBe(200)
  }, 60_000)
})

describe('without ffmpeg', () => {
  let n: Awaited<ReturnType<typeof nodeWithCourse>>
  beforeAll(async () => {
    n = await nodeWithCourse({ ffmpeg: join(tmpdir(), 'no-such-ffmpeg'), ffprobe: join(tmpdir(), 'no-such-ffprobe') })
  })
  afterAll(() => n.t.close())

  it('an MP4 is ready with no HLS and its original served by ranges; an MKV fails naming the fix', async () => {
    const mp4 = await readFile(await makeVideo(dir, 'plain', { seconds: 2 }))
    const a = await n.lecture()
    await n.staff.put(`/api/lectures/${a}/video`, mp4, { 'content-type': 'video/mp4' })
    const la = await n.ended(a)
    expect(la).toMatchObject({ status: 'ready', hls: null, original: expect.stringMatching(/\/original$/) })
    expect(la.duration).toBeCloseTo(2, 0)
    const part = await n.staff.get(`/api/lectures/${a}/original`, { range: 'bytes=0-1023' })
    expect(part.status).toBe(206)

    const mkv = await readFile(await makeVideo(dir, 'plain', { seconds: 2, ext: 'mkv' }))
    const b = await n.lecture()
    const up = await n.staff.put(`/api/lectures/${b}/video`, mkv, { 'content-type': 'video/x-matroska' })
    expect(up.status).toBe(202)
    const lb = await n.ended(b)
    expect(lb.status).toBe('failed')
    expect(lb.error).toMatch(/MKV needs transcoding and ffmpeg was not found .* apt install ffmpeg/)
  })

  it('a job the node died during three times is failed, not started a fourth time', async () => {
    const mp4 = await readFile(await makeVideo(dir, 'thrice', { seconds: 2 }))
    const id = await n.lecture()
    await n.staff.put(`/api/lectures/${id}/video`, mp4, { 'content-type': 'video/mp4' })
    expect((await n.ended(id)).status).toBe('ready')
    // As three kills mid-transcode leave it: queued again, three starts counted.
    const jobs = n.t.node.services.courses.jobs
    await jobs.put({ ...(await jobs.get(id))!, state: 'queued', attempts: 3 })
    jobs.announce()
    const failed = await until('the job to fail', async () => {
      const r = await n.staff.get(`/api/lectures/${id}`)
      return r.body.status === 'failed' ? { done: r.body } : { last: r.body }
    })
    expect(failed.error).toMatch(/started 3 times and the node stopped during each/)
    // Staff ask again: a fresh count, and it runs.
    expect((await n.staff.post(`/api/lectures/${id}/transcode`)).status).toBe(202)
    expect((await n.ended(id)).status).toBe('ready')
  })
})
