/**
 * `/sparql` on a real node: the SPARQL 1.1 Protocol's three ways to send a query, results by
 * Accept, a read-only endpoint, and the store following records as staff publish, edit and
 * withdraw them. A SPARQL client from npm (fetch-sparql-endpoint) counts works by an author.
 */
import { Parser } from 'n3'
import { SparqlEndpointFetcher } from 'fetch-sparql-endpoint'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../../testing/temp-node.js'

const prefixes = 'PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX schema: <https://schema.org/>\n'
const byLiBai = `${prefixes}SELECT (COUNT(DISTINCT ?w) AS ?n) WHERE {
  ?w a schema:CreativeWork ; dcterms:creator ?p . ?p schema:name "李白" }`

describe('/sparql', () => {
  let t: TempNode
  let staff: Client
  const ids: string[] = []
  const endpoint = () => `${t.node.url}/sparql`
  const get = (query: string, accept?: string) =>
    fetch(`${endpoint()}?query=${encodeURIComponent(query)}`, accept ? { headers: { accept } } : {})
  const post = (body: string, type: string, accept = 'application/sparql-results+json') =>
    fetch(endpoint(), { method: 'POST', headers: { 'content-type': type, accept }, body })

  /** The count by a real SPARQL client, polled until the store has caught up with `expected`. */
  async function countBy(expected: number): Promise<number> {
    const fetcher = new SparqlEndpointFetcher()
    let n = -1
    for (let i = 0; i < 100 && n !== expected; i++) {
      if (i) await new Promise((r) => setTimeout(r, 100))
      const stream = await fetcher.fetchBindings(endpoint(), byLiBai)
      for await (const row of stream as AsyncIterable<Record<string, { value: string }>>) n = Number(row.n!.value)
    }
    return n
  }

  beforeAll(async () => {
    t = await startTempNode({ name: '某某县图书馆', sparqlTimeLimit: 1.5, sparqlMaxResults: 50 })
    staff = await signedInAdmin(t)
    const works = [
      { title: '靜夜思', creators: ['李白'] },
      { title: '將進酒', creators: ['李白'] },
      { title: '春曉', creators: ['孟浩然'] },
    ]
    for (const metadata of works) {
      const r = await staff.post('/api/staff/resources', {
        type: 'book',
        metadata: { ...metadata, subjects: ['唐詩'] },
      })
      await staff.post(`/api/staff/resources/${(r.body as { id: string }).id}/publish`)
      ids.push((r.body as { id: string }).id)
    }
    // A draft by the same poet is not published, so not counted.
    await staff.post('/api/staff/resources', { type: 'book', metadata: { title: '草稿', creators: ['李白'] } })
  }, 60_000)
  afterAll(() => t?.close())

  it('counts works by an author with an npm SPARQL client, following edits and withdrawals', async () => {
    expect(await countBy(2)).toBe(2)
    await staff.post(`/api/staff/resources/${ids[2]}/withdraw`)
    const r = await staff.post('/api/staff/resources', {
      type: 'book',
      metadata: { title: '蜀道難', creators: ['李白'] },
    })
    await staff.post(`/api/staff/resources/${(r.body as { id: string }).id}/publish`)
    expect(await countBy(3)).toBe(3)
    await staff.post(`/api/staff/resources/${ids[0]}/withdraw`)
    expect(await countBy(2)).toBe(2)
  })

  it('takes a query by GET, by form and directly, and answers in the accepted format', async () => {
    const q = `${prefixes}SELECT ?t WHERE { <${t.node.url}/ld/resource/${ids[1]}> dcterms:title ?t }`
    const json = await get(q)
    expect(json.headers.get('content-type')).toMatch(/^application\/sparql-results\+json/)
    expect(((await json.json()) as { results: { bindings: unknown[] } }).results.bindings).toEqual([
      { t: { type: 'literal', value: '將進酒', 'xml:lang': 'zh' } },
    ])
    const form = await post(
      new URLSearchParams({ query: q }).toString(),
      'application/x-www-form-urlencoded',
      'text/csv',
    )
    expect(form.headers.get('content-type')).toMatch(/^text\/csv/)
    expect(await form.text()).toBe('t\r\n將進酒\r\n')
    const direct = await post(q, 'application/sparql-query', 'text/tab-separated-values')
    expect(await direct.text()).toBe('?t\n"將進酒"@zh\n')
    const xml = await get(q, 'application/sparql-results+xml')
    expect(await xml.text()).toContain('<literal xml:lang="zh">將進酒</literal>')

    const described = await get(`DESCRIBE <${t.node.url}/ld/resource/${ids[1]}>`, 'text/turtle')
    expect(described.headers.get('content-type')).toMatch(/^text\/turtle/)
    const quads = new Parser().parse(await described.text())
    expect(quads.some((x) => x.object.value === '將進酒')).toBe(true)
    const jsonld = await get(`CONSTRUCT WHERE { <${t.node.url}/ld/resource/${ids[1]}> ?p ?o }`, 'application/ld+json')
    expect(jsonld.headers.get('content-type')).toMatch(/^application\/ld\+json/)
    expect(JSON.stringify(await jsonld.json())).toContain('將進酒')
  })

  it('refuses updates, malformed queries, formats it cannot give, and stops queries at the limits', async () => {
    const problem = async (res: Response, status: number, code: string) => {
      expect(res.status).toBe(status)
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
      const body = (await res.json()) as { code: string; detail?: string }
      expect(body.code).toBe(code)
      return body
    }
    await problem(await get('INSERT DATA { <urn:a> <urn:b> <urn:c> }'), 400, 'sparql_update_refused')
    await problem(await get(`${prefixes}DELETE WHERE { ?s ?p ?o }`), 400, 'sparql_update_refused')
    await problem(
      await post('LOAD <http://127.0.0.1:9/x.ttl>', 'application/sparql-update'),
      400,
      'sparql_update_refused',
    )
    await problem(
      await post('update=' + encodeURIComponent('CLEAR ALL'), 'application/x-www-form-urlencoded'),
      400,
      'sparql_update_refused',
    )
    // Nothing was changed by any of them.
    expect(await countBy(2)).toBe(2)

    const bad = await problem(await get('SELECT * WHERE { ?s ?p '), 400, 'sparql_malformed')
    expect(bad.detail).toMatch(/error at 1:\d+/)
    await problem(await fetch(endpoint()), 400, 'sparql_malformed')
    await problem(await get('SELECT * WHERE { ?s ?p ?o }', 'text/turtle'), 406, 'sparql_not_acceptable')
    await problem(await get('DESCRIBE <urn:x>', 'text/csv'), 406, 'sparql_not_acceptable')
    await problem(await post('SELECT * {}', 'text/plain'), 415, 'unsupported_media_type')

    const many = await problem(
      await get('SELECT ?s ?o WHERE { ?s ?p ?o . ?t ?q ?r } LIMIT 1000'),
      400,
      'sparql_result_limit',
    )
    expect(many.detail).toMatch(/gives 1000 results; at most 50/)
    const expensive =
      'SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?q ?r ?s }'
    const stopped = await problem(await get(expensive), 400, 'sparql_time_limit')
    expect(stopped.detail).toMatch(/stopped after 1.5 s/)
    // The store is rebuilt and answers as before.
    expect(await countBy(2)).toBe(2)
  })
})
