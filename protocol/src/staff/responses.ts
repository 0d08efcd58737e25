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
})
export type NodeSettings = z.infer<typeof NodeSettings>
