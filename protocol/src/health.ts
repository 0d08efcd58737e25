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
