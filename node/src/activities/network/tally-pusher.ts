/**
 * @module activities/network/tally-pusher
 * A member's daily tallies of national activities, on their way to the hub. Every Shanghai day
 * of an activity's voting window, once it is over by this node's clock (and a minute more, so a
 * like cast at 23:59:59 is written before its day is counted), is due; it waits in the outbox
 * until the hub acknowledges it (stored, or already held). A tally is counted from the likes
 * when it is sent, not when the day ends: likes carry the day they were cast, so the count of a
 * finished day never changes, and a node offline for a week sends the week when the hub is back.
 * Every entry of this node in a national activity is described to the hub (without personal
 * data) before any tally naming it, and again when it changes.
 *
 * Pushes go oldest first, up to 64 tallies at once; when the hub cannot be reached the next
 * attempt waits longer (doubling from 5 s up to an hour).
 *
 * Owns `activity-net-outbox` (`<activity> <day>` → {@link OutboxRecord}) and
 * `activity-net-described` (`<activity> <node>/<entry>` → the digest of the description the hub
 * acknowledged).
 */
import { createHash } from 'node:crypto'
import { seal } from '@shulin/federation/envelope'
import type { NodeKey } from '@shulin/federation/identity'
import {
  finalTallyRefusals,
  maxEntriesPerPush,
  maxTalliesPerPush,
  networkEntryId,
  shanghaiDay,
  shanghaiDayEnd,
  type ActivityTally,
  type NetworkEntry,
  type Phases,
  type SignedEnvelope,
  type TallyOutcome,
  type TallyPush,
  type TallyPushResponse,
} from '@shulin/protocol'
import { putOp, type BatchOp, type Storage, type Sublevel } from '../../storage/db.js'
import type { Logger } from '../../logger.js'

/** After a day ends, how long before it is counted (likes in flight at midnight are written by then). */
export const tallyGraceMs = 60_000
const maxBackoffMs = 3_600_000
const firstRetryMs = 5000
/** A push stays well within the exchange's 8 MiB. */
const maxPushBytes = 4 * 1024 * 1024

interface OutboxRecord {
  sent?: true
  refused?: TallyOutcome
  attempts: number
}

/** What the pusher needs of the activities on this node. */
export interface TallySource {
  /** The national activities this node holds (received from the hub). */
  national(): Promise<Array<{ id: string; phases: Phases }>>
  /** Per entry of this node (local entry id), likes counted on `day` (Asia/Shanghai). */
  likesOn(activity: string, day: string): Promise<Array<{ entry: string; count: number }>>
  /** This node's entries (local ids) in `activity`. */
  entries(activity: string): Promise<string[]>
  /** The entry `entry` of this node, described for the hub (no personal data), if it exists. */
  describe(activity: string, entry: string): Promise<NetworkEntry | undefined>
}

export interface TallyPusherOptions {
  storage: Storage
  key: NodeKey
  source: TallySource
  /** Sends to the hub; throws when it cannot be reached (or this node is no member). */
  push: (push: TallyPush) => Promise<TallyPushResponse>
  intervalMs?: number
  now?: () => number
  logger?: Logger | undefined
}

export interface TallyPushReport {
  /** Tallies the hub acknowledged, refused for good, and entry descriptions it acknowledged. */
  sent: number
  refused: number
  described: number
  pending: number
  error?: string
}

/** The Shanghai days of a voting window that are over (with the grace) at `now`, oldest first. */
export function dueDays(voting: { from: string; to: string } | undefined, now: number): string[] {
  if (!voting) return []
  const out: string[] = []
  const last = shanghaiDay(Date.parse(voting.to) - 1)
  for (let day = shanghaiDay(Date.parse(voting.from)); day <= last;) {
    if (shanghaiDayEnd(day) + tallyGraceMs > now) break
    out.push(day)
    day = shanghaiDay(shanghaiDayEnd(day))
  }
  return out
}

export class TallyPusher {
  readonly #outbox: Sublevel<OutboxRecord>
  readonly #described: Sublevel<string>
  #timer: NodeJS.Timeout | undefined
  #delay: number
  #retry = firstRetryMs / 2
  #running: Promise<TallyPushReport> | undefined
  #stopped = false
  last: { at: string; report: TallyPushReport } | undefined
  /** Days the hub called not over yet: warned about once each. */
  readonly #early = new Set<string>()

  constructor(private readonly opts: TallyPusherOptions) {
    this.#outbox = opts.storage.sublevel('activity-net-outbox')
    this.#described = opts.storage.sublevel('activity-net-described')
    this.#delay = opts.intervalMs ?? 60_000
  }

  get #now(): number {
    return (this.opts.now ?? Date.now)()
  }

  /** Tallies due and not yet acknowledged, oldest day first. */
  async waiting(): Promise<Array<{ activity: string; day: string; attempts: number }>> {
    const out: Array<{ activity: string; day: string; attempts: number }> = []
    for (const a of await this.opts.source.national()) {
      for (const day of dueDays(a.phases.voting, this.#now)) {
        const o = await this.#outbox.get(`${a.id} ${day}`)
        if (!o?.sent && !o?.refused) out.push({ activity: a.id, day, attempts: o?.attempts ?? 0 })
      }
    }
    return out.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0))
  }

  /** Pushes what waits, in rounds of 64, until nothing does or the hub stops answering. */
  pushNow(): Promise<TallyPushReport> {
    this.#running ??= this.#drain().finally(() => (this.#running = undefined))
    return this.#running
  }

  async #drain(): Promise<TallyPushReport> {
    const total: TallyPushReport = { sent: 0, refused: 0, described: 0, pending: 0 }
    for (let round = 0; round < 1000; round++) {
      const r = await this.#pushOnce()
      total.sent += r.sent
      total.refused += r.refused
      total.described += r.described
      total.pending = r.pending
      if (r.error) total.error = r.error
      if (r.error || r.sent + r.refused + r.described === 0 || r.pending === 0) break
    }
    this.last = { at: new Date(this.#now).toISOString(), report: total }
    return total
  }

  /**
   * Descriptions of this node's entries in national activities that the hub has not acknowledged
   * as they stand now (new, or changed: transcoded, withdrawn), at most `limit`. Every entry goes,
   * liked or not: each participant's best go to judging at the hub, with or without likes.
   */
  async #fresh(limit: number): Promise<Array<{ env: SignedEnvelope; key: string; digest: string }>> {
    const out: Array<{ env: SignedEnvelope; key: string; digest: string }> = []
    for (const a of await this.opts.source.national()) {
      for (const id of await this.opts.source.entries(a.id)) {
        if (out.length >= limit) return out
        const entry = await this.opts.source.describe(a.id, id)
        if (!entry) continue
        const key = `${a.id} ${entry.id}`
        // Compared before signing: a node with 10k entries signs only what changed.
        const digest = createHash('sha256').update(JSON.stringify(entry)).digest('base64url')
        if ((await this.#described.get(key)) === digest) continue
        out.push({ env: await seal(this.opts.key, 'shulin/activity-entry', entry), key, digest })
      }
    }
    return out
  }

  async #pushOnce(): Promise<TallyPushReport> {
    const waiting = await this.waiting()
    const fresh = await this.#fresh(maxEntriesPerPush + 1)
    if (!waiting.length && !fresh.length) return { sent: 0, refused: 0, described: 0, pending: 0 }
    const node = this.opts.key.nodeId
    const entries = fresh.slice(0, maxEntriesPerPush)
    let bytes = entries.reduce((n, f) => n + JSON.stringify(f.env).length, 0)
    const batch: typeof waiting = []
    const tallies: SignedEnvelope[] = []
    // Tallies go once every entry is described as it stands: the hub counts likes only on
    // entries it knows, so a tally naming one it does not would lose those likes for good.
    if (fresh.length <= maxEntriesPerPush) {
      for (const w of waiting.slice(0, maxTalliesPerPush)) {
        const likes = (await this.opts.source.likesOn(w.activity, w.day)).filter((l) => l.count > 0)
        const tally: ActivityTally = {
          activity: w.activity,
          node,
          day: w.day,
          likes: likes.map((l) => ({ entry: networkEntryId(node, l.entry), count: l.count })),
        }
        const env = await seal(this.opts.key, 'shulin/activity-tally', tally)
        const size = JSON.stringify(env).length
        if ((batch.length || entries.length) && bytes + size > maxPushBytes) break
        bytes += size
        batch.push(w)
        tallies.push(env)
      }
    }
    let res: TallyPushResponse
    try {
      res = await this.opts.push({ tallies, entries: entries.map((f) => f.env) })
    } catch (err) {
      return { sent: 0, refused: 0, described: 0, pending: waiting.length, error: (err as Error).message }
    }
    if (!res.ok)
      return {
        sent: 0,
        refused: 0,
        described: 0,
        pending: waiting.length,
        error: `the hub refused: ${res.reason}`,
      }
    const ops: BatchOp[] = []
    let described = 0
    for (const [i, f] of entries.entries()) {
      const outcome = res.entries[i]
      if (outcome === 'stored' || outcome === 'duplicate') {
        ops.push(putOp(this.#described, f.key, f.digest))
        described++
      } else if (outcome) this.opts.logger?.warn({ entry: f.key, outcome }, 'the hub refused an entry’s description')
    }
    let sent = 0
    let refused = 0
    for (const [i, w] of batch.entries()) {
      const outcome = res.tallies[i]
      const key = `${w.activity} ${w.day}`
      if (outcome === 'stored' || outcome === 'duplicate') {
        ops.push(putOp(this.#outbox, key, { sent: true, attempts: w.attempts + 1 }))
        sent++
      } else if (outcome && finalTallyRefusals.has(outcome)) {
        ops.push(putOp(this.#outbox, key, { refused: outcome, attempts: w.attempts + 1 }))
        refused++
        this.opts.logger?.warn({ activity: w.activity, day: w.day, outcome }, 'the hub refused a tally')
      } else if (outcome === 'future' && !this.#early.has(key)) {
        this.#early.add(key)
        this.opts.logger?.warn(
          { activity: w.activity, day: w.day, outcome },
          `clock skew: by the hub's clock ${w.day} is not over yet — is this node's clock ahead? The tally waits here and goes again`,
        )
      }
    }
    if (ops.length) await this.opts.storage.commit(ops, { sync: true })
    // Descriptions left over (more than one push holds) count as waiting too.
    const left = waiting.length - sent - refused + (fresh.length - described)
    return { sent, refused, described, pending: left }
  }

  /** Pushes every interval (longer after failures). */
  start(): void {
    const tick = () => {
      this.pushNow()
        .then((r) => {
          // After a failure: soon (the hub restarting, the peer network still starting), then
          // doubling up to an hour; after a success: the normal interval.
          this.#retry = r.error ? Math.min(maxBackoffMs, this.#retry * 2) : firstRetryMs / 2
          this.#delay = r.error ? this.#retry : (this.opts.intervalMs ?? 60_000)
          if (r.error) this.opts.logger?.debug({ err: r.error, pending: r.pending }, 'tallies wait for the hub')
        })
        .catch((err: unknown) => this.opts.logger?.warn({ err }, 'pushing tallies failed'))
        .finally(() => {
          if (this.#stopped) return
          this.#timer = setTimeout(tick, this.#delay)
          this.#timer.unref()
        })
    }
    this.#timer = setTimeout(tick, 1000)
    this.#timer.unref()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#running?.catch(() => undefined)
  }
}
