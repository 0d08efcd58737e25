import { rm } from 'node:fs/promises'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Parser, type Quad } from 'n3'
import { ImportRecord, LD_PREFIXES, ldUri } from '@shulin/protocol'
import { Client, signedInAdmin, startTempNode, tempDir, type TempNode } from '../testing/temp-node.js'
import { freePort } from '../testing/free-port.js'
import { openDataFolder } from '../storage/data-folder.js'
import { ResourceService } from '../resources/service.js'

const S = LD_PREFIXES.schema
const DC = LD_PREFIXES.dcterms
const RDF_TYPE = `${LD_PREFIXES.rdf}type`

const parse = (text: string, format?: string): Quad[] => new Parser(format ? { format } : {}).parse(text)
const has = (quads: Quad[], s: string, p: string, o?: string) =>
  quads.some((q) => q.subject.value === s && q.predicate.value === p && (o === undefined || q.object.value === o))

describe('linked data: /ld documents, dumps, VoID', () => {
  let t: TempNode
  let staff: Client
  let origin: string
  const reader = () => new Client(t.node.url)
  const ids: Record<'poem' | 'second' | 'draft' | 'withdrawn', string> = {
    poem: '',
    second: '',
    draft: '',
    withdrawn: '',
  }
  const create = async (metadata: Record<string, unknown>, publish = true) => {
    const r = await staff.post('/api/staff/resources', { type: 'book', metadata })
    expect(r.status).toBe(201)
    if (publish) expect((await staff.post(`/api/staff/resources/${r.body.id}/publish`)).status).toBe(200)
    return r.body.id as string
  }
  const get = (path: string, accept?: string, headers: Record<string, string> = {}) =>
    fetch(t.node.url + path, { redirect: 'manual', headers: { ...headers, ...(accept ? { accept } : {}) } })

  beforeAll(async () => {
    t = await startTempNode({ name: '某某县图书馆' })
    staff = await signedInAdmin(t)
    origin = t.node.url
    ids.poem = await create({
      title: '静夜思',
      creators: ['李白'],
      subjects: ['唐诗'],
      clc: 'I222.742',
      date: '1980',
      identifiers: ['ISBN 7-02-000220-X'],
    })
    ids.second = await create({ title: '将进酒', creators: ['李白'], subjects: ['唐诗'] })
    ids.draft = await create({ title: '草稿', creators: ['未发表的作者'] }, false)
    ids.withdrawn = await create({ title: '已撤下', creators: ['撤下的作者'] })
    expect((await staff.post(`/api/staff/resources/${ids.withdrawn}/withdraw`)).status).toBe(200)
  }, 60_000)
  afterAll(() => t?.close())

  it('a record as Turtle parses with N3: CreativeWork and Book, title, creator by name, ISBN as owl:sameAs', async () => {
    const res = await get(`/ld/resource/${ids.poem}`, 'text/turtle')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/turtle/)
    const quads = parse(await res.text())
    const work = ldUri(origin, 'resource', ids.poem)
    const person = ldUri(origin, 'person', '李白')
    expect(has(quads, work, RDF_TYPE, `${S}CreativeWork`)).toBe(true)
    expect(has(quads, work, RDF_TYPE, `${S}Book`)).toBe(true)
    expect(has(quads, work, `${DC}title`, '静夜思')).toBe(true)
    expect(has(quads, work, `${DC}creator`, person)).toBe(true)
    expect(has(quads, work, `${DC}subject`, ldUri(origin, 'class', 'I222.742'))).toBe(true)
    expect(has(quads, work, `${LD_PREFIXES.owl}sameAs`, 'urn:isbn:9787020002207')).toBe(true)

    const p = parse(await (await get(new URL(person).pathname, 'text/turtle')).text())
    expect(has(p, person, `${S}name`, '李白')).toBe(true)
    expect(has(p, person, RDF_TYPE, `${S}Person`)).toBe(true)
    // The person's document lists the works by them.
    expect(has(p, work, `${DC}creator`, person)).toBe(true)
    expect(has(p, work, `${DC}title`, '静夜思')).toBe(true)
    expect(has(p, ldUri(origin, 'resource', ids.second), `${DC}creator`, person)).toBe(true)
    const cls = parse(await (await get('/ld/class/I222.742', 'text/turtle')).text())
    expect(has(cls, ldUri(origin, 'class', 'I222.742'), `${LD_PREFIXES.skos}notation`, 'I222.742')).toBe(true)
  })

  it('N-Triples and JSON-LD by negotiation; HTML is a 303 to the portal page', async () => {
    const work = ldUri(origin, 'resource', ids.poem)
    const nt = await get(`/ld/resource/${ids.poem}`, 'application/n-triples')
    expect(nt.headers.get('content-type')).toMatch(/^application\/n-triples/)
    const quadsOfPoem = parse(await nt.text(), 'N-Triples')
    expect(has(quadsOfPoem, work, `${DC}title`, '静夜思')).toBe(true)

    const jl = await get(`/ld/resource/${ids.poem}`, 'application/ld+json')
    expect(jl.headers.get('content-type')).toMatch(/^application\/ld\+json/)
    const doc = (await jl.json()) as { '@graph': Array<Record<string, unknown>> }
    const node = doc['@graph'].find((n) => n['@id'] === work)!
    expect(node['@type']).toEqual(expect.arrayContaining([`${S}CreativeWork`, `${S}Book`]))
    expect(node[`${DC}title`]).toEqual([{ '@value': '静夜思', '@language': 'zh' }])

    const html = await get(`/ld/resource/${ids.poem}`, 'text/html,application/xhtml+xml,*/*;q=0.8')
    expect(html.status).toBe(303)
    expect(html.headers.get('location')).toBe(`/r/${ids.poem}`)
    const person = await get('/ld/person/%E6%9D%8E%E7%99%BD', 'text/html')
    expect(person.status).toBe(303)
    expect(person.headers.get('location')).toBe('/entity/person/%E6%9D%8E%E7%99%BD')
    // The library itself: the node, named as its profile says.
    const lib = ldUri(origin, 'library', t.node.nodeId)
    const libQuads = parse(await (await get(new URL(lib).pathname, 'text/turtle')).text())
    expect(has(libQuads, lib, RDF_TYPE, `${S}Library`)).toBe(true)
    expect(has(libQuads, lib, `${S}name`, '某某县图书馆')).toBe(true)
    expect(has(quadsOfPoem, work, `${S}provider`, lib)).toBe(true)
    expect((await get('/ld/library/someone-else', 'text/turtle')).status).toBe(404)
    // Another site's page may read it (public data, no credentials).
    const cors = await get(`/ld/resource/${ids.poem}`, 'text/turtle', { origin: 'https://elsewhere.example' })
    expect(cors.headers.get('access-control-allow-origin')).toBe('*')
    // No preference stated: data (Turtle), not a redirect.
    const any = await get(`/ld/resource/${ids.poem}`, '*/*')
    expect(any.status).toBe(200)
    expect(any.headers.get('content-type')).toMatch(/^text\/turtle/)
  })

  it('an unknown, draft or withdrawn thing is a 404 in the negotiated format; an unservable Accept a 406 problem', async () => {
    for (const path of [
      `/ld/resource/${ids.draft}`,
      `/ld/resource/${ids.withdrawn}`,
      '/ld/resource/nope',
      `/ld/person/${encodeURIComponent('未发表的作者')}`,
      `/ld/person/${encodeURIComponent('撤下的作者')}`,
    ]) {
      const ttl = await get(path, 'text/turtle')
      expect(ttl.status, path).toBe(404)
      expect(ttl.headers.get('content-type')).toMatch(/^text\/turtle/)
      expect(parse(await ttl.text())).toEqual([])
    }
    const jl = await get('/ld/subject/nope', 'application/ld+json')
    expect(jl.status).toBe(404)
    expect(jl.headers.get('content-type')).toMatch(/^application\/ld\+json/)
    expect(((await jl.json()) as { '@graph': unknown[] })['@graph']).toEqual([])

    const bad = await get(`/ld/resource/${ids.poem}`, 'image/png')
    expect(bad.status).toBe(406)
    expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(((await bad.json()) as { code: string }).code).toBe('not_acceptable')
    expect((await get(`/ld/resource/${ids.poem}`, 'text/turtle;q=0, */*;q=0')).status).toBe(406)
    expect((await get('/.well-known/void', 'text/html')).status).toBe(406)
  })

  it('an activity is an event with its place; withdrawn, it and its place leave', async () => {
    const hour = 3_600_000
    const r = await staff.post('/api/staff/activities', {
      kind: 'event',
      title: '馆长讲座：唐诗里的月亮',
      eventKind: 'lecture',
      location: '县图书馆报告厅',
      phases: {
        signup: {
          from: new Date(t.clock.now - hour).toISOString(),
          to: new Date(t.clock.now + 24 * hour).toISOString(),
        },
      },
    })
    expect(r.status).toBe(201)
    const id = r.body.id as string
    const event = ldUri(origin, 'activity', id)
    const place = ldUri(origin, 'place', '县图书馆报告厅')
    const quads = parse(await (await get(`/ld/activity/${id}`, 'text/turtle')).text())
    expect(has(quads, event, RDF_TYPE, `${S}Event`)).toBe(true)
    expect(has(quads, event, RDF_TYPE, `${S}EducationEvent`)).toBe(true)
    expect(has(quads, event, `${S}location`, place)).toBe(true)
    expect(has(quads, event, `${S}organizer`, ldUri(origin, 'library', t.node.nodeId))).toBe(true)
    const p = await get(new URL(place).pathname, 'text/turtle')
    expect(p.status).toBe(200)
    expect(has(parse(await p.text()), place, RDF_TYPE, `${S}Place`)).toBe(true)
    // The place's knowledge card agrees with its linked data: it is a place, with no records yet.
    const card = await reader().get(`/api/ld/cards/place/${encodeURIComponent('县图书馆报告厅')}`)
    expect(card.status).toBe(200)
    expect(card.body).toMatchObject({ kind: 'place', id: '县图书馆报告厅', total: 0 })
    // A subject is not a place: neither /ld/place nor the place card answers for one.
    const moon = await create({ title: '月下獨酌', creators: ['李白'], subjects: ['唐詩月夜'] })
    expect((await get(`/ld/place/${encodeURIComponent('唐詩月夜')}`, 'text/turtle')).status).toBe(404)
    expect((await reader().get(`/api/ld/cards/place/${encodeURIComponent('唐詩月夜')}`)).status).toBe(404)
    expect((await reader().get(`/api/ld/cards/subject/${encodeURIComponent('唐詩月夜')}`)).status).toBe(200)
    // Withdrawn again: the dump test counts the published records.
    expect((await staff.post(`/api/staff/resources/${moon}/withdraw`)).status).toBe(200)
    expect((await get(`/ld/activity/${id}`, 'text/html')).headers.get('location')).toBe(`/activities/${id}`)

    expect((await staff.post(`/api/staff/activities/${id}/withdraw`)).status).toBe(200)
    expect((await get(`/ld/activity/${id}`, 'text/turtle')).status).toBe(404)
    expect((await get(new URL(place).pathname, 'text/turtle')).status).toBe(404)
    expect((await reader().get(`/api/ld/cards/place/${encodeURIComponent('县图书馆报告厅')}`)).status).toBe(404)
  })

  it('a course and its lecture: schema:Course, the lecture part of it, /ld/resource/ID moved to /ld/course/ID', async () => {
    const course = await staff.post('/api/courses', {
      title: '唐诗里的月亮',
      subjects: ['唐诗'],
      speakers: [{ name: '王老师' }],
    })
    expect(course.status).toBe(201)
    const id = course.body.id as string
    const lecture = await staff.post(`/api/courses/${id}/lectures`, {
      title: '第一讲 静夜思',
      speakers: [{ name: '王老师' }],
    })
    expect(lecture.status).toBe(201)
    expect((await staff.post(`/api/courses/${id}/publish`)).status).toBe(200)
    const uri = ldUri(origin, 'course', id)
    const quads = parse(await (await get(`/ld/course/${id}`, 'text/turtle')).text())
    expect(has(quads, uri, RDF_TYPE, `${S}CreativeWork`)).toBe(true)
    expect(has(quads, uri, RDF_TYPE, `${S}Course`)).toBe(true)
    expect(has(quads, uri, `${DC}contributor`, ldUri(origin, 'person', '王老师'))).toBe(true)
    const moved = await get(`/ld/resource/${id}`, 'text/turtle')
    expect(moved.status).toBe(301)
    expect(moved.headers.get('location')).toBe(`/ld/course/${id}`)
    expect((await get(`/ld/course/${id}`, 'text/html')).headers.get('location')).toBe(`/courses/${id}`)
    // Published with its course: part of it, by its speaker.
    const lectureId = lecture.body.id as string
    const l = await get(`/ld/lecture/${lectureId}`, 'text/turtle')
    expect(l.status).toBe(200)
    const lq = parse(await l.text())
    const lectureUri = ldUri(origin, 'lecture', lectureId)
    expect(has(lq, lectureUri, `${DC}isPartOf`, uri)).toBe(true)
    expect(has(lq, lectureUri, RDF_TYPE, `${S}CreativeWork`)).toBe(true)
    expect((await get(`/ld/lecture/${lectureId}`, 'text/html')).headers.get('location')).toBe(`/lectures/${lectureId}`)
  })

  it('the dumps parse with N3, hold every published record and no draft or withdrawn one, and follow changes', async () => {
    const subjectsOf = async (format: 'nt' | 'ttl') => {
      const res = await get(`/ld/dump.${format}.gz`)
      expect(res.status).toBe(200)
      const text = gunzipSync(Buffer.from(await res.arrayBuffer())).toString('utf8')
      const quads = parse(text, format === 'nt' ? 'N-Triples' : 'Turtle')
      // The books (the course, lecture and activity made above are there too, under their own kinds).
      const books = quads.filter(
        (q) => q.predicate.value === `${DC}title` && q.subject.value.startsWith(`${origin}/ld/resource/`),
      )
      return { quads, works: new Set(books.map((q) => q.subject.value)) }
    }
    const uri = (id: string) => ldUri(origin, 'resource', id)
    for (const format of ['nt', 'ttl'] as const) {
      const { works } = await subjectsOf(format)
      expect(works).toEqual(new Set([uri(ids.poem), uri(ids.second)]))
    }
    // A record published, another withdrawn: the next download says so.
    const third = await create({ title: '早发白帝城', creators: ['李白'] })
    expect((await staff.post(`/api/staff/resources/${ids.second}/withdraw`)).status).toBe(200)
    const after = await subjectsOf('nt')
    expect(after.works).toEqual(new Set([uri(ids.poem), uri(third)]))
    expect(has(after.quads, uri(third), `${DC}creator`, ldUri(origin, 'person', '李白'))).toBe(true)

    const v = await get('/.well-known/void', 'text/turtle')
    expect(v.status).toBe(200)
    const quads = parse(await v.text())
    const ds = `${origin}/.well-known/void#dataset`
    const V = LD_PREFIXES.void
    expect(quads.find((q) => q.subject.value === ds && q.predicate.value === `${V}triples`)?.object.value).toBe(
      String(after.quads.length),
    )
    expect(has(quads, ds, `${V}dataDump`, `${origin}/ld/dump.nt.gz`)).toBe(true)
    expect(has(quads, ds, `${V}sparqlEndpoint`, `${origin}/sparql`)).toBe(true)
    const entities = quads.find((q) => q.subject.value === ds && q.predicate.value === `${V}entities`)
    expect(Number(entities?.object.value)).toBeGreaterThanOrEqual(4)
    const jl = await get('/.well-known/void', 'application/ld+json')
    expect(jl.status).toBe(200)
    expect(((await jl.json()) as { '@graph': Array<{ '@id': string }> })['@graph'][0]!['@id']).toBe(ds)
  }, 30_000)
})

describe('linked data dumps across a restart', () => {
  it('records changed while the node was stopped are in the dump once it runs again', async () => {
    const dir = await tempDir('shulin-ld-restart-')
    const port = await freePort()
    const config = { name: '某某县图书馆', dataDir: dir, port, publicUrl: `http://127.0.0.1:${port}` }
    const worksIn = async (t: TempNode) => {
      const res = await fetch(`${t.node.url}/ld/dump.nt.gz`)
      expect(res.status).toBe(200)
      const quads = parse(gunzipSync(Buffer.from(await res.arrayBuffer())).toString('utf8'), 'N-Triples')
      return new Set(quads.filter((q) => q.predicate.value === `${DC}title`).map((q) => q.object.value))
    }
    try {
      let t = await startTempNode(config)
      const staff = await signedInAdmin(t)
      const r = await staff.post('/api/staff/resources', { type: 'book', metadata: { title: '静夜思' } })
      await staff.post(`/api/staff/resources/${r.body.id}/publish`)
      expect(await worksIn(t)).toEqual(new Set(['静夜思']))
      await t.close()

      // As `shulin import` does with the node stopped: records written straight to the folder.
      const folder = await openDataFolder(dir, { create: false })
      const resources = new ResourceService({ storage: folder.storage, nodeId: folder.key.nodeId })
      await resources.importBatch([ImportRecord.parse({ title: '将进酒', creators: ['李白'] })])
      await folder.storage.close()

      t = await startTempNode(config)
      try {
        expect(await worksIn(t)).toEqual(new Set(['静夜思', '将进酒']))
      } finally {
        await t.close()
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 60_000)
})
