/**
 * @module ld/sparql/worker
 * The code of the worker thread that holds the Oxigraph store. Oxigraph's wasm runs a query
 * synchronously to its end, so the only way to stop an expensive one is to terminate the thread
 * it runs on; keeping the store there also keeps the node's event loop free while it answers.
 *
 * The code is a string (as in federation's transfer/verify) so the same file works from the
 * TypeScript sources (tests) and from `dist`. Results are serialised by Oxigraph itself, straight
 * to the answer's format: asking for JS terms instead costs ~10× more (0.65 ms against 0.05 ms for
 * a 16-triple DESCRIBE, measured), so the result limit is checked by counting the rows in the
 * serialised text (one line per triple in N-Triples and per row in TSV, one `<result>` per row in
 * XML — text values escape `<` — a quote-aware scan for CSV, the parsed bindings for JSON).
 * CONSTRUCT and DESCRIBE are serialised as N-Triples, counted, then written in the asked format.
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
const graphFormats = new Set(['text/turtle', 'application/ld+json', 'application/n-triples'])
function lines(text) {
  let n = 0
  for (let i = text.indexOf('\\n'); i !== -1; i = text.indexOf('\\n', i + 1)) n++
  return n
}
function csvRows(text) {
  let n = 0
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 34) quoted = !quoted
    else if (c === 10 && !quoted) n++
  }
  return n - 1
}
function rowsOf(body, format) {
  if (format === 'application/n-triples') return lines(body)
  if (format === 'text/tab-separated-values') return lines(body) - 1
  if (format === 'text/csv') return csvRows(body)
  if (format === 'application/sparql-results+xml') {
    let n = 0
    for (let i = body.indexOf('<result>'); i !== -1; i = body.indexOf('<result>', i + 8)) n++
    return n
  }
  const parsed = JSON.parse(body)
  return parsed.results ? parsed.results.bindings.length : 1
}
function query(m) {
  const graph = graphFormats.has(m.format)
  const format = graph ? 'application/n-triples' : m.format
  let body
  try {
    body = store.query(m.query, { use_default_graph_as_union: true, results_format: format })
  } catch (err) {
    return { id: m.id, error: { kind: 'malformed', message: String((err && err.message) || err) } }
  }
  const rows = rowsOf(body, format)
  if (rows > m.maxRows) return { id: m.id, error: { kind: 'rows', message: String(rows) } }
  if (graph && m.format !== format) {
    const part = new ox.Store()
    part.load(body, { format, no_transaction: true })
    body = part.dump({ format: m.format, from_graph_name: ox.defaultGraph() })
  }
  return { id: m.id, rows, body }
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
    parentPort.postMessage({ id: m.id, error: { kind: 'load', message: String((err && err.message) || err) } })
  }
})
`
