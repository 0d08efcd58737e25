/**
 * @module resources/import/formats
 * Which reader reads which import format, with its options checked at the boundary.
 */
import type { Readable } from 'node:stream'
import { z } from 'zod'
import { ImportFormat } from '@shulin/protocol'
import { readJsonLines } from './jsonl.js'
import type { ImportItem } from './source.js'
import { parseMapping } from './csv-mapping.js'

export const ImportOptions = z.strictObject({
  format: ImportFormat.default('jsonl'),
  /** CSV: `field=列名,field=列名` (e.g. `title=题名,creators=责任者,identifiers=ISBN`). */
  map: z.string().max(4000).optional(),
  /** CSV: the field delimiter (`,` by default; `\t` for tab). */
  delimiter: z.enum([',', ';', '\t', '|']).optional(),
  /** MARC: which dialect (`auto` tells CNMARC from MARC 21 by its fields). */
  flavour: z.enum(['auto', 'marc21', 'cnmarc']).default('auto'),
  /** Also publish the records in this node's channel of that name (created if new). */
  channel: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[^\u0000-\u001f\u007f]+$/)
    .optional(),
})
export type ImportOptions = z.infer<typeof ImportOptions>

/** The format a file name suggests, when the caller did not say. */
export function formatFromName(name: string): ImportFormat | undefined {
  const ext = name.toLowerCase().split('.').pop() ?? ''
  if (ext === 'jsonl' || ext === 'ndjson') return 'jsonl'
  if (ext === 'csv' || ext === 'tsv') return 'csv'
  if (ext === 'mrc' || ext === 'marc' || ext === 'iso' || ext === 'iso2709') return 'marc'
  if (ext === 'xml') return 'marcxml'
  return undefined
}

/**
 * Opens the reader for a format.
 * @throws Error with a message for people when the options do not fit the format.
 */
export function readImport(input: Readable, opts: ImportOptions): AsyncGenerator<ImportItem> {
  switch (opts.format) {
    case 'jsonl':
      return readJsonLines(input)
    case 'csv':
      if (!opts.map)
        throw new Error('CSV import needs a column mapping: --map title=题名,creators=责任者,identifiers=ISBN')
      return csvItems(input, parseMapping(opts.map), opts.delimiter)
    case 'marc':
    case 'marcxml':
      return marcItems(input, opts.format === 'marc' ? 'iso2709' : 'marcxml', opts.flavour)
  }
}

// The CSV and MARC readers (and their parsers) load on first use: most nodes never import.
async function* csvItems(
  input: Readable,
  mapping: Record<string, string>,
  delimiter: string | undefined,
): AsyncGenerator<ImportItem> {
  const { readCsv } = await import('./csv.js')
  yield* readCsv(input, { mapping, delimiter })
}

async function* marcItems(
  input: Readable,
  format: 'iso2709' | 'marcxml',
  flavour: ImportOptions['flavour'],
): AsyncGenerator<ImportItem> {
  const { readMarc } = await import('./marc.js')
  yield* readMarc(input, { format, flavour })
}
