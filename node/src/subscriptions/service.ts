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
 * A topic (专题, a collection of kind `topic`) is followed differently: each edit adding items
 * to it notes them (`subscriptions-topic-items`, written in the edit's own commit through the
 * collections' hook), and every minute the topics whose additions have settled — nothing new
 * for {@link topicQuietMs}, or the first waiting {@link topicMaxWaitMs} — are told to their
 * subscribers as one notice per batch, not one per item. The notes are deleted only after the
 * notices are in; the notice's dedupe key is the batch's first note, so a crash in between
 * re-tells nothing.
 *
 * Owns the sublevels `subscriptions` (`account!target` → subscription), `subscribers`
 * (`target!account` → ''), `subscriptions-state` (`cursor`, and `announced!lecture`) and
 * `subscriptions-topic-items` (`topic!time!item` → item). A target is `course:<id>`,
 * `series:<name>` or `topic:<id>`.
 */
import type { Collection, Resource, Subscription, SubscriptionTarget } from '@shulin/protocol'
import type { CollectionService } from '../collections/service.js'
import { changeCursor, type ResourceChange, type ResourceRecords } from '../resources/store.js'
import { ProblemError } from '../http/problem.js'
import type { Notifier } from '../notify/notifier.js'
import type { Logger } from '../logger.js'
import { delOp, putOp, type BatchOp, type Storage, type Sublevel } from '../storage/db.js'

/** Replays start this long before the covered cursor (clocks step back; replays post nothing twice). */
const replayMarginMs = 5 * 60_000
/** Subscriptions one reader may hold. */
export const maxSubscriptionsPerReader = 500
/** A topic's additions are told once staff have added nothing to it for this long… */
export const topicQuietMs = 10 * 60_000
/** …or once the first has waited this long, whichever comes first. */
export const topicMaxWaitMs = 60 * 60_000
const topicCheckMs = 60_000
/** Fixed width, so a topic's notes sort by time. */
const timeKey = (ms: number) => ms.toString(36).padStart(10, '0')

interface Stored {
  title: string
  createdAt: string
}

const targetKey = (t: SubscriptionTarget) =>
  'course' in t ? `course:${t.course}` : 'topic' in t ? `topic:${t.topic}` : `series:${t.series}`

/** Whether a record is a lecture readers can play now. */
const announceable = (r: Resource) => r.type === 'lecture' && r.status === 'published' && r.lecture?.status === 'ready'

/** The portal's page of a topic (`/collections/:id`, where its subscribe button is). */
const topicLink = (c: Collection) => `/collections/${c.id}`

export interface SubscriptionServiceOptions {
  storage: Storage
  records: ResourceRecords
  notifier: Pick<Notifier, 'notify'>
  /** Topics readers may subscribe to; without it, only courses and series. */
  collections?: Pick<CollectionService, 'get' | 'isVisible' | 'onItemsAdded'> | undefined
  logger?: Logger | undefined
  now?: (() => number) | undefined
}

export class SubscriptionService {
  readonly #subs: Sublevel<Stored>
  readonly #subscribers: Sublevel<string>
  readonly #state: Sublevel<string>
  readonly #topicItems: Sublevel<string>
  readonly #now: () => number
  #chain: Promise<unknown> = Promise.resolve()
  #unsubscribe: (() => void) | undefined
  #topicTimer: ReturnType<typeof setInterval> | undefined

  constructor(private readonly opts: SubscriptionServiceOptions) {
    this.#subs = opts.storage.sublevel('subscriptions')
    this.#subscribers = opts.storage.sublevel('subscribers')
    this.#state = opts.storage.sublevel('subscriptions-state')
    this.#topicItems = opts.storage.sublevel('subscriptions-topic-items')
    this.#now = opts.now ?? Date.now
    opts.collections?.onItemsAdded((c, added, at) =>
      c.kind === 'topic' ? added.map((item) => putOp(this.#topicItems, `${c.id}!${timeKey(at)}!${item}`, item)) : [],
    )
  }

  /** Follows record changes, after catching up with those since the covered cursor. */
  start(): Promise<void> {
    this.#unsubscribe = this.opts.records.onChange((changes: ResourceChange[]) => {
      const puts = changes.filter((c) => c.kind === 'put').map((c) => c.resource)
      this.#enqueue(() => this.#consider(puts))
    })
    this.#topicTimer = setInterval(() => void this.tellTopics().catch(() => undefined), topicCheckMs)
    this.#topicTimer.unref?.()
    return this.#enqueue(() => this.#catchUp())
  }

  /** Tells the topics whose additions have settled; resolves to the notices posted. */
  tellTopics(): Promise<number> {
    let posted = 0
    return this.#enqueue(async () => {
      posted = await this.#tellTopics()
    }).then(() => posted)
  }

  async #tellTopics(): Promise<number> {
    const now = this.#now()
    const byTopic = new Map<string, Array<{ key: string; at: number; item: string }>>()
    for await (const [key, item] of this.#topicItems.iterator()) {
      const [topic, at] = key.split('!') as [string, string]
      const rows = byTopic.get(topic) ?? []
      rows.push({ key, at: parseInt(at, 36), item })
      byTopic.set(topic, rows)
    }
    let posted = 0
    for (const [topic, rows] of byTopic) {
      const first = rows[0]!
      const last = rows.at(-1)!
      if (now - last.at < topicQuietMs && now - first.at < topicMaxWaitMs) continue
      posted += await this.#tellTopic(
        topic,
        rows.map((r) => r.item),
        first.key,
      )
      // Only the notes told: one added meanwhile has a later key and waits for the next batch.
      await this.opts.storage.commit(
        rows.map((r) => delOp(this.#topicItems, r.key)),
        { sync: true },
      )
    }
    return posted
  }

  /** One notice to each subscriber of `topicId` for the items still in it and published. */
  async #tellTopic(topicId: string, items: string[], batch: string): Promise<number> {
    const topic = await this.opts.collections?.get(topicId).catch(() => undefined)
    // A topic gone, or out of its publish window: nothing readers could open.
    if (!topic || topic.kind !== 'topic' || !this.opts.collections!.isVisible(topic)) return 0
    const unique = [...new Set(items)].filter((i) => topic.items.includes(i))
    const records = await this.opts.records.getMany(unique)
    const count = records.filter((r) => r && r.status === 'published').length
    if (!count) return 0
    const t = `topic:${topicId}`
    let posted = 0
    for await (const k of this.#subscribers.keys({ gt: `${t}!`, lt: `${t}!\uffff` })) {
      const notice = await this.opts.notifier.notify(k.slice(t.length + 1), {
        kind: 'topic-items',
        // No item titles: the notice may travel by SMS or push; the topic's page lists them.
        title: `专题「${topic.title}」新增 ${count} 项 · ${count} new in “${topic.title}”`,
        link: topicLink(topic),
        dedupe: `topic-items:${batch}`,
      })
      if (notice) posted++
    }
    if (posted) this.opts.logger?.info({ topic: topicId, items: count, readers: posted }, 'topic items announced')
    return posted
  }

  /** Resolves when every change so far has been considered (tests, and a clean stop). */
  idle(): Promise<void> {
    return this.#chain.then(() => undefined)
  }

  async stop(): Promise<void> {
    clearInterval(this.#topicTimer)
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
    if ('topic' in target) {
      const topic = await this.opts.collections?.get(target.topic).catch(() => undefined)
      if (!topic || topic.kind !== 'topic' || !this.opts.collections!.isVisible(topic))
        throw new ProblemError('not_found')
      return topic.title
    }
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
      const id = rest.join(':')
      out.push({ ...(kind === 'course' ? { course: id } : kind === 'topic' ? { topic: id } : { series: id }), ...v })
    }
    return out
  }

  async isSubscribed(accountId: string, target: SubscriptionTarget): Promise<boolean> {
    return (await this.#subs.get(`${accountId}!${targetKey(target)}`)) !== undefined
  }
}
