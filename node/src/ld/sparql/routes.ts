/**
 * @module ld/sparql/routes
 * `/sparql` per the SPARQL 1.1 Protocol, read-only: a query by GET (`?query=`), by POST as a form
 * (`query=`) or directly (`application/sparql-query`); the answer's media type by Accept
 * (SELECT/ASK: JSON, XML, CSV, TSV; CONSTRUCT/DESCRIBE: Turtle, JSON-LD, N-Triples). Updates —
 * an `update=` form, `application/sparql-update`, or a query text that is one — are refused
 * with a 400 problem, as is a malformed query (with the parser's message).
 */
import type { Context, Hono } from 'hono'
import { SparqlRebuildResult } from '@shulin/protocol'
import type { Api } from '../../http/api.js'
import type { AppEnv } from '../../http/env.js'
import { ProblemError } from '../../http/problem.js'
import { canonicalType, negotiate, queryForm, typesFor } from './protocol.js'
import type { SparqlStore } from './store.js'

/** A query's text past this many characters is refused (protects the parser and the logs). */
export const maxQueryChars = 64 * 1024

export interface SparqlRoutesDeps {
  store: SparqlStore
}

const refused = () =>
  new ProblemError('sparql_update_refused', {
    detail: 'this endpoint answers queries only (SELECT, ASK, CONSTRUCT, DESCRIBE)',
  })

/** The query text of a request, or a problem when there is none, it is too long, or an update. */
async function queryText(c: Context<AppEnv>): Promise<string> {
  let text: string | undefined
  if (c.req.method === 'GET') {
    if (c.req.query('update') !== undefined) throw refused()
    text = c.req.query('query')
  } else {
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
    const length = Number(c.req.header('content-length') ?? 0)
    if (length > maxQueryChars * 4) throw new ProblemError('payload_too_large')
    if (type === 'application/sparql-update') throw refused()
    if (type === 'application/sparql-query') text = await c.req.text()
    else if (type === 'application/x-www-form-urlencoded') {
      const form = new URLSearchParams(await c.req.text())
      if (form.has('update')) throw refused()
      text = form.get('query') ?? undefined
    } else
      throw new ProblemError('unsupported_media_type', {
        detail: 'send the query as application/sparql-query or as a form (application/x-www-form-urlencoded)',
      })
  }
  if (!text?.trim())
    throw new ProblemError('sparql_malformed', { detail: 'no query: pass it as query=… (GET or form) or as the body' })
  if (text.length > maxQueryChars)
    throw new ProblemError('sparql_malformed', { detail: `the query is over ${maxQueryChars} characters` })
  return text
}

export function sparqlRoutes(app: Hono<AppEnv>, api: Api, deps: SparqlRoutesDeps): void {
  const answer = async (c: Context<AppEnv>) => {
    const text = await queryText(c)
    const form = queryForm(text)
    if (form === 'update') throw refused()
    const types = typesFor(form)
    // No Accept, or `*/*`, takes the form's first type; an Accept naming none of them is a 406.
    const type = negotiate(c.req.header('accept'), types)
    if (!type)
      throw new ProblemError('sparql_not_acceptable', {
        detail: `this query's results are given as ${types.join(', ')}`,
      })
    const format = canonicalType(type)
    const { body } = await deps.store.query(text, format)
    const charset = format === 'application/n-triples' ? '' : '; charset=utf-8'
    return c.body(body, 200, {
      'content-type': format + charset,
      vary: 'Accept',
      'cache-control': 'no-store',
    })
  }
  app.get('/sparql', answer)
  app.post('/sparql', answer)
  // `shulin reindex` through a running node rebuilds the store with the search index.
  for (const [path, access] of [
    ['/api/staff/sparql/reindex', 'admin'],
    ['/api/control/sparql/reindex', 'control'],
  ] as const) {
    api.route(
      {
        method: 'post',
        path,
        summary: 'Rebuild the SPARQL store from the linked data',
        tags: ['linked data'],
        access,
        response: SparqlRebuildResult,
      },
      async () => deps.store.rebuild(),
    )
  }
}
