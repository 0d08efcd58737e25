/**
 * @module stats/hub
 * The hub's side of the roll-ups: the intake that checks and stores them (signed by an active
 * member, for itself, not dated in the future, well-formed; a higher revision replaces the
 * day, the same or a lower one is a duplicate), and the national figures by node, region and
 * level that the dashboards, indicators and SUSHI read.
 *
 * Intake is group-committed: pushes that arrive while a commit is on disk wait for the next one,
 * and go down together in one synced batch (at most {@link maxPushesPerCommit}). At 3,000
 * members pushing after midnight, that is tens of fsyncs, not 3,000 one after another; each
 * push is still acknowledged only once it is on disk.
 */
import { EnvelopeError, open } from '@shulin/federation/envelope'
import {
  addHours,
  addInto,
  localDay,
  nextDay,
  Rollup,
  zeroCounts,
  zeroDevices,
  zeroHours,
  zeroMethods,
  type MemberEntry,
  type MetricCounts,
  type RollupOutcome,
  type SignedEnvelope,
  type StatsPush,
  type StatsPushResponse,
  Weights,
} from '@shulin/protocol'
import { putOp, type Storage } from '../storage/db.js'
import type { Logger } from '../logger.js'
import { HubStatsStore, type Agg, type StoredRollup, type YearAgg } from './hub-store.js'
import { weekday } from './service.js'
import { defaultWeights } from './indicators.js'

/** Pushes written in one synced batch at most (a push is up to a few hundred roll-ups). */
export const maxPushesPerCommit = 256

type Checked = Array<{ rollup: Rollup; env: SignedEnvelope } | RollupOutcome>
interface Queued {
  from: string
  member: MemberEntry
  checked: Checked
  resolve: (r: StatsPushResponse) => void
  reject: (err: unknown) => void
}

export interface HubStatsOptions {
  storage: Storage
  /** The registry entry of a node, if it is a member. */
  member: (nodeId: string) => MemberEntry | undefined
  now?: () => number
  /** Roll-ups older than this many days are refused (COUNTER keeps the current and 2 previous years). */
  maxAgeDays?: number
  logger?: Logger | undefined
}

export interface HubSummary {
  scope: string
  from: string
  to: string
  totals: MetricCounts
  reports: number
  days: Array<{ day: string; totals: MetricCounts; reports: number }>
  heatmap: number[][]
  devices: Agg['devices']
  methods: Agg['methods']
}

export class HubStats {
  readonly #store: HubStatsStore
  /** Pushes checked and waiting for the next commit, in arrival order. */
  readonly #queue: Queued[] = []
  #draining = false
  /** Synced batches written by the intake (a figure for tests and the simulator). */
  #commits = 0

  constructor(private readonly opts: HubStatsOptions) {
    this.#store = new HubStatsStore(opts.storage)
  }

  get #now(): number {
    return (this.opts.now ?? Date.now)()
  }

  /** Takes a push from `from` (the peer id Noise proved); one outcome per roll-up, in order. */
  async receive(push: StatsPush, from: string): Promise<StatsPushResponse> {
    const member = this.opts.member(from)
    if (!member || member.status !== 'active') return { ok: false, reason: 'not_member' }
    // The latest local day anywhere on Earth (UTC+14): a node's "yesterday" is never later.
    const latest = localDay(this.#now, 14 * 60).day
    const oldest = nextDay(localDay(this.#now, 0).day, -(this.opts.maxAgeDays ?? 3 * 366))
    const checked: Checked = push.rollups.map((env) => {
      if (env.signer !== from) return 'wrong_signer'
      let rollup: Rollup
      try {
        rollup = open(env, Rollup, { type: 'shulin/rollup', signer: from })
      } catch (err) {
        if (err instanceof EnvelopeError) return 'malformed'
        throw err
      }
      if (rollup.node !== from) return 'wrong_signer'
      if (rollup.day >= latest) {
        // Not begun-and-ended anywhere on Earth by this clock: the member's clock runs ahead
        // (README "Clocks"). Refused, not stored: the member keeps it and sends it again.
        this.opts.logger?.warn(
          { member: from, day: rollup.day, latest },
          `clock skew: ${from} pushed the roll-up of ${rollup.day}, a day not yet over by this hub's clock`,
        )
        return 'future'
      }
      if (rollup.day < oldest) return 'too_old'
      return { rollup, env }
    })
    return new Promise<StatsPushResponse>((resolve, reject) => {
      this.#queue.push({ from, member, checked, resolve, reject })
      if (!this.#draining) void this.#drain()
    })
  }

  /** Synced batches the intake has written so far. */
  get commits(): number {
    return this.#commits
  }

  /** One writer: takes what queued while the last commit was on disk and commits it as one. */
  async #drain(): Promise<void> {
    this.#draining = true
    try {
      while (this.#queue.length) await this.#commitGroup(this.#queue.splice(0, maxPushesPerCommit))
    } finally {
      this.#draining = false
    }
  }

  async #commitGroup(group: Queued[]): Promise<void> {
    const answers: StatsPushResponse[] = []
    try {
      const ops = []
      // Across the group: several revisions of one day (in one push or several), the highest wins.
      const pending = new Map<string, { rollup: Rollup; stored: StoredRollup }>()
      for (const { from, member, checked } of group) {
        const outcomes: RollupOutcome[] = []
        for (const c of checked) {
          if (typeof c === 'string') {
            outcomes.push(c)
            continue
          }
          const key = `${from} ${c.rollup.day}`
          const held = pending.get(key) ?? (await this.#held(key))
          if (held && held.rollup.revision >= c.rollup.revision) {
            outcomes.push('duplicate')
            continue
          }
          const stored: StoredRollup = {
            env: c.env,
            revision: c.rollup.revision,
            receivedAt: new Date(this.#now).toISOString(),
            region: member.region,
            level: member.level,
          }
          const next = { rollup: c.rollup, stored }
          ops.push(...(await this.#store.replaceOps(next, held)))
          pending.set(key, next)
          outcomes.push('stored')
        }
        answers.push({ ok: true, outcomes })
      }
      // Acknowledged = on disk, even after a machine crash: the node will not send it again.
      if (ops.length) {
        this.#commits++
        await this.opts.storage.commit(ops, { sync: true })
      }
    } catch (err) {
      // Nothing of the group is stored: every member keeps its roll-ups and sends them again.
      this.#store.forget()
      for (const q of group) q.reject(err)
      return
    }
    for (const [i, q] of group.entries()) q.resolve(answers[i]!)
  }

  async #held(key: string): Promise<{ rollup: Rollup; stored: StoredRollup } | undefined> {
    const stored = await this.#store.rollups.get(key)
    if (!stored) return undefined
    // Its own signature was checked on the way in; the payload is read back as it was stored.
    return { rollup: Rollup.parse(stored.env.payload), stored }
  }

  /** National (scope `all`), province `p:33`, city `c:3301`, level `l:county` figures. */
  async summary(scope: string, from: string, to: string): Promise<HubSummary> {
    const rows = await this.#store.scope(scope, from, to)
    const totals = zeroCounts()
    const heatmap = Array.from({ length: 7 }, () => zeroHours())
    const devices = zeroDevices()
    const methods = zeroMethods()
    let reports = 0
    for (const { day, agg } of rows) {
      addInto(totals, agg.totals)
      addHours(heatmap[weekday(day)]!, agg.hours)
      addInto(devices, agg.devices)
      addInto(methods, agg.methods)
      reports += agg.reports
    }
    return {
      scope,
      from,
      to,
      totals,
      reports,
      days: rows.map(({ day, agg }) => ({ day, totals: agg.totals, reports: agg.reports })),
      heatmap,
      devices,
      methods,
    }
  }

  /** Each day's figures summed over the members in `scope`, from `from` to `to`. */
  scopeDays(scope: string, from: string, to: string): ReturnType<HubStatsStore['scope']> {
    return this.#store.scope(scope, from, to)
  }

  /** The assessment weights the operators set, or the defaults. */
  async weights(): Promise<Weights> {
    return Weights.parse((await this.#store.config.get('weights')) ?? defaultWeights)
  }

  async setWeights(weights: Weights): Promise<void> {
    await this.#store.storage.commit([putOp(this.#store.config, 'weights', weights)], { sync: true })
  }

  /** Every member's year so far. */
  years(year: string): Promise<Map<string, YearAgg>> {
    return this.#store.years(year)
  }

  /** One member's roll-ups (newest revision of each day) from `from` to `to`. */
  async memberDays(nodeId: string, from: string, to: string): Promise<Rollup[]> {
    const out: Rollup[] = []
    for await (const v of this.#store.rollups.values({ gte: `${nodeId} ${from}`, lte: `${nodeId} ${to}` }))
      out.push(Rollup.parse(v.env.payload))
    return out
  }

  /**
   * The most used titles of the given members from `from` to `to`, from each day's top list
   * (one range read per member: 3,000 members × 30 days is ~90k small records).
   */
  async topTitles(
    members: readonly MemberEntry[],
    from: string,
    to: string,
    n = 20,
  ): Promise<
    Array<{ node: string; library: string; id: string; title: string; investigations: number; requests: number }>
  > {
    const all = new Map<
      string,
      { node: string; library: string; id: string; title: string; investigations: number; requests: number }
    >()
    for (const m of members) {
      for await (const v of this.#store.rollups.values({ gte: `${m.nodeId} ${from}`, lte: `${m.nodeId} ${to}` })) {
        for (const t of (v.env.payload as Rollup).top) {
          const key = `${m.nodeId} ${t.id}`
          const row = all.get(key) ?? {
            node: m.nodeId,
            library: m.name,
            id: t.id,
            title: t.title,
            investigations: 0,
            requests: 0,
          }
          row.investigations += t.investigations
          row.requests += t.requests
          all.set(key, row)
        }
      }
    }
    return [...all.values()].sort((a, b) => b.requests - a.requests || b.investigations - a.investigations).slice(0, n)
  }
}
