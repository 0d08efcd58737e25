/**
 * @module ld/sparql
 * What the node's SPARQL store answers outside the SPARQL protocol itself: the result of a rebuild
 * (`shulin reindex` through a running node).
 */
import { z } from 'zod'

export const SparqlRebuildResult = z.object({ triples: z.number().int(), ms: z.number() })
export type SparqlRebuildResult = z.infer<typeof SparqlRebuildResult>
