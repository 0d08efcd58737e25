/**
 * @module notify/notifier
 * The one way the node tells a reader something (issue 21). {@link Notifier.notify} puts the
 * notice in the reader's inbox — at once, with the inbox's dedupe — and queues one delivery per
 * channel the reader chose (Web Push, SMS, WeChat) whose sender is registered and can reach the
 * reader. Queuing is one LevelDB write, so a request that causes a notice never waits on a
 * provider; a worker delivers in the background.
 *
 * The queue is persistent (sublevel `notify-queue`, keyed by due time then id, so the next due
 * job is the first key): a restart resumes it, a failed send is retried with exponential
 * backoff up to {@link maxAttempts}, a job due inside the reader's quiet hours waits for their
 * end (security notices excepted: a reader should hear at once that their password changed),
 * and each channel has a per-reader daily cap (Shanghai day; sublevel `notify-caps`) beyond
 * which the notice stays in the inbox only.
 *
 * @example
 * const notifier = new Notifier({ storage, inbox, logger })
 * notifier.registerChannel(pushSender)
 * notifier.start()
 * await notifier.notify(accountId, { kind: 'new-lecture', title, link: `/lectures/${id}`, dedupe: `lecture:${id}` })
 */
import { randomBytes } from 'node:crypto'
import type { ChannelName, Notice, NoticeKind, NotifyPrefs } from '@shulin/protocol'
import type { InboxService, NoticeInput } from '../inbox/service.js'
import type { Logger } from '../logger.js'
import { delOp, putOp, type Storage, type Sublevel } from '../storage/db.js'
import { Mutex } from '../storage/mutex.js'
import { UndeliverableError, type ChannelMessage, type ChannelSender } from './channels.js'
import { quietUntil, shanghaiDay } from './quiet.js'

/** What happened, for one reader: the inbox notice's fields (the channels say the same). */
export type NotifyEvent = NoticeInput

/** Per reader and channel per Shanghai day. SMS costs money and WeChat limits template sends. */
export const defaultCaps: Record<ChannelName, number> = { push: 20, sms: 5, wechat: 10 }
/** Sends tried per delivery before it is dropped (the inbox still has the notice). */
export const maxAttempts = 8
/** The first retry waits this long, each next one twice as long, capped at {@link maxBackoffMs}. */
export const baseBackoffMs = 30_000
export const maxBackoffMs = 3_600_000
/** A send that has not answered by then counts as failed (and is retried). */
export const sendTimeoutMs = 20_000
const maxSleepMs = 60_000

/** Told at once whatever the reader's quiet hours. */
const urgent: ReadonlySet<NoticeKind> = new Set(['password-changed', 'new-device'])

/** A reader who never chose: push on (the browser asks first anyway), paid channels off. */
export const defaultPrefs: NotifyPrefs = { channels: { push: true, sms: false, wechat: false }, quietHours: null }

interface Job {
  id: string
  accountId: string
  channel: ChannelName
  message: ChannelMessage
  /** Sends tried so far. */
  attempts: number
  due: number
}

export interface NotifierOptions {
  storage: Storage
  inbox: InboxService
  logger?: Logger | undefined
  now?: (() => number) | undefined
  caps?: Partial<Record<ChannelName, number>> | undefined
  /** Tests shorten the backoff. @default 30_000 */
  baseBackoffMs?: number | undefined
}

export type DeliveryOutcome = 'sent' | 'retry' | 'dropped' | 'deferred' | 'capped'

export class Notifier {
  readonly #queue: Sublevel<Job>
  readonly #caps: Sublevel<number>
  readonly #prefs: Sublevel<NotifyPrefs>
  readonly #senders = new Map<ChannelName, ChannelSender>()
  readonly #now: () => number
  readonly #capsPerDay: Record<ChannelName, number>
  /** Cap counts read then written. */
  readonly #mutex = new Mutex()
  readonly #listeners = new Set<(job: Readonly<Job>, outcome: DeliveryOutcome) => void>()
  #timer: NodeJS.Timeout | undefined
  #running = false
  #again = false
  #stopped = true
  #work: Promise<void> = Promise.resolve()

  constructor(private readonly opts: NotifierOptions) {
    this.#queue = opts.storage.sublevel('notify-queue')
    this.#caps = opts.storage.sublevel('notify-caps')
    this.#prefs = opts.storage.sublevel('notify-prefs')
    this.#now = opts.now ?? Date.now
    this.#capsPerDay = { ...defaultCaps, ...opts.caps }
  }

  /** Adds a delivery channel (one sender per channel; a later one replaces it). */
  registerChannel(sender: ChannelSender): void {
    this.#senders.set(sender.channel, sender)
  }

  /** The channels this node can deliver on now. */
  channels(): ChannelName[] {
    return [...this.#senders.keys()]
  }

  sender(channel: ChannelName): ChannelSender | undefined {
    return this.#senders.get(channel)
  }

  /** Told of every delivery's outcome (tests, metrics). */
  onDelivery(listener: (job: Readonly<Job>, outcome: DeliveryOutcome) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  async prefs(accountId: string): Promise<NotifyPrefs> {
    return (await this.#prefs.get(accountId)) ?? defaultPrefs
  }

  async setPrefs(accountId: string, prefs: NotifyPrefs): Promise<NotifyPrefs> {
    await this.opts.storage.commit([putOp(this.#prefs, accountId, prefs)], { sync: true })
    return prefs
  }

  /**
   * Tells a reader: the inbox at once, the chosen channels through the queue. Undefined when
   * the inbox already had this notice (same `dedupe`): nothing is sent twice.
   */
  async notify(accountId: string, event: NotifyEvent): Promise<Notice | undefined> {
    const notice = await this.opts.inbox.post(accountId, event)
    if (!notice) return undefined
    const prefs = await this.prefs(accountId)
    const message: ChannelMessage = {
      noticeId: notice.id,
      kind: notice.kind,
      title: notice.title,
      ...(notice.body !== undefined && { body: notice.body }),
      link: notice.link,
      createdAt: notice.createdAt,
    }
    const ops = []
    for (const [channel, sender] of this.#senders) {
      if (!prefs.channels[channel]) continue
      const reachable = await sender.reachable?.(accountId).catch(() => true)
      if (reachable === false) continue
      const job: Job = {
        id: randomBytes(8).toString('hex'),
        accountId,
        channel,
        message,
        attempts: 0,
        due: this.#now(),
      }
      ops.push(putOp(this.#queue, jobKey(job), job))
    }
    if (ops.length) {
      await this.opts.storage.commit(ops, { sync: true })
      this.#wake()
    }
    return notice
  }

  /** Deliveries waiting (sent, retried or deferred later). */
  async pending(): Promise<number> {
    return (await this.#queue.keys().all()).length
  }

  start(): void {
    this.#stopped = false
    this.#wake()
  }

  /** Stops after the send in flight; queued jobs wait for the next start. */
  async stop(): Promise<void> {
    this.#stopped = true
    if (this.#timer) clearTimeout(this.#timer)
    await this.#work
  }

  /** Runs the due jobs now, then sleeps until the next one. */
  #wake(): void {
    if (this.#stopped) return
    if (this.#running) {
      this.#again = true
      return
    }
    if (this.#timer) clearTimeout(this.#timer)
    this.#running = true
    this.#work = this.#drain()
      .catch((err: unknown) => this.opts.logger?.error({ err }, 'notification queue failed'))
      .then(async () => {
        this.#running = false
        if (this.#stopped) return
        if (this.#again) {
          this.#again = false
          return this.#wake()
        }
        const next = await this.#queue
          .values({ limit: 1 })
          .all()
          .catch(() => [])
        const wait = next[0] ? Math.min(maxSleepMs, Math.max(0, next[0].due - this.#now())) : maxSleepMs
        this.#timer = setTimeout(() => this.#wake(), wait)
        this.#timer.unref()
      })
  }

  async #drain(): Promise<void> {
    for (;;) {
      if (this.#stopped) return
      const due = await this.#queue.values({ lt: `${stamp(this.#now() + 1)}`, limit: 20 }).all()
      if (!due.length) return
      for (const job of due) {
        if (this.#stopped) return
        const outcome = await this.#deliver(job)
        for (const l of this.#listeners) l(job, outcome)
      }
    }
  }

  /** One job: sent (and counted), deferred, retried later, or dropped. */
  async #deliver(job: Job): Promise<DeliveryOutcome> {
    const { storage, logger } = this.opts
    const now = this.#now()
    const sender = this.#senders.get(job.channel)
    const prefs = await this.prefs(job.accountId)
    // The reader turned the channel off since, or the channel is gone (unconfigured).
    if (!sender || !prefs.channels[job.channel]) {
      await storage.commit([delOp(this.#queue, jobKey(job))], { sync: true })
      return 'dropped'
    }
    const until = urgent.has(job.message.kind) ? undefined : quietUntil(now, prefs.quietHours)
    if (until !== undefined) {
      await this.#move(job, { ...job, due: until })
      return 'deferred'
    }
    const capKey = `${shanghaiDay(now)}!${job.channel}!${job.accountId}`
    const count = (await this.#caps.get(capKey)) ?? 0
    if (count >= this.#capsPerDay[job.channel]) {
      logger?.info(
        { channel: job.channel, notice: job.message.noticeId },
        'daily cap reached: notice left in the inbox',
      )
      await storage.commit([delOp(this.#queue, jobKey(job))], { sync: true })
      return 'capped'
    }
    try {
      await withTimeout(sender.send(job.accountId, job.message), sendTimeoutMs)
    } catch (err) {
      const attempts = job.attempts + 1
      if (err instanceof UndeliverableError || attempts >= maxAttempts) {
        logger?.warn({ err, channel: job.channel, attempts }, 'notification dropped')
        await storage.commit([delOp(this.#queue, jobKey(job))], { sync: true })
        return 'dropped'
      }
      const base = this.opts.baseBackoffMs ?? baseBackoffMs
      // Jittered so that many deliveries failing together do not retry together.
      const wait = Math.min(maxBackoffMs, base * 2 ** (attempts - 1)) * (0.8 + Math.random() * 0.4)
      logger?.info(
        { err, channel: job.channel, attempts, waitMs: Math.round(wait) },
        'notification send failed, retrying',
      )
      await this.#move(job, { ...job, attempts, due: now + wait })
      return 'retry'
    }
    await this.#mutex.run(async () => {
      const n = (await this.#caps.get(capKey)) ?? 0
      await storage.commit([delOp(this.#queue, jobKey(job)), putOp(this.#caps, capKey, n + 1)], { sync: true })
    })
    return 'sent'
  }

  async #move(from: Job, to: Job): Promise<void> {
    await this.opts.storage.commit([delOp(this.#queue, jobKey(from)), putOp(this.#queue, jobKey(to), to)], {
      sync: true,
    })
  }
}

/** Fixed-width base36 milliseconds: keys sort by due time. */
const stamp = (t: number) => Math.max(0, Math.floor(t)).toString(36).padStart(10, '0')
const jobKey = (job: Job) => `${stamp(job.due)}!${job.id}`

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}
