/**
 * @module search/network
 * Searching the whole network: a member asks the hub, whose catalogue holds every channel on
 * the menu (the union catalogue), and marks the hits it holds itself.
 */
import { z } from 'zod'
import { SearchHit } from './schemas.js'
import { NodeId } from '../federation/schemas.js'

/** A hit of the union catalogue, with the member libraries known to hold it. */
export const NetworkHit = SearchHit.extend({ holders: z.array(NodeId).max(100) })
export type NetworkHit = z.infer<typeof NetworkHit>

export const NetworkSearchRequest = z.strictObject({
  q: z.string().max(1000).default(''),
  limit: z.coerce.number().int().min(1).max(50).default(20),
  offset: z.coerce.number().int().min(0).max(1000).default(0),
})
export type NetworkSearchRequest = z.infer<typeof NetworkSearchRequest>

/** The hub's answer over the peer network. */
export const NetworkSearchAnswer = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), total: z.number().int().min(0), hits: z.array(NetworkHit).max(50) }),
  z.strictObject({ ok: z.literal(false), reason: z.enum(['not_member', 'invalid']) }),
])
export type NetworkSearchAnswer = z.infer<typeof NetworkSearchAnswer>

/** What a reader's node answers: the hub's hits, each marked with whether this node holds it. */
export const NetworkSearchResponse = z.object({
  query: z.string(),
  total: z.number().int(),
  hits: z.array(NetworkHit.extend({ local: z.boolean() })),
  hub: z.string(),
})
export type NetworkSearchResponse = z.infer<typeof NetworkSearchResponse>
