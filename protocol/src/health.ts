/** @module health */
import { z } from 'zod'

export const NodeRole = z.enum(['node', 'hub'])
export type NodeRole = z.infer<typeof NodeRole>

export const Health = z.object({
  status: z.literal('ok'),
  role: NodeRole,
  nodeId: z.string(),
  version: z.string(),
})
export type Health = z.infer<typeof Health>

/** One readiness check: whether it passed, and what it saw. */
export const ReadinessCheck = z.object({ ok: z.boolean(), detail: z.string() })
export type ReadinessCheck = z.infer<typeof ReadinessCheck>

/** `GET /api/health/ready` when every check passes (a 503 `not_ready` problem names the failing ones). */
export const Readiness = z.object({
  ready: z.literal(true),
  checks: z.object({ database: ReadinessCheck, disk: ReadinessCheck, search: ReadinessCheck }),
})
export type Readiness = z.infer<typeof Readiness>
