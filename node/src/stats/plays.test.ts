/**
 * Course plays and minutes watched on a real node: a lecture's original (or master playlist)
 * fetched from its start is a play — a COUNTER item request of the lecture — and a player's
 * watched-time reports add seconds, held to the clock; both reach the day's figures, the roll-up
 * totals and the staff dashboard.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Client, signedInAdmin, startTempNode, tempDir, type TempNode } from '../testing/temp-node.js'

const phone = { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148' }

/** A one-second MP4 from ffmpeg's test pattern. */
async function tinyVideo(dir: string): Promise<Buffer> {
  const out = join(dir, 'tiny.mp4')
  await promisify(execFile)(
    'ffmpeg',
    ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=10', '-t', '1'].concat([
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      out,
    ]),
    { timeout: 60_000 },
  )
  return readFile(out)
}

describe('course plays and minutes watched', () => {
  let t: TempNode
  let dir: string
  let staff: Client
  let lecture: string
  let courseId: string
  let draft: string
  const start = Date.parse('2026-12-01T02:00:00Z')
  const day = '2026-12-01'

  beforeAll(async () => {
    dir = await tempDir()
    t = await startTempNode()
    t.clock.now = start
    staff = await signedInAdmin(t)
    const course = await staff.post('/api/courses', { title: '宋词十讲' })
    courseId = course.body.id
    const l = await staff.post(`/api/courses/${course.body.id}/lectures`, { title: '第一讲' })
    lecture = l.body.id
    const up = await staff.put(`/api/lectures/${lecture}/video`, await tinyVideo(dir), { 'content-type': 'video/mp4' })
    expect(up.status).toBe(202)
    expect((await staff.post(`/api/courses/${course.body.id}/publish`)).status).toBe(200)
    draft = (await staff.post(`/api/courses/${course.body.id}/lectures`, { title: '草稿' })).body.id
  }, 90_000)
  afterAll(async () => {
    await t?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('counts a play per session start, and watched seconds no faster than the clock', async () => {
    const viewer = new Client(t.node.url, phone)
    expect((await viewer.get(`/api/lectures/${lecture}/original`)).status).toBe(200)
    // The rest of the file in ranges, as a video element reads it: not plays.
    expect((await viewer.get(`/api/lectures/${lecture}/original`, { range: 'bytes=100-' })).status).toBe(206)
    expect((await viewer.get(`/api/lectures/${lecture}/original`, { range: 'bytes=200-300' })).status).toBe(206)
    t.clock.now += 10_000 // a reload within 30 s: one play
    expect((await viewer.get(`/api/lectures/${lecture}/original`, { range: 'bytes=0-' })).status).toBe(206)
    const other = new Client(t.node.url, { ...phone, 'user-agent': `${phone['user-agent']} other` })
    expect((await other.get(`/api/lectures/${lecture}/original`)).status).toBe(200)

    const watched = (c: Client, seconds: unknown, id = lecture) => c.post(`/api/lectures/${id}/watched`, { seconds })
    expect((await watched(viewer, 60)).body).toEqual({ counted: 60 })
    t.clock.now += 60_000
    expect((await watched(viewer, 60)).body).toEqual({ counted: 60 })
    // Claims beyond the time that passed are cut: 600 s of credit, 120 s spent, 60 s refilled.
    expect((await watched(viewer, 600)).body).toEqual({ counted: 540 })
    expect((await watched(viewer, 600)).body).toEqual({ counted: 0 })
    t.clock.now += 30_000
    expect((await watched(viewer, 600)).body).toEqual({ counted: 30 })
    // Bad reports are the sender's mistake, never a 500, and count nothing.
    for (const bad of [0, 601, 1.5, -3, '60', null]) expect((await watched(other, bad)).status).toBe(400)
    expect((await other.post(`/api/lectures/${lecture}/watched`, { seconds: 5, who: 'x' })).status).toBe(400)
    expect((await watched(other, 60, 'nope')).status).toBe(404)
    expect((await watched(other, 60, draft)).status).toBe(404)
    // From another site's page (the embeds): allowed, without credentials.
    const cross = await other.post(
      `/api/lectures/${lecture}/watched`,
      { seconds: 45 },
      {
        origin: 'http://library.example',
        'sec-fetch-site': 'cross-site',
      },
    )
    expect(cross.status).toBe(202)
    expect(cross.headers.get('access-control-allow-origin')).toBe('*')
    expect(cross.headers.get('access-control-allow-credentials')).toBeNull()

    t.clock.now = start + 86_400_000
    await t.node.stats.service.capture.flush()
    expect(await t.node.stats.service.aggregatePending()).toEqual([day])
    const agg = (await t.node.stats.service.store.days.get(day))!
    expect(agg.totals).toMatchObject({
      Lecture_Plays: 2,
      Seconds_Watched: 60 + 60 + 540 + 30 + 45,
      Total_Item_Requests: 2,
      Unique_Item_Requests: 2,
    })
    // COUNTER's title of a lecture is its course.
    expect(agg.titles[courseId]).toMatchObject({ Lecture_Plays: 2, Seconds_Watched: 735, Total_Item_Requests: 2 })

    // A day later the staff session has idled out.
    expect(
      (await staff.post('/api/auth/login', { identifier: 'libadmin', password: 'county-library-2026' })).status,
    ).toBe(200)
    const summary = await staff.get(`/api/staff/stats/summary?from=${day}&to=${day}`)
    expect(summary.body.totals).toMatchObject({ Lecture_Plays: 2, Seconds_Watched: 735 })
  })
})
