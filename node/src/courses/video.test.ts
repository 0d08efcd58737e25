import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../testing/temp-node.js'
import { makeVideo, until } from '../testing/videos.js'

const srt = `1
00:00:00,500 --> 00:00:02,000
寒蝉凄切，对长亭晚

2
00:00:02,500 --> 00:00:04,000
骤雨初歇 <script>alert(1)</script>
`

describe('lecture videos: upload, transcode to HLS, serve', () => {
  let t: TempNode
  let staff: Client
  let anon: Client
  let dir: string
  let courseId: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shulin-video-'))
    t = await startTempNode()
    staff = await signedInAdmin(t)
    anon = new Client(t.node.url)
    courseId = (await staff.post('/api/courses', { title: '宋词十讲' })).body.id
  })
  afterAll(async () => {
    await t.close()
    await rm(dir, { recursive: true, force: true })
  })

  const lecture = async (title: string) =>
    (await staff.post(`/api/courses/${courseId}/lectures`, { title })).body.id as string
  const ended = (id: string) =>
    until(
      `lecture ${id} to finish`,
      async () => {
        const r = await staff.get(`/api/lectures/${id}`)
        const jobs = (await staff.get('/api/staff/transcode-jobs')).body
        return r.body.status === 'processing' ? { last: [r.body, jobs] } : { done: r.body }
      },
      60_000,
    )

  it('an MP4 with SRT subtitles becomes a master playlist, two renditions, a poster and WebVTT', async () => {
    const video = await makeVideo(dir, 'a', { width: 854, height: 480 })
    const id = await lecture('第一讲 柳永')
    const up = await staff.put(`/api/lectures/${id}/video`, await readFile(video), { 'content-type': 'video/mp4' })
    expect(up.status).toBe(202)
    expect(up.body.status).toBe('processing')
    const sub = await staff.put(`/api/lectures/${id}/subtitles/zh`, srt, { 'content-type': 'application/x-subrip' })
    expect(sub.status).toBe(200)
    const done = await ended(id)
    expect(done).toMatchObject({ status: 'ready' })
    expect(done.duration).toBeCloseTo(6, 0)
    expect(done.hls).toBe(`${t.node.url}/api/lectures/${id}/hls/master.m3u8`)
    await staff.post(`/api/courses/${courseId}/publish`)

    const master = await anon.get(`/api/lectures/${id}/hls/master.m3u8`)
    expect(master.status).toBe(200)
    expect(master.headers.get('content-type')).toBe('application/vnd.apple.mpegurl')
    const text = String(master.body)
    expect(text).toMatch(/BANDWIDTH=\d+,RESOLUTION=640x360,CODECS="avc1\.[0-9a-f]+,mp4a\.40\.2"/)
    expect(text).toMatch(/RESOLUTION=854x480/)
    const rendition = await anon.get(`/api/lectures/${id}/hls/360p.m3u8`)
    const playlist = String(rendition.body)
    const range = /#EXT-X-BYTERANGE:(\d+)@(\d+)\n(\S+)/.exec(playlist)!
    expect(range[3]).toBe('360p.ts')
    const [len, off] = [Number(range[1]), Number(range[2])]
    const seg = await anon.get(`/api/lectures/${id}/hls/360p.ts`, { range: `bytes=${off}-${off + len - 1}` })
    expect(seg.status).toBe(206)
    expect((seg.body as Buffer).length).toBe(len)
    expect((seg.body as Buffer)[0]).toBe(0x47) // an MPEG-TS sync byte
    const durations = [...playlist.matchAll(/#EXTINF:([\d.]+)/g)].map((m) => Number(m[1]))
    for (const d of durations.slice(0, -1)) (expect(d).toBeGreaterThanOrEqual(2), expect(d).toBeLessThanOrEqual(6))

    const vtt = await anon.get(`/api/lectures/${id}/subtitles/zh`)
    expect(vtt.headers.get('content-type')).toMatch(/^text\/vtt/)
    expect(vtt.body).toContain('WEBVTT')
    expect(vtt.body).toContain('00:00:00.500 --> 00:00:02.000')
    expect(vtt.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(vtt.body).not.toContain('<script>')
    const poster = await anon.get(`/api/lectures/${id}/poster`)
    expect(poster.headers.get('content-type')).toBe('image/jpeg')
    expect((poster.body as Buffer).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]))
    const transcript = await anon.get(`/api/lectures/${id}/transcript`)
    expect(transcript.body.cues[1]).toEqual({ start: 2.5, end: 4, text: '骤雨初歇 <script>alert(1)</script>' })
    const original = await anon.get(`/api/lectures/${id}/original`, { range: 'bytes=0-99' })
    expect(original.status).toBe(206)
    const jobs = await staff.get('/api/staff/transcode-jobs')
    expect(jobs.body.jobs.find((j: { lectureId: string }) => j.lectureId === id)).toMatchObject({
      state: 'done',
      progress: 1,
      attempts: 1,
    })
  }, 120_000)

  it('a new upload while the first transcodes replaces it: the lecture ends with the second video', async () => {
    const first = await makeVideo(dir, 'first', { seconds: 20 })
    const second = await makeVideo(dir, 'second', { seconds: 3, width: 320, height: 180 })
    const id = await lecture('第二讲 苏轼')
    await staff.put(`/api/lectures/${id}/video`, await readFile(first), { 'content-type': 'video/mp4' })
    await until('the first transcode to run', async () => {
      const j = (await staff.get('/api/staff/transcode-jobs')).body.jobs.find(
        (x: { lectureId: string }) => x.lectureId === id,
      )
      return j?.state === 'running' ? { done: j } : { last: j }
    })
    await staff.put(`/api/lectures/${id}/video`, await readFile(second), { 'content-type': 'video/mp4' })
    const done = await ended(id)
    expect(done.status).toBe('ready')
    expect(done.duration).toBeCloseTo(3, 0)
    const master = String((await staff.get(`/api/lectures/${id}/hls/master.m3u8`)).body)
    expect(master).toMatch(/RESOLUTION=320x180/)
    expect(master).not.toMatch(/RESOLUTION=640x360/)
  }, 120_000)

  it('a node stopped cleanly mid-transcode queues the job again, and the restart runs it (not counted twice)', async () => {
    const data = await mkdtemp(join(tmpdir(), 'shulin-stop-'))
    const first = await startTempNode({ dataDir: data })
    const admin = await signedInAdmin(first)
    const course = (await admin.post('/api/courses', { title: '停机' })).body.id
    const id = (await admin.post(`/api/courses/${course}/lectures`, { title: '一讲' })).body.id
    const video = await readFile(await makeVideo(dir, 'stopped', { seconds: 20 }))
    await admin.put(`/api/lectures/${id}/video`, video, { 'content-type': 'video/mp4' })
    await until('the transcode to run', async () => {
      const j = await first.node.services.courses.jobs.get(id)
      return j?.state === 'running' ? { done: j } : { last: j }
    })
    await first.close()
    const second = await startTempNode({ dataDir: data })
    try {
      const again = new Client(second.node.url)
      await again.post('/api/auth/login', { identifier: 'libadmin', password: 'county-library-2026' })
      const done = await until('the lecture after the restart', async () => {
        const r = await again.get(`/api/lectures/${id}`)
        return r.body.status === 'processing' ? { last: r.body } : { done: r.body }
      })
      expect(done.status).toBe('ready')
      expect(await second.node.services.courses.jobs.get(id)).toMatchObject({ state: 'done', attempts: 1 })
    } finally {
      await second.close()
      await rm(data, { recursive: true, force: true })
    }
  }, 120_000)
})
