/**
 * @module activities/service
 * Reading activities on this node: activities and their phases (by the node's clock, days in
 * Asia/Shanghai), recitation entries, likes, rankings, judges' scores and results.
 * `ActivitiesService` is the one way in for the routes and for the other parts of issue 20
 * (events, network): they read activities through it, hand it the hub's national activities
 * ({@link ActivitiesService.createFromHub}), read a day's likes for the daily tallies
 * ({@link ActivitiesService.likesOn}) and give it the hub's intake ({@link ActivitiesService.applyTally}).
 *
 * Likes are the hot path (a national campaign's last evening): one like is one batch — the like,
 * the voter's index, the total and the day's counts, and the sorted ranking indexes moved to the
 * new counts — under a lock of that entry only, so likes on different entries run side by side
 * and a ranking read is one ordered range read.
 *
 * A voter is keyed by their home identity, `<home node id>/<account id at home>`: a local reader
 * is `<this node>/<account>`, a visiting reader (signed in through unified identity) is their
 * home's, so a reader likes an entry once a day wherever they sign in (see {@link voterOf}).
 */
import { randomBytes } from 'node:crypto'
import {
  shanghaiDay,
  type ActivityTally,
  type ActivityView,
  type CreateActivityRequest,
  type EntryView,
  type JudgeScoreRequest,
  type LikeResult,
  type PhaseName,
  type Ranking,
  type RankingQuery,
} from '@shulin/protocol'
import { ProblemError } from '../http/problem.js'
import type { AccountRecord } from '../accounts/store.js'
import type { Notifier } from '../notify/notifier.js'
import { delOp, putOp, type BatchOp, type Storage } from '../storage/db.js'
import { Mutex } from '../storage/mutex.js'
import { FairPlay, type FairPlaySettings } from './fair-play.js'
import {
  ActivityStore,
  GroupCommit,
  invertedUnits,
  likesOfUnits,
  likeUnits,
  regionKeys,
  regionPrefix,
  type ActivityRecord,
  type RemoteModel,
  type AuditRecord,
  type AudioJob,
  type EntryRecord,
  type FlagRecord,
  type LikeRecord,
  type ResultsRecord,
  type ScoreRecord,
} from './store.js'

export type { ActivityRecord, EntryRecord, AuditRecord, FlagRecord, ResultsRecord, ScoreRecord } from './store.js'

/** Who likes: their home identity (see the module comment), and what fair play needs to know. */
export interface Voter {
  /** `<home node id>/<account id at home>`. */
  key: string
  /** The account on this node (a visiting reader's local account too), for disabling. */
  account: string | null
  /** When the account was made (new accounts' likes: `newAccountLikes`); unknown: not new. */
  createdAt: string | null
}

/** The voter of a signed-in account on the node `nodeId`. */
export function voterOf(account: AccountRecord, nodeId: string): Voter {
  const key = account.home ? `${account.home.nodeId}/${account.home.sub}` : `${nodeId}/${account.id}`
  return { key: safeKey(key), account: account.id, createdAt: account.createdAt }
}

/** `!` separates key parts: it never appears inside one. */
const safeKey = (s: string) => s.replace(/!/g, '%21')

/** A national activity from the hub (act-network verified its signature). */
export interface HubActivity {
  id: string
  request: CreateActivityRequest
  organiser: { nodeId: string; name: string }
  createdAt: string
  updatedAt: string
  status?: 'published' | 'withdrawn'
  /** The texts' model readings as the hub shares them. */
  models?: Array<RemoteModel & { resource: string }> | undefined
}

/** The audio of an entry, for serving and for the hub's pull at judging. */
export interface EntryAudio {
  blob: string
  mediaType: string
  size: number
}

export interface ActivitiesOptions {
  storage: Storage
  nodeId: string
  /** This library's name and region (GB/T 2260) as they stand. */
  library: () => { name: string; region: string | null }
  notifier?: Pick<Notifier, 'notify'> | undefined
  fairPlay?: Partial<FairPlaySettings> | undefined
  now?: (() => number) | undefined
}

/** Sign-up counts of an event (act-events answers them). */
export type SignupCounter = (activityId: string) => Promise<{ confirmed: number; waitlisted: number }>

const newId = () => randomBytes(9).toString('base64url')

/** A short lock per key: likes on one entry run one at a time, others side by side. */
class KeyedLock {
  readonly #locks = new Map<string, { mutex: Mutex; users: number }>()
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let l = this.#locks.get(key)
    if (!l) this.#locks.set(key, (l = { mutex: new Mutex(), users: 0 }))
    l.users++
    try {
      return await l.mutex.run(fn)
    } finally {
      if (--l.users === 0) this.#locks.delete(key)
    }
  }
}

/**
 * Entries as last written here, the most recently used kept (this service is their only
 * writer): a like and a ranking page read their entries from memory, leaving libuv's threads to
 * the writes and the index reads.
 */
class EntryCache {
  readonly #map = new Map<string, EntryRecord>()
  constructor(private readonly max: number) {}
  get(id: string): EntryRecord | undefined {
    const e = this.#map.get(id)
    if (e) {
      this.#map.delete(id)
      this.#map.set(id, e)
    }
    return e
  }
  set(e: EntryRecord): void {
    this.#map.delete(e.id)
    this.#map.set(e.id, e)
    if (this.#map.size > this.max) this.#map.delete(this.#map.keys().next().value!)
  }
}

export class ActivitiesService {
  readonly store: ActivityStore
  readonly fairPlay: FairPlay
  readonly nodeId: string
  readonly now: () => number
  readonly #entryLocks = new KeyedLock()
  readonly #likeWrites: GroupCommit
  /** Activities as last written here (this service is their only writer): a like reads no activity from disk. */
  readonly #activities = new Map<string, ActivityRecord>()
  readonly #results = new Map<string, ResultsRecord | null>()
  readonly #entries = new EntryCache(20_000)
  /** Entry submissions and activity edits (counts per reader, then write). */
  readonly #mutex = new Mutex()
  #signups: SignupCounter | undefined
  readonly #entryListeners = new Set<(entry: EntryRecord) => void>()
  readonly #activityListeners = new Set<(rec: ActivityRecord, previous: ActivityRecord | undefined) => void>()

  constructor(private readonly opts: ActivitiesOptions) {
    this.store = new ActivityStore(opts.storage)
    this.#likeWrites = new GroupCommit(opts.storage)
    this.nodeId = opts.nodeId
    this.now = opts.now ?? Date.now
    this.fairPlay = new FairPlay(this.store, opts.fairPlay ?? {}, this.now)
  }

  /** act-events tells the views the sign-up counts of events. */
  setSignupCounter(counter: SignupCounter): void {
    this.#signups = counter
  }

  /** Told when an entry is written or changes status (the transcode queue listens). */
  onEntry(listener: (entry: EntryRecord) => void): () => void {
    this.#entryListeners.add(listener)
    return () => this.#entryListeners.delete(listener)
  }

  /** Told after an activity is written (created, edited, withdrawn, taken in from the hub): linked data listens. */
  onActivity(listener: (rec: ActivityRecord, previous: ActivityRecord | undefined) => void): () => void {
    this.#activityListeners.add(listener)
    return () => this.#activityListeners.delete(listener)
  }

  // Activities.

  async create(req: CreateActivityRequest): Promise<ActivityRecord> {
    const t = new Date(this.now()).toISOString()
    const rec: ActivityRecord = {
      id: newId(),
      request: req,
      scope: 'local',
      organiser: { nodeId: this.nodeId, name: this.opts.library().name },
      status: 'published',
      createdAt: t,
      updatedAt: t,
    }
    await this.#putActivity(rec)
    return rec
  }

  /** Changes an activity's fields (the whole request again, validated by the route). */
  async update(id: string, req: CreateActivityRequest): Promise<ActivityRecord> {
    return this.#mutex.run(async () => {
      const rec = await this.get(id)
      if (rec.scope === 'national' && rec.organiser.nodeId !== this.nodeId) throw new ProblemError('forbidden')
      const next = { ...rec, request: req, updatedAt: new Date(this.now()).toISOString() }
      await this.#putActivity(next)
      return next
    })
  }

  async setStatus(id: string, status: 'published' | 'withdrawn'): Promise<ActivityRecord> {
    return this.#mutex.run(async () => {
      const rec = await this.get(id)
      const next = { ...rec, status, updatedAt: new Date(this.now()).toISOString() }
      await this.#putActivity(next)
      return next
    })
  }

  /**
   * Stores (or updates, when newer) a national activity the hub published; idempotent, so
   * the same activity received twice (a channel replayed) is one activity.
   */
  async createFromHub(a: HubActivity): Promise<ActivityRecord> {
    return this.#mutex.run(async () => {
      const old = await this.#activity(a.id)
      if (old && old.updatedAt >= a.updatedAt) return old
      const rec: ActivityRecord = {
        id: a.id,
        request: a.request,
        scope: 'national',
        organiser: a.organiser,
        status: a.status ?? 'published',
        createdAt: a.createdAt,
        updatedAt: a.updatedAt,
        ...(a.models?.length
          ? { models: Object.fromEntries(a.models.map(({ resource, ...m }) => [resource, m])) }
          : {}),
      }
      await this.#putActivity(rec)
      return rec
    })
  }

  /**
   * Sets (or clears, with `null`) a text's model reading (范读): `blob` is its normalised audio.
   * Only for activities organised here; a national one goes to the members again, with it.
   * @throws {ProblemError} `not_found` for a text not in the activity, `forbidden` for the hub's.
   */
  async setModel(id: string, resource: string, blob: string | null): Promise<ActivityRecord> {
    return this.#mutex.run(async () => {
      const rec = await this.get(id)
      if (rec.scope === 'national' && rec.organiser.nodeId !== this.nodeId) throw new ProblemError('forbidden')
      if (!rec.request.texts.some((t) => t.resource === resource))
        throw new ProblemError('not_found', { detail: 'The activity has no such text.' })
      const texts = rec.request.texts.map((t) => {
        if (t.resource !== resource) return t
        const { model: _old, ...rest } = t
        return blob ? { ...rest, model: blob } : rest
      })
      const next = { ...rec, request: { ...rec.request, texts }, updatedAt: new Date(this.now()).toISOString() }
      await this.#putActivity(next)
      return next
    })
  }

  async get(id: string): Promise<ActivityRecord> {
    const rec = id ? await this.#activity(id) : undefined
    if (!rec) throw new ProblemError('not_found')
    return rec
  }

  async #activity(id: string): Promise<ActivityRecord | undefined> {
    const cached = this.#activities.get(id)
    if (cached) return cached
    const rec = await this.store.activities.get(id)
    if (rec) this.#activities.set(id, rec)
    return rec
  }

  async #putActivity(rec: ActivityRecord): Promise<void> {
    const previous = await this.#activity(rec.id)
    await this.store.storage.commit([putOp(this.store.activities, rec.id, rec)], { sync: true })
    this.#activities.set(rec.id, rec)
    for (const l of this.#activityListeners) l(rec, previous)
  }

  /** Every activity, newest first (withdrawn ones only with `all`). */
  async list(opts: { all?: boolean } = {}): Promise<ActivityRecord[]> {
    const out: ActivityRecord[] = []
    for await (const rec of this.store.activities.values()) if (opts.all || rec.status === 'published') out.push(rec)
    return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt))
  }

  /** The phase an instant falls in: the latest-starting window holding it (submission and voting may overlap). */
  phaseAt(rec: ActivityRecord, ms: number = this.now()): PhaseName | null {
    const iso = new Date(ms).toISOString()
    let best: { name: PhaseName; from: string } | undefined
    for (const [name, w] of Object.entries(rec.request.phases) as Array<[PhaseName, { from: string; to: string }]>)
      if (w && w.from <= iso && iso < w.to && (!best || w.from >= best.from)) best = { name, from: w.from }
    return best?.name ?? null
  }

  /** Whether `ms` is inside the named phase's window. */
  inPhase(rec: ActivityRecord, phase: PhaseName, ms: number = this.now()): boolean {
    const w = rec.request.phases[phase]
    if (!w) return false
    const iso = new Date(ms).toISOString()
    return w.from <= iso && iso < w.to
  }

  async view(rec: ActivityRecord): Promise<ActivityView> {
    const r = rec.request
    return {
      id: rec.id,
      kind: r.kind,
      title: r.title,
      ...(r.description !== undefined ? { description: r.description } : {}),
      ...(r.rules !== undefined ? { rules: r.rules } : {}),
      cover: r.cover ?? null,
      phases: r.phases,
      phase: this.phaseAt(rec),
      audience: r.audience,
      scope: rec.scope,
      organiser: rec.organiser,
      texts: r.texts.map((t) => ({ resource: t.resource, title: t.title, model: t.model ?? null })),
      maxSeconds: r.maxSeconds,
      maxEntries: r.maxEntries,
      eventKind: r.eventKind ?? null,
      location: r.location ?? null,
      capacity: r.capacity ?? null,
      signups: r.kind === 'event' ? ((await this.#signups?.(rec.id)) ?? { confirmed: 0, waitlisted: 0 }) : null,
      createdAt: rec.createdAt,
    }
  }

  // Entries.

  async entry(id: string): Promise<EntryRecord> {
    const e = id ? await this.#entry(id) : undefined
    if (!e) throw new ProblemError('not_found')
    return e
  }

  async #entry(id: string): Promise<EntryRecord | undefined> {
    const cached = this.#entries.get(id)
    if (cached) return cached
    const e = await this.store.entries.get(id)
    if (e) this.#entries.set(e)
    return e
  }

  /** Entries by id (undefined where none), from memory where they are. */
  async #entriesById(ids: string[]): Promise<Array<EntryRecord | undefined>> {
    const out = ids.map((id) => this.#entries.get(id))
    const missing = ids.filter((_, i) => !out[i])
    if (!missing.length) return out
    const read = await this.store.entries.getMany(missing)
    const byId = new Map<string, EntryRecord>()
    for (const e of read) if (e) byId.set(e.id, e)
    return ids.map((id, i) => {
      const e = out[i] ?? byId.get(id)
      if (e && !out[i]) this.#entries.set(e)
      return e
    })
  }

  /** The entry `entryId` of activity `activityId` (a wrong pairing is not found). */
  async entryOf(activityId: string, entryId: string): Promise<EntryRecord> {
    const e = await this.entry(entryId)
    if (e.activity !== activityId) throw new ProblemError('not_found')
    return e
  }

  async entries(activityId: string): Promise<EntryRecord[]> {
    const ids = await this.store.entriesBy
      .keys({ gt: `${activityId}!e!`, lt: `${activityId}!e!\uffff` })
      .all()
      .then((ks) => ks.map((k) => k.slice(activityId.length + 3)))
    const recs = await this.store.entries.getMany(ids)
    return recs.filter((e): e is EntryRecord => e !== undefined)
  }

  /** A reader's entries in an activity (or in every activity, without `activityId`). */
  async entriesOf(author: string, activityId?: string): Promise<EntryRecord[]> {
    if (activityId) {
      const prefix = `${activityId}!a!${safeKey(author)}!`
      const ids = (await this.store.entriesBy.keys({ gt: prefix, lt: `${prefix}\uffff` }).all()).map((k) =>
        k.slice(prefix.length),
      )
      return (await this.store.entries.getMany(ids)).filter((e): e is EntryRecord => e !== undefined)
    }
    const out: EntryRecord[] = []
    for await (const e of this.store.entries.values()) if (e.author === author) out.push(e)
    return out
  }

  /**
   * Records a reader's entry whose audio was checked (see audio.ts) and stored as blob `source`;
   * the entry is `processing` until the queue has normalised it.
   * @throws {ProblemError} `outside_phase` outside submission, `entry_limit_reached` past `maxEntries`.
   */
  async submitEntry(input: {
    activityId: string
    account: AccountRecord
    title?: string | undefined
    text?: string | undefined
    source: { blob: string; mediaType: string }
    duration: number
  }): Promise<EntryRecord> {
    return this.#mutex.run(async () => {
      const act = await this.get(input.activityId)
      if (act.request.kind !== 'recitation' || act.status !== 'published') throw new ProblemError('not_found')
      if (!this.inPhase(act, 'submission'))
        throw new ProblemError('outside_phase', { detail: 'Entries are accepted only during the submission phase.' })
      const mine = await this.entriesOf(input.account.id, act.id)
      const live = mine.filter((e) => e.status !== 'withdrawn' && e.status !== 'failed')
      if (live.length >= act.request.maxEntries)
        throw new ProblemError('entry_limit_reached', {
          detail: `This activity takes at most ${act.request.maxEntries} entries per reader.`,
        })
      if (input.text !== undefined && !act.request.texts.some((t) => t.resource === input.text))
        throw new ProblemError('validation_failed', {
          errors: [{ pointer: '/text', detail: 'not one of this activity’s texts' }],
        })
      const lib = this.opts.library()
      const text = act.request.texts.find((t) => t.resource === input.text)
      const e: EntryRecord = {
        id: newId(),
        activity: act.id,
        title: input.title?.trim() || text?.title || act.request.title,
        text: input.text ?? null,
        author: input.account.id,
        authorName: maskName(input.account),
        library: this.nodeId,
        libraryName: lib.name,
        region: lib.region,
        status: 'processing',
        source: input.source,
        audio: null,
        duration: input.duration,
        createdAt: new Date(this.now()).toISOString(),
      }
      await this.store.storage.commit(
        [
          putOp(this.store.entries, e.id, e),
          putOp(this.store.entriesBy, `${act.id}!e!${e.id}`, ''),
          putOp(this.store.entriesBy, `${act.id}!a!${safeKey(e.author)}!${e.id}`, ''),
          putOp<AudioJob>(this.store.jobs, e.id, {
            entry: e.id,
            state: 'queued',
            attempts: 0,
            createdAt: e.createdAt,
          }),
        ],
        { sync: true },
      )
      this.#entries.set(e)
      for (const l of this.#entryListeners) l(e)
      return e
    })
  }

  /** Sets an entry's status and audio (the queue: ready with the normalised audio, or failed). */
  async settleEntry(
    id: string,
    result: { status: 'ready'; audio: EntryAudio; duration: number } | { status: 'failed'; error: string },
  ): Promise<EntryRecord | undefined> {
    const e = await this.#entry(id)
    if (!e || e.status !== 'processing') return undefined
    const next: EntryRecord =
      result.status === 'ready'
        ? { ...e, status: 'ready', audio: result.audio, duration: result.duration, source: null }
        : { ...e, status: 'failed', error: result.error }
    const job = await this.store.jobs.get(id)
    const ops: BatchOp[] = [putOp(this.store.entries, id, next)]
    if (next.status === 'ready') {
      // Listed in the rankings from now on, with the likes it has (none yet).
      const units = (await this.store.counts.get(`${e.activity}!t!${e.id}`)) ?? 0
      for (const s of rankScopes(e))
        ops.push(putOp(this.store.rank, `${e.activity}!${s}!${invertedUnits(units)}!${e.id}`, ''))
    }
    if (job)
      ops.push(
        putOp<AudioJob>(this.store.jobs, id, {
          ...job,
          state: result.status === 'ready' ? 'done' : 'failed',
          ...(result.status === 'failed' ? { error: result.error } : {}),
        }),
      )
    await this.store.storage.commit(ops, { sync: true })
    this.#entries.set(next)
    for (const l of this.#entryListeners) l(next)
    return next
  }

  /**
   * Withdraws an entry (its author) or disqualifies it (staff, with the reason): it leaves the
   * rankings and judging at once, its likes stay recorded (the audit trail says how many it had).
   * @throws {ProblemError} `conflict` when the entry is already out.
   */
  async retireEntry(
    entryId: string,
    status: 'withdrawn' | 'disqualified',
    by: string,
    reason?: string,
  ): Promise<EntryRecord> {
    const e0 = await this.entry(entryId)
    return this.#entryLocks.run(`${e0.activity}!${e0.id}`, async () => {
      const e = await this.entry(entryId)
      if (e.status === 'withdrawn' || e.status === 'disqualified')
        throw new ProblemError('conflict', { detail: `The entry is already ${e.status}.` })
      // The published results are final: an entry leaving now would leave them naming it.
      if (status === 'withdrawn' && (await this.results(e.activity)))
        // No detail: the catalogue's title says it in the reader's language.
        throw new ProblemError('results_published')
      const next: EntryRecord = { ...e, status, ...(reason ? { error: reason } : {}) }
      const units = (await this.store.counts.get(`${e.activity}!t!${e.id}`)) ?? 0
      const job = await this.store.jobs.get(e.id)
      const ops: BatchOp[] = [
        putOp(this.store.entries, e.id, next),
        // Out of the total, library and region rankings; the day rankings skip it when read.
        ...rankScopes(e).map((sc) => delOp(this.store.rank, `${e.activity}!${sc}!${invertedUnits(units)}!${e.id}`)),
        this.#auditOp({
          activity: e.activity,
          action: 'entry_status',
          entry: e.id,
          by,
          delta: { [e.id]: -units },
          detail: reason ? `${status}: ${reason}` : status,
        }),
      ]
      if (job && job.state !== 'done' && job.state !== 'failed')
        ops.push(putOp<AudioJob>(this.store.jobs, e.id, { ...job, state: 'done' }))
      await this.store.storage.commit(ops, { sync: true })
      this.#entries.set(next)
      for (const l of this.#entryListeners) l(next)
      return next
    })
  }

  /** An entry known here from another node (the hub: a national activity's entry, for rankings). */
  async upsertRemoteEntry(e: Omit<EntryRecord, 'remote' | 'source'>): Promise<void> {
    await this.takeIntake({ entries: [e], tallies: [] })
  }

  /** The normalised audio of a ready entry. */
  async audioOf(entryId: string): Promise<EntryAudio> {
    const e = await this.entry(entryId)
    if (e.status !== 'ready' || !e.audio) throw new ProblemError('not_found')
    return e.audio
  }

  /** Every blob the activities hold (the blob store's garbage collection keeps them). */
  async referencedBlobs(): Promise<Set<string>> {
    const out = new Set<string>()
    for await (const e of this.store.entries.values()) {
      if (e.source) out.add(e.source.blob)
      if (e.audio) out.add(e.audio.blob)
    }
    for await (const a of this.store.activities.values()) for (const t of a.request.texts) if (t.model) out.add(t.model)
    return out
  }

  async entryView(e: EntryRecord, voter?: Voter): Promise<EntryView> {
    const units = (await this.store.counts.get(`${e.activity}!t!${e.id}`)) ?? 0
    const likedToday = voter
      ? (await this.store.likes.get(`${e.activity}!${e.id}!${shanghaiDay(this.now())}!${voter.key}`)) !== undefined
      : false
    return {
      id: e.id,
      activity: e.activity,
      title: e.title,
      text: e.text,
      author: { name: e.authorName, library: e.libraryName },
      status: e.status,
      ...(e.error ? { error: e.error } : {}),
      duration: e.duration,
      audio: e.status === 'ready' && e.audio ? `/api/activities/${e.activity}/entries/${e.id}/audio` : null,
      likes: likesOfUnits(units),
      likedToday,
      createdAt: e.createdAt,
      share: `/share/entries/${e.id}`,
    }
  }

  // Likes.

  /**
   * One like of `voter` on an entry, today (Asia/Shanghai, by the node's clock).
   * @throws {ProblemError} `outside_phase` outside voting, `already_liked_today` on a second like
   *   the same day, `too_many_attempts` past the rate limits, `not_found` for an entry not ready.
   */
  async like(input: { activityId: string; entryId: string; voter: Voter; address: string }): Promise<LikeResult> {
    const act = await this.get(input.activityId)
    const e = await this.entryOf(act.id, input.entryId)
    if (e.status !== 'ready' || act.status !== 'published') throw new ProblemError('not_found')
    const t = this.now()
    if (!this.inPhase(act, 'voting', t))
      throw new ProblemError('outside_phase', { detail: 'Likes count only while voting is open.' })
    this.fairPlay.admit(act.id, input.voter.key, input.address)
    const day = shanghaiDay(t)
    const key = `${act.id}!${e.id}!${day}!${input.voter.key}`
    return this.#entryLocks.run(`${act.id}!${e.id}`, async () => {
      // Withdrawn or disqualified while this like waited for the lock: it counts nothing.
      if ((await this.#entry(e.id))?.status !== 'ready') throw new ProblemError('not_found')
      if ((await this.store.likes.get(key)) !== undefined)
        throw new ProblemError('already_liked_today', {
          detail: 'You have liked this entry today; like it again tomorrow (Beijing time).',
        })
      const voting = act.request.phases.voting!
      const isNew = input.voter.createdAt !== null && input.voter.createdAt >= voting.from
      const policy = isNew ? act.request.newAccountLikes : 'count'
      const units = policy === 'count' ? likeUnits : policy === 'half' ? likeUnits / 2 : 0
      const like: LikeRecord = {
        at: new Date(t).toISOString(),
        units,
        state: policy === 'hold' ? 'held' : 'counted',
        address: input.address,
        account: input.voter.account,
      }
      const ops: BatchOp[] = [
        putOp(this.store.likes, key, like),
        putOp(this.store.likesBy, `${input.voter.key}!${act.id}!${e.id}!${day}`, ''),
      ]
      const total = await this.#addUnits(ops, e, day, units, { own: true })
      await this.#likeWrites.commit(ops)
      await this.fairPlay.noteLike(act.id, input.voter.key, input.address)
      return { id: e.id, likes: likesOfUnits(total) }
    })
  }

  /**
   * Adds `units` to an entry's total and `day` counts, moving its ranking keys, into `ops`
   * (the caller commits, under the entry's lock). @returns the new total.
   */
  async #addUnits(
    ops: BatchOp[],
    e: EntryRecord,
    day: string,
    units: number,
    o: { own: boolean },
    written?: Map<string, number>,
  ): Promise<number> {
    const a = e.activity
    const totalKey = `${a}!t!${e.id}`
    const dayKey = `${a}!d!${day}!${e.id}`
    const ownKey = `${a}!o!${day}!${e.id}`
    const keys = [totalKey, dayKey, ownKey]
    const read = await this.store.counts.getMany(keys)
    const [oldTotal = 0, oldDay = 0, oldOwn = 0] = keys.map((k, i) => written?.get(k) ?? read[i])
    const total = Math.max(0, oldTotal + units)
    const dayUnits = Math.max(0, oldDay + units)
    written?.set(totalKey, total).set(dayKey, dayUnits)
    ops.push(putOp(this.store.counts, totalKey, total), putOp(this.store.counts, dayKey, dayUnits))
    if (o.own) {
      ops.push(putOp(this.store.counts, ownKey, Math.max(0, oldOwn + units)))
      written?.set(ownKey, Math.max(0, oldOwn + units))
    }
    for (const s of rankScopes(e)) {
      // A batch applies in order: the old key goes, then the new one is put (the same key when unchanged).
      ops.push(delOp(this.store.rank, `${a}!${s}!${invertedUnits(oldTotal)}!${e.id}`))
      ops.push(putOp(this.store.rank, `${a}!${s}!${invertedUnits(total)}!${e.id}`, ''))
    }
    ops.push(
      delOp(this.store.rank, `${a}!d!${day}!${invertedUnits(oldDay)}!${e.id}`),
      putOp(this.store.rank, `${a}!d!${day}!${invertedUnits(dayUnits)}!${e.id}`, ''),
    )
    return total
  }

  /**
   * The ranking, highest first (ties: the older key first). Scopes: `total`, `today` (the
   * Shanghai day now), `library` (`of`: a node id, default this one), `region` (`of`: a GB/T
   * 2260 code or prefix). After results are published, scores and finals come with it.
   */
  async ranking(activityId: string, q: RankingQuery): Promise<Ranking> {
    const act = await this.get(activityId)
    // Here, the national ranking is this node's total: at the hub, that is every member's tallies
    // summed (a member asks the hub instead, see activities/network).
    const prefix =
      q.scope === 'total' || q.scope === 'national'
        ? `${act.id}!t!`
        : q.scope === 'today'
          ? `${act.id}!d!${shanghaiDay(this.now())}!`
          : q.scope === 'library'
            ? `${act.id}!l!${safeKey(q.of ?? this.nodeId)}!`
            : `${act.id}!r!${regionPrefix(q.of ?? this.opts.library().region ?? '')}!`
    if (q.scope === 'region' && !/^\d{2,6}!$/.test(prefix.slice(act.id.length + 3)))
      throw new ProblemError('validation_failed', {
        errors: [{ pointer: '/of', detail: 'a region code (GB/T 2260), e.g. 44 or 440100' }],
      })
    // Entries withdrawn or disqualified leave the total, library and region indexes at once;
    // in a day's index they stay and are skipped here, so read on past them.
    const rows: Array<{ units: number; e: EntryRecord }> = []
    let after = prefix
    for (;;) {
      const want = q.limit - rows.length
      const keys = await this.store.rank.keys({ gt: after, lt: `${prefix}\uffff`, limit: want }).all()
      const page = keys.map((k) => {
        const rest = k.slice(prefix.length)
        const bang = rest.indexOf('!')
        return { units: 999_999_999_999 - Number(rest.slice(0, bang)), id: rest.slice(bang + 1) }
      })
      const entries = await this.#entriesById(page.map((r) => r.id))
      page.forEach((r, i) => {
        const e = entries[i]
        if (e && e.status === 'ready') rows.push({ units: r.units, e })
      })
      if (keys.length < want || rows.length >= q.limit) break
      after = keys.at(-1)!
    }
    const results = await this.results(act.id)
    const byId = new Map(results?.entries.map((r) => [r.id, r]))
    let rank = 0
    let prev = -1
    return {
      scope: q.scope,
      entries: rows.map(({ units, e }, i) => {
        // Equal likes share a rank (1, 2, 2, 4).
        if (units !== prev) rank = i + 1
        prev = units
        const res = byId.get(e.id)
        return {
          id: e.id,
          title: e.title,
          author: { name: e.authorName, library: e.libraryName },
          likes: likesOfUnits(units),
          rank,
          score: res?.score ?? null,
          final: res?.final ?? null,
        }
      }),
    }
  }

  /**
   * This node's own likes on each entry on a Shanghai day (the daily tally act-network signs
   * and pushes): likes cast here, not tallies received.
   */
  async likesOn(activityId: string, day: string): Promise<Array<{ entry: string; count: number }>> {
    const prefix = `${activityId}!o!${day}!`
    const out: Array<{ entry: string; count: number }> = []
    for await (const [k, units] of this.store.counts.iterator({ gt: prefix, lt: `${prefix}\uffff` }))
      if (units > 0) out.push({ entry: k.slice(prefix.length), count: likesOfUnits(units) })
    return out
  }

  /**
   * The hub's intake of a node's verified daily tally: idempotent by (activity, node, day) — a
   * tally sent again changes nothing, a corrected one moves the counts by the difference. The
   * entries are the tally's keys (`<node>/<entry>`); unknown ones are skipped (act-network
   * registers them first with {@link upsertRemoteEntry}, or in the same {@link takeIntake}).
   * @returns whether anything changed.
   */
  async applyTally(tally: ActivityTally): Promise<boolean> {
    return (await this.takeIntake({ entries: [], tallies: [tally] }))[0]!
  }

  /**
   * The hub's intake of one member's push in ONE synced batch: its entries (as remote entries),
   * its tallies (each as {@link applyTally} says) and `ops`, the intake's own records of them.
   * Why one batch: a push is ~20 entries and a tally, and a synced write each made the intake of
   * 1,000 members' days a minute of fsyncs; one batch is also all or nothing, so the hub never
   * holds a tally's counts without its record (or the reverse). The entries a tally moves are
   * locked (in order) while their counts are read and written, so a like or a disqualification
   * on them waits. @returns for each tally whether it changed anything.
   */
  async takeIntake(input: {
    entries: ReadonlyArray<Omit<EntryRecord, 'remote' | 'source'>>
    tallies: readonly ActivityTally[]
    ops?: readonly BatchOp[]
  }): Promise<boolean[]> {
    return this.#mutex.run(async () => {
      const ops: BatchOp[] = []
      const pending = new Map<string, EntryRecord>()
      for (const e of input.entries) {
        const rec: EntryRecord = { ...e, source: null, remote: true }
        ops.push(...remoteEntryOps(this.store, rec))
        pending.set(rec.id, rec)
      }
      // Each tally's change per entry, from the tallies held (or taken earlier in this batch).
      const held = new Map<string, ActivityTally>()
      const plans: Array<{ tally: ActivityTally; key: string; changed: Array<[string, number]> } | null> = []
      for (const tally of input.tallies) {
        const key = `${tally.activity}!${safeKey(tally.node)}!${tally.day}`
        const old = held.get(key) ?? (await this.store.tallies.get(key))
        const before = new Map(old?.likes.map((l) => [l.entry, l.count]))
        const delta: Record<string, number> = {}
        for (const l of tally.likes) delta[l.entry] = (delta[l.entry] ?? 0) + l.count - (before.get(l.entry) ?? 0)
        for (const [entry, count] of before) if (!tally.likes.some((l) => l.entry === entry)) delta[entry] = -count
        const changed = Object.entries(delta).filter(([, d]) => d !== 0)
        held.set(key, tally)
        plans.push(old && !changed.length ? null : { tally, key, changed })
      }
      const locks = new Set<string>()
      for (const p of plans) if (p) for (const [entry] of p.changed) locks.add(`${p.tally.activity}!${entry}`)
      await this.#underLocks([...locks].sort(), async () => {
        // Counts written earlier in this batch: read back from here, not from the disk.
        const written = new Map<string, number>()
        for (const p of plans) {
          if (!p) continue
          for (const [entryId, d] of p.changed) {
            const e = pending.get(entryId) ?? (await this.#entry(entryId))
            if (!e || e.activity !== p.tally.activity) continue
            await this.#addUnits(ops, e, p.tally.day, d * likeUnits, { own: false }, written)
          }
          ops.push(
            putOp(this.store.tallies, p.key, { ...p.tally, appliedAt: new Date(this.now()).toISOString() }),
            this.#auditOp({
              activity: p.tally.activity,
              action: 'tally_applied',
              by: p.tally.node,
              delta: Object.fromEntries(p.changed.map(([k, d]) => [k, d * likeUnits])),
              detail: p.tally.day,
            }),
          )
        }
        ops.push(...(input.ops ?? []))
        if (ops.length) await this.store.storage.commit(ops, { sync: true })
        for (const e of pending.values()) this.#entries.set(e)
      })
      return plans.map((p) => p !== null)
    })
  }

  /** Runs `fn` holding the entry locks `keys` (sorted, so two holders of several never deadlock). */
  async #underLocks<T>(keys: readonly string[], fn: () => Promise<T>, i = 0): Promise<T> {
    if (i >= keys.length) return fn()
    return this.#entryLocks.run(keys[i]!, () => this.#underLocks(keys, fn, i + 1))
  }

  // Fair play.

  /**
   * Takes a voter's likes out of the counts (their account was disabled): each like is marked
   * removed and the audit trail says by how much each entry moved.
   * @returns the likes removed.
   */
  async removeLikesOf(voterKey: string, by: string): Promise<number> {
    const prefix = `${safeKey(voterKey)}!`
    let removed = 0
    const deltas = new Map<string, Record<string, number>>()
    for await (const k of this.store.likesBy.keys({ gt: prefix, lt: `${prefix}\uffff` })) {
      const [activity, entry, day] = k.slice(prefix.length).split('!') as [string, string, string]
      const likeKey = `${activity}!${entry}!${day}!${voterKey}`
      await this.#entryLocks.run(`${activity}!${entry}`, async () => {
        const like = await this.store.likes.get(likeKey)
        const e = await this.store.entries.get(entry)
        if (!like || like.state === 'removed' || !e) return
        const ops: BatchOp[] = [putOp<LikeRecord>(this.store.likes, likeKey, { ...like, state: 'removed', units: 0 })]
        if (like.units) await this.#addUnits(ops, e, day, -like.units, { own: true })
        await this.store.storage.commit(ops, { sync: true })
        removed++
        const d = deltas.get(activity) ?? {}
        d[entry] = (d[entry] ?? 0) - like.units
        deltas.set(activity, d)
      })
    }
    const audits = [...deltas].map(([activity, delta]) =>
      this.#auditOp({ activity, action: 'likes_removed', by, delta, detail: `voter ${voterKey} disabled` }),
    )
    if (audits.length) await this.store.storage.commit(audits, { sync: true })
    return removed
  }

  /** Held likes (new accounts' under `hold`), for staff to review. */
  async heldLikes(activityId: string): Promise<Array<{ entry: string; day: string; voter: string; at: string }>> {
    const out: Array<{ entry: string; day: string; voter: string; at: string }> = []
    for await (const [k, v] of this.store.likes.iterator({ gt: `${activityId}!`, lt: `${activityId}!\uffff` })) {
      if (v.state !== 'held') continue
      const [, entry, day, voter] = k.split('!') as [string, string, string, string]
      out.push({ entry, day, voter, at: v.at })
    }
    return out
  }

  /** Counts every held like of an activity (staff reviewed them); @returns how many. */
  async releaseHeld(activityId: string, by: string): Promise<number> {
    await this.get(activityId)
    const held = await this.heldLikes(activityId)
    const delta: Record<string, number> = {}
    let n = 0
    for (const h of held) {
      const likeKey = `${activityId}!${h.entry}!${h.day}!${h.voter}`
      await this.#entryLocks.run(`${activityId}!${h.entry}`, async () => {
        const like = await this.store.likes.get(likeKey)
        const e = await this.store.entries.get(h.entry)
        if (!like || like.state !== 'held' || !e) return
        const ops: BatchOp[] = [
          putOp<LikeRecord>(this.store.likes, likeKey, { ...like, state: 'counted', units: likeUnits }),
        ]
        await this.#addUnits(ops, e, h.day, likeUnits, { own: true })
        await this.store.storage.commit(ops, { sync: true })
        delta[h.entry] = (delta[h.entry] ?? 0) + likeUnits
        n++
      })
    }
    if (n)
      await this.store.storage.commit(
        [this.#auditOp({ activity: activityId, action: 'likes_released', by, delta, detail: `${n} held likes` })],
        { sync: true },
      )
    return n
  }

  #lastAudit = 0
  #auditOp(r: Omit<AuditRecord, 'at'>): BatchOp {
    // Keys never repeat within a process (two changes in one millisecond).
    this.#lastAudit = Math.max(this.now(), this.#lastAudit + 1)
    const at = new Date(this.#lastAudit).toISOString()
    return putOp(this.store.audit, `${r.activity}!${at}!${randomBytes(3).toString('hex')}`, { at, ...r })
  }

  /** The activity's audit trail, oldest first. */
  async audit(activityId: string): Promise<AuditRecord[]> {
    return this.store.audit.values({ gt: `${activityId}!`, lt: `${activityId}!\uffff` }).all()
  }

  // Judging and results.

  /** Each participant's top 2 entries by likes (ready ones), the entries judges score. */
  async finalists(activityId: string): Promise<EntryRecord[]> {
    const entries = (await this.entries(activityId)).filter((e) => e.status === 'ready')
    const units = await this.store.counts.getMany(entries.map((e) => `${activityId}!t!${e.id}`))
    const byAuthor = new Map<string, Array<{ e: EntryRecord; u: number }>>()
    entries.forEach((e, i) => {
      const k = `${e.library}/${e.author}`
      byAuthor.set(k, [...(byAuthor.get(k) ?? []), { e, u: units[i] ?? 0 }])
    })
    const out: EntryRecord[] = []
    for (const list of byAuthor.values())
      out.push(
        ...list
          .sort((a, b) => b.u - a.u || a.e.createdAt.localeCompare(b.e.createdAt))
          .slice(0, 2)
          .map((x) => x.e),
      )
    return out
  }

  /**
   * A judge's score of a finalist, once voting is over (inside judging, when it has a window);
   * a judge scoring again replaces their score.
   */
  async score(activityId: string, entryId: string, judge: string, req: JudgeScoreRequest): Promise<ScoreRecord> {
    const act = await this.get(activityId)
    const t = this.now()
    const votingOver = !act.request.phases.voting || new Date(t).toISOString() >= act.request.phases.voting.to
    const judging = act.request.phases.judging ? this.inPhase(act, 'judging', t) : votingOver
    if (!judging) throw new ProblemError('outside_phase', { detail: 'Entries are scored only during judging.' })
    if (await this.results(act.id))
      throw new ProblemError('outside_phase', { detail: 'The results are published; scores are final.' })
    await this.entryOf(act.id, entryId)
    if (!(await this.finalists(act.id)).some((e) => e.id === entryId))
      throw new ProblemError('not_a_finalist', {
        detail: 'Only each participant’s two most liked entries go to judging.',
      })
    const rec: ScoreRecord = {
      score: req.score,
      ...(req.comment !== undefined ? { comment: req.comment } : {}),
      judge,
      at: new Date(t).toISOString(),
    }
    await this.store.storage.commit(
      [
        putOp(this.store.scores, `${act.id}!${entryId}!${safeKey(judge)}`, rec),
        this.#auditOp({ activity: act.id, action: 'score', entry: entryId, by: judge, detail: String(req.score) }),
      ],
      { sync: true },
    )
    return rec
  }

  async scores(activityId: string, entryId: string): Promise<ScoreRecord[]> {
    const prefix = `${activityId}!${entryId}!`
    return this.store.scores.values({ gt: prefix, lt: `${prefix}\uffff` }).all()
  }

  /**
   * Computes and publishes the final results: for each finalist, `final = weights.judges ×
   * average score + weights.likes × likes normalised to 0–100` (the most liked finalist is 100),
   * ranked by final; then each local participant gets an inbox notice. Publishing twice
   * changes nothing (the notices are deduplicated too).
   */
  async publishResults(activityId: string, by: string): Promise<ResultsRecord> {
    return this.#mutex.run(async () => {
      const act = await this.get(activityId)
      const existing = await this.results(act.id)
      if (existing) return existing
      const finalists = await this.finalists(act.id)
      const units = await this.store.counts.getMany(finalists.map((e) => `${act.id}!t!${e.id}`))
      const maxUnits = Math.max(0, ...units.map((u) => u ?? 0))
      const w = act.request.weights
      const rows = await Promise.all(
        finalists.map(async (e, i) => {
          const s = await this.scores(act.id, e.id)
          const avg = s.length ? s.reduce((a, b) => a + b.score, 0) / s.length : null
          const likesNorm = maxUnits ? ((units[i] ?? 0) / maxUnits) * 100 : 0
          const final = round2(w.judges * (avg ?? 0) + w.likes * likesNorm)
          return { id: e.id, likes: likesOfUnits(units[i] ?? 0), score: avg === null ? null : round2(avg), final }
        }),
      )
      rows.sort((a, b) => b.final - a.final || b.likes - a.likes)
      const results: ResultsRecord = {
        publishedAt: new Date(this.now()).toISOString(),
        entries: rows.map((r, i) => ({ ...r, rank: i + 1 })),
      }
      await this.store.storage.commit(
        [
          putOp(this.store.results, act.id, results),
          this.#auditOp({ activity: act.id, action: 'results_published', by, detail: `${rows.length} finalists` }),
        ],
        { sync: true },
      )
      this.#results.set(act.id, results)
      await this.#notifyResults(act, results)
      return results
    })
  }

  /** One notice per local participant (every reader with an entry), with their best placing. */
  async #notifyResults(act: ActivityRecord, results: ResultsRecord): Promise<void> {
    const notifier = this.opts.notifier
    if (!notifier) return
    const place = new Map(results.entries.map((r) => [r.id, r.rank]))
    const authors = new Map<string, number | undefined>()
    for (const e of await this.entries(act.id)) {
      if (e.remote || e.library !== this.nodeId) continue
      const r = place.get(e.id)
      const best = authors.get(e.author)
      authors.set(e.author, r !== undefined && (best === undefined || r < best) ? r : best)
    }
    for (const [account, rank] of authors)
      await notifier.notify(account, {
        kind: 'activity-results',
        title: `“${act.request.title}”: results are published`,
        body:
          rank !== undefined
            ? `Your entry placed ${rank} of ${results.entries.length} in the final results.`
            : 'Thank you for taking part. See the final results.',
        link: `/activities/${act.id}`,
        dedupe: `activity-results:${act.id}`,
      })
  }

  async results(activityId: string): Promise<ResultsRecord | undefined> {
    if (this.#results.has(activityId)) return this.#results.get(activityId) ?? undefined
    const r = await this.store.results.get(activityId)
    this.#results.set(activityId, r ?? null)
    return r
  }

  /** Bursts flagged for review, newest first. */
  flags(limit = 200): Promise<FlagRecord[]> {
    return this.store.flags.values({ reverse: true, limit }).all()
  }
}

/** The records of a remote entry (the entry and its indexes). */
const remoteEntryOps = (store: ActivityStore, e: EntryRecord): BatchOp[] => [
  putOp(store.entries, e.id, e),
  putOp(store.entriesBy, `${e.activity}!e!${e.id}`, ''),
  putOp(store.entriesBy, `${e.activity}!a!${safeKey(e.author)}!${e.id}`, ''),
]

/** The ranking indexes an entry is in besides the days': total, its library, its region's prefixes. */
const rankScopes = (e: EntryRecord) => ['t', `l!${safeKey(e.library)}`, ...regionKeys(e.region).map((r) => `r!${r}`)]

const round2 = (n: number) => Math.round(n * 100) / 100

/** The name shown with an entry: the family name's first character and a mask (王**). */
function maskName(a: AccountRecord): string {
  const name = a.name?.trim()
  if (!name) return '读者'
  const chars = [...name]
  return chars[0] + '*'.repeat(Math.min(2, Math.max(1, chars.length - 1)))
}
