import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { blend, contrastRatio } from '@shulin/protocol'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../../testing/temp-node.js'
import { png } from '../../testing/fixtures.js'
import {
  breakLines,
  classColours,
  coverScheme,
  escapeXml,
  generatedCoverSvg,
  lightestUnderMotif,
  typeColours,
} from './generated.js'

const book = (title: string, more: { creators?: string[]; clc?: string; language?: string } = {}) => ({
  type: 'book' as const,
  metadata: { title, creators: more.creators ?? [], clc: more.clc, language: more.language ?? 'zh' },
})

/** Every text node of a parsed SVG, in order. */
function texts(svg: string): string[] {
  const out: string[] = []
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(walk)
    if (n && typeof n === 'object')
      for (const [k, v] of Object.entries(n)) {
        if (k === '#text') out.push(String(v))
        else if (k !== ':@') walk(v)
      }
  }
  walk(new XMLParser({ preserveOrder: true, ignoreAttributes: false }).parse(svg))
  return out
}

describe('generated covers: the drawing', () => {
  it('keeps white text readable (AA 4.5 : 1) on every colour, under the lightest motif too', () => {
    const colours = [...Object.values(classColours), ...Object.values(typeColours).filter((c) => !!c)]
    for (const { colour } of colours) {
      // The motifs lay up to two 8 % white layers where the author's line may fall.
      const lightest = blend('#ffffff', blend('#ffffff', colour, 0.08), 0.07)
      expect(contrastRatio('#ffffff', lightest), colour).toBeGreaterThanOrEqual(4.5)
    }
  })

  it('gives each 中图法 class its own colour, and the class name as the label', () => {
    const colours = Object.values(classColours).map((c) => c.colour)
    expect(new Set(colours).size).toBe(22)
    expect(coverScheme(book('红楼梦', { clc: 'I242.4' })).label).toBe('I · 文学')
    // One class's books are shades of its colour, told apart on a shelf, every one readable.
    const literature = ['红楼梦', '三国演义', '西游记', '水浒传', '呐喊', '边城', '围城', '乡土中国'].map(
      (t) => coverScheme(book(t, { clc: 'I24' })).colour,
    )
    expect(new Set(literature).size).toBeGreaterThanOrEqual(4)
    for (const c of literature) expect(contrastRatio('#ffffff', lightestUnderMotif(c)), c).toBeGreaterThanOrEqual(4.5)
    expect(coverScheme({ ...book('某有声书'), type: 'audiobook' }).label).toBe('有声书')
    // Unclassed books spread over the palette rather than all taking one colour.
    const spread = new Set(
      ['史记', '论语', '诗经', '楚辞', '庄子', '孟子', '周易', '尚书'].map((t) => coverScheme(book(t)).colour),
    )
    expect(spread.size).toBeGreaterThanOrEqual(4)
  })

  it('breaks Chinese titles without starting a line with a closing mark, and keeps Latin words whole', () => {
    const { lines } = breakLines('我们仨，一本关于家的书。', 5, 5)
    for (const l of lines.slice(1)) expect(l[0]).not.toMatch(/[，。、）」》]/)
    expect(lines.join('')).toBe('我们仨，一本关于家的书。')
    const latin = breakLines('The Art of Computer Programming', 9, 5).lines
    expect(latin.join(' ')).toBe('The Art of Computer Programming')
    for (const l of latin) expect(l).not.toMatch(/^\s|\s$/)
    const long = breakLines('一二三四五六七八九十'.repeat(10), 5, 3)
    expect(long).toMatchObject({ cut: true })
    expect(long.lines).toHaveLength(3)
    expect(long.lines[2]!.endsWith('…')).toBe(true)
  })

  it('escapes a hostile title and author: the SVG stays well-formed and holds them only as text', () => {
    const evil = `</text><script>alert(1)</script><a href="javascript:x">&amp;'"\u0001\ud800`
    const svg = generatedCoverSvg(book(evil, { creators: ['<img src=x onerror=alert(1)>'] }))
    expect(XMLValidator.validate(svg)).toBe(true)
    expect(svg).not.toMatch(/<script|<a |<img|\u0001/)
    const all = texts(svg).join('')
    expect(all).toContain('alert(1)')
    expect(escapeXml('a<b>&"\'')).toBe('a&lt;b&gt;&amp;&quot;&apos;')
  })

  it('sets the title and the authors as text a reader would see', () => {
    const svg = generatedCoverSvg(book('围城', { creators: ['钱钟书', '杨绛'], clc: 'I246.5' }))
    expect(XMLValidator.validate(svg)).toBe(true)
    const t = texts(svg)
    expect(t).toContain('围城')
    expect(t).toContain('钱钟书、杨绛')
    expect(t).toContain('I · 文学')
    // Balanced lines: no lone character on the last one, and no word split to get there.
    expect(texts(generatedCoverSvg(book('中国哲学简史')))).toEqual(expect.arrayContaining(['中国哲', '学简史']))
    const knuth = texts(generatedCoverSvg(book('The Art of Computer Programming, Volume 1', { language: 'en' })))
    expect(knuth.join(' ')).toContain('Programming,')
  })
})

describe('generated covers: GET /api/resources/:id/cover', () => {
  let t: TempNode
  let staff: Client
  const anon = () => new Client(t.node.url)
  beforeAll(async () => {
    t = await startTempNode()
    staff = await signedInAdmin(t)
  })
  afterAll(() => t.close())

  const publish = async (title: string, extra: object = {}) => {
    const r = await staff.post('/api/staff/resources', { type: 'book', metadata: { title, ...extra } })
    expect(r.status).toBe(201)
    expect((await staff.post(`/api/staff/resources/${r.body.id}/publish`)).status).toBe(200)
    return r.body.id as string
  }

  it('draws a cover for a record without one, cached by an ETag that follows the metadata', async () => {
    const id = await publish('边城', { creators: ['沈从文'], clc: 'I246.5' })
    const first = await anon().get(`/api/resources/${id}/cover`)
    expect(first.status).toBe(200)
    expect(first.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8')
    expect(first.headers.get('content-security-policy')).toContain("default-src 'none'")
    expect(String(first.body)).toContain('边城')
    const etag = first.headers.get('etag')!
    expect((await anon().get(`/api/resources/${id}/cover`, { 'if-none-match': etag })).status).toBe(304)

    const current = await staff.get(`/api/staff/resources/${id}`)
    const edit = await staff.call(
      'PATCH',
      `/api/staff/resources/${id}`,
      {
        metadata: { ...current.body.metadata, title: '边城（新版）' },
      },
      { 'if-match': current.headers.get('etag')! },
    )
    expect(edit.status).toBe(200)
    const renamed = await anon().get(`/api/resources/${id}/cover`, { 'if-none-match': etag })
    expect(renamed.status).toBe(200)
    expect(String(renamed.body)).toContain('边城（新版）')
    expect(renamed.headers.get('etag')).not.toBe(etag)
  })

  it('sends an uploaded cover’s file instead (and the thumbnail for ?size=small)', async () => {
    const id = await publish('有封面的书')
    const up = await staff.put(`/api/staff/resources/${id}/files/cover`, png, { 'content-type': 'image/png' })
    expect(up.status).toBe(200)
    const full = await fetch(`${t.node.url}/api/resources/${id}/cover`, { redirect: 'manual' })
    expect(full.status).toBe(302)
    expect(full.headers.get('location')).toBe(`/api/resources/${id}/files/cover`)
    const small = await fetch(`${t.node.url}/api/resources/${id}/cover?size=small`, { redirect: 'manual' })
    expect(small.headers.get('location')).toBe(`/api/resources/${id}/files/thumbnail`)
    const followed = await anon().get(`/api/resources/${id}/cover`)
    expect(followed.headers.get('content-type')).toBe('image/png')
  })

  it('shows no cover of a draft to readers, nor of a record that does not exist', async () => {
    const draft = await staff.post('/api/staff/resources', { type: 'book', metadata: { title: '未发布' } })
    expect((await anon().get(`/api/resources/${draft.body.id}/cover`)).status).toBe(404)
    expect((await staff.get(`/api/resources/${draft.body.id}/cover`)).status).toBe(200)
    expect((await anon().get('/api/resources/nope/cover')).status).toBe(404)
  })
})
