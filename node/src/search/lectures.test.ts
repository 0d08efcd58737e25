/**
 * Courses and lectures in search on a real node: a sentence of a lecture's subtitles finds the
 * lecture with the second its cue starts (`t`), the type facet tells courses and lectures
 * apart, new subtitles re-index the lecture, and `reindex` keeps transcripts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../testing/temp-node.js'

const vtt = `WEBVTT

00:00:01.000 --> 00:00:05.000
大家好，今天我们讲柳永。

00:01:15.500 --> 00:01:20.000
杨柳岸晓风残月，是他最有名的句子。

00:02:00.000 --> 00:02:04.000
下一讲我们讲苏轼。
`

describe('lectures in search', () => {
  let t: TempNode
  let staff: Client
  let courseId: string
  let lectureId: string
  const anyone = () => new Client(t.node.url, { 'accept-language': 'en' })
  const search = async (q: string, more = '') =>
    (await anyone().get(`/api/search?q=${encodeURIComponent(q)}${more}`)).body as {
      total: number
      hits: Array<{
        id: string
        type: string
        t?: number
        title: string
        highlight: { snippet?: { text: string; marks: Array<[number, number]> } }
      }>
      facets: Record<string, Record<string, number>>
    }

  beforeAll(async () => {
    t = await startTempNode()
    staff = await signedInAdmin(t)
    courseId = (await staff.post('/api/courses', { title: '宋词十讲', description: '婉约与豪放' })).body.id
    lectureId = (await staff.post(`/api/courses/${courseId}/lectures`, { title: '第一讲 柳永' })).body.id
    const up = await staff.put(`/api/lectures/${lectureId}/subtitles/zh?label=中文`, Buffer.from(vtt), {
      'content-type': 'text/vtt',
    })
    expect(up.status).toBe(200)
    expect((await staff.post(`/api/courses/${courseId}/publish`)).status).toBe(200)
    await t.node.search.ready()
  }, 60_000)
  afterAll(() => t?.close())

  it('finds a lecture by a sentence of its transcript, with the second its cue starts', async () => {
    const r = await search('杨柳岸晓风残月')
    expect(r.hits).toEqual([expect.objectContaining({ id: lectureId, type: 'lecture', t: 75.5 })])
    // The line that matched is the hit's snippet, the sentence marked (the reader sees why it matched).
    const line = r.hits[0]!.highlight.snippet!
    expect(line.text).toBe('杨柳岸晓风残月，是他最有名的句子。')
    expect(line.marks).toEqual([[0, 7]])
    // Traditional characters and no punctuation find it too.
    expect((await search('楊柳岸曉風殘月是他')).hits[0]).toMatchObject({ id: lectureId, t: 75.5 })
    // A title word the speaker also says: the cue it is first said in.
    expect((await search('柳永', '&type=lecture')).hits[0]).toMatchObject({ id: lectureId, t: 1 })
    expect((await search('宋词十讲')).hits[0]).toMatchObject({ id: courseId, type: 'course' })
    expect((await search('宋词十讲')).hits[0]!.t).toBeUndefined()
    // A course keeps its description's snippet.
    expect((await search('婉约')).hits[0]!.highlight.snippet?.text).toBe('婉约与豪放')
  })

  it('has course and lecture in the type facet and filter', async () => {
    const all = await search('', '&facets=true')
    expect(all.facets.type).toMatchObject({ course: 1, lecture: 1 })
    expect((await search('', '&type=course')).hits.map((h) => h.id)).toEqual([courseId])
    expect((await search('', '&type=lecture')).hits.map((h) => h.id)).toEqual([lectureId])
  })

  it('re-indexes a lecture when its subtitles change, and reindex keeps transcripts', async () => {
    const next = vtt.replace('杨柳岸晓风残月', '今宵酒醒何处')
    const up = await staff.put(`/api/lectures/${lectureId}/subtitles/zh`, Buffer.from(next), {
      'content-type': 'text/vtt',
    })
    expect(up.status).toBe(200)
    await t.node.search.ready()
    expect((await search('杨柳岸晓风残月')).total).toBe(0)
    expect((await search('今宵酒醒何处')).hits[0]).toMatchObject({ id: lectureId, t: 75.5 })
    await t.node.search.reindex()
    expect((await search('今宵酒醒何处')).hits[0]).toMatchObject({ id: lectureId, t: 75.5 })
  })
})
