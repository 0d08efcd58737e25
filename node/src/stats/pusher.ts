/**
 * @module stats/pusher
 * A member's queue of roll-ups for the hub: every aggregated day waits in the outbox until the
 * hub acknowledges that revision (stored, or already held). Pushes go oldest first, up to 64
 * at once; when the hub cannot be reached the next attempt waits longer (doubling from the
 * normal interval up to an hour), so a node offline for a week sends its backlog as soon as
 * it is back, and a re-aggregated day goes again with its next revision.
 */
import { seal } from '@shulin/federation/envelope'
import type { NodeKey } from '@shulin/federation/identity'
import type { RollupOutcome, SignedEnvelope, StatsPushResponse } from '@shulin/protocol'
import { putOp } from '../storage/db.js'
import type { Logger } from '../logger.js'
import type { StatsService } from './service.js'

/** Refusals that a later attempt cannot change; others (not a member yet, clock skew) are retried. */
const final = new Set<RollupOutcome>(['invalid', 'malformed', 'wrong_signer', 'too_old'])
const maxPerPush = 64
const maxBackoffMs = 3_600_000

export interface PusherOptions {
  stats: StatsService
  key: NodeKey
  /** Sends to the hub; throws when it cannot be reached (or this node is no member). */
  push: (rollups: SignedEnvelope[]) => Promise<StatsPushResponse>
  intervalMs?: number
  logger?: Logger | undefined
}

export interface PushReport {
  sent: number
  refused: number
  pending: number
  error?: string
}

export class RollupPusher {
  #timer: NodeJS.Timeout | undefined
  #delay: number
  #running: Promise<PushReport> | undefined
  #stopped = false
  last: { at: string; report: PushReport } | undefined
  /** Days (and revisions) the hub called future-dated: warned about once each. */
  readonly #early = new Set<string>()

  constructor(private readonly opts: PusherOptions) {
    this.#delay = opts.intervalMs ?? 60_000
  }

  /** Pushes what waits, in rounds of 64, until nothing does or the hub stops answering. */
  pushNow(): Promise<PushReport> {
    this.#running ??= this.#drain().finally(() => (this.#running = undefined))
    return this.#running
  }

  async #drain(): Promise<PushReport> {
    const total: PushReport = { sent: 0, refused: 0, pending: 0 }
    for (let round = 0; round < 1000; round++) {
      const r = await this.#pushOnce()
      total.sent += r.sent
      total.refused += r.refused
      total.pending = r.pending
      if (r.error) total.error = r.error
      if (r.error || r.sent + r.refused === 0 || r.pending === 0) break
    }
    this.last = { at: new Date().toISOString(), report: total }
    return total
  }

  async #pushOnce(): Promise<PushReport> {
    const { store } = this.opts.stats
    const waiting: Array<{ day: string; revision: number; attempts: number }> = []
    for await (const [day, o] of store.outbox.iterator())
      if (!o.sent && !o.refused) waiting.push({ day, revision: o.revision, attempts: o.attempts })
    if (!waiting.length) return { sent: 0, refused: 0, pending: 0 }
    const batch = waiting.slice(0, maxPerPush)
    const envs: SignedEnvelope[] = []
    for (const w of batch) {
      const rollup = await this.opts.stats.rollup(w.day)
      if (rollup) envs.push(await seal(this.opts.key, 'shulin/rollup', rollup))
    }
    let res: StatsPushResponse
    try {
      res = await this.opts.push(envs)
    } catch (err) {
      return { sent: 0, refused: 0, pending: waiting.length, error: (err as Error).message }
    }
    if (!res.ok) return { sent: 0, refused: 0, pending: waiting.length, error: `the hub refused: ${res.reason}` }
    const ops = []
    let sent = 0
    let refused = 0
    for (const [i, w] of batch.entries()) {
      const outcome = res.outcomes[i]
      // The day may have been aggregated again meanwhile: only the revision pushed is settled.
      const now = await store.outbox.get(w.day)
      if (!outcome || !now || now.revision !== w.revision) continue
      if (outcome === 'stored' || outcome === 'duplicate') {
        ops.push(putOp(store.outbox, w.day, { ...now, sent: true, attempts: now.attempts + 1 }))
        sent++
      } else if (final.has(outcome)) {
        ops.push(putOp(store.outbox, w.day, { ...now, refused: outcome, attempts: now.attempts + 1 }))
        refused++
        this.opts.logger?.warn({ day: w.day, revision: w.revision, outcome }, 'the hub refused a roll-up')
      } else if (outcome === 'future' && !this.#early.has(`${w.day} ${w.revision}`)) {
        this.#early.add(`${w.day} ${w.revision}`)
        this.opts.logger?.warn(
          { day: w.day, revision: w.revision, outcome },
          `clock skew: by the hub's clock ${w.day} is not over yet — is this node's clock ahead? The roll-up waits here and goes again`,
        )
      }
    }
    if (ops.length) await store.storage.commit(ops, { sync: true })
    return { sent, refused, pending: waiting.length - sent - refused }
  }

  /** Pushes every interval (longer after failures). */
  start(): void {
    const tick = () => {
      this.pushNow()
        .then((r) => {
          this.#delay = r.error ? Math.min(maxBackoffMs, this.#delay * 2) : (this.opts.intervalMs ?? 60_000)
          if (r.error) this.opts.logger?.debug({ err: r.error, pending: r.pending }, 'roll-ups wait for the hub')
        })
        .catch((err: unknown) => this.opts.logger?.warn({ err }, 'pushing roll-ups failed'))
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
