/**
 * Knowledge cards on a real node: a person's card lists their works, the lectures that speak of
 * them and a timeline; a lecture's subtitles call up cards linking to catalogue records (李白 in a
 * Simplified transcript finds 李白's works catalogued in Traditional titles); a poem's page gets
 * the course whose lecture speaks of its author as a related course; drafts, withdrawn records
 * and restricted subtitles stay out; unknown things answer 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { KnowledgeCard, LectureCards, RelatedRecords } from '@shulin/protocol'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../../testing/temp-node.js'

const vtt = `WEBVTT

00:00:01.000 --> 00:00:05.000
今天我们讲李白。

00:00:06.000 --> 00:00:10.000
李白的《靜夜思》家喻户晓，盛唐气象。

00:00:11.000 --> 00:00:15.000
李白与杜甫是朋友，盛唐气象在他们的诗里。

00:00:16.000 --> 00:00:20.000
盛唐气象，就是这样。
`

describe('knowledge cards', () => {
  let t: TempNode
  let staff: Client
  const ids: Record<string, string> = {}
  const anyone = () => new Client(t.node.url, { 'accept-language': 'en' })
  const card = async (kind: string, id: string) => anyone().get(`/api/ld/cards/${kind}/${encodeURIComponent(id)}`)

  const record = async (metadata: Record<string, unknown>, publish = true) => {
    const created = await staff.post('/api/staff/resources', { type: 'book', metadata })
    expect(created.status).toBe(201)
    if (publish) expect((await staff.post(`/api/staff/resources/${created.body.id}/publish`)).status).toBe(200)
    return created.body.id as string
  }

  beforeAll(async () => {
    t = await startTempNode()
    staff = await signedInAdmin(t)
    ids.jys = await record({ title: '靜夜思', creators: ['李白'], subjects: ['唐诗'], clc: 'I222.742', date: '0726' })
    ids.sdc = await record({ title: '蜀道難', creators: ['李白'], subjects: ['唐诗'], clc: 'I222.742', date: '0742' })
    ids.cw = await record({ title: '春望', creators: ['杜甫'], subjects: ['唐诗'], clc: 'I222.742', date: '0757' })
    ids.anon1 = await record({ title: '古歌', creators: ['佚名'] })
    ids.anon2 = await record({ title: '古谣', creators: ['佚名'] })
    ids.draft = await record({ title: '李白未刊稿', creators: ['李白'] }, false)
    ids.withdrawn = await record({ title: '将进酒', creators: ['李白'] })
    expect((await staff.post(`/api/staff/resources/${ids.withdrawn}/withdraw`)).status).toBe(200)
    ids.course = (await staff.post('/api/courses', { title: '唐诗讲座', subjects: ['古典文学'] })).body.id
    ids.lecture = (await staff.post(`/api/courses/${ids.course}/lectures`, { title: '第一讲' })).body.id
    const up = await staff.put(`/api/lectures/${ids.lecture}/subtitles/zh?label=中文`, Buffer.from(vtt), {
      'content-type': 'text/vtt',
    })
    expect(up.status).toBe(200)
    expect((await staff.post(`/api/courses/${ids.course}/publish`)).status).toBe(200)
  }, 60_000)
  afterAll(() => t?.close())

  it("a person's card: their published works, the lecture that speaks of them, related persons, a timeline", async () => {
    const r = await card('person', '李白')
    expect(r.status).toBe(200)
    const c = r.body as KnowledgeCard
    expect(c).toMatchObject({ kind: 'person', id: '李白', uri: '/ld/person/%E6%9D%8E%E7%99%BD' })
    expect(c.works.map((w) => w.id).sort()).toEqual([ids.jys, ids.sdc].sort())
    expect(c.lectures.map((l) => l.id)).toEqual([ids.lecture])
    // 杜甫 is spoken of in the same lecture; 唐诗 is the subject of his works.
    expect(c.related).toEqual(
      expect.arrayContaining([
        { kind: 'person', id: '杜甫', count: 1 },
        { kind: 'subject', id: '唐诗', count: 2 },
      ]),
    )
    expect(c.timeline.map((e) => e.date)).toEqual(['0726', '0742'])
  })

  it('subject and class cards; unknown things and kinds answer 404', async () => {
    const subject = (await card('subject', '唐诗')).body as KnowledgeCard
    expect(subject.total).toBe(3)
    const cls = (await card('class', 'i222')).body as KnowledgeCard
    expect(cls.works.map((w) => w.title).sort()).toEqual(['春望', '蜀道難', '靜夜思'])
    expect((await card('person', '无此人')).status).toBe(404)
    expect((await card('person', '无此人')).headers.get('content-type')).toContain('application/problem+json')
    expect((await card('dragon', '李白')).status).toBe(404)
    // Only the draft and the withdrawn record name 李白未刊稿's words: nothing to show.
    expect((await card('subject', '将进酒')).status).toBe(404)
  })

  it("a lecture's subtitles call up cards linking to catalogue records", async () => {
    const r = await anyone().get(`/api/lectures/${ids.lecture}/cards`)
    expect(r.status).toBe(200)
    const lc = r.body as LectureCards
    const li = lc.keywords.find((k) => k.text === '李白')!
    expect(li).toMatchObject({ kind: 'person', count: 3 })
    expect(li.records.map((w) => w.id).sort()).toEqual([ids.jys, ids.sdc].sort())
    // A work named in 书名号 (Traditional in the transcript too) links to its record.
    expect(lc.keywords.find((k) => k.kind === 'work')).toMatchObject({ text: '靜夜思', records: [{ id: ids.jys }] })
    // The term said most often, from character bigrams (盛唐, 唐气, 气象 three times each).
    expect(lc.keywords.filter((k) => k.kind === 'term').map((k) => k.text)).toEqual(
      expect.arrayContaining(['盛唐', '气象']),
    )
    expect(lc.cards.map((c) => c.id)).toEqual(['李白', '杜甫'])
    expect((await anyone().get(`/api/lectures/${ids.jys}/cards`)).status).toBe(404)
  })

  it("related works and courses: the course that speaks of a poem's author is related to the poem", async () => {
    const poem = (await anyone().get(`/api/resources/${ids.jys}/related`)).body as RelatedRecords
    expect(poem.courses.map((c) => c.id)).toEqual([ids.course])
    expect(poem.works[0]!.id).toBe(ids.sdc)
    expect(poem.works.map((w) => w.id)).not.toContain(ids.jys)
    expect(poem.works.map((w) => w.id)).not.toContain(ids.withdrawn)
    const course = (await anyone().get(`/api/resources/${ids.course}/related`)).body as RelatedRecords
    // The work the lecture names ranks first; the course is not related to itself.
    expect(course.works[0]!.id).toBe(ids.jys)
    expect(course.courses).toEqual([])
    expect((await anyone().get(`/api/resources/${ids.draft}/related`)).status).toBe(404)
  })

  it('佚名 has a card (the linked data names it), but relates nothing to anything', async () => {
    const c = (await card('person', '佚名')).body as KnowledgeCard
    expect(c.works.map((w) => w.title).sort()).toEqual(['古歌', '古谣'])
    const r = (await anyone().get(`/api/resources/${ids.anon1}/related`)).body as RelatedRecords
    expect(r.works).toEqual([])
  })

  it('cards follow edits: works published, edited and withdrawn, and a new lecture that speaks of 杜甫', async () => {
    const works = async (name: string) => ((await card('person', name)).body as KnowledgeCard).works.map((w) => w.title)
    expect(await works('杜甫')).toEqual(['春望'])
    const id = await record({ title: '登高', creators: ['杜甫'] })
    expect(await works('杜甫')).toEqual(['春望', '登高'])
    // Edited: the card keeps the creation order and the new title; the old title names nothing.
    const current = (await staff.get(`/api/staff/resources/${id}`)).body
    const edit = await staff.call(
      'PATCH',
      `/api/staff/resources/${id}`,
      { metadata: { ...current.metadata, title: '登高（其一）', creators: ['杜甫', '高適'] } },
      { 'if-match': `"r${current.revision}"` },
    )
    expect(edit.status).toBe(200)
    expect(await works('杜甫')).toEqual(['春望', '登高（其一）'])
    expect(await works('高適')).toEqual(['登高（其一）'])
    expect((await staff.post(`/api/staff/resources/${id}/withdraw`)).status).toBe(200)
    expect(await works('杜甫')).toEqual(['春望'])
    expect((await card('person', '高適')).status).toBe(404)

    const lecture = (await staff.post(`/api/courses/${ids.course}/lectures`, { title: '第二讲' })).body.id
    const said = 'WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n杜甫的诗。\n'
    await staff.put(`/api/lectures/${lecture}/subtitles/zh`, Buffer.from(said), { 'content-type': 'text/vtt' })
    expect((await staff.post(`/api/lectures/${lecture}/publish`)).status).toBe(200)
    const dufu = (await card('person', '杜甫')).body as KnowledgeCard
    expect(dufu.lectures.map((l) => l.id).sort()).toEqual([ids.lecture, lecture].sort())
  })
})
