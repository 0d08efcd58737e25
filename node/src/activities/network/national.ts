/**
 * @module activities/network/national
 * National activities reach the members as channel records do. The hub signs each activity it
 * organises for every member's readers (audience `member-readers`) as a `shulin/activity`
 * envelope into the replicated catalog `activities`; members pull it from the hub or from any
 * peer (authority is the hub's signature, not who relayed it), check it, and hand it to their
 * activities ({@link ActivitiesService.createFromHub}), which list it with scope `national` and
 * the hub as organiser. A withdrawal travels the same way, as a newer version. The rule, the
 * signing and the taking in are federation/hub-signed-catalog's, shared with the hub's news.
 *
 * The catalog's rule lets a peer write only what the hub signed, under its own id, and never an
 * older version over a newer one, so no member can blank out or roll back the hub's activities.
 */
import type { NodeKey } from '@shulin/federation/identity'
import type { CatalogRule, ShardedCatalog } from '@shulin/federation'
import { HubSignedCatalog } from '../../federation/hub-signed-catalog.js'
import { NATIONAL_ACTIVITIES_CATALOG, NationalActivity, type ModelAudio } from '@shulin/protocol'
import type { Logger } from '../../logger.js'
import type { ActivitiesService, ActivityRecord } from '../service.js'

/** How often the hub looks for activities created or changed since (a handful of records). */
const publishEveryMs = 2000

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
  #stopped = false
  readonly #feed: HubSignedCatalog<NationalActivity>

  constructor(private readonly opts: NationalActivitiesOptions) {
    this.#feed = new HubSignedCatalog({
      name: NATIONAL_ACTIVITIES_CATALOG,
      type: 'shulin/activity',
      schema: NationalActivity,
      ownerOf: (a) => a.organiser.nodeId,
      what: 'national activity',
      take: (a) => this.#take(a),
      ...opts,
    })
  }

  /** What peers may write to the `activities` catalog (set before it opens). */
  catalogRule(name: string): CatalogRule | undefined {
    return this.#feed.catalogRule(name)
  }

  async start(): Promise<void> {
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
    await this.#feed.watch()
  }

  stop(): void {
    this.#stopped = true
    clearTimeout(this.#timer)
    this.#feed.stop()
  }

  /** Hub: signs every national activity created or changed since the last look into the catalog. */
  async publish(): Promise<number> {
    const hub = this.opts.key.nodeId
    const national = (await this.opts.activities.list({ all: true })).filter((rec) => isNational(rec, hub))
    return this.#feed.publish(
      national.map((rec) => ({ id: rec.id, updatedAt: rec.updatedAt, build: () => this.#payload(rec) })),
    )
  }

  async #payload(rec: ActivityRecord): Promise<NationalActivity> {
    // The model readings go with it, shared for the members to pull chunk by checked chunk.
    const models: ModelAudio[] = []
    for (const t of rec.request.texts) {
      const m = t.model ? await this.opts.modelOf?.(t.model) : undefined
      if (m && t.model) models.push({ resource: t.resource, blob: t.model, ...m })
    }
    return {
      id: rec.id,
      organiser: { nodeId: this.opts.key.nodeId, name: rec.organiser.name },
      activity: rec.request,
      models,
      status: rec.status,
      createdAt: rec.createdAt,
      updatedAt: rec.updatedAt,
    }
  }

  /** Member: applies every shard (what a restart or an unknown hub id left unapplied). */
  applyAll(): Promise<number> {
    return this.#feed.applyAll()
  }

  async #take(a: NationalActivity): Promise<boolean> {
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
    return true
  }
}
