/**
 * @module ld/sparql/worker
 * The code of the worker thread that holds the Oxigraph store. Oxigraph's wasm runs a query
 * synchronously to its end, so the only way to stop an expensive one is to terminate the thread
 * it runs on; keeping the store there also keeps the node's event loop free while it answers.
 *
 * The code is a string (as in federation's transfer/verify) so the same file works from the
 * TypeScript sources (tests) and from `dist`. It serialises SELECT and ASK results itself
 * (SPARQL 1.1 Query Results JSON, XML, CSV and TSV) because Oxigraph's own serialiser only takes
 * the whole result, and the result limit has to be checked on the rows before anything is written.
 *
 * In: `{ id, op: 'load', data }` (N-Triples), `{ id, op: 'clear' }`,
 * `{ id, op: 'replace', subjects, data }` (drop every quad of those subjects, then load),
 * `{ id, op: 'query', query, format, maxRows }`. Out: `{ id, size }` after a change,
 * `{ id, body, rows }` for a query, `{ id, error: { kind, message } }` when it fails, where
 * `kind` is `malformed` (the parser's or evaluator's message), `rows` (over `maxRows`) or `load`.
 */
export interface WorkerReply {
  id: number
  size?: number
  body?: string
  rows?: number
  error?: { kind: 'malformed' | 'rows' | 'load'; message: string }
}

export type WorkerRequest =
  | { id: number; op: 'load'; data: string }
  | { id: number; op: 'clear' }
  | { id: number; op: 'replace'; subjects: string[]; data: string }
  | { id: number; op: 'query'; query: string; format: string; maxRows: number }

export const workerCode = `
const { parentPort, workerData } = require('node:worker_threads')
const ox = require(workerData.oxigraph)
let store = new ox.Store()
const XSD_STRING = 'http://www.w3.org/2001/XMLSchema#string'
const LANG_STRING = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#langString'
const xml = (s) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c])
const nt = (t) => {
  if (t.termType === 'NamedNode') return '<' + t.value + '>'
  if (t.termType === 'BlankNode') return '_:' + t.value
  if (t.termType === 'Literal') {
    const v = '"' + t.value.replace(/[\\\\"\\n\\r\\t]/g, (c) => ({ '\\\\': '\\\\\\\\', '"': '\\\\"', '\\n': '\\\\n', '\\r': '\\\\r', '\\t': '\\\\t' })[c]) + '"'
    if (t.language) return v + '@' + t.language
    return t.datatype.value === XSD_STRING ? v : v + '^^<' + t.datatype.value + '>'
  }
  return '<< ' + nt(t.subject) + ' ' + nt(t.predicate) + ' ' + nt(t.object) + ' >>'
}
const jsonTerm = (t) => {
  if (t.termType === 'NamedNode') return { type: 'uri', value: t.value }
  if (t.termType === 'BlankNode') return { type: 'bnode', value: t.value }
  if (t.termType === 'Literal') {
    const o = { type: 'literal', value: t.value }
    if (t.language) o['xml:lang'] = t.language
    else if (t.datatype.value !== XSD_STRING && t.datatype.value !== LANG_STRING) o.datatype = t.datatype.value
    return o
  }
  return { type: 'triple', value: { subject: jsonTerm(t.subject), predicate: jsonTerm(t.predicate), object: jsonTerm(t.object) } }
}
const xmlTerm = (t) => {
  if (t.termType === 'NamedNode') return '<uri>' + xml(t.value) + '</uri>'
  if (t.termType === 'BlankNode') return '<bnode>' + xml(t.value) + '</bnode>'
  if (t.termType === 'Literal') {
    if (t.language) return '<literal xml:lang="' + xml(t.language) + '">' + xml(t.value) + '</literal>'
    if (t.datatype.value === XSD_STRING) return '<literal>' + xml(t.value) + '</literal>'
    return '<literal datatype="' + xml(t.datatype.value) + '">' + xml(t.value) + '</literal>'
  }
  return '<triple><subject>' + xmlTerm(t.subject) + '</subject><predicate>' + xmlTerm(t.predicate) + '</predicate><object>' + xmlTerm(t.object) + '</object></triple>'
}
const csvCell = (s) => (/[",\\r\\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s)
const csvTerm = (t) => (t.termType === 'BlankNode' ? '_:' + t.value : t.termType === 'Literal' || t.termType === 'NamedNode' ? t.value : nt(t))
function select(rows, format) {
  const vars = []
  const seen = new Set()
  for (const row of rows) for (const k of row.keys()) if (!seen.has(k)) { seen.add(k); vars.push(k) }
  if (format === 'application/sparql-results+json') {
    const bindings = rows.map((row) => { const b = {}; for (const [k, t] of row) b[k] = jsonTerm(t); return b })
    return JSON.stringify({ head: { vars }, results: { bindings } })
  }
  if (format === 'application/sparql-results+xml') {
    const out = ['<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
    for (const v of vars) out.push('<variable name="' + xml(v) + '"/>')
    out.push('</head><results>')
    for (const row of rows) {
      out.push('<result>')
      for (const [k, t] of row) out.push('<binding name="' + xml(k) + '">' + xmlTerm(t) + '</binding>')
      out.push('</result>')
    }
    out.push('</results></sparql>')
    return out.join('')
  }
  if (format === 'text/csv') {
    const lines = [vars.map(csvCell).join(',')]
    for (const row of rows) lines.push(vars.map((v) => (row.has(v) ? csvCell(csvTerm(row.get(v))) : '')).join(','))
    return lines.join('\\r\\n') + '\\r\\n'
  }
  const lines = [vars.map((v) => '?' + v).join('\\t')]
  for (const row of rows) lines.push(vars.map((v) => (row.has(v) ? nt(row.get(v)) : '')).join('\\t'))
  return lines.join('\\n') + '\\n'
}
function ask(value, format) {
  if (format === 'application/sparql-results+xml')
    return '<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/><boolean>' + value + '</boolean></sparql>'
  return JSON.stringify({ head: {}, boolean: value })
}
function query(m) {
  let result
  try {
    result = store.query(m.query, { use_default_graph_as_union: true })
  } catch (err) {
    return { id: m.id, error: { kind: 'malformed', message: String(err && err.message || err) } }
  }
  if (typeof result === 'boolean') return { id: m.id, rows: 1, body: ask(result, m.format) }
  if (result.length > m.maxRows)
    return { id: m.id, error: { kind: 'rows', message: String(result.length) } }
  if (m.format.startsWith('application/sparql-results') || m.format === 'text/csv' || m.format === 'text/tab-separated-values')
    return { id: m.id, rows: result.length, body: select(result, m.format) }
  return { id: m.id, rows: result.length, body: new ox.Store(result).dump({ format: m.format, from_graph_name: ox.defaultGraph() }) }
}
parentPort.on('message', (m) => {
  try {
    if (m.op === 'query') return parentPort.postMessage(query(m))
    if (m.op === 'clear') store = new ox.Store()
    if (m.op === 'replace')
      for (const s of m.subjects) for (const q of store.match(ox.namedNode(s), null, null, null)) store.delete(q)
    if ((m.op === 'load' || m.op === 'replace') && m.data)
      store.load(m.data, { format: 'application/n-triples', no_transaction: true })
    parentPort.postMessage({ id: m.id, size: store.size })
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: { kind: 'load', message: String(err && err.message || err) } })
  }
})
`
