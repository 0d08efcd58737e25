/**
 * @module notify/activity-phases
 * Tells readers when a phase of an activity they take part in begins (issue 21's "activity
 * phase" event): the submission phase opening to readers who signed up, voting opening to the
 * readers with an entry, an event's results phase to those who signed up. Each phase is told
 * once: a phase told is noted in the sublevel `notify-activity-phases` (`activity!phase` → when),
 * and the inbox's dedupe key (one per activity, phase and reader) makes a send cut short by a
 * crash post nothing twice when it is finished after the restart.
 *
 * The watcher looks at the node's clock every {@link defaultIntervalMs}, so a phase is told
 * within a minute of its start — and a phase that began while the node was down is told when
 * it comes back, as long as the phase is still running (a phase already over is nobody's news).
 * A recitation's results are told by the activities module when staff publish them
 * (`activity-results`, with each reader's placing), so its results phase is not told here.
 */
import type { PhaseName } from '@shulin/protocol'
import type { ActivityRecord, EntryRecord } from '../activities/index.js'
import type { Logger } from '../logger.js'
import { putOp, type Storage, type Sublevel } from '../storage/db.js'
import type { Notifier } from './notifier.js'

export const defaultIntervalMs = 60_000

/** What the watcher reads of the activities module. */
export interface PhaseActivities {
  /** Published activities. */
  list(): Promise<ActivityRecord[]>
  entries(activityId: string): Promise<EntryRecord[]>
}

export interface ActivityPhaseWatcherOptions {
  storage: Storage
  activities: PhaseActivities
  /** Accounts holding a seat (confirmed or checked in) for an event. */
  signedUp(activityId: string): Promise<string[]>
  notifier: Pick<Notifier, 'notify'>
  /** Entries from other libraries (national activities) are their own node's to tell. */
  nodeId: string
  now?: (() => number) | undefined
  logger?: Logger | undefined
  intervalMs?: number | undefined
}

/** The phases worth a notice, with the words (Chinese first: the inbox shows both). */
const told: Partial<Record<PhaseName, { zh: string; en: string }>> = {
  submission: { zh: '开始提交作品', en: 'entries are open' },
  voting: { zh: '投票开始了', en: 'voting is open' },
  results: { zh: '结果公布', en: 'results are out' },
}

export class ActivityPhaseWatcher {
  readonly #sent: Sublevel<string>
  readonly #now: () => number
  #timer: ReturnType<typeof setInterval> | undefined
  /** One look at a time: a slow look never overlaps the next tick. */
  #running: Promise<number> | undefined

  constructor(private readonly opts: ActivityPhaseWatcherOptions) {
    this.#sent = opts.storage.sublevel('notify-activity-phases')
    this.#now = opts.now ?? Date.now
  }

  start(): void {
    void this.tick()
    this.#timer = setInterval(() => void this.tick(), this.opts.intervalMs ?? defaultIntervalMs)
    this.#timer.unref?.()
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#timer = undefined
    await this.#running?.catch(() => undefined)
  }

  /** Tells every phase that has begun and not been told; resolves to the notices posted. */
  tick(): Promise<number> {
    this.#running ??= this.#look()
      .catch((err: unknown) => {
        this.opts.logger?.error({ err }, 'activity phase notices failed')
        return 0
      })
      .finally(() => (this.#running = undefined))
    return this.#running
  }

  async #look(): Promise<number> {
    const iso = new Date(this.#now()).toISOString()
    let posted = 0
    for (const act of await this.opts.activities.list()) {
      for (const [phase, words] of Object.entries(told) as Array<[PhaseName, { zh: string; en: string }]>) {
        const w = act.request.phases[phase]
        if (!w || !(w.from <= iso && iso < w.to)) continue
        if (phase === 'results' && act.request.kind === 'recitation') continue
        const key = `${act.id}!${phase}`
        if ((await this.#sent.get(key)) !== undefined) continue
        posted += await this.#tell(act, phase, words)
        // Noted only after every reader's notice is in: a crash before this re-sends, deduped.
        await this.opts.storage.commit([putOp(this.#sent, key, iso)], { sync: true })
      }
    }
    return posted
  }

  async #tell(act: ActivityRecord, phase: PhaseName, words: { zh: string; en: string }): Promise<number> {
    const readers = new Set<string>()
    if (phase === 'voting')
      for (const e of await this.opts.activities.entries(act.id))
        if (!e.remote && e.library === this.opts.nodeId && e.status !== 'withdrawn' && e.status !== 'failed')
          readers.add(e.author)
    if (phase !== 'voting' || act.request.kind === 'event')
      for (const account of await this.opts.signedUp(act.id)) readers.add(account)
    let posted = 0
    for (const account of readers) {
      const notice = await this.opts.notifier.notify(account, {
        kind: 'activity-phase',
        title: `“${act.request.title}”${words.zh} · ${words.en}`,
        link: `/activities/${act.id}`,
        dedupe: `activity-phase:${act.id}:${phase}`,
      })
      if (notice) posted++
    }
    if (readers.size) this.opts.logger?.info({ activity: act.id, phase, readers: readers.size }, 'activity phase told')
    return posted
  }
}
