/**
 * @module subscriptions/service
 * Readers' subscriptions to a course or a series (专题), and the notices they bring: when a
 * lecture of a subscribed course or series is published and ready to play (whichever comes
 * last — a lecture published while it still transcodes is announced when it becomes ready),
 * each subscriber gets one inbox notice linking `/lectures/:id`.
 *
 * The service follows the record store's changes, as search does: lectures from channels
 * (a member's catalogue of the hub's courses) arrive the same way as the node's own. It notes
 * the change cursor it has covered, and a restart replays from a little before it, so a
 * change committed just before a crash is still announced; the inbox's dedupe key (one per
 * lecture) makes a replay post nothing twice.
 *
 * Owns the sublevels `subscriptions` (`account!target` → subscription), `subscribers`
 * (`target!account` → ''), and `subscriptions-state` (`cursor`, and `announced!lecture`).
 * A target is `course:<id>` or `series:<name>`.
 */
import type { Resource, Subscription, SubscriptionTarget } from '@shulin/protocol'
import { changeCursor, type ResourceChange, type ResourceRecords } from '../resources/store.js'
import { ProblemError } from '../http/problem.js'
import type { Notifier } from '../notify/notifier.js'
import type { Logger } from '../logger.js'
import { delOp, putOp, type BatchOp, type Storage, type Sublevel } from '../storage/db.js'

/** Replays start this long before the covered cursor (clocks step back; replays post nothing twice). */
const replayMarginMs = 5 * 60_000
/** Subscriptions one reader may hold. */
export const maxSubscriptionsPerReader = 500

interface Stored {
  title: string
  createdAt: string
}

const targetKey = (t: SubscriptionTarget) => ('course' in t ? `course:${t.course}` : `series:${t.series}`)

/** Whether a record is a lecture readers can play now. */
const announceable = (r: Resource) => r.type === 'lecture' && r.status === 'published' && r.lecture?.status === 'ready'

export interface SubscriptionServiceOptions {
  storage: Storage
  records: ResourceRecords
  notifier: Pick<Notifier, 'notify'>
  logger?: Logger | undefined
}

export class SubscriptionService {
  readonly #subs: Sublevel<Stored>
  readonly #subscribers: Sublevel<string>
  readonly #state: Sublevel<string>
  #chain: Promise<unknown> = Promise.resolve()
  #unsubscribe: (() => void) | undefined

  constructor(private readonly opts: SubscriptionServiceOptions) {
    this.#subs = opts.storage.sublevel('subscriptions')
    this.#subscribers = opts.storage.sublevel('subscribers')
    this.#state = opts.storage.sublevel('subscriptions-state')
  }

  /** Follows record changes, after catching up with those since the covered cursor. */
  start(): Promise<void> {
    this.#unsubscribe = this.opts.records.onChange((changes: ResourceChange[]) => {
      const puts = changes.filter((c) => c.kind === 'put').map((c) => c.resource)
      this.#enqueue(() => this.#consider(puts))
    })
    return this.#enqueue(() => this.#catchUp())
  }

  /** Resolves when every change so far has been considered (tests, and a clean stop). */
  idle(): Promise<void> {
    return this.#chain.then(() => undefined)
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.()
    await this.idle()
  }

  #enqueue(fn: () => Promise<void>): Promise<void> {
    const run = this.#chain.then(fn)
    this.#chain = run.catch((err: unknown) => this.opts.logger?.error({ err }, 'subscription notices failed'))
    return run
  }

  async #catchUp(): Promise<void> {
    const cursor = await this.#state.get('cursor')
    if (!cursor) {
      // First start: lectures published before subscriptions existed are nobody's news.
      const latest = await this.opts.records.latestChange()
      if (latest) await this.opts.storage.commit([putOp(this.#state, 'cursor', latest)], { sync: true })
      return
    }
    const after = new Date(Math.max(0, Date.parse(cursor.split('!')[0]!) - replayMarginMs)).toISOString()
    let batch: Resource[] = []
    for await (const item of this.opts.records.changesSince({ after })) {
      if (!('metadata' in item)) continue
      batch.push(item)
      if (batch.length === 200) {
        await this.#consider(batch)
        batch = []
      }
    }
    await this.#consider(batch)
  }

  async #consider(records: Resource[]): Promise<void> {
    if (!records.length) return
    const ops: BatchOp[] = []
    for (const r of records) {
      if (!announceable(r) || (await this.#state.get(`announced!${r.id}`)) !== undefined) continue
      await this.#announce(r)
      ops.push(putOp(this.#state, `announced!${r.id}`, new Date().toISOString()))
    }
    const last = records.map(changeCursor).sort().at(-1)!
    const covered = await this.#state.get('cursor')
    if (!covered || last > covered) ops.push(putOp(this.#state, 'cursor', last))
    if (ops.length) await this.opts.storage.commit(ops, { sync: true })
  }

  async #announce(lecture: Resource): Promise<void> {
    const course = lecture.parentId ? await this.opts.records.get(lecture.parentId) : undefined
    if (!course || course.type !== 'course') return
    const targets = [`course:${course.id}`, ...(course.metadata.series ? [`series:${course.metadata.series}`] : [])]
    const readers = new Set<string>()
    for (const t of targets)
      for await (const k of this.#subscribers.keys({ gt: `${t}!`, lt: `${t}!\uffff` }))
        readers.add(k.slice(t.length + 1))
    for (const account of readers) {
      await this.opts.notifier.notify(account, {
        kind: 'new-lecture',
        title: lecture.metadata.title,
        body: course.metadata.title,
        link: `/lectures/${lecture.id}`,
        dedupe: `lecture:${lecture.id}`,
      })
    }
    if (readers.size) this.opts.logger?.info({ lecture: lecture.id, readers: readers.size }, 'new lecture announced')
  }

  /** The course's title or the series' name; a course readers cannot see is not found. */
  async #title(target: SubscriptionTarget): Promise<string> {
    if ('series' in target) return target.series
    const course = await this.opts.records.get(target.course)
    if (!course || course.type !== 'course' || course.status !== 'published') throw new ProblemError('not_found')
    return course.metadata.title
  }

  async subscribe(accountId: string, target: SubscriptionTarget, now = Date.now()): Promise<Subscription> {
    const title = await this.#title(target)
    const t = targetKey(target)
    const existing = await this.#subs.get(`${accountId}!${t}`)
    if (existing) return { ...target, ...existing }
    const count = (await this.#subs.keys({ gt: `${accountId}!`, lt: `${accountId}!\uffff` }).all()).length
    if (count >= maxSubscriptionsPerReader)
      throw new ProblemError('conflict', { detail: `at most ${maxSubscriptionsPerReader} subscriptions` })
    const stored: Stored = { title, createdAt: new Date(now).toISOString() }
    await this.opts.storage.commit(
      [putOp(this.#subs, `${accountId}!${t}`, stored), putOp(this.#subscribers, `${t}!${accountId}`, '')],
      { sync: true },
    )
    return { ...target, ...stored }
  }

  async unsubscribe(accountId: string, target: SubscriptionTarget): Promise<void> {
    const t = targetKey(target)
    await this.opts.storage.commit(
      [delOp(this.#subs, `${accountId}!${t}`), delOp(this.#subscribers, `${t}!${accountId}`)],
      {
        sync: true,
      },
    )
  }

  async list(accountId: string): Promise<Subscription[]> {
    const out: Subscription[] = []
    for await (const [k, v] of this.#subs.iterator({ gt: `${accountId}!`, lt: `${accountId}!\uffff` })) {
      const t = k.slice(accountId.length + 1)
      const [kind, ...rest] = t.split(':')
      out.push({ ...(kind === 'course' ? { course: rest.join(':') } : { series: rest.join(':') }), ...v })
    }
    return out
  }

  async isSubscribed(accountId: string, target: SubscriptionTarget): Promise<boolean> {
    return (await this.#subs.get(`${accountId}!${targetKey(target)}`)) !== undefined
  }
}
