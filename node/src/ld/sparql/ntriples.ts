/**
 * @module ld/sparql/ntriples
 * RDF/JS quads as N-Triples lines: the form the store's worker loads fastest (Oxigraph parses
 * N-Triples without a prefix table or a base), and a plain string crosses the thread boundary
 * without structured-cloning a million term objects.
 */

/** The parts of an RDF/JS term this writer reads (RDF/JS `Term`s fit it). */
export interface TermLike {
  termType: string
  value: string
  language?: string
  datatype?: { value: string }
}
/** The parts of an RDF/JS quad this writer reads; the graph is dropped (one default graph). */
export interface QuadLike {
  subject: TermLike
  predicate: TermLike
  object: TermLike
}

const XSD_STRING = 'http://www.w3.org/2001/XMLSchema#string'
const LANG_STRING = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#langString'
const escapes: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r' }

function iri(value: string): string {
  // IRIs are written as given; characters N-Triples forbids inside <> are percent-encoded.
  return `<${value.replace(/[\u0000-\u0020<>"{}|^`\\]/g, (c) => encodeURIComponent(c))}>`
}

function term(t: TermLike): string {
  if (t.termType === 'NamedNode') return iri(t.value)
  if (t.termType === 'BlankNode') return `_:${t.value.replace(/[^A-Za-z0-9_-]/g, '_')}`
  if (t.termType === 'Literal') {
    const v = `"${t.value.replace(/[\\"\n\r]/g, (c) => escapes[c]!)}"`
    if (t.language) return `${v}@${t.language}`
    const dt = t.datatype?.value
    return !dt || dt === XSD_STRING || dt === LANG_STRING ? v : `${v}^^${iri(dt)}`
  }
  throw new TypeError(`no N-Triples form for a ${t.termType}`)
}

/** One N-Triples line (with its newline) per quad. */
export function toNTriples(quads: Iterable<QuadLike>): string {
  let out = ''
  for (const q of quads) out += `${term(q.subject)} ${term(q.predicate)} ${term(q.object)} .\n`
  return out
}
