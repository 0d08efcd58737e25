/**
 * @module resources/import/routes
 * The API twin of `shulin import FILE`: the file is the request body (streamed, never held
 * whole), the format and its options are query parameters, the answer is the report.
 * `/api/control/import` is the same for the local CLI while the node runs.
 */
import { ImportReport } from '@shulin/protocol'
import type { Api } from '../../http/api.js'
import { ProblemError } from '../../http/problem.js'
import { isAbortedBody, rawUpload } from '../../http/raw-body.js'
import type { ResourceService } from '../service.js'
import type { ChannelService } from '../../channels/service.js'
import { ImportOptions, readImport } from './formats.js'
import { importInto } from './service.js'

export function importRoutes(
  api: Api,
  deps: { resources: ResourceService; maxBytes: number; channels?: ChannelService },
): void {
  const rawBody = {
    contentType: 'application/x-ndjson',
    description: 'The file: JSON Lines, CSV (with ?map=), MARC 21 / CNMARC in ISO 2709 or MARCXML.',
  }
  for (const [path, access] of [
    ['/api/staff/resources/import', 'staff'],
    ['/api/control/import', 'control'],
  ] as const) {
    api.route(
      {
        method: 'post',
        path,
        summary: 'Import resource records from a file (re-importing updates by identifier)',
        tags: ['import'],
        access,
        query: ImportOptions,
        response: ImportReport,
        rawBody,
      },
      async (c, { query }) => {
        const upload = rawUpload(c, deps.maxBytes)
        let items
        try {
          items = readImport(upload.stream, query)
        } catch (err) {
          throw new ProblemError('validation_failed', { detail: (err as Error).message })
        }
        try {
          return await importInto(deps, items, query)
        } catch (err) {
          if (isAbortedBody(err))
            throw new ProblemError('file_rejected', {
              detail: 'the upload ended before the whole file arrived; records read before that point were imported',
            })
          if (err instanceof ProblemError) throw err
          if (err instanceof Error && err.name === 'ImportFormatError')
            throw new ProblemError('validation_failed', { detail: err.message })
          throw err
        }
      },
    )
  }
}
