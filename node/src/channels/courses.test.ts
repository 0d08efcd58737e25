/**
 * Courses in a channel, on the publishing node: a course put into a channel takes its lectures,
 * each signed with its own fields and its course; the HLS files, poster and subtitles travel,
 * the uploaded original does not; a transcode's progress is not signed again, its end is; a
 * lecture published into the course later joins the channel.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ChannelRecord, ResourceFile } from '@shulin/protocol'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../testing/temp-node.js'

describe('courses in a channel', () => {
  let t: TempNode
  let staff: Client
  beforeAll(async () => {
    t = await startTempNode()
    staff = await signedInAdmin(t)
  })
  afterAll(() => t.close())

  /** The channel's signed records, as a subscriber would pull them. */
  async function signed(channel: string, ids: string[]): Promise<Record<string, ChannelRecord | null>> {
    const c = JSON.parse(await readFile(join(t.dir, 'run', 'control.json'), 'utf8'))
    const res = await fetch(`${c.url}/api/control/federation/catalog`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Shulin-Control ${c.token}` },
      body: JSON.stringify({ catalog: `ch-${channel}`, get: ids }),
    })
    const { records } = (await res.json()) as { records: Record<string, { payload: ChannelRecord } | null> }
    return Object.fromEntries(Object.entries(records).map(([id, env]) => [id, env?.payload ?? null]))
  }

  /** A file in the blob store, as the transcoder would leave it. */
  async function stored(name: string, role: ResourceFile['role'], mediaType: string, text: string) {
    const staged = await t.node.services.blobs.stage(Readable.from([Buffer.from(text)]), 1 << 20)
    const info = await staged.commit(mediaType)
    return { blob: info.sha256, role, mediaType, size: info.size, name }
  }

  it('a course takes its lectures into a channel; what travels, what does not, and when it is signed again', async () => {
    const course = (await staff.post('/api/courses', { title: '宋词十讲', series: '中华诗词' })).body
    const first = (await staff.post(`/api/courses/${course.id}/lectures`, { title: '第一讲 柳永' })).body
    // The uploaded original as the upload leaves it (put in place here: no transcode runs, so
    // the test decides when the lecture changes).
    const original = await stored('lecture.mp4', 'video', 'video/mp4', 'an original')
    await t.node.services.resources.amend(first.id, (r) => ({ ...r, files: [...r.files, original] }))
    const vtt = await staff.put(
      `/api/lectures/${first.id}/subtitles/zh`,
      'WEBVTT\n\n00:00.000 --> 00:02.000\n寒蝉凄切\n',
      {
        'content-type': 'text/vtt',
      },
    )
    expect(vtt.status).toBe(200)
    expect((await staff.post(`/api/courses/${course.id}/publish`)).status).toBe(200)

    const channel = (await staff.post('/api/staff/channels', { name: '公开课·中华诗词' })).body
    const added = await staff.post(`/api/staff/channels/${channel.id}/records`, { ids: [course.id] })
    expect(added.body).toEqual({ added: 2 })
    let records = await signed(channel.id, [course.id, first.id])
    expect(records[course.id]).toMatchObject({ type: 'course', metadata: { series: '中华诗词' }, course: {} })
    expect(records[first.id]).toMatchObject({
      type: 'lecture',
      parent: course.id,
      lecture: { status: 'processing', subtitles: [{ lang: 'zh' }] },
    })
    // While it is processing, the original is all it has; subtitles travel with their manifest.
    expect(records[first.id]!.files.map((f) => [f.role, !!f.manifest]).sort()).toEqual([
      ['subtitles', true],
      ['video', true],
    ])
    const before = records[first.id]!.updatedAt

    // A transcode's progress is the publisher's own business: not signed again.
    const { resources } = t.node.services
    await resources.amend(first.id, (r) => ({ ...r, lecture: { ...r.lecture!, progress: 0.5 } }))
    await new Promise((r) => setTimeout(r, 300))
    expect((await signed(channel.id, [first.id]))[first.id]!.updatedAt).toBe(before)

    // Its end is: the HLS files and the poster go out, the original stays here.
    const hls = [
      await stored('master.m3u8', 'hls', 'application/vnd.apple.mpegurl', '#EXTM3U\n360p.m3u8\n'),
      await stored('360p.m3u8', 'hls', 'application/vnd.apple.mpegurl', '#EXTM3U\n#EXT-X-BYTERANGE:4@0\n360p.ts\n'),
      await stored('360p.ts', 'hls', 'video/mp2t', 'ts!!'),
      await stored('poster.jpg', 'poster', 'image/jpeg', 'jpeg'),
    ]
    await resources.amend(first.id, (r) => ({
      ...r,
      files: [...r.files, ...hls],
      lecture: {
        ...r.lecture!,
        status: 'ready',
        progress: 1,
        renditions: [{ height: 360, width: 640, bandwidth: 800_000, playlist: '360p.m3u8', media: '360p.ts' }],
      },
    }))
    await expect
      .poll(async () => (await signed(channel.id, [first.id]))[first.id]!.lecture!.status, { timeout: 5000 })
      .toBe('ready')
    records = await signed(channel.id, [first.id])
    const lecture = records[first.id]!
    expect(lecture.lecture).not.toHaveProperty('progress')
    expect(lecture.files.map((f) => f.name ?? f.role).sort()).toEqual([
      '360p.m3u8',
      '360p.ts',
      'master.m3u8',
      'poster.jpg',
      'zh.vtt',
    ])
    expect(lecture.files.every((f) => f.manifest)).toBe(true)
    expect(lecture.files.some((f) => f.role === 'video')).toBe(false)

    // A lecture added to the course and published later joins the channel; a draft does not.
    const second = (await staff.post(`/api/courses/${course.id}/lectures`, { title: '第二讲 苏轼' })).body
    await new Promise((r) => setTimeout(r, 300))
    expect((await signed(channel.id, [second.id]))[second.id]).toBeNull()
    expect((await staff.post(`/api/lectures/${second.id}/publish`)).status).toBe(200)
    await expect
      .poll(async () => (await signed(channel.id, [second.id]))[second.id]?.parent, { timeout: 5000 })
      .toBe(course.id)
    const list = (await new Client(t.node.url).get('/api/channels')).body.channels
    // Marked as a course channel (signed), so a menu can show it as one before anyone subscribes.
    expect(list.find((c: { id: string }) => c.id === channel.id)).toMatchObject({ records: 3, kind: 'courses' })
  })
})
