/**
 * @module backup/routes
 * `GET /api/staff/backups` (staff): the schedule, the last attempt and the backups kept;
 * `POST /api/staff/backups` (admins): back up now, into the schedule's folder, answered with
 * the attempt (a failure is an answer too: `ok: false` and why, and no file left behind).
 */
import { BackupRun, BackupStatus } from '@shulin/protocol'
import type { Api } from '../http/api.js'
import type { BackupSchedule } from './schedule.js'

export function backupRoutes(api: Api, schedule: BackupSchedule): void {
  api.route(
    {
      method: 'get',
      path: '/api/staff/backups',
      summary: 'Scheduled backups: the last result and the files kept',
      tags: ['staff'],
      access: 'staff',
      response: BackupStatus,
    },
    () => schedule.status(),
  )
  api.route(
    {
      method: 'post',
      path: '/api/staff/backups',
      summary: 'Back up now (into the backup folder); answers with the result',
      tags: ['staff'],
      access: 'admin',
      response: BackupRun,
    },
    () => schedule.run('console'),
  )
}
