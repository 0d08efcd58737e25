/**
 * @module resources/import/runner
 * Runs an import: validates each item against the record schema, writes valid ones in
 * batches (each batch one atomic LevelDB write, matched to existing records by identifier,
 * so running the same file twice changes nothing), and reports what was refused and why.
 */
import { ImportRecord, type ImportFormat, type ImportReport } from '@shulin/protocol'
import type { ResourceService } from '../service.js'
import type { ImportItem } from './source.js'

export const importBatchSize = 1000
const maxListedRejects = 1000

export interface ImportProgress {
  total: number
  created: number
  updated: number
  unchanged: number
  rejected: number
}

export async function runImport(
  resources: ResourceService,
  items: AsyncIterable<ImportItem>,
  opts: {
    format: ImportFormat
    onProgress?: (p: ImportProgress) => void
    batchSize?: number
    /** After each batch, the ids of the records it created, updated or left unchanged. */
    onImported?: (ids: string[]) => Promise<void>
  },
): Promise<ImportReport> {
  const started = performance.now()
  const report: ImportReport = {
    format: opts.format,
    total: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    rejected: 0,
    rejects: [],
    ms: 0,
  }
  const reject = (n: number, reason: string) => {
    report.rejected++
    if (report.rejects.length < maxListedRejects) report.rejects.push({ n, reason })
  }
  let batch: ImportRecord[] = []
  let lines: number[] = []
  const flush = async () => {
    if (!batch.length) return
    const outcomes = await resources.importBatch(batch)
    const ids: string[] = []
    outcomes.forEach((o, i) => {
      if ('error' in o) return reject(lines[i]!, o.error)
      report[o.status]++
      ids.push(o.id)
    })
    await opts.onImported?.(ids)
    batch = []
    lines = []
    opts.onProgress?.(report)
  }
  for await (const item of items) {
    report.total++
    if ('error' in item) {
      reject(item.n, item.error)
      continue
    }
    const parsed = ImportRecord.safeParse(item.value)
    if (!parsed.success) {
      reject(item.n, parsed.error.issues.map((i) => `${i.path.join('.') || 'record'}: ${i.message}`).join('; '))
      continue
    }
    batch.push(parsed.data)
    lines.push(item.n)
    if (batch.length >= (opts.batchSize ?? importBatchSize)) await flush()
  }
  await flush()
  report.ms = Math.round(performance.now() - started)
  return report
}
