/**
 * @module resources/import/csv-mapping
 * The CSV column mapping (`title=题名,creators=责任者`), checked before any row is read.
 */

export const listFields = new Set(['creators', 'subjects', 'identifiers'])
export const numberFields = new Set(['pages', 'durationSeconds'])
export const csvFields = [
  'title',
  'creators',
  'subjects',
  'identifiers',
  'description',
  'publisher',
  'date',
  'language',
  'series',
  'clc',
  'pages',
  'durationSeconds',
  'rights',
  'type',
  'access',
  'status',
] as const

/** `title=题名,creators=责任者` → `{ title: '题名', creators: '责任者' }`. */
export function parseMapping(s: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const pair of s
    .split(/[,，]/)
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = pair.indexOf('=')
    const field = pair.slice(0, eq).trim()
    const column = pair.slice(eq + 1).trim()
    if (eq < 1 || !column) throw new Error(`mapping "${pair}" is not field=column`)
    if (!(csvFields as readonly string[]).includes(field))
      throw new Error(`unknown field "${field}" in the mapping (fields: ${csvFields.join(', ')})`)
    out[field] = column
  }
  if (!out.title) throw new Error('the mapping must name the title column (title=…)')
  return out
}
