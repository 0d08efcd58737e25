/**
 * @module stats/rollup
 * The daily roll-up a node signs and pushes to the hub (`shulin/rollup` envelopes over
 * `/shulin/stats/1.0.0`). It carries counts only: no reader id, address or query text.
 * `(node, day, revision)` identifies it; a higher revision of the same day replaces the
 * earlier one at the hub, the same revision again is a duplicate.
 */
import { z } from 'zod'
import { NodeId, SignedEnvelope } from '../federation/schemas.js'
import { Count, DeviceSplit, Hours, MethodSplit, MetricCounts, brokenCounterRule } from './metrics.js'

export const STATS_PROTOCOL = '/shulin/stats/1.0.0'
export const rollupVersion = 1

export const RollupItem = z.strictObject({
  id: z.string().min(1).max(64),
  title: z.string().max(200),
  investigations: Count,
  requests: Count,
})

export const Rollup = z
  .strictObject({
    v: z.literal(rollupVersion),
    node: NodeId,
    day: z.iso.date(),
    revision: z.number().int().min(1).max(1_000_000),
    generatedAt: z.iso.datetime(),
    totals: MetricCounts,
    hours: Hours,
    devices: DeviceSplit,
    methods: MethodSplit,
    /** The day's most used titles (at most 20), for the national top list. */
    top: z.array(RollupItem).max(20),
  })
  .superRefine((r, ctx) => {
    const broken = brokenCounterRule(r.totals)
    if (broken) ctx.addIssue({ code: 'custom', message: `counter_rule: ${broken}`, path: ['totals'] })
  })
export type Rollup = z.infer<typeof Rollup>

/** Several days at once: a node that was offline sends its backlog in a few exchanges. */
export const StatsPush = z.strictObject({ rollups: z.array(SignedEnvelope).min(1).max(64) })
export type StatsPush = z.infer<typeof StatsPush>

export const RollupRefusal = z.enum(['invalid', 'not_member', 'wrong_signer', 'future', 'too_old', 'malformed'])
export type RollupRefusal = z.infer<typeof RollupRefusal>
/** Per roll-up, in order: `stored` (new or a newer revision), `duplicate` (already held, or an older revision) or refused. */
export const RollupOutcome = z.union([z.enum(['stored', 'duplicate']), RollupRefusal])
export type RollupOutcome = z.infer<typeof RollupOutcome>
export const StatsPushResponse = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), outcomes: z.array(RollupOutcome).max(64) }),
  z.strictObject({ ok: z.literal(false), reason: RollupRefusal }),
])
export type StatsPushResponse = z.infer<typeof StatsPushResponse>

/** Region prefixes of a six-digit code: province (2 digits), city (4). */
export function regionPrefixes(region: string): { province: string; city: string } {
  return { province: region.slice(0, 2), city: region.slice(0, 4) }
}
