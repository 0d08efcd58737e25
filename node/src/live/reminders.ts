/**
 * @module live/reminders
 * "Add to my reminders": a reader's inbox gets a `live-starting` notice shortly before a
 * lecture starts. Reminders are stored (`live-remind`, keyed by when they are due), so a
 * restart loses none: on start the due ones are sent at once, the rest when their time comes.
 * A lecture that ended (or went) before its reminder was due sends nothing; a notice is posted
 * once per reader and lecture (the inbox's dedupe), however often the reader pressed the button.
 */
import type { Notifier } from '../notify/notifier.js'
import type { Logger } from '../logger.js'
import type { LiveService } from './service.js'

/** The notice comes this long before the start (or at once, when that is already past). */
export const remindLeadMs = 10 * 60_000
/** The longest sleep between looks at the store (a timer's limit, and a clock set forward). */
const maxSleepMs = 60_000

export interface ReminderOptions {
  live: LiveService
  notifier: Pick<Notifier, 'notify'>
  logger: Logger
  now?: (() => number) | undefined
  leadMs?: number
}

export class LiveReminders {
  #timer: NodeJS.Timeout | undefined
  #running = false
  #stopped = true
  #sending: Promise<void> = Promise.resolve()
  readonly #now: () => number

  constructor(private readonly opts: ReminderOptions) {
    this.#now = opts.now ?? Date.now
  }

  /** Files a reminder for a reader; answers when the notice is due. */
  async add(liveId: string, accountId: string): Promise<Date> {
    const r = await this.opts.live.get(liveId)
    const due = Math.max(this.#now(), new Date(r.start).getTime() - (this.opts.leadMs ?? remindLeadMs))
    await this.opts.live.store.addReminder({ liveId: r.id, accountId, due })
    this.#wake()
    return new Date(due)
  }

  start(): void {
    this.#stopped = false
    this.#wake()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    if (this.#timer) clearTimeout(this.#timer)
    await this.#sending
  }

  /** Sends what is due now, then sleeps until the next one. */
  #wake(): void {
    if (this.#stopped) return
    if (this.#timer) clearTimeout(this.#timer)
    if (this.#running) return
    this.#running = true
    this.#sending = this.#send()
      .catch((err: unknown) => this.opts.logger.error({ err }, 'live reminders could not be sent'))
      .then(async () => {
        this.#running = false
        if (this.#stopped) return
        const next = await this.opts.live.store.nextDue().catch(() => undefined)
        const wait = next === undefined ? maxSleepMs : Math.min(maxSleepMs, Math.max(0, next - this.#now()))
        this.#timer = setTimeout(() => this.#wake(), wait)
        this.#timer.unref()
      })
  }

  async #send(): Promise<void> {
    const { live, notifier } = this.opts
    for (;;) {
      const due = await live.store.dueReminders(this.#now(), 100)
      if (!due.length) return
      for (const rem of due) {
        const r = await live.store.get(rem.liveId)
        if (r && r.status !== 'ended')
          await notifier.notify(rem.accountId, {
            kind: 'live-starting',
            title: r.title,
            body: `直播将于 ${shanghai(r.start)} 开始 · starts at ${r.start}`,
            link: `/live/${r.id}`,
            dedupe: `live-starting:${r.id}`,
          })
      }
      // Dropped after posting: a crash in between posts again, which the dedupe makes once.
      await live.store.dropReminders(due)
      if (this.#stopped) return
    }
  }
}

/** `2026-12-03 20:00` in Asia/Shanghai (how lectures' times are shown). */
function shanghai(iso: string): string {
  return new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }).replace(/\//g, '-')
}
