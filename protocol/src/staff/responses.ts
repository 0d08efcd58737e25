/**
 * @module staff/responses
 * `GET /api/staff/node`: the settings a node runs with, as its staff console shows them
 * (secrets never included).
 */
import { z } from 'zod'

export const NodeSettings = z.object({
  name: z.string(),
  role: z.string(),
  nodeId: z.string(),
  version: z.string(),
  publicUrl: z.string().nullable(),
  search: z.object({ engine: z.string(), documents: z.number().int(), diskBytes: z.number().int().nullable() }),
  maxUploadBytes: z.number().int(),
  passwordPolicy: z.string(),
  adminEmail: z.string(),
  trustProxy: z.boolean(),
  /** The version the network's hub runs (this node's own on the hub); null until it answered. */
  hubVersion: z.string().nullable(),
  /** The hub's version when it is newer than this node's: the console says an upgrade is available. */
  newerVersion: z.string().nullable(),
})
export type NodeSettings = z.infer<typeof NodeSettings>

/** One backup attempt, scheduled or asked for in the console. */
export const BackupRun = z.object({
  /** When it finished (ISO 8601). */
  at: z.string(),
  ok: z.boolean(),
  /** The file written (absent when it failed: a failed backup leaves no file). */
  file: z.string().nullable(),
  bytes: z.number().int().nullable(),
  /** Why it failed, for the operator. */
  error: z.string().nullable(),
  ms: z.number().int(),
  trigger: z.enum(['schedule', 'console']),
})
export type BackupRun = z.infer<typeof BackupRun>

/** `GET /api/staff/backups`: the schedule, the last attempt and the backups kept. */
export const BackupStatus = z.object({
  /** Milliseconds between scheduled backups; null when none are scheduled (`--backup-every`). */
  everyMs: z.number().int().nullable(),
  keep: z.number().int(),
  dir: z.string(),
  running: z.boolean(),
  last: BackupRun.nullable(),
  /** The last one that succeeded (the last attempt may have failed). */
  lastOk: BackupRun.nullable(),
  /** When the next scheduled one starts (ISO 8601), if scheduled. */
  nextAt: z.string().nullable(),
  files: z.array(z.object({ name: z.string(), bytes: z.number().int(), at: z.string() })),
})
export type BackupStatus = z.infer<typeof BackupStatus>
