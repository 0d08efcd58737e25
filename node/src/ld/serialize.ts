/**
 * @module ld/serialize
 * Quads as Turtle, N-Triples (n3's Writer) or JSON-LD, and which of them a request accepts.
 *
 * JSON-LD is written by hand with a compact context of the node's prefixes: the output is
 * expanded-value JSON-LD (`@id`, `@value`/`@language`/`@type`) grouped by subject, which any
 * JSON-LD processor reads without fetching a remote context, and it spares the server the
 * `jsonld` package (a large processor with a network document loader) for what is a mapping.
 */
import { Writer } from 'n3'
import type { Quad, Term } from '@rdfjs/types'
import type { Context } from 'hono'
import { accepts } from 'hono/accepts'
import { LD_PREFIXES } from '@shulin/protocol'

export type RdfFormat = 'turtle' | 'ntriples' | 'jsonld'

export const MEDIA_TYPES: Record<RdfFormat, string> = {
  turtle: 'text/turtle',
  ntriples: 'application/n-triples',
  jsonld: 'application/ld+json',
}

/** What a `/ld` answer may be: HTML is a redirect to the portal page. */
export type Negotiated = RdfFormat | 'html'

const SUPPORTS: Array<[string, Negotiated]> = [
  ['text/html', 'html'],
  ['application/xhtml+xml', 'html'],
  ['text/turtle', 'turtle'],
  ['application/x-turtle', 'turtle'],
  ['application/n-triples', 'ntriples'],
  ['application/ld+json', 'jsonld'],
  ['application/json', 'jsonld'],
  ['text/plain', 'ntriples'],
]

/**
 * The format the request's Accept asks for among `allowed`, or `null` when it accepts none of
 * them (a 406). No Accept, or only a wildcard, gets Turtle: a client that states no preference
 * is a data client, a browser always names text/html.
 */
export function negotiate(c: Context, allowed: readonly Negotiated[]): Negotiated | null {
  const header = c.req.header('accept')
  const fallback: Negotiated = allowed.includes('turtle') ? 'turtle' : allowed[0]!
  if (!header?.trim()) return fallback
  const supports = SUPPORTS.filter(([, f]) => allowed.includes(f))
  const picked = accepts(c, { header: 'Accept', supports: supports.map(([t]) => t), default: '' })
  if (picked) return supports.find(([t]) => t === picked)![1]
  const wildcard = header
    .split(',')
    .map((p) => p.trim().split(';'))
    .some(([t, ...params]) => (t === '*/*' || t === '*') && !params.some((p) => /^\s*q\s*=\s*0(\.0*)?\s*$/.test(p)))
  return wildcard ? fallback : null
}

/** Quads as Turtle (with the node's prefixes) or N-Triples. */
export function writeRdf(quads: Iterable<Quad>, format: 'turtle' | 'ntriples'): Promise<string> {
  const writer = new Writer(
    format === 'turtle' ? { format: 'Turtle', prefixes: { ...LD_PREFIXES } } : { format: 'N-Triples' },
  )
  for (const q of quads) writer.addQuad(q)
  return new Promise((resolve, reject) => writer.end((err, out: string) => (err ? reject(err) : resolve(out))))
}

type JsonLdValue = { '@id': string } | { '@value': string; '@language'?: string; '@type'?: string }

function jsonLdValue(t: Term): JsonLdValue {
  if (t.termType === 'Literal') {
    if (t.language) return { '@value': t.value, '@language': t.language }
    if (t.datatype.value !== `${LD_PREFIXES.xsd}string`) return { '@value': t.value, '@type': t.datatype.value }
    return { '@value': t.value }
  }
  return { '@id': t.termType === 'BlankNode' ? `_:${t.value}` : t.value }
}

/** Quads as a JSON-LD document: the prefixes as context, one node per subject in `@graph`. */
export function toJsonLd(quads: Iterable<Quad>): object {
  const nodes = new Map<string, Record<string, unknown>>()
  for (const q of quads) {
    const id = q.subject.termType === 'BlankNode' ? `_:${q.subject.value}` : q.subject.value
    let node = nodes.get(id)
    if (!node) nodes.set(id, (node = { '@id': id }))
    if (q.predicate.value === `${LD_PREFIXES.rdf}type` && q.object.termType === 'NamedNode') {
      ;((node['@type'] ??= []) as string[]).push(q.object.value)
      continue
    }
    ;((node[q.predicate.value] ??= []) as JsonLdValue[]).push(jsonLdValue(q.object))
  }
  return { '@context': { ...LD_PREFIXES }, '@graph': [...nodes.values()] }
}

/** Quads in a format, as the body of an answer. */
export async function serialize(quads: Quad[], format: RdfFormat): Promise<string> {
  return format === 'jsonld' ? JSON.stringify(toJsonLd(quads)) : writeRdf(quads, format)
}
