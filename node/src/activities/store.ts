/**
 * @module activities/store
 * The activities' records in their own sublevels (every change that spans keys is one batch):
 *
 * - `activities`: activity id → {@link ActivityRecord}.
 * - `activity-entries`: entry id → {@link EntryRecord}; `activity-entries-by`:
 *   `<activity>!e!<entry>` and `<activity>!a!<author>!<entry>` → '' (an activity's entries, a
 *   reader's entries in it).
 * - `activity-likes`: `<activity>!<entry>!<day>!<voter>` → {@link LikeRecord} (the one-a-day rule is
 *   this key's existence); `activity-likes-by`: `<voter>!<activity>!<entry>!<day>` → '' (a voter's
 *   likes, to take them out when the account is disabled).
 * - `activity-counts`: `<activity>!t!<entry>` and `<activity>!d!<day>!<entry>` → like units
 *   (two per counted like, one per halved like: see {@link likeUnits}).
 * - `activity-rank`: the sorted indexes the rankings read, `<activity>!<scope…>!<inverted
 *   units>!<entry>` → '', written in the same batch as the count they mirror.
 * - `activity-scores`: `<activity>!<entry>!<judge>` → {@link ScoreRecord}.
 * - `activity-results`: activity id → {@link ResultsRecord}.
 * - `activity-audit`: `<activity>!<time>` → {@link AuditRecord}, every change to a ranking
 *   besides a plain like (likes removed, held likes released, scores, tallies applied).
 * - `activity-flags`: `<time>` → {@link FlagRecord}, bursts for staff to review.
 * - `activity-audio-jobs`: entry id → {@link AudioJob}, the transcode queue (resumes after a restart).
 * - `activity-tallies`: `<activity>!<node>!<day>` → the tally applied (idempotent hub intake).
 */
import type { CreateActivityRequest, EntryStatus } from '@shulin/protocol'
import type { BatchOp, Storage, Sublevel } from '../storage/db.js'

export interface ActivityRecord {
  id: string
  request: CreateActivityRequest
  scope: 'national' | 'local'
  organiser: { nodeId: string | null; name: string }
  status: 'published' | 'withdrawn'
  createdAt: string
  updatedAt: string
  /** A national activity from the hub: its texts' model readings, where to pull them (by resource). */
  models?: Record<string, RemoteModel>
}

/** A model reading held by the hub: fetched over the content transfer, checked against `manifest`. */
export interface RemoteModel {
  blob: string
  size: number
  mediaType: string
  manifest: string
}

export interface EntryRecord {
  id: string
  activity: string
  title: string
  text: string | null
  /** The reader's account id on this node (a remote entry: its `<node>/<entry>` id's author key). */
  author: string
  authorName: string
  /** The library (node id) the entry was submitted at. */
  library: string
  libraryName: string
  /** The library's region (GB/T 2260), when known. */
  region: string | null
  status: EntryStatus
  error?: string
  /** The upload as it came (kept until the entry is ready). */
  source: { blob: string; mediaType: string } | null
  /** The normalised audio. */
  audio: { blob: string; mediaType: string; size: number } | null
  duration: number | null
  createdAt: string
  /** An entry of another node known here (at the hub: from tallies), never submitted here. */
  remote?: boolean
}

export interface LikeRecord {
  at: string
  /** Units counted: 2 (a like), 1 (halved: a new account), 0 (held or removed). */
  units: number
  state: 'counted' | 'held' | 'removed'
  address: string
  /** The voter's account on this node, when local (for disabling). */
  account: string | null
}

export interface ScoreRecord {
  score: number
  comment?: string
  judge: string
  at: string
}

export interface ResultsRecord {
  publishedAt: string
  entries: Array<{ id: string; likes: number; score: number | null; final: number; rank: number }>
}

export interface AuditRecord {
  at: string
  activity: string
  action: 'likes_removed' | 'likes_released' | 'score' | 'tally_applied' | 'results_published' | 'entry_status'
  entry?: string
  /** Who did it: a staff or judge account, or `system`. */
  by: string
  /** Units the ranking changed by, per entry (negative: taken off). */
  delta?: Record<string, number>
  detail?: string
}

export interface FlagRecord {
  at: string
  activity: string
  reason: 'address_burst' | 'voter_burst'
  address: string
  voter: string | null
  count: number
  windowSeconds: number
}

export interface AudioJob {
  entry: string
  state: 'queued' | 'running' | 'done' | 'failed'
  attempts: number
  createdAt: string
  error?: string
}

export interface TallyRecord {
  activity: string
  node: string
  day: string
  likes: Array<{ entry: string; count: number }>
  appliedAt: string
}

export class ActivityStore {
  readonly activities: Sublevel<ActivityRecord>
  readonly entries: Sublevel<EntryRecord>
  readonly entriesBy: Sublevel<string>
  readonly likes: Sublevel<LikeRecord>
  readonly likesBy: Sublevel<string>
  readonly counts: Sublevel<number>
  readonly rank: Sublevel<string>
  readonly scores: Sublevel<ScoreRecord>
  readonly results: Sublevel<ResultsRecord>
  readonly audit: Sublevel<AuditRecord>
  readonly flags: Sublevel<FlagRecord>
  readonly jobs: Sublevel<AudioJob>
  readonly tallies: Sublevel<TallyRecord>

  constructor(readonly storage: Storage) {
    this.activities = storage.sublevel('activities')
    this.entries = storage.sublevel('activity-entries')
    this.entriesBy = storage.sublevel('activity-entries-by')
    this.likes = storage.sublevel('activity-likes')
    this.likesBy = storage.sublevel('activity-likes-by')
    this.counts = storage.sublevel('activity-counts')
    this.rank = storage.sublevel('activity-rank')
    this.scores = storage.sublevel('activity-scores')
    this.results = storage.sublevel('activity-results')
    this.audit = storage.sublevel('activity-audit')
    this.flags = storage.sublevel('activity-flags')
    this.jobs = storage.sublevel('activity-audio-jobs')
    this.tallies = storage.sublevel('activity-tallies')
  }
}

/** Highest count first in key order: the count's complement, zero-padded. */
const maxUnits = 999_999_999_999
export const invertedUnits = (units: number): string => String(maxUnits - Math.max(0, units)).padStart(12, '0')

/** Like units: a like counts 2 units so that a halved like (a new account's) stays an integer. */
export const likeUnits = 2
export const likesOfUnits = (units: number): number => Math.floor(units / likeUnits)

/** The region prefixes an entry is ranked under: province, city, county (GB/T 2260). */
export function regionKeys(region: string | null): string[] {
  if (!region) return []
  return [...new Set([region.slice(0, 2), region.slice(0, 4), region])]
}

/** A region asked for (`44`, `4401`, `440100`, `440000`) as the prefix its index is keyed by. */
export function regionPrefix(of: string): string {
  let p = of
  while (p.length > 2 && p.endsWith('00')) p = p.slice(0, -2)
  return p
}

/**
 * Synced writes, coalesced: batches handed in while one is being written go out together as
 * the next one, each caller answered once its batch is on disk. A burst of likes then costs a
 * few fsyncs instead of one each, and holds one of libuv's four threads instead of all of them,
 * so the ranking's reads are not queued behind the writes. Callers must not hand in two
 * batches touching the same key at once (likes hold their entry's lock until answered).
 */
export class GroupCommit {
  #pending: Array<{ ops: BatchOp[]; resolve: () => void; reject: (err: unknown) => void }> = []
  #running = false

  constructor(private readonly storage: Storage) {}

  commit(ops: BatchOp[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ ops, resolve, reject })
      if (!this.#running) void this.#drain()
    })
  }

  async #drain(): Promise<void> {
    this.#running = true
    try {
      while (this.#pending.length) {
        const group = this.#pending.splice(0)
        try {
          await this.storage.commit(
            group.flatMap((g) => g.ops),
            { sync: true },
          )
          for (const g of group) g.resolve()
        } catch (err) {
          for (const g of group) g.reject(err)
        }
      }
    } finally {
      this.#running = false
    }
  }
}
