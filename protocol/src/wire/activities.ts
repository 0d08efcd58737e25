/**
 * @module wire/activities
 * National reading activities across the network.
 *
 * - The hub signs each national activity (`shulin/activity`, {@link NationalActivity}) into the
 *   replicated catalog {@link NATIONAL_ACTIVITIES_CATALOG}, as it signs channel records: any
 *   peer may relay it, every member checks the hub's signature before listing it.
 * - `/shulin/activity-tally/1.0.0` as an exchange: a member pushes its signed daily tallies
 *   (`shulin/activity-tally`, {@link ActivityTally}, up to 64 at once, so a node back from a
 *   week offline catches up in one exchange) with the signed descriptions of the entries they
 *   name (`shulin/activity-entry`, {@link NetworkEntry}: no personal data), and the hub answers
 *   with an outcome per envelope. One request, one answer ({@link ExchangeSpec}).
 */
import { z } from 'zod'
import { CreateActivityRequest, EntryStatus, Ranking, ShanghaiDay } from '../activities/schemas.js'
import { NodeId, SignedEnvelope } from '../federation/schemas.js'
import { Sha256Hex } from '../distribution/content.js'
import type { ExchangeSpec } from './exchange.js'

export const ACTIVITY_TALLY_PROTOCOL = '/shulin/activity-tally/1.0.0'
/** The replicated catalog of the hub's national activities (record id = activity id). */
export const NATIONAL_ACTIVITIES_CATALOG = 'activities'

/** A national activity as the hub signs it (`shulin/activity`); a newer `updatedAt` replaces it. */
/**
 * A text's model reading (范读) as the hub shares it: members pull the audio over the content
 * transfer (every chunk checked against the manifest) and play it to their readers.
 */
export const ModelAudio = z.strictObject({
  resource: z.string().min(1).max(64),
  blob: Sha256Hex,
  size: z.number().int().min(0),
  mediaType: z.string().max(100),
  manifest: Sha256Hex,
})
export type ModelAudio = z.infer<typeof ModelAudio>

export const NationalActivity = z.strictObject({
  id: z.string().min(1).max(64),
  organiser: z.strictObject({ nodeId: NodeId, name: z.string().max(200) }),
  activity: CreateActivityRequest,
  /** The texts' model readings (older hubs sent none). */
  models: z.array(ModelAudio).max(500).default([]),
  /** A withdrawn activity leaves the members' portals too. */
  status: z.enum(['published', 'withdrawn']),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
})
export type NationalActivity = z.infer<typeof NationalActivity>

/** `<node id>/<entry id>`: an entry's name at the hub. */
export const NetworkEntryId = z.string().regex(/^12D3KooW[1-9A-HJ-NP-Za-km-z]{44,48}\/[A-Za-z0-9_-]{1,64}$/)
export const networkEntryId = (node: string, entry: string) => `${node}/${entry}`

/**
 * An entry of a national activity as its home node describes it to the hub
 * (`shulin/activity-entry`): the masked display name and the library only, never the reader's
 * account; the audio by blob and chunk manifest, so the hub can pull it at judging over the
 * content transfer and check every chunk.
 */
export const NetworkEntry = z.strictObject({
  activity: z.string().min(1).max(64),
  id: NetworkEntryId,
  node: NodeId,
  title: z.string().max(500),
  text: z.string().max(64).nullable(),
  author: z.strictObject({ name: z.string().max(100), library: z.string().max(200) }),
  /**
   * The same opaque value for every entry of one reader in the activity, and nothing else: the hub
   * picks each participant's top entries for judging without learning who they are.
   */
  participant: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
  status: EntryStatus,
  duration: z.number().min(0).max(36_000).nullable(),
  audio: z
    .strictObject({
      blob: Sha256Hex,
      size: z.number().int().min(0),
      mediaType: z.string().max(100),
      manifest: Sha256Hex,
    })
    .nullable(),
  createdAt: z.iso.datetime(),
})
export type NetworkEntry = z.infer<typeof NetworkEntry>

export const maxTalliesPerPush = 64
export const maxEntriesPerPush = 2000

export const TallyPush = z
  .strictObject({
    tallies: z.array(SignedEnvelope).max(maxTalliesPerPush),
    entries: z.array(SignedEnvelope).max(maxEntriesPerPush),
  })
  .refine((p) => p.tallies.length + p.entries.length > 0, { message: 'empty_push' })
export type TallyPush = z.infer<typeof TallyPush>

export const TallyRefusal = z.enum([
  'invalid',
  'not_member',
  'wrong_signer',
  'malformed',
  'unknown_activity',
  /** The day is not over by the hub's clock (with the clock tolerance): kept and sent again. */
  'future',
  /** A different tally for an (activity, node, day) already held: the first one stands. */
  'conflict',
])
export type TallyRefusal = z.infer<typeof TallyRefusal>
/** `stored` (new), `duplicate` (the same already held: a replay changes nothing) or refused. */
export const TallyOutcome = z.union([z.enum(['stored', 'duplicate']), TallyRefusal])
export type TallyOutcome = z.infer<typeof TallyOutcome>

export const TallyPushResponse = z.discriminatedUnion('ok', [
  z.strictObject({
    ok: z.literal(true),
    tallies: z.array(TallyOutcome).max(maxTalliesPerPush),
    entries: z.array(TallyOutcome).max(maxEntriesPerPush),
  }),
  z.strictObject({ ok: z.literal(false), reason: TallyRefusal }),
])
export type TallyPushResponse = z.infer<typeof TallyPushResponse>

/** Refusals a later attempt cannot change; others (the day not over, not a member yet) are retried. */
export const finalTallyRefusals: ReadonlySet<TallyOutcome> = new Set<TallyOutcome>([
  'invalid',
  'malformed',
  'wrong_signer',
  'conflict',
])

/** The instant (ms) a Shanghai day ends: the next day's midnight at UTC+8. */
export function shanghaiDayEnd(day: z.infer<typeof ShanghaiDay>): number {
  return Date.parse(`${day}T00:00:00+08:00`) + 86_400_000
}

export const ActivityTallyExchange: ExchangeSpec<TallyPush, TallyPushResponse> = {
  protocol: ACTIVITY_TALLY_PROTOCOL,
  request: TallyPush,
  response: TallyPushResponse,
  invalid: { ok: false, reason: 'invalid' },
  /** 64 days of a large activity's tallies with their entries' descriptions. */
  maxBytes: 8 * 1024 * 1024,
  timeoutMs: 30_000,
  perAttempt: true,
  /** Members push once a day (and catch up); a few streams at a time per connection suffice. */
  maxInboundStreams: 4,
}

/**
 * `/shulin/activity-ranking/1.0.0`: a member asks the hub for a national activity's ranking
 * (the sum of every member's tallies), to show its readers. Public data: any peer may ask.
 */
export const ACTIVITY_RANKING_PROTOCOL = '/shulin/activity-ranking/1.0.0'

export const NationalRankingRequest = z.strictObject({
  activity: z.string().min(1).max(64),
  limit: z.number().int().min(1).max(500),
})
export type NationalRankingRequest = z.infer<typeof NationalRankingRequest>

export const NationalRankingResponse = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), ranking: Ranking }),
  z.strictObject({ ok: z.literal(false), reason: z.enum(['invalid', 'unknown_activity']) }),
])
export type NationalRankingResponse = z.infer<typeof NationalRankingResponse>

export const ActivityRankingExchange: ExchangeSpec<NationalRankingRequest, NationalRankingResponse> = {
  protocol: ACTIVITY_RANKING_PROTOCOL,
  request: NationalRankingRequest,
  response: NationalRankingResponse,
  invalid: { ok: false, reason: 'invalid' },
  /** 500 entries with titles and names. */
  maxBytes: 1024 * 1024,
  timeoutMs: 10_000,
  perAttempt: true,
  maxInboundStreams: 8,
}
