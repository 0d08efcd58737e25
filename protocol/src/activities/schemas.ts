/**
 * @module activities/schemas
 * Reading activities (阅读活动): the recitation campaign (诵读) — readers record a text, everyone
 * likes each entry at most once a day, rankings, judging, results — and events with sign-up
 * (讲座, 展览, 读书会: capacity, waiting list, check-in by QR code).
 *
 * An activity is organised by the hub (national: distributed to members like a channel) or by
 * one node (local). Phases are instants; "a day" is always the calendar day in Asia/Shanghai.
 * Across the network each node counts its own readers' likes and pushes a signed daily tally to
 * the hub; the national ranking is their sum.
 */
import { z } from 'zod'
import { freeText, singleLine } from '../text.js'

export const ActivityKind = z.enum(['recitation', 'event'])
export type ActivityKind = z.infer<typeof ActivityKind>

/** 讲座, 展览, 读书会, or another kind of event. */
export const ActivityEventKind = z.enum(['lecture', 'exhibition', 'reading-club', 'other'])
export type ActivityEventKind = z.infer<typeof ActivityEventKind>

const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString())

/** A phase: from (inclusive) to (exclusive), both ISO instants; `to` after `from`. */
export const PhaseWindow = z
  .strictObject({ from: instant, to: instant })
  .refine((w) => w.from < w.to, { message: 'phase_ends_before_it_starts' })
export type PhaseWindow = z.infer<typeof PhaseWindow>

export const PhaseName = z.enum(['signup', 'submission', 'voting', 'judging', 'results'])
export type PhaseName = z.infer<typeof PhaseName>

export const Phases = z.strictObject({
  signup: PhaseWindow.optional(),
  submission: PhaseWindow.optional(),
  voting: PhaseWindow.optional(),
  judging: PhaseWindow.optional(),
  /** Results are public from `from`; `to` is when the activity leaves the portal. */
  results: PhaseWindow.optional(),
})
export type Phases = z.infer<typeof Phases>

/** Who may take part: this node's readers, or every member library's readers (national). */
export const ActivityAudience = z.enum(['node-readers', 'member-readers'])
export type ActivityAudience = z.infer<typeof ActivityAudience>

/** A text to read: a catalogue record (e.g. a poem), and optionally a model reading (范读). */
export const RecitationText = z.strictObject({
  resource: z.string().min(1).max(64),
  title: singleLine(500),
  /** Blob (sha256) of the model reading's audio, when there is one. */
  model: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
})
export type RecitationText = z.infer<typeof RecitationText>

/** How the final result weighs judges' scores (0–100, averaged) against likes (normalised to 0–100). */
export const ResultWeights = z
  .strictObject({ judges: z.number().min(0).max(1), likes: z.number().min(0).max(1) })
  .refine((w) => Math.abs(w.judges + w.likes - 1) < 1e-9, { message: 'weights_must_sum_to_one' })
export type ResultWeights = z.infer<typeof ResultWeights>

/** What to do with likes from accounts created during the voting window. */
export const NewAccountLikes = z.enum(['count', 'half', 'hold'])
export type NewAccountLikes = z.infer<typeof NewAccountLikes>

/** `POST /api/staff/activities` (the contract). */
export const CreateActivityRequest = z.strictObject({
  kind: ActivityKind,
  title: singleLine(500),
  description: freeText(20_000).optional(),
  rules: freeText(20_000).optional(),
  /** A cover image URL path on this node, or absent. */
  cover: z.string().max(2000).optional(),
  phases: Phases,
  audience: ActivityAudience.default('node-readers'),
  // Recitation
  texts: z.array(RecitationText).max(500).default([]),
  /** Longest recording accepted, in seconds. */
  maxSeconds: z.number().int().min(10).max(1800).default(300),
  /** Entries per reader. */
  maxEntries: z.number().int().min(1).max(20).default(3),
  weights: ResultWeights.default({ judges: 0.7, likes: 0.3 }),
  newAccountLikes: NewAccountLikes.default('hold'),
  // Event
  eventKind: ActivityEventKind.optional(),
  location: singleLine(500).optional(),
  /** Seats; a sign-up beyond it joins the waiting list. */
  capacity: z.number().int().min(1).max(100_000).optional(),
})
export type CreateActivityRequest = z.infer<typeof CreateActivityRequest>

export const ActivityView = z.object({
  id: z.string(),
  kind: ActivityKind,
  title: z.string(),
  description: z.string().optional(),
  rules: z.string().optional(),
  cover: z.string().nullable(),
  phases: Phases,
  /** The phase now (by the node's clock), or null between or outside phases. */
  phase: PhaseName.nullable(),
  audience: ActivityAudience,
  /** `national` when organised by the hub, else `local`. */
  scope: z.enum(['national', 'local']),
  organiser: z.object({ nodeId: z.string().nullable(), name: z.string() }),
  texts: z.array(z.object({ resource: z.string(), title: z.string(), model: z.string().nullable() })),
  maxSeconds: z.number().int(),
  maxEntries: z.number().int(),
  eventKind: ActivityEventKind.nullable(),
  location: z.string().nullable(),
  capacity: z.number().int().nullable(),
  /** Event: seats taken and people waiting. */
  signups: z.object({ confirmed: z.number().int(), waitlisted: z.number().int() }).nullable(),
  createdAt: z.string(),
})
export type ActivityView = z.infer<typeof ActivityView>

export const ActivityList = z.object({ activities: z.array(ActivityView) })
export type ActivityList = z.infer<typeof ActivityList>

/** An entry's id across the network: `<node id>/<entry id>` at the hub; the local id at its node. */
export const EntryStatus = z.enum(['processing', 'ready', 'failed', 'withdrawn', 'disqualified'])
export type EntryStatus = z.infer<typeof EntryStatus>

export const EntryView = z.object({
  id: z.string(),
  activity: z.string(),
  title: z.string(),
  /** The text read (resource id), when one of the activity's texts. */
  text: z.string().nullable(),
  /** Display name only (masked), and the reader's library. */
  author: z.object({ name: z.string(), library: z.string() }),
  status: EntryStatus,
  error: z.string().optional(),
  /** Seconds, once transcoded. */
  duration: z.number().nullable(),
  /** The normalised audio's URL once ready. */
  audio: z.string().nullable(),
  likes: z.number().int(),
  /** Whether the asking reader liked it today (Asia/Shanghai). */
  likedToday: z.boolean(),
  createdAt: z.string(),
  /** The share page (with Open Graph tags). */
  share: z.string(),
})
export type EntryView = z.infer<typeof EntryView>

export const EntryCreated = z.object({ id: z.string() })

export const LikeResult = z.object({ id: z.string(), likes: z.number().int() })
export type LikeResult = z.infer<typeof LikeResult>

/**
 * `national`: the hub's national ranking (every member's tallies summed); a member asks the
 * hub for it over the network (briefly cached), the hub answers its own total.
 */
export const RankingScope = z.enum(['total', 'today', 'library', 'region', 'national'])
export const RankingQuery = z.strictObject({
  scope: RankingScope.default('total'),
  /** For `library`: a node id (default this node); for `region`: a GB/T 2260 code prefix. */
  of: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
})
export type RankingQuery = z.infer<typeof RankingQuery>

/** `GET /api/activities/:id/ranking` (the contract): highest first. */
export const Ranking = z.object({
  scope: RankingScope,
  entries: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      author: z.object({ name: z.string(), library: z.string() }),
      likes: z.number().int(),
      rank: z.number().int(),
      /** After results: the judges' average and the weighted final score. */
      score: z.number().nullable(),
      final: z.number().nullable(),
    }),
  ),
  /** `national` at a member: when the hub answered (the ranking may be this old). */
  asOf: z.iso.datetime().optional(),
})
export type Ranking = z.infer<typeof Ranking>

export const JudgeScoreRequest = z.strictObject({
  score: z.number().min(0).max(100),
  comment: freeText(2000).optional(),
})
export type JudgeScoreRequest = z.infer<typeof JudgeScoreRequest>

// Sign-up for events.

export const SignupStatus = z.enum(['confirmed', 'waitlisted', 'cancelled', 'checked-in'])
export type SignupStatus = z.infer<typeof SignupStatus>

export const SignupView = z.object({
  activity: z.string(),
  status: SignupStatus,
  /** Place on the waiting list (1 first), when waitlisted. */
  position: z.number().int().nullable(),
  /** The check-in code shown as a QR code on the reader's phone (signed; no personal data). */
  checkInCode: z.string().nullable(),
  createdAt: z.string(),
})
export type SignupView = z.infer<typeof SignupView>

/** `POST /api/staff/activities/:id/check-in`: the scanned code. */
export const CheckInRequest = z.strictObject({ code: z.string().min(1).max(1000) })

// Across the network.

/** The calendar day in Asia/Shanghai, `YYYY-MM-DD`. */
export const ShanghaiDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'invalid_day')

/**
 * A node's likes for a national activity on one finished day, signed by the node (type
 * `shulin/activity-tally`): per entry (`<node id>/<entry id>`), how many of this node's readers
 * liked it that day. Idempotent at the hub by (activity, node, day); queued while offline.
 */
export const ActivityTally = z.strictObject({
  activity: z.string().min(1).max(64),
  node: z.string().min(1).max(128),
  day: ShanghaiDay,
  likes: z
    .array(z.strictObject({ entry: z.string().min(1).max(200), count: z.number().int().min(0).max(10_000_000) }))
    .max(200_000),
})
export type ActivityTally = z.infer<typeof ActivityTally>

/** Shanghai has no daylight saving time: UTC+8 all year. */
export const shanghaiOffsetMs = 8 * 3600_000

/** The calendar day in Asia/Shanghai of an instant (ms since the epoch). */
export function shanghaiDay(ms: number): string {
  return new Date(ms + shanghaiOffsetMs).toISOString().slice(0, 10)
}

// Responses and forms of the act-core routes (node/src/activities/routes.ts).

/** `POST /api/staff/activities` and `POST /api/activities/:id/entries` answer the new id. */
export const ActivityCreated = z.object({ id: z.string() })
export type ActivityCreated = z.infer<typeof ActivityCreated>

/** The text fields of the entry upload (multipart, beside the `audio` file). */
export const EntryForm = z.strictObject({
  title: singleLine(200).optional(),
  /** One of the activity's texts (its resource id). */
  text: z.string().min(1).max(64).optional(),
})
export type EntryForm = z.infer<typeof EntryForm>

export const EntryList = z.object({ entries: z.array(EntryView) })
export type EntryList = z.infer<typeof EntryList>

export const JudgeScore = z.object({
  judge: z.string(),
  score: z.number(),
  comment: z.string().optional(),
  at: z.string(),
})
export type JudgeScore = z.infer<typeof JudgeScore>

/** `GET /api/judge/activities/:id/finalists`: each participant's top 2 entries, with the scores given. */
export const FinalistList = z.object({
  entries: z.array(EntryView.extend({ scores: z.array(JudgeScore) })),
})
export type FinalistList = z.infer<typeof FinalistList>

/** The published results (`GET /api/activities/:id/results`), best first. */
export const ActivityResults = z.object({
  publishedAt: z.string(),
  entries: z.array(
    z.object({
      id: z.string(),
      likes: z.number().int(),
      score: z.number().nullable(),
      final: z.number(),
      rank: z.number().int(),
    }),
  ),
})
export type ActivityResults = z.infer<typeof ActivityResults>

/** Every change to a ranking besides a plain like, oldest first. */
export const ActivityAuditList = z.object({
  events: z.array(
    z.object({
      at: z.string(),
      action: z.enum([
        'likes_removed',
        'likes_released',
        'score',
        'tally_applied',
        'results_published',
        'entry_status',
      ]),
      entry: z.string().optional(),
      by: z.string(),
      delta: z.record(z.string(), z.number()).optional(),
      detail: z.string().optional(),
    }),
  ),
})
export type ActivityAuditList = z.infer<typeof ActivityAuditList>

/** Bursts of likes from one address, for staff review. */
export const ActivityFlagList = z.object({
  flags: z.array(
    z.object({
      at: z.string(),
      activity: z.string(),
      reason: z.enum(['address_burst', 'voter_burst']),
      address: z.string(),
      voter: z.string().nullable(),
      count: z.number().int(),
      windowSeconds: z.number().int(),
    }),
  ),
})
export type ActivityFlagList = z.infer<typeof ActivityFlagList>

/** Likes held for review (accounts made during voting, under `newAccountLikes: hold`). */
export const HeldLikeList = z.object({
  likes: z.array(z.object({ entry: z.string(), day: ShanghaiDay, voter: z.string(), at: z.string() })),
})
export type HeldLikeList = z.infer<typeof HeldLikeList>

/** `POST /api/staff/activities/:id/held/release`: how many were counted. */
export const ReleasedLikes = z.object({ released: z.number().int() })

/** `POST /api/staff/activities/:id/entries/:entryId/disqualify`: why, for the author and the audit trail. */
export const DisqualifyRequest = z.strictObject({ reason: singleLine(500) })
export type DisqualifyRequest = z.infer<typeof DisqualifyRequest>
