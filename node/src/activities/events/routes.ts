/**
 * @module activities/events/routes
 * Event sign-up over HTTP. Readers: `POST|GET|DELETE /api/activities/:id/signup` (sign up,
 * see mine with its check-in code, cancel) and `GET /api/me/signups`. Staff:
 * `GET /api/staff/activities/:id/signups` (JSON, or `?format=csv` for a spreadsheet) and
 * `POST /api/staff/activities/:id/check-in` with the code scanned at the desk. The reader
 * always comes from the session, never from the request.
 */
import { stringify } from 'csv-stringify/sync'
import {
  CheckInRequest,
  CheckInResult,
  MySignups,
  SignupView,
  StaffSignupList,
  StaffSignupQuery,
} from '@shulin/protocol'
import type { Context } from 'hono'
import type { Api } from '../../http/api.js'
import type { SignupService } from './service.js'

const idOf = (c: Context) => c.req.param('id') ?? ''

const csvColumns = ['id', 'name', 'cardNo', 'phone', 'status', 'position', 'createdAt', 'checkedInAt'] as const

/** A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) is prefixed with '. */
const safeCell = (value: string): string => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value)

export function signupRoutes(api: Api, signups: SignupService): void {
  const tags = ['activities']
  api.route(
    {
      method: 'post',
      path: '/api/activities/:id/signup',
      summary: 'Sign up for an event: a seat while there is one, else the waiting list (during the sign-up phase)',
      tags,
      access: 'session',
      response: SignupView,
      status: 201,
    },
    (c) => signups.signUp(idOf(c), c.get('auth')!.account),
  )
  api.route(
    {
      method: 'get',
      path: '/api/activities/:id/signup',
      summary: 'My sign-up for an event, with its check-in code once it holds a seat',
      tags,
      access: 'session',
      response: SignupView,
    },
    (c) => signups.mine(idOf(c), c.get('auth')!.account.id),
  )
  api.route(
    {
      method: 'delete',
      path: '/api/activities/:id/signup',
      summary: 'Cancel my sign-up; the seat goes to the first on the waiting list',
      tags,
      access: 'session',
      response: SignupView,
    },
    (c) => signups.cancel(idOf(c), c.get('auth')!.account.id),
  )
  api.route(
    {
      method: 'get',
      path: '/api/me/signups',
      summary: 'My event sign-ups, newest first',
      tags,
      access: 'session',
      response: MySignups,
    },
    (c) => signups.listMine(c.get('auth')!.account.id),
  )
  api.route(
    {
      method: 'get',
      path: '/api/staff/activities/:id/signups',
      summary: 'Staff: an event’s sign-ups in order of arrival, names masked (`?format=csv`: UTF-8 CSV with BOM)',
      tags,
      access: 'staff',
      query: StaffSignupQuery,
      response: StaffSignupList,
    },
    async (c, { query }) => {
      const id = idOf(c)
      const list = await signups.staffList(id)
      if (query.format === 'json') return list
      const rows = list.signups.map((s) => csvColumns.map((k) => safeCell(s[k] === null ? '' : String(s[k]))))
      // The BOM makes Excel read the file as UTF-8 (the names are Chinese).
      const csv = '\ufeff' + stringify([[...csvColumns], ...rows], { record_delimiter: 'windows' })
      const file = `signups-${id.replace(/[^A-Za-z0-9_-]/g, '_')}.csv`
      return c.body(csv, 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${file}"`,
        'cache-control': 'no-store',
      })
    },
  )
  api.route(
    {
      method: 'post',
      path: '/api/staff/activities/:id/check-in',
      summary: 'Staff: check a reader in at the desk by the code scanned from their phone',
      tags,
      access: 'staff',
      body: CheckInRequest,
      response: CheckInResult,
    },
    (c, { body }) => signups.checkIn(idOf(c), body.code),
  )
}
