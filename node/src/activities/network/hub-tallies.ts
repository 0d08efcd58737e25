/**
 * @module activities/network/hub-tallies
 * The hub's side of national activities' daily tallies: the intake that checks and stores them,
 * and the national ranking as their sum.
 *
 * A tally is taken when it is signed by an active member, for itself, for a national activity of
 * this hub, and for a Shanghai day that is over by this hub's clock (allowing the project's clock
 * tolerance, README "Clocks"). It is idempotent by (activity, node, day): the same tally again is
 * a `duplicate` and changes nothing; a *different* tally for a key already held is a `conflict`
 * and the first one stands. Why not "the last one wins": a day's count is final at the member
 * once the day is over (likes carry the day they were cast), so a second, different count means
 * a member's bug or tampering; rewriting the ranking silently would hide it, and without a
 * revision in the tally the hub could not tell an old copy from a correction. The conflict is
 * logged with both digests for the operators.
 *
 * What is taken goes into the hub's activities ({@link TallySink}: the entries as remote entries,
 * the tally into the counts its ranking reads, with the hub's own readers' likes) in the same
 * synced batch as this intake's records, before it is acknowledged: one write per push, and
 * never counts without their record (nor the reverse) after a crash.
 *
 * Owns two sublevels:
 * - `activity-net-tallies`: `<activity> <node> <day>` → the signed tally as received (proof);
 * - `activity-net-entries`: `<activity> <node>/<entry>` → the entry as its node signed it.
 */
import { createHash } from 'node:crypto'
import { EnvelopeError, open } from '@shulin/federation/envelope'
import {
  ActivityTally,
  clockToleranceSeconds,
  NetworkEntry,
  shanghaiDayEnd,
  signingBytes,
  type MemberEntry,
  type SignedEnvelope,
  type TallyOutcome,
  type TallyPush,
  type TallyPushResponse,
} from '@shulin/protocol'
import { putOp, type BatchOp, type Storage, type Sublevel } from '../../storage/db.js'
import { Mutex } from '../../storage/mutex.js'
import type { Logger } from '../../logger.js'

interface StoredTally {
  env: SignedEnvelope
  digest: string
  receivedAt: string
}
interface StoredEntry {
  env: SignedEnvelope
  digest: string
}

/**
 * Where taken tallies go: the hub's activities (idempotent by entry, and by activity+node+day).
 * One call per push: the entries and tallies taken, and `ops` (the intake's own records of
 * them), committed by the sink in ONE synced batch with its own writes.
 */
export interface TallySink {
  take(input: { entries: NetworkEntry[]; tallies: ActivityTally[]; ops: BatchOp[] }): Promise<void>
}

export interface HubTalliesOptions {
  storage: Storage
  sink: TallySink
  /** The registry entry of a node, if it is a member. */
  member: (nodeId: string) => MemberEntry | undefined
  /** Whether `activity` is a national activity this hub organises. */
  national: (activity: string) => Promise<boolean>
  now?: () => number
  logger?: Logger | undefined
}

/** A tally's meaning, whatever the order of its lines or lines of zero: what "the same tally" compares. */
function digestOf(t: ActivityTally): string {
  const likes = t.likes.filter((l) => l.count > 0).sort((a, b) => (a.entry < b.entry ? -1 : a.entry > b.entry ? 1 : 0))
  const merged: Array<{ entry: string; count: number }> = []
  for (const l of likes) {
    const last = merged.at(-1)
    if (last?.entry === l.entry) last.count += l.count
    else merged.push({ ...l })
  }
  return createHash('sha256')
    .update(signingBytes('shulin/activity-tally', t.node, { ...t, likes: merged }))
    .digest('base64url')
}

export class HubTallies {
  readonly #tallies: Sublevel<StoredTally>
  readonly #entries: Sublevel<StoredEntry>
  readonly #mutex = new Mutex()

  constructor(private readonly opts: HubTalliesOptions) {
    this.#tallies = opts.storage.sublevel('activity-net-tallies')
    this.#entries = opts.storage.sublevel('activity-net-entries')
  }

  get #now(): number {
    return (this.opts.now ?? Date.now)()
  }

  /** Takes a push from `from` (the peer id Noise proved); one outcome per envelope, in order. */
  async receive(push: TallyPush, from: string): Promise<TallyPushResponse> {
    const member = this.opts.member(from)
    if (!member || member.status !== 'active') return { ok: false, reason: 'not_member' }
    const tallies = await Promise.all(push.tallies.map((env) => this.#checkTally(env, from)))
    const entries = await Promise.all(push.entries.map((env) => this.#checkEntry(env, from)))
    return this.#mutex.run(async () => {
      const ops: BatchOp[] = []
      const taken: { entries: NetworkEntry[]; tallies: ActivityTally[] } = { entries: [], tallies: [] }
      // Entries first: a tally's likes count only for entries the hub knows.
      const entryOutcomes: TallyOutcome[] = []
      for (const c of entries) {
        if (typeof c === 'string') {
          entryOutcomes.push(c)
          continue
        }
        const key = `${c.entry.activity} ${c.entry.id}`
        if ((await this.#entries.get(key))?.digest === c.digest) {
          entryOutcomes.push('duplicate')
          continue
        }
        taken.entries.push(c.entry)
        ops.push(putOp(this.#entries, key, { env: c.env, digest: c.digest }))
        entryOutcomes.push('stored')
      }
      const seen = new Map<string, string>()
      const tallyOutcomes: TallyOutcome[] = []
      for (const c of tallies) {
        if (typeof c === 'string') {
          tallyOutcomes.push(c)
          continue
        }
        const key = `${c.tally.activity} ${from} ${c.tally.day}`
        const held = seen.get(key) ?? (await this.#tallies.get(key))?.digest
        if (held !== undefined) {
          if (held !== c.digest)
            this.opts.logger?.warn(
              { member: from, activity: c.tally.activity, day: c.tally.day, held, offered: c.digest },
              'a member sent a different tally for a day already counted; the first one stands',
            )
          tallyOutcomes.push(held === c.digest ? 'duplicate' : 'conflict')
          continue
        }
        seen.set(key, c.digest)
        taken.tallies.push(c.tally)
        ops.push(
          putOp(this.#tallies, key, { env: c.env, digest: c.digest, receivedAt: new Date(this.#now).toISOString() }),
        )
        tallyOutcomes.push('stored')
      }
      // Acknowledged = on disk, even after a machine crash: the member will not send it again.
      if (ops.length) await this.opts.sink.take({ ...taken, ops })
      return { ok: true, tallies: tallyOutcomes, entries: entryOutcomes }
    })
  }

  async #checkTally(
    env: SignedEnvelope,
    from: string,
  ): Promise<TallyOutcome | { tally: ActivityTally; env: SignedEnvelope; digest: string }> {
    if (env.signer !== from) return 'wrong_signer'
    let tally: ActivityTally
    try {
      tally = open(env, ActivityTally, { type: 'shulin/activity-tally', signer: from })
    } catch (err) {
      if (err instanceof EnvelopeError) return 'malformed'
      throw err
    }
    if (tally.node !== from) return 'wrong_signer'
    if (!(await this.opts.national(tally.activity))) return 'unknown_activity'
    if (this.#now + clockToleranceSeconds * 1000 < shanghaiDayEnd(tally.day)) {
      // Not over by this hub's clock: the member's clock runs ahead (README "Clocks"). Refused,
      // not stored: the member keeps it and sends it again.
      this.opts.logger?.warn(
        { member: from, activity: tally.activity, day: tally.day },
        `clock skew: ${from} pushed the tally of ${tally.day}, a day not yet over by this hub's clock`,
      )
      return 'future'
    }
    return { tally, env, digest: digestOf(tally) }
  }

  async #checkEntry(
    env: SignedEnvelope,
    from: string,
  ): Promise<TallyOutcome | { entry: NetworkEntry; env: SignedEnvelope; digest: string }> {
    if (env.signer !== from) return 'wrong_signer'
    let entry: NetworkEntry
    try {
      entry = open(env, NetworkEntry, { type: 'shulin/activity-entry', signer: from })
    } catch (err) {
      if (err instanceof EnvelopeError) return 'malformed'
      throw err
    }
    // A node describes only its own entries.
    if (entry.node !== from || !entry.id.startsWith(`${from}/`)) return 'wrong_signer'
    if (!(await this.opts.national(entry.activity))) return 'unknown_activity'
    return { entry, env, digest: createHash('sha256').update(env.sig).digest('base64url') }
  }

  /** Every entry of `activity` the members described. */
  async described(activity: string): Promise<NetworkEntry[]> {
    const out: NetworkEntry[] = []
    for await (const v of this.#entries.values({ gt: `${activity} `, lt: `${activity} ~` }))
      out.push(NetworkEntry.parse(v.env.payload))
    return out
  }

  /** One member's entry as it described it (for judging: where its audio is). */
  async entry(activity: string, id: string): Promise<NetworkEntry | undefined> {
    const v = await this.#entries.get(`${activity} ${id}`)
    return v ? NetworkEntry.parse(v.env.payload) : undefined
  }

  /** The days each member reported for `activity` (what the hub holds, for operators and tests). */
  async reported(activity: string): Promise<Array<{ node: string; day: string }>> {
    const out: Array<{ node: string; day: string }> = []
    for await (const k of this.#tallies.keys({ gt: `${activity} `, lt: `${activity} ~` })) {
      const [, node, day] = k.split(' ')
      out.push({ node: node!, day: day! })
    }
    return out
  }
}
