/**
 * @module control/routes
 * `/api/control/*`: what the local CLI asks of a running node. Authenticated by the control
 * token from `DATA/run/control.json`.
 */
import { z } from 'zod'
import { AccountView, PersonName, Username, Password } from '@shulin/protocol'
import type { Api } from '../http/api.js'
import { toAccountView } from '../accounts/store.js'
import type { SetupService } from '../setup/service.js'
import type { BackupSummary } from '../backup/backup.js'

export const ControlAdminRequest = z.strictObject({
  username: Username,
  password: Password,
  name: PersonName.optional(),
})
export const ControlBackupRequest = z.strictObject({ out: z.string().min(1).max(4096) })
export const ControlBackupResponse = z.object({
  file: z.string(),
  entries: z.number().int(),
  nodeId: z.string(),
  blobs: z.number().int().optional(),
})

export interface ControlDeps {
  setup: SetupService
  backup: (out: string) => Promise<BackupSummary>
}

export function controlRoutes(api: Api, deps: ControlDeps): void {
  const tags = ['control']
  api.route(
    {
      method: 'post',
      path: '/api/control/admin',
      summary: 'Create an admin (shulin admin create)',
      tags,
      access: 'control',
      body: ControlAdminRequest,
      response: AccountView,
      status: 201,
    },
    async (_c, { body }) => toAccountView(await deps.setup.createAdmin(body)),
  )
  api.route(
    {
      method: 'post',
      path: '/api/control/backup',
      summary: 'Write a consistent backup to a file on this machine (shulin backup)',
      tags,
      access: 'control',
      body: ControlBackupRequest,
      response: ControlBackupResponse,
    },
    async (_c, { body }) => deps.backup(body.out),
  )
}
