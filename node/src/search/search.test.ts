/**
 * Search over HTTP on real nodes: the "done when" (静夜思, jingyesi, a Simplified
 * half-line of a Traditional record), the index following publish / edit / withdraw / delete /
 * import, a restart that reads the index file, `reindex`, filters, facets, highlights,
 * suggestions, the zero-result list, and bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Client, signedInAdmin, startTempNode, tempDir, type TempNode } from '../testing/temp-node.js'

const poems = [
  {
    title: '靜夜思',
    creators: ['李白'],
    subjects: ['唐詩'],
    description: '床前明月光，疑是地上霜。舉頭望明月，低頭思故鄉。',
    date: '0726',
    language: 'zh-Hant',
  },
  {
    title: '春曉',
    creators: ['孟浩然'],
    subjects: ['唐詩'],
    description: '春眠不覺曉，處處聞啼鳥。夜來風雨聲，花落知多少。',
    date: '0730',
    language: 'zh-Hant',
  },
  {
    title: '登鸛雀樓',
    creators: ['王之渙'],
    subjects: ['唐詩'],
    description: '白日依山盡，黃河入海流。欲窮千里目，更上一層樓。',
    date: '0720',
    language: 'zh-Hant',
  },
  {
    title: '水调歌头·明月几时有',
    creators: ['苏轼'],
    subjects: ['宋词'],
    description: '明月几时有？把酒问青天。不知天上宫阙，今夕是何年。',
    date: '1076',
    language: 'zh',
  },
  {
    title: 'Harry Potter and the Philosopher’s Stone',
    creators: ['J. K. Rowling'],
    subjects: ['Fantasy'],
    description: 'A boy wizard goes to school.',
    date: '1997',
    language: 'en',
  },
]

describe('search', () => {
  let t: TempNode
  let dir: string
  let staff: Client
  const anyone = () => new Client(t.node.url, { 'accept-language': 'en' })
  const search = (qs: string) => anyone().get(`/api/search?${qs}`)
  const titles = (body: { hits: Array<{ title: string }> }) => body.hits.map((h) => h.title)

  beforeAll(async () => {
    dir = await tempDir()
    t = await startTempNode({ name: '县图书馆', dataDir: dir })
    staff = await signedInAdmin(t)
    const jsonl = poems.map((p) => JSON.stringify({ ...p, status: 'published' })).join('\n')
    const imported = await staff.post('/api/staff/resources/import?format=jsonl', Buffer.from(jsonl), {
      'content-type': 'application/x-ndjson',
    })
    expect(imported.body.created).toBe(poems.length)
  })
  afterAll(async () => {
    await t?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('finds 静夜思 by its Simplified title, its pinyin and initials, and a Simplified half-line of the Traditional text', async () => {
    for (const q of ['静夜思', '靜夜思', 'jingyesi', 'jys', '举头望明月', '疑是地上霜', 'li bai', 'libai']) {
      const r = await search(`q=${encodeURIComponent(q)}`)
      expect(r.status, q).toBe(200)
      expect(titles(r.body)[0], q).toBe('靜夜思')
    }
    const hit = (await search(`q=${encodeURIComponent('举头望明月')}`)).body.hits[0]
    expect(hit).toMatchObject({
      id: expect.any(String),
      title: '靜夜思',
      creators: ['李白'],
      type: 'book',
      identifiers: [],
      match: 'phrase',
    })
    // The snippet marks the matched line in the record's own (Traditional) text.
    const s = hit.highlight.snippet
    expect(s.marks.map(([a, b]: [number, number]) => s.text.slice(a, b))).toEqual(['舉頭望明月'])
  })

  it('matches any substring, Latin words by prefix, case and a small typo', async () => {
    expect(titles((await search(`q=${encodeURIComponent('眠不')}`)).body)).toEqual(['春曉'])
    expect(titles((await search('q=potter')).body)).toEqual(['Harry Potter and the Philosopher’s Stone'])
    expect(titles((await search('q=PHILOSO')).body)).toEqual(['Harry Potter and the Philosopher’s Stone'])
    const typo = await search('q=phylosopher')
    expect(titles(typo.body)).toEqual(['Harry Potter and the Philosopher’s Stone'])
    expect(typo.body.hits[0].match).toBe('typo')
  })

  it('ranks a title match above a text match, and a phrase above scattered characters', async () => {
    const r = await search(`q=${encodeURIComponent('明月')}`)
    expect(titles(r.body)[0]).toBe('水调歌头·明月几时有')
    expect(titles(r.body)).toContain('靜夜思')
    // 李白 + 静夜思 typed as one string: no record holds it whole, the characters are there.
    const scattered = await search(`q=${encodeURIComponent('李白静夜思')}`)
    expect(titles(scattered.body)[0]).toBe('靜夜思')
    expect(scattered.body.hits[0].match).toBe('scattered')
    // Author + word, separated: both must match.
    expect(titles((await search(`q=${encodeURIComponent('李白 明月')}`)).body)).toEqual(['靜夜思'])
  })

  it('filters, counts facets, sorts and pages', async () => {
    const all = await search('q=&limit=2')
    expect(all.body.total).toBe(5)
    expect(all.body.hits).toHaveLength(2)
    expect(all.body.facets.language).toEqual({ 'zh-Hant': 3, zh: 1, en: 1 })
    expect(all.body.facets.subject['唐詩']).toBe(3)
    expect(all.body.facets.decade).toEqual({ '720': 2, '730': 1, '1070': 1, '1990': 1 })
    const tang = await search(`subject=${encodeURIComponent('唐詩')}&sort=year`)
    expect(titles(tang.body)).toEqual(['登鸛雀樓', '靜夜思', '春曉'])
    const range = await search('yearFrom=1000&yearTo=2000&sort=-year')
    expect(titles(range.body)).toEqual(['Harry Potter and the Philosopher’s Stone', '水调歌头·明月几时有'])
    expect((await search('language=en,zh&facets=false')).body).toMatchObject({ total: 2, facets: {} })
    const far = await search('q=&offset=9000')
    expect(far.status).toBe(200)
    expect(far.body).toMatchObject({ total: 5, hits: [] })
  })

  it('narrows to a topic with collection=ID: its items only, a hidden or unknown topic is a 404', async () => {
    const all = (await search('q=&limit=10')).body.hits as Array<{ id: string; title: string }>
    const idOf = (title: string) => all.find((h) => h.title === title)!.id
    const topic = await staff.post('/api/staff/collections', {
      kind: 'topic',
      title: '明月',
      items: [idOf('靜夜思'), idOf('水调歌头·明月几时有')],
    })
    expect(topic.status).toBe(201)
    const r = await search(`collection=${topic.body.id}&sort=year`)
    expect(r.status).toBe(200)
    expect(titles(r.body)).toEqual(['靜夜思', '水调歌头·明月几时有'])
    expect(r.body.total).toBe(2)
    expect(r.body.facets.language).toEqual({ 'zh-Hant': 1, zh: 1 })
    // With a query, inside the topic only: 李白 is in it, 孟浩然 is not.
    expect(titles((await search(`collection=${topic.body.id}&q=${encodeURIComponent('孟浩然')}`)).body)).toEqual([])
    expect(titles((await search(`collection=${topic.body.id}&q=libai`)).body)).toEqual(['靜夜思'])
    const empty = await staff.post('/api/staff/collections', { kind: 'column', title: '空' })
    expect((await search(`collection=${empty.body.id}`)).body).toMatchObject({ total: 0, hits: [] })
    const later = await staff.post('/api/staff/collections', {
      kind: 'topic',
      title: '未到',
      items: [idOf('春曉')],
      visibleFrom: new Date(Date.now() + 86_400_000).toISOString(),
    })
    expect((await search(`collection=${later.body.id}`)).status).toBe(404)
    expect(titles((await staff.get(`/api/staff/search?collection=${later.body.id}`)).body)).toEqual(['春曉'])
    expect((await search('collection=nope')).status).toBe(404)
  })

  it('breaks ties by popularity: a liked record moves up among equals', async () => {
    // The three share the subject 唐詩 and score the same for it.
    const order = async () => titles((await search(`q=${encodeURIComponent('唐诗')}`)).body)
    const before = await order()
    const last = before[before.length - 1]!
    const reader = new Client(t.node.url)
    await reader.post('/api/auth/register', { mode: 'quick', phone: '13600136001', password: 'reading2026' })
    await reader.post('/api/auth/login', { identifier: '13600136001', password: 'reading2026' })
    const id = (await search(`q=${encodeURIComponent(last)}`)).body.hits[0].id
    expect((await reader.put(`/api/me/likes/${id}`)).status).toBe(200)
    await t.node.search.ready()
    await new Promise((r) => setTimeout(r, 50))
    expect((await order())[0]).toBe(last)
  })

  it('suggests titles and names, by characters or pinyin', async () => {
    const s = await anyone().get(`/api/search/suggest?q=${encodeURIComponent('静夜')}`)
    expect(s.body.suggestions[0]).toMatchObject({ text: '靜夜思', field: 'title' })
    const py = await anyone().get('/api/search/suggest?q=mengh')
    expect(py.body.suggestions[0]).toMatchObject({ text: '孟浩然', field: 'creator' })
  })

  it('follows publish, edit, withdraw and delete with no manual step', async () => {
    const created = await staff.post('/api/staff/resources', {
      type: 'book',
      metadata: { title: '临县方志', creators: ['县志办'] },
    })
    const id = created.body.id
    expect((await search(`q=${encodeURIComponent('临县方志')}`)).body.total).toBe(0) // a draft is not public
    expect((await staff.get(`/api/staff/search?q=${encodeURIComponent('临县方志')}&status=draft`)).body.total).toBe(1)
    await staff.post(`/api/staff/resources/${id}/publish`)
    expect(titles((await search(`q=${encodeURIComponent('临县方志')}`)).body)).toEqual(['临县方志'])
    const current = await staff.get(`/api/staff/resources/${id}`)
    await staff.call(
      'PATCH',
      `/api/staff/resources/${id}`,
      { metadata: { ...current.body.metadata, title: '临县新志' } },
      { 'if-match': current.headers.get('etag')! },
    )
    expect((await search(`q=${encodeURIComponent('临县方志')}`)).body.total).toBe(0)
    expect(titles((await search(`q=${encodeURIComponent('新志')}`)).body)).toEqual(['临县新志'])
    await staff.post(`/api/staff/resources/${id}/withdraw`)
    expect((await search(`q=${encodeURIComponent('新志')}`)).body.total).toBe(0)
    expect((await staff.call('DELETE', `/api/staff/resources/${id}`)).status).toBe(200)
    expect((await staff.get(`/api/staff/search?q=${encodeURIComponent('新志')}`)).body.total).toBe(0)
  })

  it('lists zero-result queries for staff, without reader data', async () => {
    await search(`q=${encodeURIComponent('红楼梦')}`)
    await search(`q=${encodeURIComponent('紅樓夢')}`)
    // Recorded off the request path: wait for both to land.
    const find = async () =>
      (await staff.get('/api/staff/search/misses')).body.queries.find((m: { query: string }) => m.query === '红楼梦')
    await expect.poll(async () => (await find())?.count, { timeout: 5000 }).toBe(2)
    // Traditional and Simplified spellings count as one query.
    const entry = await find()
    expect(entry).toMatchObject({ query: '红楼梦', count: 2 })
    expect(Object.keys(entry).sort()).toEqual(['count', 'lastAt', 'query'])
    expect((await anyone().get('/api/staff/search/misses')).status).toBe(401)
  })

  it('answers bad input clearly and stays healthy', async () => {
    const cases = [
      'q=',
      `q=${encodeURIComponent('书'.repeat(256))}`,
      `q=${'a'.repeat(256)}`,
      `q=${encodeURIComponent('.*[(?+\\')}`,
      `q=${encodeURIComponent('title:"x" AND -y OR *')}`,
      `q=${encodeURIComponent('😀📚')}`,
    ]
    for (const qs of cases) {
      const r = await search(qs)
      expect(r.status, qs.slice(0, 40)).toBe(200)
      expect(typeof r.body.total).toBe('number')
    }
    // A lone surrogate percent-encoded is not UTF-8: the URL is refused, not searched for as "%ED%A0%80".
    const surrogate = await search('q=%ED%A0%80')
    expect([surrogate.status, surrogate.body.code]).toEqual([400, 'validation_failed'])
    const unknown = await search('q=a&colour=red')
    expect(unknown.status).toBe(400)
    expect(unknown.headers.get('content-type')).toContain('application/problem+json')
    expect(unknown.body.errors[0].pointer).toBe('/colour')
    for (const qs of [
      'offset=10001',
      'limit=0',
      'limit=1000',
      'sort=random',
      'type=novel',
      'yearFrom=abc',
      `q=${'x'.repeat(257)}`,
      `q=${encodeURIComponent('书'.repeat(3_400))}`,
      `q=${'a'.repeat(10_000)}`,
    ]) {
      expect((await search(qs)).status, qs.slice(0, 40)).toBe(400)
    }
    // A query longer than a search box holds is refused, saying so, not cut short.
    const long = await search(`q=${encodeURIComponent('书名1'.repeat(200))}`)
    expect(long.headers.get('content-type')).toContain('application/problem+json')
    expect(long.body.errors[0].pointer).toBe('/q')
    expect((await anyone().get('/api/health')).status).toBe(200)
  })

  it('keeps its index on disk: a restart reads it and replays what changed since; reindex rebuilds', async () => {
    await t.close()
    expect(await readdir(join(dir, 'search'))).toContain('index.v1.bin')
    t = await startTempNode({ dataDir: dir })
    expect(titles((await search('q=jingyesi')).body)[0]).toBe('靜夜思')
    const rebuilt = await t.node.search.reindex()
    expect(rebuilt.documents).toBeGreaterThanOrEqual(5)
    expect(titles((await search(`q=${encodeURIComponent('更上一层楼')}`)).body)).toEqual(['登鸛雀樓'])
  })
})
