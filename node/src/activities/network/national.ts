/**
 * @module activities/network/national
 * National activities reach the members as channel records do. The hub signs each activity it
 * organises for every member's readers (audience `member-readers`) as a `shulin/activity`
 * envelope into the replicated catalog `activities`; members pull it from the hub or from any
 * peer (authority is the hub's signature, not who relayed it), check it, and hand it to their
 * activities ({@link ActivitiesService.createFromHub}), which list it with scope `national` and
 * the hub as organiser. A withdrawal travels the same way, as a newer version.
 *
 * The catalog's rule lets a peer write only what the hub signed, under its own id, and never an
 * older version over a newer one, so no member can blank out or roll back the hub's activities.
 */
import { EnvelopeError, open, seal } from '@shulin/federation/envelope'
import type { NodeKey } from '@shulin/federation/identity'
import type { CatalogRule, ShardedCatalog } from '@shulin/federation'
import { NATIONAL_ACTIVITIES_CATALOG, NationalActivity, type ModelAudio } from '@shulin/protocol'
import type { Logger } from '../../logger.js'
import type { ActivitiesService, ActivityRecord } from '../service.js'

/** How often the hub looks for activities created or changed since (a handful of records). */
const publishEveryMs = 2000
/** How often a member applies the catalog again when the hub's id was not yet known. */
const applyAgainMs = 5000

export interface NationalActivitiesOptions {
  role: 'node' | 'hub'
  key: NodeKey
  activities: ActivitiesService
  /** Opens a replicated catalog (the federation's). */
  catalog: (name: string) => Promise<ShardedCatalog>
  /** The hub's node id, once known: the activities' signer. */
  hubId: () => string | undefined
  /** Hub: a model reading's blob as members fetch it (size, type, its chunk manifest), if here. */
  modelOf?: ((sha256: string) => Promise<Omit<ModelAudio, 'resource' | 'blob'> | undefined>) | undefined
  /** Member: told of each national activity taken in (to pull its model readings). */
  onTaken?: ((rec: ActivityRecord) => void) | undefined
  logger?: Logger | undefined
}

/** Whether the hub's activity goes to every member. */
export const isNational = (rec: ActivityRecord, hub: string) =>
  rec.request.audience === 'member-readers' && (rec.organiser.nodeId ?? hub) === hub

export class NationalActivities {
  #timer: NodeJS.Timeout | undefined
  #unwatch: (() => void) | undefined
  /** Hub: the `updatedAt` of each activity as last signed into the catalog. */
  readonly #signed = new Map<string, string>()
  #stopped = false

  constructor(private readonly opts: NationalActivitiesOptions) {}

  /** What peers may write to the `activities` catalog (set before it opens). */
  catalogRule(name: string): CatalogRule | undefined {
    if (name !== NATIONAL_ACTIVITIES_CATALOG) return undefined
    return (id, next, prev) => {
      const n = this.#verified(id, next)
      const p = prev === undefined ? undefined : this.#verified(id, prev)
      return !!n && (!p || n.updatedAt >= p.updatedAt)
    }
  }

  /** An activity as the network holds it, if the hub signed it under its own id. */
  #verified(id: string, env: unknown): NationalActivity | undefined {
    const hub = this.opts.role === 'hub' ? this.opts.key.nodeId : this.opts.hubId()
    if (!hub) return undefined
    try {
      const a = open(env, NationalActivity, { type: 'shulin/activity', signer: hub })
      return a.id === id && a.organiser.nodeId === hub ? a : undefined
    } catch (err) {
      if (err instanceof EnvelopeError) return undefined
      throw err
    }
  }

  async start(): Promise<void> {
    const cat = await this.opts.catalog(NATIONAL_ACTIVITIES_CATALOG)
    if (this.opts.role === 'hub') {
      const tick = () =>
        void this.publish()
          .catch((err: unknown) => this.opts.logger?.warn({ err }, 'could not sign the national activities'))
          .finally(() => {
            if (this.#stopped) return
            this.#timer = setTimeout(tick, publishEveryMs)
            this.#timer.unref()
          })
      tick()
      return
    }
    this.#unwatch = cat.onChange(
      (shard) =>
        void this.#apply(cat, shard).catch((err: unknown) =>
          this.opts.logger?.warn({ err, shard }, 'could not take in national activities'),
        ),
    )
    void this.applyAll().catch((err: unknown) =>
      this.opts.logger?.warn({ err }, 'could not take in national activities'),
    )
  }

  stop(): void {
    this.#stopped = true
    clearTimeout(this.#timer)
    this.#unwatch?.()
  }

  /** Hub: signs every national activity created or changed since the last look into the catalog. */
  async publish(): Promise<number> {
    const hub = this.opts.key.nodeId
    const cat = await this.opts.catalog(NATIONAL_ACTIVITIES_CATALOG)
    const records: Array<[string, unknown]> = []
    for (const rec of await this.opts.activities.list({ all: true })) {
      if (!isNational(rec, hub) || this.#signed.get(rec.id) === rec.updatedAt) continue
      const held = this.#verified(rec.id, await cat.get(rec.id))
      if (held && held.updatedAt >= rec.updatedAt) {
        this.#signed.set(rec.id, rec.updatedAt)
        continue
      }
      // The model readings go with it, shared for the members to pull chunk by checked chunk.
      const models: ModelAudio[] = []
      for (const t of rec.request.texts) {
        const m = t.model ? await this.opts.modelOf?.(t.model) : undefined
        if (m && t.model) models.push({ resource: t.resource, blob: t.model, ...m })
      }
      const payload: NationalActivity = {
        id: rec.id,
        organiser: { nodeId: hub, name: rec.organiser.name },
        activity: rec.request,
        models,
        status: rec.status,
        createdAt: rec.createdAt,
        updatedAt: rec.updatedAt,
      }
      records.push([rec.id, await seal(this.opts.key, 'shulin/activity', payload)])
      this.#signed.set(rec.id, rec.updatedAt)
    }
    if (records.length) await cat.put(records)
    return records.length
  }

  /** Member: applies every shard (what a restart or an unknown hub id left unapplied). */
  async applyAll(): Promise<number> {
    const cat = await this.opts.catalog(NATIONAL_ACTIVITIES_CATALOG)
    let n = 0
    for (let shard = 0; shard < cat.shards; shard++) n += await this.#apply(cat, shard)
    return n
  }

  async #apply(cat: ShardedCatalog, shard: number): Promise<number> {
    if (!this.opts.hubId()) {
      // Records pulled before the registry named the hub: tried again shortly.
      if (!this.#stopped && !this.#timer) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined
          void this.applyAll().catch(() => undefined)
        }, applyAgainMs)
        this.#timer.unref()
      }
      return 0
    }
    let n = 0
    for (const [id, env] of await cat.shardRecords(shard)) {
      const a = this.#verified(id, env)
      if (!a) {
        this.opts.logger?.warn({ id }, 'a national activity that does not verify was ignored')
        continue
      }
      const rec = await this.opts.activities.createFromHub({
        id: a.id,
        request: a.activity,
        organiser: a.organiser,
        createdAt: a.createdAt,
        updatedAt: a.updatedAt,
        status: a.status,
        models: a.models,
      })
      this.opts.onTaken?.(rec)
      n++
    }
    return n
  }
}
