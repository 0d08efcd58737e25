/**
 * @module staff/routes
 * Reader management for librarians and admins, and staff accounts for admins.
 */
import {
  AccountView,
  CreateStaffRequest,
  ReaderImportReport,
  ReaderList,
  ReaderListQuery,
  StaffResetResponse,
} from '@shulin/protocol'
import type { Api } from '../http/api.js'
import { localeOf, ProblemError } from '../http/problem.js'
import type { AccountService } from '../accounts/service.js'
import { toAccountView } from '../accounts/store.js'
import { importReadersCsv, ReaderImportError } from '../accounts/reader-import.js'

export interface StaffRoutesDeps {
  accounts: AccountService
  /** Largest CSV accepted by the reader import, in bytes. */
  maxImportBytes: number
}

export function staffRoutes(api: Api, { accounts, maxImportBytes }: StaffRoutesDeps): void {
  const tags = ['staff']

  const reader = async (id: string) => {
    const a = await accounts.records.get(id)
    if (!a || a.kind !== 'reader') throw new ProblemError('not_found')
    return a
  }

  api.route(
    {
      method: 'get',
      path: '/api/staff/readers',
      summary: 'List and search readers',
      tags,
      access: 'staff',
      query: ReaderListQuery,
      response: ReaderList,
    },
    async (_c, { query }) => {
      const { accounts: list, nextCursor } = await accounts.records.list({
        kind: 'reader',
        limit: query.limit,
        q: query.q,
        status: query.status,
        cursor: query.cursor,
      })
      return { readers: list.map(toAccountView), nextCursor }
    },
  )

  api.route(
    {
      method: 'get',
      path: '/api/staff/readers/:id',
      summary: 'One reader',
      tags,
      access: 'staff',
      response: AccountView,
    },
    async (c) => toAccountView(await reader(c.req.param('id') ?? '')),
  )

  for (const [action, status] of [
    ['disable', 'disabled'],
    ['enable', 'active'],
  ] as const) {
    api.route(
      {
        method: 'post',
        path: `/api/staff/readers/:id/${action}`,
        summary: `${action === 'disable' ? 'Disable a reader (ends their sessions)' : 'Enable a reader'}`,
        tags,
        access: 'staff',
        response: AccountView,
      },
      async (c) => {
        const r = await reader(c.req.param('id') ?? '')
        return toAccountView(await accounts.setStatus(r.id, status))
      },
    )
  }

  api.route(
    {
      method: 'post',
      path: '/api/staff/readers/:id/reset-password',
      summary: 'Give a reader a temporary password (ends their sessions)',
      tags,
      access: 'staff',
      response: StaffResetResponse,
    },
    async (c) => {
      const r = await reader(c.req.param('id') ?? '')
      return { temporaryPassword: await accounts.staffResetPassword(r.id) }
    },
  )

  api.route(
    {
      method: 'post',
      path: '/api/staff/readers/import',
      summary: 'Import readers from an ILS CSV export (card number, name, phone); idempotent by card number',
      tags,
      access: 'staff',
      rawBody: {
        contentType: 'text/csv',
        description: 'UTF-8 CSV with a header row: cardNo/读者证号, name/姓名, phone/手机号',
      },
      response: ReaderImportReport,
    },
    async (c) => {
      if (!/^text\/(csv|plain)\b/i.test(c.req.header('content-type') ?? ''))
        throw new ProblemError('unsupported_media_type', { detail: 'text/csv' })
      const bytes = await c.req.arrayBuffer()
      if (bytes.byteLength > maxImportBytes) throw new ProblemError('payload_too_large')
      let text: string
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
      } catch {
        throw new ProblemError('validation_failed', {
          detail:
            localeOf(c) === 'en'
              ? 'The file is not UTF-8 text; save it from the spreadsheet as "CSV UTF-8".'
              : '文件不是 UTF-8 编码，请在表格软件中另存为“CSV UTF-8”。',
        })
      }
      try {
        return await importReadersCsv(accounts, text, localeOf(c))
      } catch (err) {
        if (err instanceof ReaderImportError) throw new ProblemError('validation_failed', { detail: err.message })
        throw err
      }
    },
  )

  api.route(
    {
      method: 'post',
      path: '/api/staff/accounts',
      summary: 'Create a staff account (admin only)',
      tags,
      access: 'admin',
      body: CreateStaffRequest,
      response: AccountView,
      status: 201,
    },
    async (_c, { body }) => toAccountView(await accounts.createStaff({ ...body, source: 'staff' })),
  )
}
