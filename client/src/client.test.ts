/**
 * `@shulin/client` against a real node on a real socket: courses, a lecture, its transcript,
 * search with a transcript hit's second, suggestions, watched time, and the node's problems as
 * `ShulinError`s. Every request goes out as another site's page would send it (an `Origin`
 * header) and must come back readable there (CORS `*`, no credentials); private routes do not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../../node/src/testing/temp-node.js'
import { ShulinClient, ShulinError } from './index.js'

const vtt = `WEBVTT

00:00:02.000 --> 00:00:06.000
今天我们讲柳永。

00:00:42.000 --> 00:00:46.000
杨柳岸晓风残月。
`

describe('@shulin/client', () => {
  let t: TempNode
  let client: ShulinClient
  let courseId: string
  let lectureId: string
  /** Answers seen, with the CORS header they carried. */
  const seen: Array<{ url: string; allowOrigin: string | null }> = []
  const asAnotherSite: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers)
    headers.set('origin', 'http://library.example')
    const res = await fetch(input, { ...init, headers })
    seen.push({ url: String(input), allowOrigin: res.headers.get('access-control-allow-origin') })
    return res
  }

  beforeAll(async () => {
    t = await startTempNode()
    const staff: Client = await signedInAdmin(t)
    courseId = (await staff.post('/api/courses', { title: '宋词十讲', series: '中华诗词' })).body.id
    lectureId = (await staff.post(`/api/courses/${courseId}/lectures`, { title: '第一讲 柳永' })).body.id
    await staff.put(`/api/lectures/${lectureId}/subtitles/zh`, Buffer.from(vtt), { 'content-type': 'text/vtt' })
    await staff.post(`/api/courses/${courseId}/publish`)
    await t.node.search.ready()
    client = new ShulinClient({ node: `${t.node.url}/`, fetch: asAnotherSite, lang: 'en' })
  }, 60_000)
  afterAll(() => t?.close())

  it('reads courses, a course, a lecture and its transcript', async () => {
    const { courses } = await client.courses()
    expect(courses).toEqual([expect.objectContaining({ id: courseId, title: '宋词十讲', series: '中华诗词' })])
    const course = await client.course(courseId)
    expect(course.lectures.map((l) => l.id)).toEqual([lectureId])
    const lecture = await client.lecture(lectureId)
    expect(lecture).toMatchObject({ id: lectureId, title: '第一讲 柳永', status: 'processing', hls: null })
    expect(lecture.subtitles[0]!.url).toBe(`${t.node.url}/api/lectures/${lectureId}/subtitles/zh`)
    const transcript = await client.transcript(lectureId)
    expect(transcript.cues.map((c) => c.start)).toEqual([2, 42])
  })

  it('searches, with the transcript sentence’s second, and suggests', async () => {
    const r = await client.search('杨柳岸晓风残月', { type: ['lecture'], facets: false })
    expect(r.hits).toEqual([expect.objectContaining({ id: lectureId, type: 'lecture', t: 42 })])
    expect(client.lectureUrl(lectureId, r.hits[0]!.t)).toBe(`${t.node.url}/lectures/${lectureId}?t=42`)
    expect((await client.search('宋词', { type: ['course', 'lecture'] })).hits[0]!.id).toBe(courseId)
    expect((await client.suggest('宋词')).suggestions.map((s) => s.text)).toContain('宋词十讲')
  })

  it('reports watched time', async () => {
    expect(await client.watched(lectureId, 30)).toEqual({ counted: 30 })
  })

  it('turns the node’s problems into ShulinErrors, and an unreachable node too', async () => {
    const err = await client.course('nope').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ShulinError)
    expect(err).toMatchObject({ status: 404, problem: { code: 'not_found' } })
    const bad = await client.search('x', { limit: 1000 }).catch((e: unknown) => e)
    expect(bad).toMatchObject({ status: 400, problem: { code: 'validation_failed' } })
    const gone = new ShulinClient({ node: 'http://127.0.0.1:9', timeoutMs: 2000 })
    expect(await gone.courses().catch((e: unknown) => e)).toMatchObject({ status: 0 })
    expect(() => new ShulinClient({ node: 'javascript:alert(1)' })).toThrow(TypeError)
  })

  it('gets answers another site may read, and private routes stay closed to other sites', async () => {
    const read = seen.filter((s) => !s.url.includes('nope') && !s.url.includes('limit=1000'))
    expect(read.length).toBeGreaterThan(5)
    for (const s of read) expect(s.allowOrigin, s.url).toBe('*')
    for (const path of [
      '/api/me/inbox',
      '/api/staff/stats/summary',
      '/api/auth/session',
      '/api/courses?status=draft',
    ]) {
      const res = await fetch(t.node.url + path, { headers: { origin: 'http://library.example' } })
      if (path.includes('status=draft')) expect(res.status).toBe(403)
      else expect(res.headers.get('access-control-allow-origin'), path).toBeNull()
    }
    // A preflight for a write the embeds do not make is not granted.
    const pre = await fetch(`${t.node.url}/api/courses`, {
      method: 'OPTIONS',
      headers: { origin: 'http://library.example', 'access-control-request-method': 'POST' },
    })
    expect(pre.headers.get('access-control-allow-origin')).toBeNull()
    const ok = await fetch(`${t.node.url}/api/lectures/${lectureId}/watched`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://library.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    })
    expect(ok.headers.get('access-control-allow-origin')).toBe('*')
    expect(ok.headers.get('access-control-allow-headers')).toContain('content-type')
  })
})
