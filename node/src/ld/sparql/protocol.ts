/**
 * @module ld/sparql/protocol
 * What the SPARQL 1.1 Protocol asks of a read-only endpoint, without I/O: the form of a query
 * (read from its prologue, so an update is refused before it reaches the store and the answer's
 * media type is chosen before it runs), and the media types each form can be answered in.
 *
 * @example
 * ```ts
 * queryForm('PREFIX s: <https://schema.org/> SELECT * {?w a s:Book}') // 'select'
 * queryForm('INSERT DATA { <a:a> <a:b> <a:c> }')                     // 'update'
 * ```
 */

export type QueryForm = 'select' | 'ask' | 'construct' | 'describe' | 'update' | 'unknown'

const updateWords = new Set(['INSERT', 'DELETE', 'LOAD', 'CLEAR', 'CREATE', 'DROP', 'COPY', 'MOVE', 'ADD', 'WITH'])
const queryWords = new Set(['SELECT', 'ASK', 'CONSTRUCT', 'DESCRIBE'])
const space = /^(?:\s+|#[^\n\r]*)+/
const prologue = /^(?:BASE\s*<[^>\s]*>|PREFIX\s+[^\s:]*:\s*<[^>\s]*>)/i

/**
 * The form of a query or update, by the first keyword after its prologue (`BASE`, `PREFIX` and
 * comments). `unknown` is left to the parser, whose message the client then gets.
 */
export function queryForm(text: string): QueryForm {
  let rest = text
  for (;;) {
    rest = rest.replace(space, '')
    const m = prologue.exec(rest)
    if (!m) break
    rest = rest.slice(m[0].length)
  }
  const word = /^[A-Za-z]+/.exec(rest)?.[0].toUpperCase() ?? ''
  if (queryWords.has(word)) return word.toLowerCase() as QueryForm
  // A request may carry several updates separated by `;`: the first one decides, it is refused.
  if (updateWords.has(word)) return 'update'
  return 'unknown'
}

/** Media types of SELECT results, the first being the default. */
export const selectTypes = [
  'application/sparql-results+json',
  'application/sparql-results+xml',
  'text/csv',
  'text/tab-separated-values',
  'application/json',
  'application/xml',
  'text/xml',
] as const
/** ASK has no CSV or TSV form in the specifications. */
export const askTypes = [
  'application/sparql-results+json',
  'application/sparql-results+xml',
  'application/json',
  'application/xml',
  'text/xml',
] as const
/** Media types of CONSTRUCT and DESCRIBE results, the first being the default. */
export const graphTypes = ['text/turtle', 'application/ld+json', 'application/n-triples'] as const

/** The serialiser's name for an accepted media type (generic JSON and XML mean the SPARQL ones). */
export function canonicalType(type: string): string {
  if (type === 'application/json') return 'application/sparql-results+json'
  if (type === 'application/xml' || type === 'text/xml') return 'application/sparql-results+xml'
  return type
}

/** Media types the answer to a query of this form can take. */
export function typesFor(form: QueryForm): readonly string[] {
  if (form === 'ask') return askTypes
  if (form === 'construct' || form === 'describe') return graphTypes
  return selectTypes
}

/**
 * The first of `supports` the Accept header takes, by its q-values (more specific ranges first
 * among equals); the first of `supports` when there is no header; `undefined` when it takes none.
 */
export function negotiate(accept: string | undefined, supports: readonly string[]): string | undefined {
  if (!accept?.trim()) return supports[0]
  const ranges = accept
    .split(',')
    .map((part) => {
      const [type = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase())
      const q = params.find((p) => p.startsWith('q='))
      return {
        type,
        q: q ? Number(q.slice(2)) : 1,
        specific: type === '*/*' || type === '*' ? 0 : type.endsWith('/*') ? 1 : 2,
      }
    })
    .filter((r) => r.type && r.q > 0)
    .sort((a, b) => b.q - a.q || b.specific - a.specific)
  for (const r of ranges) {
    const found =
      r.specific === 2
        ? supports.find((s) => s === r.type)
        : r.specific === 1
          ? supports.find((s) => s.startsWith(r.type.slice(0, -1)))
          : supports[0]
    if (found) return found
  }
  return undefined
}
