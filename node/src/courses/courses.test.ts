import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../testing/temp-node.js'
import { pdf, png } from '../testing/fixtures.js'

describe('courses: the catalogue and the staff workflow', () => {
  let t: TempNode
  let staff: Client
  let anon: Client
  beforeAll(async () => {
    t = await startTempNode()
    staff = await signedInAdmin(t)
    anon = new Client(t.node.url)
  })
  afterAll(() => t.close())

  it('a course is made, gets lectures in order, and is shown to readers only once published', async () => {
    const created = await staff.post('/api/courses', {
      title: '宋词十讲',
      description: '从柳永到辛弃疾',
      subjects: ['宋词'],
      speakers: [{ name: '叶嘉莹', bio: '南开大学教授' }],
      level: 'introductory',
    })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ title: '宋词十讲', status: 'draft', lectures: [], cover: null })
    const id = created.body.id as string
    const second = await staff.post(`/api/courses/${id}/lectures`, {
      title: '第二讲 苏轼',
      description: '豪放词的开端',
      position: 1,
    })
    const first = await staff.post(`/api/courses/${id}/lectures`, {
      title: '第一讲 柳永',
      position: 0,
      chapters: [
        { title: '生平', start: 0 },
        { title: '雨霖铃', start: 90 },
      ],
    })
    expect(first.status).toBe(201)
    expect(first.body).toMatchObject({ status: 'processing', hls: null, original: null, poster: null, duration: null })
    const third = await staff.post(`/api/courses/${id}/lectures`, { title: '第三讲 李清照' })
    expect(third.body.position).toBe(2)

    expect((await anon.get('/api/courses')).body.courses.map((c: { id: string }) => c.id)).not.toContain(id)
    expect((await anon.get(`/api/courses/${id}`)).status).toBe(404)
    expect((await anon.get(`/api/lectures/${first.body.id}`)).status).toBe(404)
    expect((await anon.get('/api/courses?status=draft')).status).toBe(403)
    const drafts = await staff.get('/api/courses?status=draft')
    expect(drafts.body.courses.map((c: { id: string }) => c.id)).toContain(id)

    expect((await staff.post(`/api/courses/${id}/publish`)).body.status).toBe('published')
    const detail = await anon.get(`/api/courses/${id}`)
    expect(detail.status).toBe(200)
    expect(detail.body.lectures.map((l: { title: string }) => l.title)).toEqual([
      '第一讲 柳永',
      '第二讲 苏轼',
      '第三讲 李清照',
    ])
    expect(detail.body.lectures[0].chapters).toEqual([
      { title: '生平', start: 0 },
      { title: '雨霖铃', start: 90 },
    ])
    expect(detail.body.lectureCount).toBe(3)
    const list = await anon.get('/api/courses')
    expect(list.body.courses.find((c: { id: string }) => c.id === id)).toMatchObject({
      title: '宋词十讲',
      lectureCount: 3,
    })
    // A lecture names its course (the player's way back) and carries its description.
    expect((await anon.get(`/api/lectures/${second.body.id}`)).body).toMatchObject({
      title: '第二讲 苏轼',
      course: id,
      description: '豪放词的开端',
    })
    expect(detail.body.lectures.map((l: { course: string }) => l.course)).toEqual([id, id, id])

    // Withdrawing the course hides it and its lectures again.
    await staff.post(`/api/courses/${id}/withdraw`)
    expect((await anon.get(`/api/courses/${id}`)).status).toBe(404)
    expect((await anon.get(`/api/lectures/${second.body.id}`)).status).toBe(404)
  })

  it('readers cannot write; bad bodies are 400, not 500', async () => {
    expect((await anon.post('/api/courses', { title: 'x' })).status).toBe(401)
    expect((await staff.post('/api/courses', { title: '' })).status).toBe(400)
    expect((await staff.post('/api/courses', { title: 'ok', extra: 1 })).status).toBe(400)
    expect((await staff.post('/api/courses/nope/lectures', { title: 'x' })).status).toBe(404)
  })

  it('PATCH changes only the fields given; a stale If-Match is refused', async () => {
    const c = await staff.post('/api/courses', { title: '唐诗', subjects: ['唐诗', '李白'] })
    const etag = c.headers.get('etag')!
    const patched = await staff.call('PATCH', `/api/courses/${c.body.id}`, { audience: '青少年' }, { 'if-match': etag })
    expect(patched.status).toBe(200)
    expect(patched.body).toMatchObject({ title: '唐诗', subjects: ['唐诗', '李白'], audience: '青少年' })
    const stale = await staff.call('PATCH', `/api/courses/${c.body.id}`, { title: '宋诗' }, { 'if-match': etag })
    expect(stale.status).toBe(412)
  })

  it('a cover, slides and subtitles are served by the course’s access policy', async () => {
    const c = await staff.post('/api/courses', { title: '馆藏古籍', access: 'node-readers' })
    const id = c.body.id as string
    const cover = await staff.put(`/api/courses/${id}/cover`, png, { 'content-type': 'image/png' })
    expect(cover.status).toBe(200)
    expect(cover.body.cover).toBe(`${t.node.url}/api/resources/${id}/files/cover`)
    const l = (await staff.post(`/api/courses/${id}/lectures`, { title: '版本学' })).body.id as string
    const slides = await staff.post(`/api/lectures/${l}/attachments`, pdf(2), {
      'content-type': 'application/pdf',
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent('版本学.pdf')}`,
    })
    expect(slides.status).toBe(201)
    expect(slides.body.attachments).toEqual([
      {
        name: '版本学.pdf',
        url: `${t.node.url}/api/lectures/${l}/attachments/1`,
        mediaType: 'application/pdf',
        size: pdf(2).length,
      },
    ])
    const notPdf = await staff.post(`/api/lectures/${l}/attachments`, png, { 'content-type': 'application/pdf' })
    expect(notPdf.status).toBe(422)
    const vtt = 'WEBVTT\n\n00:00.000 --> 00:01.000\n宋刻本\n'
    expect(
      (await staff.put(`/api/lectures/${l}/subtitles/zh-Hans?label=简体`, vtt, { 'content-type': 'text/vtt' })).status,
    ).toBe(200)
    expect((await staff.put(`/api/lectures/${l}/subtitles/no_such!`, vtt, { 'content-type': 'text/vtt' })).status).toBe(
      400,
    )

    // A draft: nothing for readers, everything for staff.
    expect((await anon.get(`/api/lectures/${l}/subtitles/zh-Hans`)).status).toBe(404)
    expect((await staff.get(`/api/lectures/${l}/subtitles/zh-Hans`)).status).toBe(200)
    await staff.post(`/api/courses/${id}/publish`)
    // Published for this library's readers: the catalogue is public, the content is not.
    expect((await anon.get(`/api/courses/${id}`)).body.lectures[0].subtitles).toEqual([
      { lang: 'zh-Hans', label: '简体', url: `${t.node.url}/api/lectures/${l}/subtitles/zh-Hans` },
    ])
    expect((await anon.get(`/api/lectures/${l}/subtitles/zh-Hans`)).status).toBe(401)
    expect((await anon.get(`/api/lectures/${l}/transcript`)).status).toBe(401)
    expect((await anon.get(`/api/lectures/${l}/attachments/1`)).status).toBe(401)
    expect((await anon.get(`/api/resources/${id}/files/cover`)).status).toBe(200)
    const transcript = await staff.get(`/api/lectures/${l}/transcript?lang=zh-Hans`)
    expect(transcript.body).toEqual({ lang: 'zh-Hans', cues: [{ start: 0, end: 1, text: '宋刻本' }] })
    const file = await staff.get(`/api/lectures/${l}/attachments/1`, { range: 'bytes=0-4' })
    expect(file.status).toBe(206)
    expect(file.headers.get('content-disposition')).toMatch(/filename\*=UTF-8''%E7%89%88/)
    for (const name of ['..%2Fmaster.m3u8', 'master.m3u8', 'x.exe', '%2e%2e'])
      expect((await staff.get(`/api/lectures/${l}/hls/${name}`)).status).toBe(404)
  })
})
