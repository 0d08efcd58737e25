/**
 * @module activities/events/service
 * Sign-up for events (讲座, 展览, 读书会): one sign-up per reader, only inside the sign-up
 * phase; seats up to the capacity, then a waiting list in order of arrival; a cancellation
 * gives the seat to the first waiting, who is told in the inbox; at the desk staff check a
 * reader in by the signed code on their phone (check-in-code.ts).
 *
 * Why a lock per activity and not per reader: the capacity is a property of the activity, so
 * "count the seats, then take one" must not interleave with another reader's sign-up for the
 * same event — with it, 20 readers racing for 2 seats give exactly 2 confirmed. Each change is
 * then one synced batch (store.ts), so a crash never leaves a seat counted but not given.
 */
import { randomBytes } from 'node:crypto'
import type { ActivityView, CheckInResult, MySignups, SignupView, StaffSignup, StaffSignupList } from '@shulin/protocol'
import type { AccountRecord } from '../../accounts/store.js'
import type { Notifier } from '../../notify/notifier.js'
import { ProblemError } from '../../http/problem.js'
import { Mutex } from '../../storage/mutex.js'
import type { CheckInCodes } from './check-in-code.js'
import { maskedReader, maskPhoneNumber } from './mask.js'
import { SignupStore, type SignupRecord, type SignupTotals } from './store.js'
import type { Storage } from '../../storage/db.js'
import type { Logger } from '../../logger.js'

/** What sign-up needs of the activities (act-core's service answers it). */
export interface EventActivities {
  /** An activity as readers see it; undefined when unknown (or not visible to readers). */
  view(id: string): Promise<ActivityView | undefined>
}

export interface SignupAccounts {
  get(id: string): Promise<AccountRecord | undefined>
}

export interface SignupServiceOptions {
  storage: Storage
  activities: EventActivities
  accounts: SignupAccounts
  notifier: Pick<Notifier, 'notify'>
  codes: CheckInCodes
  logger?: Logger
  now?: () => number
}

/** A code stays valid this long after the activity's last phase ends (events often follow the sign-up). */
export const codeGraceMs = 30 * 86_400_000

/** One lock per activity, dropped when nobody waits on it. */
class ActivityLocks {
  readonly #locks = new Map<string, { mutex: Mutex; users: number }>()

  async run<T>(activity: string, fn: () => Promise<T>): Promise<T> {
    let lock = this.#locks.get(activity)
    if (!lock) this.#locks.set(activity, (lock = { mutex: new Mutex(), users: 0 }))
    lock.users++
    try {
      return await lock.mutex.run(fn)
    } finally {
      if (--lock.users === 0) this.#locks.delete(activity)
    }
  }
}

export class SignupService {
  readonly #store: SignupStore
  readonly #locks = new ActivityLocks()
  readonly #now: () => number

  constructor(private readonly opts: SignupServiceOptions) {
    this.#store = new SignupStore(opts.storage)
    this.#now = opts.now ?? Date.now
  }

  /** Seats taken and people waiting (ActivityView.signups). */
  async counts(activity: string): Promise<{ confirmed: number; waitlisted: number }> {
    const t = await this.#store.totals(activity)
    return { confirmed: t.seated, waitlisted: t.waitlisted }
  }

  /** Signs a reader up: a seat while there is one, else the end of the waiting list. */
  async signUp(activityId: string, account: AccountRecord): Promise<SignupView> {
    const activity = await this.#event(activityId)
    if (activity.audience === 'node-readers' && account.home)
      throw new ProblemError('forbidden', { detail: 'This event is for this library’s own readers.' })
    return this.#locks.run(activityId, async () => {
      // Read again under the lock: the capacity or the phase may have changed while we waited.
      const view = await this.#event(activityId)
      this.#requireSignupOpen(view)
      const current = await this.#store.ofReader(activityId, account.id)
      if (current && current.status !== 'cancelled') throw new ProblemError('already_signed_up')
      const totals = await this.#store.totals(activityId)
      const seat = view.capacity === null || totals.seated < view.capacity
      const at = new Date(this.#now()).toISOString()
      const record: SignupRecord = {
        id: randomBytes(12).toString('base64url'),
        activity: activityId,
        account: account.id,
        status: seat ? 'confirmed' : 'waitlisted',
        seq: totals.seq + 1,
        createdAt: at,
        updatedAt: at,
        checkedInAt: null,
        cancelledAt: null,
      }
      const next: SignupTotals = {
        ...totals,
        seq: record.seq,
        seated: totals.seated + (seat ? 1 : 0),
        waitlisted: totals.waitlisted + (seat ? 0 : 1),
      }
      await this.#store.commit([...this.#store.put(record), this.#store.putTotals(activityId, next)])
      return this.#view(record, view)
    })
  }

  /**
   * Cancels a reader's sign-up (at any time before check-in: a seat given back late is still
   * a seat); a freed seat goes to the first waiting, who is told in the inbox.
   */
  async cancel(activityId: string, accountId: string): Promise<SignupView> {
    const activity = await this.#event(activityId)
    const { cancelled, promoted } = await this.#locks.run(activityId, async () => {
      const view = await this.#event(activityId)
      const current = await this.#store.ofReader(activityId, accountId)
      if (!current || current.status === 'cancelled') throw new ProblemError('not_signed_up')
      if (current.status === 'checked-in') throw new ProblemError('already_checked_in')
      const at = new Date(this.#now()).toISOString()
      const cancelled: SignupRecord = { ...current, status: 'cancelled', cancelledAt: at, updatedAt: at }
      const totals = await this.#store.totals(activityId)
      const next: SignupTotals = {
        ...totals,
        seated: totals.seated - (current.status === 'confirmed' ? 1 : 0),
        waitlisted: totals.waitlisted - (current.status === 'waitlisted' ? 1 : 0),
      }
      const ops = this.#store.put(cancelled, current)
      // Fill every free seat from the front of the list (also seats a raised capacity opened).
      const free = view.capacity === null ? next.waitlisted : Math.max(0, view.capacity - next.seated)
      const promoted: SignupRecord[] = []
      for (const id of await this.#store.waiting(activityId, free + 1)) {
        if (promoted.length >= free || id === current.id) continue
        const waiting = await this.#store.get(activityId, id)
        if (!waiting) continue
        const seated: SignupRecord = { ...waiting, status: 'confirmed', updatedAt: at }
        ops.push(...this.#store.put(seated, waiting))
        promoted.push(seated)
      }
      next.seated += promoted.length
      next.waitlisted -= promoted.length
      ops.push(this.#store.putTotals(activityId, next))
      await this.#store.commit(ops)
      return { cancelled, promoted }
    })
    // The seats are given (committed) whatever happens to the notices: a failed notice is logged,
    // not turned into a failed cancellation the reader would retry into `not_signed_up`.
    for (const p of promoted)
      await this.#tellPromoted(p, activity).catch((err: unknown) =>
        this.opts.logger?.warn({ err, activity: activityId }, 'could not tell a promoted reader'),
      )
    return this.#view(cancelled, activity)
  }

  /** The reader's own sign-up for an activity. */
  async mine(activityId: string, accountId: string): Promise<SignupView> {
    const activity = await this.#event(activityId)
    const record = await this.#store.ofReader(activityId, accountId)
    if (!record) throw new ProblemError('not_signed_up')
    return this.#view(record, activity)
  }

  /** Accounts holding a seat (confirmed or checked in), for notices (notify/activity-phases). */
  async seated(activityId: string): Promise<string[]> {
    const records = await this.#store.all(activityId)
    return records.filter((r) => r.status === 'confirmed' || r.status === 'checked-in').map((r) => r.account)
  }

  /** "My sign-ups": newest first, with each event's title and place. */
  async listMine(accountId: string): Promise<MySignups> {
    const records = await this.#store.ofAccount(accountId)
    const signups = []
    for (const r of records) {
      const activity = await this.opts.activities.view(r.activity)
      if (!activity) continue
      signups.push({ ...(await this.#view(r, activity)), title: activity.title, location: activity.location })
    }
    signups.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0))
    return { signups }
  }

  /** The staff's list: every sign-up in order of arrival, names masked. */
  async staffList(activityId: string): Promise<StaffSignupList> {
    const activity = await this.#event(activityId)
    const [records, totals] = await Promise.all([this.#store.all(activityId), this.#store.totals(activityId)])
    const signups: StaffSignup[] = []
    let waiting = 0
    for (const r of records) {
      const account = await this.opts.accounts.get(r.account)
      signups.push({
        id: r.id,
        name: account ? maskedReader(account) : '—',
        cardNo: account?.cardNo ?? null,
        phone: account?.phone ? maskPhoneNumber(account.phone) : null,
        status: r.status,
        position: r.status === 'waitlisted' ? ++waiting : null,
        createdAt: r.createdAt,
        checkedInAt: r.checkedInAt,
      })
    }
    return {
      activity: activityId,
      capacity: activity.capacity,
      confirmed: totals.seated,
      waitlisted: totals.waitlisted,
      checkedIn: totals.checkedIn,
      signups,
    }
  }

  /**
   * Checks in the sign-up a scanned code names — once, for this activity only, while it holds
   * a seat — and tells the desk who it is (masked). Each refusal has its own code.
   */
  async checkIn(activityId: string, code: string): Promise<CheckInResult> {
    await this.#event(activityId)
    const claim = this.opts.codes.read(code)
    if (!claim.ok) throw new ProblemError('check_in_invalid')
    if (claim.activity !== activityId) throw new ProblemError('check_in_wrong_activity')
    if (claim.expiresAt <= this.#now()) throw new ProblemError('check_in_expired')
    return this.#locks.run(activityId, async () => {
      const record = await this.#store.get(activityId, claim.signup)
      // A good MAC over a sign-up this node never wrote: treat as any other unreadable code.
      // (A waiting sign-up is never given a code, and a seat once held is never taken back.)
      if (!record || record.status === 'waitlisted') throw new ProblemError('check_in_invalid')
      if (record.status === 'cancelled') throw new ProblemError('check_in_cancelled')
      if (record.status === 'checked-in')
        throw new ProblemError('already_checked_in', { detail: `checked in at ${record.checkedInAt}` })
      const at = new Date(this.#now()).toISOString()
      const done: SignupRecord = { ...record, status: 'checked-in', checkedInAt: at, updatedAt: at }
      const totals = await this.#store.totals(activityId)
      await this.#store.commit([
        ...this.#store.put(done, record),
        this.#store.putTotals(activityId, { ...totals, checkedIn: totals.checkedIn + 1 }),
      ])
      const account = await this.opts.accounts.get(record.account)
      return {
        activity: activityId,
        signup: record.id,
        name: account ? maskedReader(account) : '—',
        status: 'checked-in' as const,
        checkedInAt: at,
      }
    })
  }

  /** The check-in code of a sign-up holding a seat (deterministic: the same code every time). */
  codeOf(record: SignupRecord, activity: ActivityView): string | null {
    if (record.status !== 'confirmed' && record.status !== 'checked-in') return null
    return this.opts.codes.mint({ activity: record.activity, signup: record.id, expiresAt: codeExpiry(activity) })
  }

  async #view(record: SignupRecord, activity: ActivityView): Promise<SignupView> {
    return {
      activity: record.activity,
      status: record.status,
      position: record.status === 'waitlisted' ? await this.#store.position(record) : null,
      checkInCode: this.codeOf(record, activity),
      createdAt: record.createdAt,
    }
  }

  async #event(id: string): Promise<ActivityView> {
    // Ids become parts of keys: one with the separator cannot be an activity's.
    const view = id.includes('!') ? undefined : await this.opts.activities.view(id)
    if (!view) throw new ProblemError('not_found')
    if (view.kind !== 'event') throw new ProblemError('conflict', { detail: 'Only events take sign-ups.' })
    return view
  }

  #requireSignupOpen(view: ActivityView): void {
    const window = view.phases.signup
    const now = this.#now()
    if (!window) throw new ProblemError('signup_closed', { detail: 'This event takes no sign-ups.' })
    if (now < Date.parse(window.from))
      throw new ProblemError('signup_closed', { detail: `Sign-up opens at ${window.from}.` })
    if (now >= Date.parse(window.to))
      throw new ProblemError('signup_closed', { detail: `Sign-up closed at ${window.to}.` })
  }

  async #tellPromoted(record: SignupRecord, activity: ActivityView): Promise<void> {
    await this.opts.notifier.notify(record.account, {
      kind: 'signup-confirmed',
      title: `报名成功：${activity.title}`,
      body: '有读者取消了报名，您已从候补名单转为正式报名，请凭签到码入场。',
      link: `/activities/${encodeURIComponent(activity.id)}`,
      dedupe: `signup-confirmed:${record.activity}:${record.id}`,
    })
  }
}

/** When an activity's check-in codes stop working: a grace period after its last phase ends. */
export function codeExpiry(activity: ActivityView): number {
  const ends = Object.values(activity.phases)
    .filter((w) => w !== undefined)
    .map((w) => Date.parse(w.to))
  const last = ends.length ? Math.max(...ends) : Date.parse(activity.createdAt) + 365 * 86_400_000
  return last + codeGraceMs
}
