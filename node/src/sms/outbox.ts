/**
 * @module sms/outbox
 * Texts waiting to reach a provider. A send is tried at once and the caller waits at most
 * `waitMs` for it: a provider down or slow never holds a request longer. A try that failed in a
 * way that may pass later is retried with exponential backoff (and jitter) until the text
 * expires or `maxAttempts`; a refused one (bad key, template, number) is dropped and logged.
 *
 * Kept in memory on purpose: the texts carry one-time codes in clear, which are never written
 * to disk (the store keeps only their hashes); a code lost in a restart is simply asked again.
 */
import { SmsSendError } from './providers.js'

export interface OutboxJob {
  phone: string
  /** What the text is, for the log. */
  kind: string
  /** Sends it; throws {@link SmsSendError} (or anything, taken as retryable). */
  deliver(): Promise<void>
  /** After this the text is useless (an expired code) and is dropped. */
  expiresAt: number
}

export interface OutboxOptions {
  now?: () => number
  /** How long a caller waits for the first try. */
  waitMs?: number
  /** The first retry's delay; each next one doubles, up to `maxBackoffMs`. */
  backoffMs?: number
  maxBackoffMs?: number
  maxAttempts?: number
  /** Texts waiting at most; past it new ones are refused (a provider down for long under load). */
  maxQueued?: number
  log?: (event: 'sent' | 'retry' | 'dropped', job: OutboxJob, err?: unknown) => void
}

export interface OutboxStats {
  sent: number
  retries: number
  dropped: number
  waiting: number
}

export class SmsOutbox {
  readonly #o: Required<Omit<OutboxOptions, 'log'>> & Pick<OutboxOptions, 'log'>
  readonly #timers = new Set<NodeJS.Timeout>()
  #waiting = 0
  #closed = false
  readonly stats = { sent: 0, retries: 0, dropped: 0 }

  constructor(opts: OutboxOptions = {}) {
    this.#o = {
      now: Date.now,
      waitMs: 1500,
      backoffMs: 2000,
      maxBackoffMs: 5 * 60_000,
      maxAttempts: 8,
      maxQueued: 1000,
      ...opts,
    }
  }

  get waiting(): number {
    return this.#waiting
  }

  /** Queues the text and waits a short while for its first try: `sent`, or `queued` (still trying). */
  async submit(job: OutboxJob): Promise<'sent' | 'queued'> {
    if (this.#closed || this.#waiting >= this.#o.maxQueued) {
      this.stats.dropped++
      this.#o.log?.('dropped', job, new Error('outbox full'))
      return 'queued'
    }
    this.#waiting++
    const first = this.#attempt(job, 1)
    let timer: NodeJS.Timeout | undefined
    const waited = new Promise<'queued'>((resolve) => {
      timer = setTimeout(() => resolve('queued'), this.#o.waitMs)
    })
    try {
      return await Promise.race([first, waited])
    } finally {
      clearTimeout(timer)
    }
  }

  async #attempt(job: OutboxJob, attempt: number): Promise<'sent' | 'queued'> {
    try {
      await job.deliver()
      this.stats.sent++
      this.#waiting--
      this.#o.log?.('sent', job)
      return 'sent'
    } catch (err) {
      const retryable = !(err instanceof SmsSendError) || err.retryable
      const delay = Math.min(this.#o.maxBackoffMs, this.#o.backoffMs * 2 ** (attempt - 1))
      const jittered = delay / 2 + Math.random() * (delay / 2)
      if (!retryable || this.#closed || attempt >= this.#o.maxAttempts || this.#o.now() + jittered > job.expiresAt) {
        this.stats.dropped++
        this.#waiting--
        this.#o.log?.('dropped', job, err)
        return 'queued'
      }
      this.stats.retries++
      this.#o.log?.('retry', job, err)
      const timer = setTimeout(() => {
        this.#timers.delete(timer)
        void this.#attempt(job, attempt + 1)
      }, jittered)
      timer.unref()
      this.#timers.add(timer)
      return 'queued'
    }
  }

  /** Stops retrying: what still waits is dropped (the node is stopping). */
  close(): void {
    this.#closed = true
    for (const t of this.#timers) clearTimeout(t)
    this.#timers.clear()
  }
}
