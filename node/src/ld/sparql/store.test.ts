import { afterEach, describe, expect, it } from 'vitest'
import { ProblemError } from '../../http/problem.js'
import type { QuadLike } from './ntriples.js'
import { SparqlStore, type QuadSource, type SubjectChange } from './store.js'
import { negotiate, queryForm } from './protocol.js'

const DC = 'http://purl.org/dc/terms/'
const SDO = 'https://schema.org/'
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type'
const iri = (value: string) => ({ termType: 'NamedNode', value })
const str = (value: string) => ({
  termType: 'Literal',
  value,
  language: '',
  datatype: iri('http://www.w3.org/2001/XMLSchema#string'),
})

function work(id: string, title: string, author: string): QuadLike[] {
  const s = iri(`http://lib.test/ld/resource/${id}`)
  const p = iri(`http://lib.test/ld/person/${encodeURIComponent(author)}`)
  return [
    { subject: s, predicate: iri(RDF_TYPE), object: iri(`${SDO}CreativeWork`) },
    { subject: s, predicate: iri(`${DC}title`), object: str(title) },
    { subject: s, predicate: iri(`${DC}creator`), object: p },
    { subject: p, predicate: iri(`${SDO}name`), object: str(author) },
  ]
}

/** The linked data as a test holds it: subjects' quads, and the change listeners. */
class Source implements QuadSource {
  readonly subjects = new Map<string, QuadLike[]>()
  readonly listeners = new Set<(changes: SubjectChange[]) => void | Promise<void>>()
  reads = 0
  put(quads: QuadLike[]): SubjectChange[] {
    const bySubject = new Map<string, QuadLike[]>()
    for (const q of quads) bySubject.set(q.subject.value, [...(bySubject.get(q.subject.value) ?? []), q])
    for (const [uri, qs] of bySubject) this.subjects.set(uri, qs)
    return [...bySubject].map(([uri, qs]) => ({ uri, quads: qs }))
  }
  async *allQuads(): AsyncIterable<QuadLike> {
    this.reads++
    for (const qs of this.subjects.values()) yield* qs
  }
  onChange(listener: (changes: SubjectChange[]) => void | Promise<void>) {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
  async emit(changes: SubjectChange[]) {
    for (const l of this.listeners) await l(changes)
  }
}

const countByLiBai = `PREFIX dcterms: <${DC}> PREFIX schema: <${SDO}>
  SELECT (COUNT(DISTINCT ?w) AS ?n) WHERE { ?w a schema:CreativeWork ; dcterms:creator ?p . ?p schema:name "李白" }`
const count = async (store: SparqlStore) =>
  Number(
    (
      JSON.parse((await store.query(countByLiBai, 'application/sparql-results+json')).body) as {
        results: { bindings: Array<{ n: { value: string } }> }
      }
    ).results.bindings[0]!.n.value,
  )

async function problemOf(p: Promise<unknown>): Promise<ProblemError> {
  try {
    await p
  } catch (err) {
    if (err instanceof ProblemError) return err
    throw err
  }
  throw new Error('expected a problem')
}

let store: SparqlStore | undefined
afterEach(async () => {
  await store?.stop()
  store = undefined
})

describe('the SPARQL store', () => {
  it('is built from the linked data and follows its changes', { timeout: 20_000 }, async () => {
    const source = new Source()
    source.put([...work('r1', '靜夜思', '李白'), ...work('r2', '春曉', '孟浩然'), ...work('r3', '將進酒', '李白')])
    store = new SparqlStore({ source })
    store.start()
    expect(await count(store)).toBe(2)
    expect(store.size).toBe(11)

    await source.emit(source.put(work('r4', '蜀道難', '李白')))
    expect(await count(store)).toBe(3)
    // r3 re-attributed: its old creator link is replaced, not added to.
    await source.emit(source.put(work('r3', '將進酒', '李賀')))
    expect(await count(store)).toBe(2)
    await source.emit([{ uri: 'http://lib.test/ld/resource/r1', quads: [] }])
    expect(await count(store)).toBe(1)

    const csv = await store.query(`SELECT ?t WHERE { <http://lib.test/ld/resource/r2> <${DC}title> ?t }`, 'text/csv')
    expect(csv.body).toBe('t\r\n春曉\r\n')
    const tsv = await store.query(
      `SELECT ?t WHERE { <http://lib.test/ld/resource/r2> <${DC}title> ?t }`,
      'text/tab-separated-values',
    )
    expect(tsv.body).toBe('?t\n"春曉"\n')
    const xml = await store.query(`ASK { ?w <${DC}title> "春曉" }`, 'application/sparql-results+xml')
    expect(xml.body).toContain('<boolean>true</boolean>')
    const ttl = await store.query('DESCRIBE <http://lib.test/ld/resource/r2>', 'text/turtle')
    expect(ttl.body).toContain('"春曉"')
    expect(ttl.rows).toBe(3)
    const jsonld = await store.query('DESCRIBE <http://lib.test/ld/resource/r2>', 'application/ld+json')
    expect(JSON.parse(jsonld.body)).toEqual(
      expect.arrayContaining([expect.objectContaining({ '@id': 'http://lib.test/ld/resource/r2' })]),
    )
  })

  it('answers a malformed query with the parser message and refuses results past the limit', async () => {
    const source = new Source()
    for (let i = 0; i < 30; i++) source.put(work(`r${i}`, `詩${i}`, '李白'))
    store = new SparqlStore({ source, maxRows: 50 })
    await store.rebuild()
    const bad = await problemOf(store.query('SELECT * WHERE { ?s ?p ', 'application/sparql-results+json'))
    expect(bad.code).toBe('sparql_malformed')
    expect(bad.extra.detail).toMatch(/error at 1:\d+/)
    const many = await problemOf(store.query('SELECT * WHERE { ?s ?p ?o }', 'text/csv'))
    expect(many.code).toBe('sparql_result_limit')
    expect(many.extra.detail).toMatch(/91 results; at most 50/)
    const some = await store.query('SELECT * WHERE { ?s ?p ?o } LIMIT 50', 'text/csv')
    expect(some.rows).toBe(50)
  })

  it('stops a query at the time limit, then answers again from a fresh build', { timeout: 60_000 }, async () => {
    const source = new Source()
    for (let i = 0; i < 400; i++) source.put(work(`r${i}`, `詩${i}`, `詩人${i % 7}`))
    store = new SparqlStore({ source, timeLimitMs: 1_000 })
    await store.rebuild()
    expect(source.reads).toBe(1)
    // 1,200 triples to the fourth power: far beyond a second.
    const expensive = 'SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }'
    const started = Date.now()
    const stopped = await problemOf(store.query(expensive, 'application/sparql-results+json'))
    expect(stopped.code).toBe('sparql_time_limit')
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(store.timeouts).toBe(1)
    // The next query waits for the rebuilt store and sees everything again.
    const n = await store.query('SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }', 'text/csv')
    expect(n.body).toBe('n\r\n1207\r\n')
    expect(source.reads).toBe(2)
  })
})

describe('the SPARQL store, lazily', () => {
  it(
    'builds nothing before the first query, follows changes once built, and is released when idle',
    {
      timeout: 30_000,
    },
    async () => {
      const source = new Source()
      source.put([...work('r1', '靜夜思', '李白'), ...work('r2', '春曉', '孟浩然')])
      store = new SparqlStore({ source, idleMs: 400 })
      store.start()
      await source.emit(source.put(work('r3', '將進酒', '李白')))
      await new Promise((r) => setTimeout(r, 100))
      // Started and changed, but nobody asked: nothing read, no store.
      expect({ reads: source.reads, builds: store.builds, loaded: store.loaded }).toEqual({
        reads: 0,
        builds: 0,
        loaded: false,
      })
      expect(await count(store)).toBe(2)
      expect({ reads: source.reads, loaded: store.loaded }).toEqual({ reads: 1, loaded: true })
      // Kept in step while held, without reading everything again.
      await source.emit(source.put(work('r4', '蜀道難', '李白')))
      expect(await count(store)).toBe(3)
      expect(source.reads).toBe(1)
      // Idle past idleMs: released (bounded wait, polled).
      for (let i = 0; i < 100 && store.loaded; i++) await new Promise((r) => setTimeout(r, 100))
      expect({ loaded: store.loaded, releases: store.releases, size: store.size }).toEqual({
        loaded: false,
        releases: 1,
        size: 0,
      })
      // A change while released is not lost: the next query builds from the source as it is.
      await source.emit([{ uri: 'http://lib.test/ld/resource/r1', quads: [] }])
      source.subjects.delete('http://lib.test/ld/resource/r1')
      expect(await count(store)).toBe(2)
      expect({ reads: source.reads, builds: store.builds }).toEqual({ reads: 2, builds: 2 })
    },
  )

  it(
    'answers a first query 503 with Retry-After past buildWaitMs, while the build goes on',
    {
      timeout: 30_000,
    },
    async () => {
      let open!: () => void
      const gate = new Promise<void>((r) => (open = r))
      const source = new Source()
      source.put(work('r1', '靜夜思', '李白'))
      const slow: QuadSource = {
        async *allQuads() {
          await gate
          yield* source.allQuads()
        },
        onChange: (l) => source.onChange(l),
      }
      store = new SparqlStore({ source: slow, buildWaitMs: 200 })
      store.start()
      const late = await problemOf(count(store))
      expect(late.code).toBe('not_ready')
      expect(late.extra.retryAfterSeconds).toBeGreaterThan(0)
      // A second query while it builds starts no second build.
      const second = count(store)
      open()
      expect(await second).toBe(1)
      expect(store.builds).toBe(1)
    },
  )
})

describe('the form of a query', () => {
  it('reads past the prologue and comments, and tells updates apart', () => {
    expect(queryForm('PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n# a comment\nselect * {}')).toBe(
      'select',
    )
    expect(queryForm('BASE <http://x/> PREFIX : <http://y#> ASK {}')).toBe('ask')
    expect(queryForm('  CONSTRUCT WHERE { ?s ?p ?o }')).toBe('construct')
    expect(queryForm('DESCRIBE <http://x>')).toBe('describe')
    for (const u of [
      'INSERT DATA { <a:a> <a:b> <a:c> }',
      'PREFIX x: <http://x#> DELETE WHERE { ?s ?p ?o }',
      '# hi\nLOAD <http://evil.example/data.ttl>',
      'drop all',
      'CLEAR DEFAULT',
      'WITH <g:1> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }',
    ])
      expect(queryForm(u), u).toBe('update')
    expect(queryForm('SELEC * {}')).toBe('unknown')
  })
})

describe('the media type of an answer', () => {
  it('follows q-values and ranges, and names none when none is taken', () => {
    const types = ['application/sparql-results+json', 'application/sparql-results+xml', 'text/csv']
    expect(negotiate(undefined, types)).toBe('application/sparql-results+json')
    expect(negotiate('*/*', types)).toBe('application/sparql-results+json')
    expect(negotiate('text/html,application/xhtml+xml,*/*;q=0.8', types)).toBe('application/sparql-results+json')
    expect(negotiate('application/sparql-results+json;q=0.5, text/csv', types)).toBe('text/csv')
    expect(negotiate('text/*', types)).toBe('text/csv')
    expect(negotiate('text/turtle', types)).toBeUndefined()
    expect(negotiate('text/csv;q=0', types)).toBeUndefined()
  })
})
