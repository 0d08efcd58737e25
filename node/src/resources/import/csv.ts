/**
 * @module resources/import/csv
 * CSV exported from an ILS or a spreadsheet, with a column mapping (`title=题名,…`): list
 * fields split on `;` or `；`, a UTF-8 BOM is dropped, and a file that is not UTF-8 is read
 * as GB18030 (what Excel writes on Chinese Windows). Parsed by csv-parse, streaming; a row
 * csv-parse cannot read is reported by line and skipped.
 */
import type { Readable } from 'node:stream'
import { PassThrough } from 'node:stream'
import { parse } from 'csv-parse'
import type { ImportItem } from './source.js'
import { listFields, numberFields } from './csv-mapping.js'

/** Re-emits the stream as UTF-8, deciding from the first 64 KiB whether it is GB18030. */
async function* asUtf8(input: Readable | AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  let decoder: InstanceType<typeof TextDecoder> | undefined
  let head: Buffer[] = []
  let headSize = 0
  const decide = (buf: Buffer, whole: boolean) => {
    try {
      // A sample cut from a longer file may end inside a character: decoded as a stream, that
      // character waits instead of failing. (Cutting the sample's last 4 bytes, as before, cut
      // into a character instead: a UTF-8 file under 64 KiB ending "老子,\n" was read as
      // GB18030 and every Chinese cell garbled — found by fuzzing.)
      new TextDecoder('utf-8', { fatal: true }).decode(buf, { stream: !whole })
      return undefined
    } catch {
      return new TextDecoder('gb18030')
    }
  }
  let decided = false
  for await (const chunk of input) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)
    if (!decided) {
      head.push(b)
      headSize += b.length
      if (headSize < 65536) continue
      const sample = Buffer.concat(head)
      decoder = decide(sample, false)
      decided = true
      head = []
      yield decoder ? Buffer.from(decoder.decode(sample, { stream: true })) : sample
      continue
    }
    yield decoder ? Buffer.from(decoder.decode(b, { stream: true })) : b
  }
  if (!decided && headSize) {
    const sample = Buffer.concat(head)
    decoder = decide(sample, true)
    yield decoder ? Buffer.from(decoder.decode(sample)) : sample
  }
}

export async function* readCsv(
  input: Readable | AsyncIterable<Uint8Array>,
  opts: { mapping: Record<string, string>; delimiter?: string | undefined; listSeparator?: RegExp },
): AsyncGenerator<ImportItem> {
  const split = opts.listSeparator ?? /[;；]/
  const source = new PassThrough()
  const parser = parse({
    bom: true,
    delimiter: opts.delimiter ?? ',',
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    info: true,
    trim: true,
    columns: false,
  })
  const errors: Array<{ n: number; error: string }> = []
  parser.on('skip', (err: Error & { lines?: number }) =>
    errors.push({ n: err.lines ?? 0, error: `CSV: ${err.message}` }),
  )
  ;(async () => {
    try {
      for await (const b of asUtf8(input)) if (!source.write(b)) await new Promise((r) => source.once('drain', r))
      source.end()
    } catch (err) {
      source.destroy(err as Error)
    }
  })()
  source.pipe(parser)
  let header: string[] | undefined
  for await (const row of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    const n = row.info.lines
    // csv-parse reports a skipped row as soon as it reads it, maybe before it hands over rows
    // above it; the report lists units in file order (fuzzing saw line 3 refused before line 1).
    while (errors.length && errors[0]!.n < n) yield errors.shift()!
    if (!header) {
      header = row.record
      const missing = Object.entries(opts.mapping).filter(([, col]) => !header!.includes(col))
      if (missing.length) {
        yield {
          n,
          error: `the header row has no column ${missing.map(([f, col]) => `"${col}" (for ${f})`).join(', ')}; it has: ${header.join(', ')}`,
        }
        parser.destroy()
        return
      }
      continue
    }
    const value: Record<string, unknown> = {}
    for (const [field, col] of Object.entries(opts.mapping)) {
      const cell = row.record[header.indexOf(col)]?.trim()
      if (!cell) continue
      if (listFields.has(field))
        value[field] = cell
          .split(split)
          .map((s) => s.trim())
          .filter(Boolean)
      else if (numberFields.has(field)) value.extent = { ...(value.extent as object), [field]: Number(cell) }
      else value[field] = cell
    }
    yield { n, value }
  }
  while (errors.length) yield errors.shift()!
}
