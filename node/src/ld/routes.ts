/**
 * @module ld/routes
 * The linked-data endpoints: `/ld/{kind}/{id}` by content negotiation (HTML is a 303 to the
 * portal page; Turtle, N-Triples, JSON-LD), the dumps `/ld/dump.nt.gz` and `/ld/dump.ttl.gz`,
 * and the VoID description at `/.well-known/void`.
 *
 * An unknown thing is a 404 in the format asked for (an empty graph, so an RDF client reads it);
 * an Accept the node cannot serve is a 406 problem.
 */
import type { Hono } from 'hono'
import type { Context } from 'hono'
import { DataFactory } from 'n3'
import type { NamedNode, Quad } from '@rdfjs/types'
import { LD_PREFIXES, parseLdPath } from '@shulin/protocol'
import type { AppEnv } from '../http/env.js'
import { ProblemError } from '../http/problem.js'
import type { ResourceRecords } from '../resources/store.js'
import type { LinkedData } from './service.js'
import type { LdDumps } from './dumps.js'
import { MEDIA_TYPES, negotiate, serialize, type RdfFormat } from './serialize.js'
import { dcterms, portalPath, rdf, recordKind, voidNs } from './triples.js'

const { namedNode, literal, quad } = DataFactory

export interface LdRouteDeps {
  ld: LinkedData
  dumps: LdDumps
  records: ResourceRecords
  libraryName: () => string
}

/** The answer for a thing the node does not publish, in the negotiated format. */
function notFound(c: Context, format: RdfFormat | 'html'): Response {
  c.header('Vary', 'Accept')
  if (format === 'html') {
    c.header('Content-Type', 'text/html; charset=utf-8')
    return c.body('<!doctype html><meta charset="utf-8"><title>404</title><p>未找到 · Not found</p>', 404)
  }
  const body =
    format === 'jsonld' ? JSON.stringify({ '@context': { ...LD_PREFIXES }, '@graph': [] }) : '# 未找到 · Not found\n'
  c.header('Content-Type', `${MEDIA_TYPES[format]}; charset=utf-8`)
  return c.body(body, 404)
}

async function rdfAnswer(c: Context, quads: Quad[], format: RdfFormat): Promise<Response> {
  c.header('Content-Type', `${MEDIA_TYPES[format]}; charset=utf-8`)
  c.header('Vary', 'Accept')
  return c.body(await serialize(quads, format), 200)
}

function voidQuads(
  ld: LinkedData,
  stats: { triples: number; entities: number; modified: string },
  name: string,
): Quad[] {
  const origin = ld.origin()
  const ds = namedNode(`${origin}/.well-known/void#dataset`)
  const out: Quad[] = []
  const add = (p: NamedNode, o: Quad['object']) => out.push(quad(ds, p, o))
  const int = (n: number) => literal(String(n), namedNode(`${LD_PREFIXES.xsd}integer`))
  add(rdf('type'), voidNs('Dataset'))
  add(dcterms('title'), literal(name))
  add(dcterms('publisher'), namedNode(ld.libraryUri()))
  add(dcterms('modified'), literal(stats.modified, namedNode(`${LD_PREFIXES.xsd}dateTime`)))
  add(voidNs('triples'), int(stats.triples))
  add(voidNs('entities'), int(stats.entities))
  add(voidNs('dataDump'), namedNode(`${origin}/ld/dump.nt.gz`))
  add(voidNs('dataDump'), namedNode(`${origin}/ld/dump.ttl.gz`))
  add(voidNs('sparqlEndpoint'), namedNode(`${origin}/sparql`))
  add(voidNs('uriSpace'), literal(`${origin}/ld/`))
  for (const v of ['schema', 'dcterms', 'skos', 'foaf', 'owl'] as const)
    add(voidNs('vocabulary'), namedNode(LD_PREFIXES[v]))
  return out
}

export function ldRoutes(app: Hono<AppEnv>, deps: LdRouteDeps): void {
  const { ld, dumps } = deps

  for (const format of ['nt', 'ttl'] as const) {
    app.get(`/ld/dump.${format}.gz`, async (c) => {
      const dump = await dumps.open(format)
      // The gzip file as it is (not a Content-Encoding a client would undo): saved, it is the dump.
      c.header('Content-Type', 'application/gzip')
      c.header('Content-Disposition', `attachment; filename="dump.${format}.gz"`)
      c.header('Content-Length', String(dump.size))
      c.header('Last-Modified', dump.modified.toUTCString())
      c.header('Cache-Control', 'no-cache')
      return c.body(dump.body, 200)
    })
  }

  app.get('/.well-known/void', async (c) => {
    const format = negotiate(c, ['turtle', 'jsonld', 'ntriples'])
    if (!format || format === 'html') throw new ProblemError('not_acceptable')
    return rdfAnswer(c, voidQuads(ld, await dumps.stats(), deps.libraryName()), format)
  })

  app.get('/ld/:kind/:id', async (c) => {
    const format = negotiate(c, ['html', 'turtle', 'ntriples', 'jsonld'])
    if (!format)
      throw new ProblemError('not_acceptable', {
        detail: 'text/html, text/turtle, application/n-triples, application/ld+json',
      })
    const thing = parseLdPath(new URL(c.req.url).pathname)
    if (!thing) return notFound(c, format)
    const quads = await ld.describe(thing.kind, thing.id)
    if (!quads) {
      // `/ld/resource/ID` of a course or a lecture: the record is at its own kind's URI.
      if (thing.kind === 'resource') {
        const r = await deps.records.get(thing.id)
        if (r?.status === 'published' && recordKind(r.type) !== 'resource') {
          c.header('Vary', 'Accept')
          return c.redirect(`/ld/${recordKind(r.type)}/${encodeURIComponent(r.id)}`, 301)
        }
      }
      return notFound(c, format)
    }
    if (format === 'html') {
      c.header('Vary', 'Accept')
      return c.redirect(portalPath(thing.kind, thing.id), 303)
    }
    // A named thing's document lists what names it: a person's works, a subject's records.
    const k = thing.kind
    const named = k === 'person' || k === 'subject' || k === 'class' || k === 'place'
    return rdfAnswer(c, named ? [...quads, ...(await ld.backlinks(k, thing.id))] : quads, format)
  })
}
