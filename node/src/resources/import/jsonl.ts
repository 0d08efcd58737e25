/**
 * @module resources/import/jsonl
 * JSON Lines: one record per line, in the field names of the resource schema. Blank lines
 * are skipped; a line that is not JSON is reported by number.
 */
import type { Readable } from 'node:stream'
import { splitLines } from './lines.js'
import type { ImportItem } from './source.js'

/** A record line longer than this is refused (a description may be 20,000 characters). */
export const maxJsonLineBytes = 1024 * 1024

export async function* readJsonLines(input: Readable | AsyncIterable<Uint8Array>): AsyncGenerator<ImportItem> {
  for await (const line of splitLines(input, maxJsonLineBytes)) {
    if ('tooLong' in line) {
      yield { n: line.n, error: `line longer than ${maxJsonLineBytes} bytes` }
      continue
    }
    if (!line.text.trim()) continue
    try {
      yield { n: line.n, value: JSON.parse(line.text) as unknown }
    } catch (err) {
      yield { n: line.n, error: `not JSON: ${(err as Error).message.slice(0, 200)}` }
    }
  }
}
