/**
 * @module channels/store
 * What this node keeps about channels beyond the replicated catalogs. Owns two sublevels:
 * `channel-subs` (channel id → this node's subscription) and `channel-items`
 * (`c!<channel>!<record>` → 1, and `r!<record>` → the channels carrying it: which of this
 * node's own records each of its channels carries, both ways, so that a batch of changed
 * records finds its channels with one read); and `f!<record>` → the subscribed channel another
 * library's record came in through.
 */
import type { SubscriptionMode } from '@shulin/protocol'
import { delOp, putOp, type Storage, type Sublevel } from '../storage/db.js'

export interface Subscription {
  channel: string
  mode: SubscriptionMode
  since: string
}

export class ChannelStore {
  readonly #subs: Sublevel<Subscription>
  readonly #items: Sublevel<1 | string[]>

  constructor(private readonly storage: Storage) {
    this.#subs = storage.sublevel('channel-subs')
    this.#items = storage.sublevel('channel-items')
  }

  async subscriptions(): Promise<Subscription[]> {
    const out: Subscription[] = []
    for await (const [, s] of this.#subs.iterator()) out.push(s)
    return out
  }

  async subscription(channel: string): Promise<Subscription | undefined> {
    return this.#subs.get(channel)
  }

  async subscribe(sub: Subscription): Promise<void> {
    await this.storage.commit([putOp(this.#subs, sub.channel, sub)], { sync: true })
  }

  async unsubscribe(channel: string): Promise<void> {
    await this.storage.commit([delOp(this.#subs, channel)], { sync: true })
  }

  async addItems(channel: string, ids: string[]): Promise<void> {
    const current = await this.channelsOf(ids)
    await this.storage.commit(
      ids.flatMap((id, i) => [
        putOp(this.#items, `c!${channel}!${id}`, 1 as const),
        putOp(this.#items, `r!${id}`, [...new Set([...current[i]!, channel])]),
      ]),
      { sync: true },
    )
  }

  /** Notes the subscribed channel each of another library's records came in through. */
  async noteForeign(channel: string, ids: string[]): Promise<void> {
    if (ids.length)
      await this.storage.commit(
        ids.map((id) => putOp(this.#items, `f!${id}`, [channel])),
        { sync: false },
      )
  }

  /** For each record, the channels it is in: its own channels, or the one it came through. */
  async channelsOfAny(ids: string[]): Promise<string[][]> {
    if (!ids.length) return []
    const own = await this.channelsOf(ids)
    const foreign = await this.#items.getMany(ids.map((id) => `f!${id}`))
    return ids.map((_, i) => [...own[i]!, ...(Array.isArray(foreign[i]) ? (foreign[i] as string[]) : [])])
  }

  /** For each record, the channels that carry it. */
  async channelsOf(ids: string[]): Promise<string[][]> {
    if (!ids.length) return []
    return (await this.#items.getMany(ids.map((id) => `r!${id}`))).map((v) => (Array.isArray(v) ? v : []))
  }

  async countItems(channel: string): Promise<number> {
    let n = 0
    for await (const _ of this.#items.keys({ gt: `c!${channel}!`, lt: `c!${channel}!~` })) n++
    return n
  }
}
