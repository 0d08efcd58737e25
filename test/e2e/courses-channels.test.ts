/**
 * Open courses from the hub to its branches (总站 → 分站), as separate processes on loopback:
 * the hub adds a lecture (a 6-second MP4 and an SRT) with `shulin course add`, waits for its
 * transcode, puts the course in a channel and lists it on the menu; one member subscribes
 * catalogue-only, another as a mirror. From the catalogue member's own web address the course
 * shows the lecture ready, and the master playlist, a rendition playlist, byte ranges of the
 * media file (fetched on first play) and the WebVTT come from it, byte for byte the hub's. A
 * second lecture the hub adds later reaches both; with the hub stopped, the mirror still plays
 * it (its files came ahead), and the catalogue member, with nobody left to fetch it from, answers
 * a clear 503 problem.
 */
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killAll, run, type Started } from './processes.js'
import { control, hubAndMembers, json } from './network.js'

let work: string
let video: string
let video2: string
let srt: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shulin-e2e-courses-'))
  video = join(work, 'lecture.mp4')
  srt = join(work, 'lecture.srt')
  video2 = join(work, 'lecture2.mp4')
  // Test sources as the issue names them: colour bars with a clock, and a tone. Files are
  // content-addressed, so the second lecture's must differ (another length and tone), or its
  // HLS files would be the first's, already at every member.
  const source = (seconds: number, tone: number, out: string) =>
    execFileSync(
      'ffmpeg',
      ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25', '-f', 'lavfi']
        .concat(['-i', `sine=frequency=${tone}`, '-t', String(seconds), '-c:v', 'libx264', '-pix_fmt', 'yuv420p'])
        .concat(['-c:a', 'aac', out]),
      { timeout: 60_000 },
    )
  source(6, 440, video)
  source(5, 880, video2)
  await writeFile(
    srt,
    '1\n00:00:00,000 --> 00:00:02,500\n寒蝉凄切，对长亭晚\n\n2\n00:00:02,500 --> 00:00:05,000\n骤雨初歇\n',
  )
})
afterAll(async () => {
  await killAll()
  await rm(work, { recursive: true, force: true })
})

const poll = { timeout: 30_000, interval: 300 }

interface LectureView {
  id: string
  status: string
  hls: string | null
  subtitles: Array<{ lang: string; url: string }>
}

const bytes = async (url: string, headers: Record<string, string> = {}) => {
  const res = await fetch(url, { headers })
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type') }
}

/** Adds a lecture with the CLI; returns the ids its last line prints. */
async function addLecture(data: string, file: string, args: string[]) {
  const added = await run(['course', 'add', ...args, '--video', file, '--publish', '--data', data])
  expect(added.code, added.stderr).toBe(0)
  const ids = JSON.parse(added.stdout.trim().split('\n').at(-1)!) as { courseId: string; lectureId: string }
  return { ...ids, stdout: added.stdout }
}

async function lectureOn(url: string, courseId: string, lectureId: string): Promise<LectureView | undefined> {
  const res = await fetch(`${url}/api/courses/${courseId}`)
  if (!res.ok) return undefined
  return ((await res.json()) as { lectures: LectureView[] }).lectures.find((l) => l.id === lectureId)
}

async function readyOn(url: string, courseId: string, lectureId: string, timeout = 120_000): Promise<LectureView> {
  await expect
    .poll(async () => (await lectureOn(url, courseId, lectureId))?.status, { timeout, interval: 500 })
    .toBe('ready')
  return (await lectureOn(url, courseId, lectureId))!
}

/** How many times a node's log says it fetched the file `blob`. */
const fetchedLines = (out: string, blob: string) =>
  out.split('\n').filter((l) => l.includes('fetched a channel file') && l.includes(blob)).length

/** The files of a record as its publisher signed them into the channel. */
async function signedFiles(data: string, channel: string, record: string) {
  const signed = await control<{
    records: Record<string, { payload: { files: Array<{ blob: string; name?: string }> } }>
  }>(data, '/api/control/federation/catalog', { catalog: `ch-${channel}`, get: [record] })
  return signed.body.records[record]!.payload.files
}

/** The names in a playlist (its lines that are not tags). */
const entries = (playlist: Buffer) =>
  playlist
    .toString('utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))

describe('courses from the hub to its branches', () => {
  it('a hub’s course channel, played from a catalogue member and a mirror; a clear 503 with nobody to fetch from', async () => {
    const { hub, hubData, members } = await hubAndMembers(work, 'hub', [
      ['330185', '临安县图书馆'],
      ['441900', '东莞市图书馆'],
    ])
    const [c, d] = members as [{ data: string; node: Started }, { data: string; node: Started }]

    // The hub adds a lecture with subtitles into its series' channel, and waits for its transcode.
    const first = await addLecture(hubData, video, [
      '--title',
      '宋词十讲',
      '--lecture',
      '第一讲 柳永',
      '--subtitles',
      srt,
      '--channel',
      '公开课·中华诗词',
    ])
    // The course and its lecture are in the channel (the lecture signed again once it is ready).
    const id = /channel 公开课·中华诗词 \(([0-9a-f]{8}-[0-9a-f]{10})\): .*\(2 records signed\)/.exec(first.stdout)?.[1]
    expect(id, first.stdout).toBeTruthy()
    const atHub = await readyOn(hub.url, first.courseId, first.lectureId)
    expect(atHub.hls).toMatch(/master\.m3u8$/)

    // Listed on the menu.
    expect((await control(hubData, `/api/control/channels/menu/${id}`, { state: 'listed' })).status).toBe(200)

    // The members' staff find it on the menu as a course channel and subscribe.
    await expect
      .poll(async () => (await json(`${c.node.url}/api/channels/menu`)).menu, poll)
      .toEqual([expect.objectContaining({ channel: id, kind: 'courses' })])
    expect((await run(['subscribe', id!, '--data', c.data])).code).toBe(0)
    expect((await run(['subscribe', id!, '--mirror', '--data', d.data])).code).toBe(0)

    // The catalogue member shows the lecture ready, at its own address.
    const atC = await readyOn(c.node.url, first.courseId, first.lectureId, 30_000)
    expect(new URL(atC.hls!).origin).toBe(new URL(c.node.url).origin)
    expect(atC.subtitles.map((s) => s.lang)).toEqual(['zh'])

    // Played from the member: every file is the hub's, byte for byte (the first play fetches them).
    const master = await bytes(atC.hls!)
    expect(master.status).toBe(200)
    expect(master.type).toMatch(/mpegurl/)
    expect(master.body.equals((await bytes(atHub.hls!)).body)).toBe(true)
    const renditions = entries(master.body)
    expect(renditions.length).toBeGreaterThanOrEqual(1)
    const playlistAt = (base: string, name: string) => new URL(name, base).href
    const rendition = await bytes(playlistAt(atC.hls!, renditions[0]!))
    expect(rendition.status).toBe(200)
    expect(rendition.body.equals((await bytes(playlistAt(atHub.hls!, renditions[0]!))).body)).toBe(true)
    const media = entries(rendition.body)[0]!
    expect(rendition.body.toString('utf8')).toContain('#EXT-X-BYTERANGE')
    const range = /#EXT-X-BYTERANGE:(\d+)@(\d+)/.exec(rendition.body.toString('utf8'))!
    const [length, offset] = [Number(range[1]), Number(range[2])]
    // Four viewers start at once: each gets its range, and the member fetched the file once.
    const ranges = [`bytes=${offset}-${offset + length - 1}`, 'bytes=1000-1999', 'bytes=0-187', `bytes=${offset}-`]
    const fromC = await Promise.all(ranges.map((r) => bytes(playlistAt(atC.hls!, media), { range: r })))
    for (const [i, r] of ranges.entries()) {
      expect(fromC[i]!.status, r).toBe(206)
      expect(fromC[i]!.body.equals((await bytes(playlistAt(atHub.hls!, media), { range: r })).body), r).toBe(true)
    }
    const mediaBlob = (await signedFiles(hubData, id!, first.lectureId)).find((f) => f.name === media)!.blob
    expect(fetchedLines(c.node.output(), mediaBlob)).toBe(1)
    const vtt = await bytes(atC.subtitles[0]!.url)
    expect(vtt.status).toBe(200)
    expect(vtt.body.toString('utf8')).toMatch(/^WEBVTT[\s\S]*寒蝉凄切/)
    expect(vtt.body.equals((await bytes(atHub.subtitles[0]!.url)).body)).toBe(true)

    // A second lecture the hub adds later joins the channel by itself, and reaches both members.
    const second = await addLecture(hubData, video2, ['--course', first.courseId, '--lecture', '第二讲 苏轼'])
    expect(second.courseId).toBe(first.courseId)
    const secondAtHub = await readyOn(hub.url, first.courseId, second.lectureId)
    await readyOn(c.node.url, first.courseId, second.lectureId, 30_000)
    const secondAtD = await readyOn(d.node.url, first.courseId, second.lectureId, 30_000)
    // The mirror fetches its files in the background: wait until each has come.
    const blobs = (await signedFiles(hubData, id!, second.lectureId)).map((f) => f.blob)
    expect(blobs.length).toBeGreaterThanOrEqual(4)
    await expect
      .poll(() => blobs.filter((b) => fetchedLines(d.node.output(), b) !== 1), { timeout: 60_000, interval: 500 })
      .toEqual([])
    const secondMaster = (await bytes(secondAtHub.hls!)).body

    // The hub stops: the mirror plays the second lecture from what it holds.
    hub.child.kill('SIGTERM')
    await hub.exited
    const fromD = await bytes(secondAtD.hls!)
    expect(fromD.status).toBe(200)
    expect(fromD.body.equals(secondMaster)).toBe(true)
    const dRendition = await bytes(playlistAt(secondAtD.hls!, entries(fromD.body)[0]!))
    expect(dRendition.status).toBe(200)
    const dMedia = await bytes(playlistAt(secondAtD.hls!, entries(dRendition.body)[0]!), { range: 'bytes=0-187' })
    expect(dMedia.status).toBe(206)

    // With the mirror stopped too, nobody holding the second lecture can be reached: the
    // catalogue member says so with a 503 problem, and keeps serving what it has.
    d.node.child.kill('SIGTERM')
    await d.node.exited
    const secondAtC = (await lectureOn(c.node.url, first.courseId, second.lectureId))!
    // (Its master playlist is the first lecture's, byte for byte — the same ladder — so already
    // here; its media file is its own.)
    const refused = await fetch(playlistAt(secondAtC.hls!, entries(dRendition.body)[0]!), {
      headers: { range: 'bytes=0-187' },
    })
    expect(refused.status).toBe(503)
    expect(refused.headers.get('content-type')).toMatch(/problem\+json/)
    expect(refused.headers.get('retry-after')).toBeTruthy()
    expect(await refused.json()).toMatchObject({ code: 'content_unavailable', status: 503 })
    expect((await bytes(atC.hls!)).status).toBe(200)
    c.node.child.kill('SIGTERM')
  }, 420_000)
})
