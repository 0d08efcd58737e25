import { describe, expect, it } from 'vitest'
import { Parser } from 'n3'
import { Metadata, type Resource } from '@shulin/protocol'
import { recordQuads, sameAs } from './triples.js'
import { writeRdf } from './serialize.js'

const record = (metadata: Record<string, unknown>, type: Resource['type'] = 'book'): Resource => ({
  id: '01JTEST',
  type,
  metadata: Metadata.parse(metadata),
  access: 'public',
  status: 'published',
  nodeId: 'n1',
  parentId: null,
  files: [],
  toc: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  publishedAt: '2026-01-01T00:00:00.000Z',
  revision: 1,
})
const ctx = {
  recordOrigin: 'https://lib.example',
  origin: 'https://lib.example',
  library: 'https://lib.example/ld/library/n1',
}

describe('record triples', () => {
  it('owl:sameAs only for identifiers others name the work by, and only valid IRIs', () => {
    expect(sameAs('urn:isbn:9787020002207', 'book')).toBe('urn:isbn:9787020002207')
    expect(sameAs('doi:10.1000/182', 'article')).toBe('https://doi.org/10.1000/182')
    expect(sameAs('http://id.loc.gov/authorities/names/n79021164', 'book')).toBe(
      'http://id.loc.gov/authorities/names/n79021164',
    )
    expect(sameAs('urn:issn:0254-4164', 'journal')).toBe('urn:issn:0254-4164')
    expect(sameAs('urn:issn:0254-4164', 'article')).toBeUndefined()
    expect(sameAs('local:馆藏 001', 'book')).toBeUndefined()
    expect(sameAs('doi:10.1000/a b<c>', 'article')).toBeUndefined()
  })

  it('awkward text and identifiers still make Turtle and N-Triples that parse', async () => {
    const r = record({
      title: '他说"月"\\ 与 <霜>',
      creators: ['李 白', 'a>b"c'],
      subjects: ['唐诗 / 五言'],
      description: '第一行\n第二行\t"引号"',
      identifiers: ['doi:10.1000/a b<c>', 'https://example.org/a"b', 'urn:isbn:9787020002207'],
      clc: 'I222.742',
      date: '1980-05',
      extent: { pages: 12, durationSeconds: 61.4 },
    })
    const quads = recordQuads(r, ctx)
    for (const format of ['turtle', 'ntriples'] as const) {
      const text = await writeRdf(quads, format)
      const back = new Parser({ format: format === 'turtle' ? 'Turtle' : 'N-Triples' }).parse(text)
      expect(back.length, text).toBe(quads.length)
    }
  })
})
