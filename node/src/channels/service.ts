/**
 * @module channels/service
 * Channels on this node: publishing its own (each record signed and put into the channel's
 * sharded catalog, re-signed whenever the record changes, so a withdrawal travels too),
 * subscribing to others' (every shard that arrives is checked — the publisher's signature,
 * the channel it names — and its records join the node's own catalogue, search, OPDS and
 * OAI-PMH, marked with their publisher), submitting a channel to the hub, and, on the hub,
 * deciding what goes on the national menu.
 *
 * The network keeps three kinds of catalog: `channels` (every channel's signed description),
 * `channel-menu` (the hub's signed decisions) and one `ch-<channel id>` per channel.
 *
 * Over 400 lines: publishing, subscribing and the hub's menu share one set of catalog rules and
 * signature checks ({@link ChannelService.catalogRule}); splitting them by role, as federation/
 * is, is the next step (issue 16), not part of moving distribution out.
 */
import { createHash } from 'node:crypto'
import { z } from 'zod'
import { Channel, ChannelRecord, MenuEntry, nextStamp, type SubscriptionMode } from '@shulin/protocol'
import { open, openAsync, seal, EnvelopeError } from '@shulin/federation/envelope'
import type { NodeKey } from '@shulin/federation/identity'
import type { CatalogRule, ShardedCatalog } from '@shulin/federation'
import { ProblemError } from '../http/problem.js'
import type { Logger } from '../logger.js'
import type { Storage } from '../storage/db.js'
import type { ForeignRecord, ResourceService } from '../resources/service.js'
import type { ResourceChange } from '../resources/store.js'
import { ChannelStore } from './store.js'
import type { Distribution } from '../distribution/index.js'
import { courseFields, sameInChannel, travellingFiles, type OwnRecord } from './courses.js'

const hex = (s: string, n: number) => createHash('sha256').update(s).digest('hex').slice(0, n)
/** A channel's id: the digest of its name, then of its publisher (so only the publisher signs for it). */
export const channelIdFor = (publisher: string, name: string) =>
  `${hex(`name\n${name}`, 8)}-${hex(`node\n${publisher}`, 10)}`
const publishedBy = (channel: string, nodeId: string) => channel.endsWith(`-${hex(`node\n${nodeId}`, 10)}`)
const catalogOf = (channel: string) => `ch-${channel}`
/** The fields of a channel record the catalog's rule reads. */
const RecordHead = z.looseObject({ channel: z.string(), id: z.string(), updatedAt: z.string() })
/** A version may replace another only if it is not older (a replayed old version is refused). */
const newer = (next: { updatedAt: string } | undefined, prev: { updatedAt: string } | undefined) =>
  !!next && (!prev || next.updatedAt >= prev.updatedAt)

/**
 * What a peer may write to channel `channel`'s catalog: a record only as the channel's publisher
 * signed it, under its own id, and never an older version over a newer one. Its own function, so
 * that whatever holds a channel catalog (a node, `npm run sim:network`'s members) checks the same.
 */
export function channelRecordRule(channel: string): CatalogRule {
  const record = async (id: string, env: unknown) => {
    const signer = (env as { signer?: unknown } | null)?.signer
    if (typeof signer !== 'string' || !publishedBy(channel, signer)) return undefined
    try {
      // Only what the rule needs: the signature is what matters here; the whole record is
      // parsed when the subscription takes it in.
      const r = await openAsync(env, RecordHead, { type: 'shulin/channel-record', signer })
      return r.channel === channel && r.id === id ? r : undefined
    } catch (err) {
      if (err instanceof EnvelopeError) return undefined
      throw err
    }
  }
  return async (id, next, prev) => {
    const [n, p] = await Promise.all([record(id, next), prev === undefined ? undefined : record(id, prev)])
    return newer(n, p)
  }
}
const sameHttp = (a: { http?: string[] | undefined }, b: { http?: string[] | undefined }) =>
  (a.http ?? []).join(' ') === (b.http ?? []).join(' ')

export interface ChannelServiceOptions {
  storage: Storage
  resources: ResourceService
  key: NodeKey
  role: 'node' | 'hub'
  /** Opens a replicated catalog (the federation's). */
  catalog: (name: string) => Promise<ShardedCatalog>
  /** The hub's node id, once known: the menu's signer. */
  hubId: () => string | undefined
  /** The files behind the records: manifests for what this node publishes, fetching for what it mirrors. */
  content?: Pick<Distribution, 'manifestIdOf' | 'mirror'>
  /** This node's web address, once it listens (signed into its channels for the HTTP fallback). */
  httpUrl?: () => string
  /** A course's lectures (ids): a course put into a channel takes its lectures with it. */
  lecturesOf?: (courseId: string) => Promise<string[]>
  now?: () => number
  logger?: Logger
}

/** How often shards whose records could not be applied are tried again. */
const applyRetryMs = 3000

export class ChannelService {
  readonly #store: ChannelStore
  readonly #watched = new Set<string>()
  /** Per subscribed channel and shard, how many of its records verified (for the list). */
  readonly #counts = new Map<string, Map<number, number>>()
  #unwatch: (() => void) | undefined
  /**
   * Shards stored in a channel's catalog whose records could not be taken into the catalogue
   * (the database refused the write: a full disk). The catalog will not bring them again, so
   * they are tried again here until they go in.
   */
  readonly #unapplied = new Map<string, { cat: ShardedCatalog; shards: Set<number> }>()
  #retry: NodeJS.Timeout | undefined

  constructor(private readonly opts: ChannelServiceOptions) {
    this.#store = new ChannelStore(opts.storage)
  }

  #iso(): string {
    return new Date((this.opts.now ?? Date.now)()).toISOString()
  }

  /** A new version's `updatedAt`, never older than `previous` (README "Clocks"; see {@link nextStamp}). */
  #after(previous: string | undefined): string {
    return nextStamp((this.opts.now ?? Date.now)(), previous)
  }

  /** Follows this node's own records into its channels, and its subscriptions from the network. */
  async start(): Promise<void> {
    this.#unwatch = this.opts.resources.records.onChange(
      (changes) =>
        void this.#republish(changes).catch((err: unknown) =>
          this.opts.logger?.warn({ err }, 'could not update a channel record'),
        ),
    )
    await this.opts.catalog('channels')
    await this.opts.catalog('channel-menu')
    // In the background: going over a large subscription again must not hold up the start.
    for (const sub of await this.#store.subscriptions())
      void this.#watch(sub.channel).catch((err: unknown) =>
        this.opts.logger?.warn({ err, channel: sub.channel }, 'could not follow a subscribed channel'),
      )
  }

  stop(): void {
    this.#unwatch?.()
    clearInterval(this.#retry)
  }

  #applyLater(channel: string, cat: ShardedCatalog, shard: number, err: unknown): void {
    this.opts.logger?.warn({ err, channel, shard }, 'could not apply channel records; trying again')
    const entry = this.#unapplied.get(channel) ?? { cat, shards: new Set<number>() }
    this.#unapplied.set(channel, entry)
    entry.shards.add(shard)
    this.#retry ??= setInterval(() => void this.#applyAgain(), applyRetryMs)
    this.#retry.unref()
  }

  async #applyAgain(): Promise<void> {
    for (const [channel, { cat, shards }] of this.#unapplied) {
      for (const shard of [...shards]) {
        try {
          await this.#apply(channel, cat, shard)
        } catch {
          return
        }
        shards.delete(shard)
      }
      this.#unapplied.delete(channel)
    }
    clearInterval(this.#retry)
    this.#retry = undefined
    this.opts.logger?.info('channel records that could not be applied are in')
  }

  /**
   * What a peer may write to the channel catalogs (checked before a pulled shard is stored):
   * a channel only as its publisher signed it, a menu decision only as the hub signed it, a
   * channel's record only as the channel's publisher signed it, under its own id; and never an
   * older version over a newer one (a replayed withdrawal or a replayed record before one).
   * Without this, any member could blank out any publisher's records by writing over them.
   */
  catalogRule(name: string): CatalogRule | undefined {
    if (name === 'channels') return (id, next, prev) => newer(this.#verified(id, next), this.#verified(id, prev))
    if (name === 'channel-menu') {
      const decision = (id: string, env: unknown) => {
        const hub = this.opts.hubId()
        const entry = hub ? this.#menuEntry(env, hub) : undefined
        return entry?.channel === id ? { updatedAt: entry.decidedAt } : undefined
      }
      return (id, next, prev) => newer(decision(id, next), decision(id, prev))
    }
    return name.startsWith('ch-') ? channelRecordRule(name.slice(3)) : undefined
  }

  #menuEntry(env: unknown, hub: string): MenuEntry | undefined {
    try {
      return open(env, MenuEntry, { type: 'shulin/menu-entry', signer: hub })
    } catch (err) {
      if (err instanceof EnvelopeError) return undefined
      throw err
    }
  }

  /** A channel description as the network holds it, if it verifies: signed by its publisher, under its id. */
  #verified(id: string, env: unknown): Channel | undefined {
    try {
      const ch = open(env, Channel, { type: 'shulin/channel' })
      return ch.id === id && ch.publisher === (env as { signer: string }).signer && publishedBy(ch.id, ch.publisher)
        ? ch
        : undefined
    } catch (err) {
      if (!(err instanceof EnvelopeError)) throw err
      return undefined
    }
  }

  /** Every verified channel description the network holds. */
  async #channels(): Promise<Map<string, Channel>> {
    const out = new Map<string, Channel>()
    for await (const [id, env] of (await this.opts.catalog('channels')).records()) {
      const ch = this.#verified(id, env)
      if (ch) out.set(id, ch)
    }
    return out
  }

  /** One channel (one shard read, not the whole list). */
  async channel(id: string): Promise<Channel | undefined> {
    return this.#verified(id, await (await this.opts.catalog('channels')).get(id))
  }

  /** Creates this node's channel `name` (or updates its description); returns it. */
  async create(req: { name: string; description?: string; licence?: string }): Promise<Channel> {
    const id = channelIdFor(this.opts.key.nodeId, req.name)
    const before = await this.channel(id)
    const ch: Channel = {
      id,
      name: req.name,
      description: req.description ?? before?.description ?? '',
      licence: req.licence ?? before?.licence ?? '',
      publisher: this.opts.key.nodeId,
      ...this.#http(before),
      submitted: before?.submitted ?? false,
      ...(before?.kind ? { kind: before.kind } : {}),
      updatedAt: this.#after(before?.updatedAt),
    }
    if (before && before.description === ch.description && before.licence === ch.licence && sameHttp(before, ch))
      return before
    await (await this.opts.catalog('channels')).put([[id, await seal(this.opts.key, 'shulin/channel', ch)]])
    return ch
  }

  /** This node's web address for a channel it signs now (or the one it had, while it does not listen). */
  #http(before: Channel | undefined): { http?: string[] } {
    const url = this.opts.httpUrl?.()
    const http = url ? [url] : before?.http
    return http ? { http } : {}
  }

  /** Re-signs this node's channels whose web address is not the one it now listens at. */
  async refreshHttp(): Promise<number> {
    const url = this.opts.httpUrl?.()
    if (!url) return 0
    const stale = [...(await this.#channels()).values()].filter(
      (ch) => ch.publisher === this.opts.key.nodeId && !sameHttp(ch, { http: [url] }),
    )
    const cat = await this.opts.catalog('channels')
    for (const ch of stale)
      await cat.put([
        [
          ch.id,
          await seal(this.opts.key, 'shulin/channel', { ...ch, http: [url], updatedAt: this.#after(ch.updatedAt) }),
        ],
      ])
    return stale.length
  }

  /** The web address a publisher signed into a channel this node subscribes to (for the HTTP fallback). */
  async publisherHttp(publisher: string): Promise<string | undefined> {
    for (const sub of await this.#store.subscriptions()) {
      if (!publishedBy(sub.channel, publisher)) continue
      const url = (await this.channel(sub.channel))?.http?.[0]
      if (url) return url
    }
    return undefined
  }

  async #own(id: string): Promise<Channel> {
    const ch = await this.channel(id)
    if (!ch || ch.publisher !== this.opts.key.nodeId)
      throw new ProblemError('not_found', { detail: `this node publishes no channel ${id}` })
    return ch
  }

  /** Asks the hub to put one of this node's channels on the menu. */
  async submit(id: string): Promise<Channel> {
    const own = await this.#own(id)
    const ch = { ...own, submitted: true, updatedAt: this.#after(own.updatedAt) }
    await (await this.opts.catalog('channels')).put([[id, await seal(this.opts.key, 'shulin/channel', ch)]])
    return ch
  }

  async #signed(channel: string, r: OwnRecord) {
    // Each file goes out with its manifest's id: subscribers check every chunk against it.
    const content = this.opts.content
    const travelling = travellingFiles(r)
    const files =
      content && !r.withdrawn
        ? await Promise.all(travelling.map(async (f) => ({ ...f, manifest: await content.manifestIdOf(f.blob) })))
        : travelling
    const payload: ChannelRecord = {
      channel,
      id: r.id,
      type: r.type,
      metadata: r.metadata,
      access: r.access,
      files,
      toc: r.toc,
      withdrawn: r.withdrawn,
      updatedAt: r.updatedAt,
      ...courseFields(r),
    }
    return seal(this.opts.key, 'shulin/channel-record', payload)
  }

  /**
   * Puts some of this node's own records into one of its channels; a course takes its lectures
   * along. Written shard by shard: a shard is loaded once for all of its records, however many
   * are added (100k at once from an import), and only one shard's signed records are in memory
   * at a time.
   */
  async addRecords(id: string, ids: string[]): Promise<{ added: number }> {
    await this.#own(id)
    const cat = await this.opts.catalog(catalogOf(id))
    const { shardOf } = await import('@shulin/federation/catalog')
    const byShard = new Map<number, string[]>()
    for (const rid of new Set(ids))
      byShard.set(shardOf(rid, cat.shards), [...(byShard.get(shardOf(rid, cat.shards)) ?? []), rid])
    let added = 0
    const courses: string[] = []
    for (const group of byShard.values()) {
      const own = (await this.opts.resources.records.getMany(group)).filter(
        (r): r is NonNullable<typeof r> => !!r && r.nodeId === this.opts.key.nodeId && r.status !== 'draft',
      )
      await this.#store.addItems(
        id,
        own.map((r) => r.id),
      )
      const signed = []
      for (const r of own)
        signed.push([r.id, await this.#signed(id, { ...r, withdrawn: r.status !== 'published' })] as const)
      await cat.put(signed)
      added += own.length
      courses.push(...own.filter((r) => r.type === 'course').map((r) => r.id))
    }
    if (courses.length) await this.#carriesCourses(id)
    const lectures = new Set<string>()
    for (const course of courses) for (const l of (await this.opts.lecturesOf?.(course)) ?? []) lectures.add(l)
    // Lectures have no lectures: one more round at most.
    if (lectures.size) added += (await this.addRecords(id, [...lectures])).added
    return { added }
  }

  /** Marks one of this node's channels as a course channel (signed once, with its first course). */
  async #carriesCourses(id: string): Promise<void> {
    const ch = await this.#own(id)
    if (ch.kind === 'courses') return
    const next: Channel = { ...ch, kind: 'courses', updatedAt: this.#after(ch.updatedAt) }
    await (await this.opts.catalog('channels')).put([[id, await seal(this.opts.key, 'shulin/channel', next)]])
  }

  /**
   * A change to one of this node's records reaches every channel that carries it, and a lecture
   * published into a course joins the course's channels. A change the channels do not carry (a
   * transcode's progress) is not signed again.
   */
  async #republish(changes: ResourceChange[]): Promise<void> {
    const own = changes.filter(
      (c) =>
        c.resource.nodeId === this.opts.key.nodeId &&
        !(c.kind === 'put' && c.previous && sameInChannel(c.previous, c.resource)),
    )
    const carried = await this.#store.channelsOf(own.map((c) => c.resource.id))
    const joins = (c: ResourceChange) =>
      c.kind === 'put' && c.resource.type === 'lecture' && c.resource.status === 'published' && !!c.resource.parentId
    const ofCourse = await this.#store.channelsOf(own.filter(joins).map((c) => c.resource.parentId!))
    for (const [i, change] of own.entries()) {
      const r = change.resource
      const joining = joins(change) ? ofCourse.shift()!.filter((ch) => !carried[i]!.includes(ch)) : []
      for (const channel of joining) await this.#store.addItems(channel, [r.id])
      for (const channel of [...carried[i]!, ...joining]) {
        const withdrawn = change.kind === 'delete' || r.status !== 'published'
        await (
          await this.opts.catalog(catalogOf(channel))
        ).put([[r.id, await this.#signed(channel, { ...r, withdrawn })]])
      }
    }
  }

  /** Subscribes this node to a channel: its records join the catalogue as they arrive. */
  async subscribe(channel: string, mode: SubscriptionMode): Promise<{ channel: string; mode: SubscriptionMode }> {
    if (publishedBy(channel, this.opts.key.nodeId))
      throw new ProblemError('conflict', { detail: 'this node publishes that channel itself' })
    await this.#store.subscribe({
      channel,
      mode,
      since: (await this.#store.subscription(channel))?.since ?? this.#iso(),
    })
    void this.#watch(channel).catch((err: unknown) =>
      this.opts.logger?.warn({ err, channel }, 'could not follow a subscribed channel'),
    )
    return { channel, mode }
  }

  /** Applies every shard once (what a crash may have left unapplied), then each shard that changes. */
  async #watch(channel: string): Promise<void> {
    if (this.#watched.has(channel)) return
    this.#watched.add(channel)
    const cat = await this.opts.catalog(catalogOf(channel))
    cat.onChange(
      (shard) =>
        void this.#apply(channel, cat, shard).catch((err: unknown) => this.#applyLater(channel, cat, shard, err)),
    )
    for (let shard = 0; shard < cat.shards; shard++)
      await this.#apply(channel, cat, shard).catch((err: unknown) => this.#applyLater(channel, cat, shard, err))
  }

  /** Takes one shard of a subscribed channel into the catalogue: only what its publisher signed. */
  async #apply(channel: string, cat: ShardedCatalog, shard: number): Promise<void> {
    if (!(await this.#store.subscription(channel))) return
    let publisher: string | undefined
    const checked = await Promise.all(
      (await cat.shardRecords(shard)).map(async ([id, env]) => {
        try {
          const signer = (env as { signer?: unknown }).signer
          if (typeof signer !== 'string' || !publishedBy(channel, signer)) return undefined
          const r = await openAsync(env, ChannelRecord, { type: 'shulin/channel-record', signer })
          if (r.channel !== channel || r.id !== id) return undefined
          publisher = signer
          return r
        } catch (err) {
          if (!(err instanceof EnvelopeError)) throw err
          this.opts.logger?.warn({ channel, id }, 'a channel record that does not verify was ignored')
          return undefined
        }
      }),
    )
    const records: ForeignRecord[] = checked.filter((r): r is ChannelRecord => !!r)
    const counts = this.#counts.get(channel) ?? new Map<number, number>()
    this.#counts.set(channel, counts.set(shard, records.filter((r) => !r.withdrawn).length))
    if (!publisher) return
    await this.opts.resources.upsertForeign(publisher, records)
    await this.#store.noteForeign(
      channel,
      records.map((r) => r.id),
    )
    const from = publisher
    if ((await this.#store.subscription(channel))?.mode === 'mirror' && this.opts.content) {
      this.opts.content.mirror.queue(
        records.filter((r) => !r.withdrawn).flatMap((r) => r.files.map((file) => ({ file, publisher: from }))),
      )
    }
  }

  /** The hub's menu as this node holds it (decisions the hub signed), and on the hub what waits for one. */
  async menu(channels?: Map<string, Channel>) {
    channels ??= await this.#channels()
    const hub = this.opts.hubId()
    const subs = new Map((await this.#store.subscriptions()).map((s) => [s.channel, s.mode]))
    const decided = new Map<string, MenuEntry>()
    if (hub) {
      for await (const [id, env] of (await this.opts.catalog('channel-menu')).records()) {
        try {
          const e = open(env, MenuEntry, { type: 'shulin/menu-entry', signer: hub })
          if (e.channel === id) decided.set(id, e)
        } catch (err) {
          if (!(err instanceof EnvelopeError)) throw err
        }
      }
    }
    const menu = [...decided.values()]
      .filter((e) => e.state === 'listed')
      .map((e) => ({
        ...e,
        description: channels.get(e.channel)?.description ?? '',
        licence: channels.get(e.channel)?.licence ?? '',
        subscribed: subs.get(e.channel) ?? null,
        ...(channels.get(e.channel)?.kind ? { kind: channels.get(e.channel)!.kind } : {}),
      }))
    const pending =
      this.opts.role === 'hub'
        ? [...channels.values()].filter(
            (c) => c.submitted && !(decided.get(c.id) && decided.get(c.id)!.decidedAt >= c.updatedAt),
          )
        : []
    return { menu, pending, decided }
  }

  /** Hub: lists a channel on the menu, or refuses it with a reason. */
  async decide(channel: string, state: 'listed' | 'refused', reason?: string): Promise<MenuEntry> {
    if (this.opts.role !== 'hub') throw new ProblemError('conflict', { detail: 'only the hub keeps the menu' })
    const ch = await this.channel(channel)
    if (!ch) throw new ProblemError('not_found', { detail: `no channel ${channel} in the network` })
    // Stamped after the version decided on and after the decision it replaces, whatever the
    // publisher's clock said: the menu tells a channel still waiting by comparing the two.
    const previous = (await this.menu()).decided.get(channel)?.decidedAt
    const decidedAt = this.#after(
      [ch.updatedAt, previous]
        .filter((t): t is string => !!t)
        .sort()
        .at(-1),
    )
    const entry: MenuEntry = {
      channel,
      name: ch.name,
      publisher: ch.publisher,
      state,
      ...(reason ? { reason } : {}),
      decidedAt,
    }
    await (
      await this.opts.catalog('channel-menu')
    ).put([[channel, await seal(this.opts.key, 'shulin/menu-entry', entry)]])
    // The hub's catalogue is the union catalogue: it takes in every channel it lists.
    if (state === 'listed' && ch.publisher !== this.opts.key.nodeId && !(await this.#store.subscription(channel)))
      await this.subscribe(channel, 'catalog')
    return entry
  }

  /**
   * For each record, the libraries known to hold it: the members that answer pulls of the
   * channels it is in (on the hub, which pulls every listed channel from every member).
   */
  async holdersOf(ids: string[], holders: (catalog: string) => string[]): Promise<string[][]> {
    return (await this.#store.channelsOfAny(ids)).map((channels) => [
      ...new Set(channels.flatMap((c) => holders(catalogOf(c)))),
    ])
  }

  /** The channels this node publishes and those it subscribes to. */
  async list() {
    const channels = await this.#channels()
    const { decided } = await this.menu(channels)
    const subs = await this.#store.subscriptions()
    const own = [...channels.values()].filter((c) => c.publisher === this.opts.key.nodeId)
    const summary = (c: Channel, role: 'publisher' | 'subscriber', mode: SubscriptionMode | null, records: number) => ({
      id: c.id,
      name: c.name,
      description: c.description,
      licence: c.licence,
      publisher: c.publisher,
      role,
      mode,
      records,
      submitted: c.submitted,
      menu: decided.get(c.id)?.state ?? null,
      ...(c.kind ? { kind: c.kind } : {}),
    })
    return {
      channels: [
        ...(await Promise.all(own.map(async (c) => summary(c, 'publisher', null, await this.#store.countItems(c.id))))),
        ...subs.map((s) => {
          const c = channels.get(s.channel) ?? {
            id: s.channel,
            name: s.channel,
            description: '',
            licence: '',
            publisher: '',
            submitted: false,
            updatedAt: s.since,
          }
          return summary(
            c,
            'subscriber',
            s.mode,
            [...(this.#counts.get(s.channel)?.values() ?? [])].reduce((a, b) => a + b, 0),
          )
        }),
      ],
    }
  }
}
