/**
 * @module activities/network
 * National reading activities across the network (issue 20), wired into a node by role:
 * - everyone: {@link NationalActivities} (the hub signs its national activities into a
 *   replicated catalog; members check and list them);
 * - a member: {@link TallyPusher} (each finished day's likes on its entries, signed, queued
 *   while offline) and the audio of its entries shared for the hub's judges;
 * - the hub: {@link HubTallies} (the intake; what it takes goes into the hub's activities, so the
 *   hub's ranking is the members' tallies plus its own readers' likes) and, once an activity is
 *   judging, its finalists' audio pulled from their libraries over the content transfer, every
 *   chunk checked against the manifest the member signed.
 *
 * Nobody counts twice: a reader likes an entry at the library that holds it (signed in at home,
 * or there as a visitor through unified identity, keyed by their home identity — see
 * {@link voterOf}); that library alone counts the like and tallies it. Entries the hub knows from
 * tallies are for its ranking and judges: likes on them at the hub are refused
 * ({@link refuseRemoteLikes}), else a reader could like one entry at its library and at the hub.
 */
import { createHash } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import type { NodeKey } from '@shulin/federation/identity'
import type { Host, ShardedCatalog } from '@shulin/federation'
import { networkEntryId, type MemberEntry, type NetworkEntry, type Ranking } from '@shulin/protocol'
import type { AppEnv } from '../../http/env.js'
import { ProblemError } from '../../http/problem.js'
import type { Storage } from '../../storage/db.js'
import type { Logger } from '../../logger.js'
import type { BlobStore } from '../../blobs/store.js'
import type { Distribution } from '../../distribution/index.js'
import type { ActivitiesService, ActivityRecord, EntryAudio, EntryRecord } from '../service.js'
import { HubTallies } from './hub-tallies.js'
import { NationalActivities } from './national.js'
import { TallyPusher, type TallySource } from './tally-pusher.js'
import type { RemoteModel } from '../store.js'

export { HubTallies } from './hub-tallies.js'
export { TallyPusher, dueDays } from './tally-pusher.js'
export { NationalActivities } from './national.js'

/** What the network part needs of the federation service. */
export interface ActivitiesFederation {
  whenHost(fn: (host: Host) => Promise<void>): Promise<void>
  entry(nodeId: string): MemberEntry | undefined
  hubPeer(): Promise<{ hub: string; addrs: string[] } | undefined>
  hubNodeId(): string | undefined
  catalog(name: string): Promise<ShardedCatalog>
}

export interface ActivitiesNetworkInit {
  role: 'node' | 'hub'
  key: NodeKey
  storage: Storage
  activities: ActivitiesService
  federation: ActivitiesFederation
  content: Pick<Distribution, 'manifestIdOf' | 'fetcher' | 'ensureLocal'>
  blobs: Pick<BlobStore, 'info'>
  /** How often a member pushes waiting tallies (ms). */
  pushIntervalMs?: number
  /** How often the hub looks for finalists to pull (ms). */
  judgingCheckMs?: number
  now?: () => number
  logger?: Logger | undefined
}

export interface ActivitiesNetwork {
  national: NationalActivities
  hub: HubTallies | undefined
  pusher: TallyPusher | undefined
  /** Hub: pulls the audio of an activity's finalists held elsewhere; the number now here. */
  pullFinalists(activityId: string): Promise<number>
  /**
   * The national ranking of `activity`: the hub's own total at the hub; a member asks the hub
   * (cached {@link rankingCacheMs}). @throws {ProblemError} `peer_unreachable` when the hub cannot
   * be reached, `not_found` when the hub does not know the activity.
   */
  nationalRanking(activity: ActivityRecord, limit: number): Promise<Ranking>
  /**
   * A text's model reading here: at once when held, else (a national activity's) pulled from the
   * hub first. @returns the blob to serve, or `fetching` while it is still coming.
   */
  model(activity: ActivityRecord, resource: string): Promise<EntryAudio | 'fetching' | undefined>
  start(): Promise<void>
  stop(): Promise<void>
}

const judgingRetryMs = 10_000
/** How long a member shows the hub's national ranking before asking again. */
export const rankingCacheMs = 10_000

/** An opaque, stable value per reader and activity (see {@link NetworkEntry.participant}). */
const participantOf = (nodeId: string, activity: string, author: string) =>
  createHash('sha256').update(`shulin-participant\n${nodeId}\n${activity}\n${author}`).digest('base64url').slice(0, 32)

export function createActivitiesNetwork(init: ActivitiesNetworkInit): ActivitiesNetwork {
  const { activities, key, role, logger } = init
  const me = key.nodeId
  const national = new NationalActivities({
    role,
    key,
    activities,
    catalog: (name) => init.federation.catalog(name),
    hubId: () => init.federation.hubNodeId(),
    modelOf: async (sha256) => {
      const info = await init.blobs.info(sha256)
      if (!info) return undefined
      return { size: info.size, mediaType: info.mediaType, manifest: await init.content.manifestIdOf(sha256) }
    },
    // A member pulls the model readings as the activity arrives, so its readers hear them at once.
    onTaken: (rec) => {
      for (const [resource, m] of Object.entries(rec.models ?? {}))
        void pullModel(rec, m).catch((err: unknown) =>
          logger?.warn({ err, activity: rec.id, resource }, 'could not pull a model reading; trying when played'),
        )
    },
    logger,
  })
  const pullModel = async (rec: ActivityRecord, m: RemoteModel, waitMs?: number) =>
    (await init.blobs.info(m.blob))
      ? 'ready'
      : init.content.ensureLocal(
          { blob: m.blob, role: 'content', mediaType: m.mediaType, size: m.size, manifest: m.manifest },
          rec.organiser.nodeId ?? init.federation.hubNodeId() ?? '',
          waitMs,
        )
  const hub =
    role === 'hub'
      ? new HubTallies({
          storage: init.storage,
          member: (id) => init.federation.entry(id),
          national: async (id) => {
            const rec = await activities.store.activities.get(id)
            return !!rec && rec.request.audience === 'member-readers' && (rec.organiser.nodeId ?? me) === me
          },
          sink: {
            take: async ({ entries, tallies, ops }) =>
              void (await activities.takeIntake({ entries: await Promise.all(entries.map(asRemote)), tallies, ops })),
          },
          ...(init.now ? { now: init.now } : {}),
          logger,
        })
      : undefined

  /** The hub's copy of a member's entry: its audio only once pulled here. */
  async function remoteEntry(e: NetworkEntry): Promise<void> {
    await activities.upsertRemoteEntry(await asRemote(e))
  }
  async function asRemote(e: NetworkEntry): Promise<Omit<EntryRecord, 'remote' | 'source'>> {
    const here = e.audio && (await init.blobs.info(e.audio.blob)) ? e.audio : null
    return {
      id: e.id,
      activity: e.activity,
      title: e.title,
      text: e.text,
      author: e.participant,
      authorName: e.author.name,
      library: e.node,
      libraryName: e.author.library,
      region: init.federation.entry(e.node)?.region ?? null,
      status: e.status,
      audio: here ? { blob: here.blob, mediaType: here.mediaType, size: here.size } : null,
      duration: e.duration,
      createdAt: e.createdAt,
    }
  }

  const source: TallySource = {
    national: async () =>
      (await activities.list({ all: true }))
        .filter((a) => a.scope === 'national' && a.organiser.nodeId !== me)
        .map((a) => ({ id: a.id, phases: a.request.phases })),
    likesOn: (activity, day) => activities.likesOn(activity, day),
    entries: async (activity) =>
      (await activities.entries(activity)).filter((e) => !e.remote && e.library === me).map((e) => e.id),
    async describe(activity, entryId) {
      const e = await activities.store.entries.get(entryId)
      if (!e || e.activity !== activity || e.remote) return undefined
      // Shared from now on: the hub's judges can pull it, chunk by checked chunk.
      const manifest = e.audio ? await init.content.manifestIdOf(e.audio.blob) : undefined
      return {
        activity,
        id: networkEntryId(me, e.id),
        node: me,
        title: e.title,
        text: e.text,
        author: { name: e.authorName, library: e.libraryName },
        participant: participantOf(me, activity, e.author),
        status: e.status,
        duration: e.duration,
        audio: e.audio && manifest ? { ...e.audio, manifest } : null,
        createdAt: e.createdAt,
      }
    },
  }
  let host: Host | undefined
  const pusher =
    role === 'node'
      ? new TallyPusher({
          storage: init.storage,
          key,
          source,
          ...(init.pushIntervalMs ? { intervalMs: init.pushIntervalMs } : {}),
          ...(init.now ? { now: init.now } : {}),
          logger,
          push: async (push) => {
            const peer = await init.federation.hubPeer()
            if (!peer || !host) throw new Error('not a member of a network')
            const { pushTallies } = await import('@shulin/federation')
            return pushTallies(host, peer.addrs, push)
          },
        })
      : undefined

  async function pullFinalists(activityId: string): Promise<number> {
    if (!hub) return 0
    let here = 0
    for (const f of await activities.finalists(activityId)) {
      if (!f.remote) continue
      const e = await hub.entry(activityId, f.id)
      if (!e?.audio) continue
      if (!(await init.blobs.info(e.audio.blob))) {
        await init.content.fetcher.fetch(
          {
            blob: e.audio.blob,
            role: 'content',
            mediaType: e.audio.mediaType,
            size: e.audio.size,
            manifest: e.audio.manifest,
          },
          e.node,
        )
      }
      if (!f.audio) await remoteEntry(e)
      here++
    }
    return here
  }

  const rankings = new Map<string, { at: number; ranking: Ranking }>()
  async function nationalRanking(rec: ActivityRecord, limit: number): Promise<Ranking> {
    if (role === 'hub') return activities.ranking(rec.id, { scope: 'national', limit })
    const key = `${rec.id} ${limit}`
    const now = (init.now ?? Date.now)()
    const cached = rankings.get(key)
    if (cached && now - cached.at < rankingCacheMs) return cached.ranking
    const unreachable = () =>
      new ProblemError('peer_unreachable', {
        detail: 'The hub cannot be reached just now, so the national ranking cannot be shown; try again later.',
      })
    const peer = await init.federation.hubPeer()
    if (!peer || !host) throw unreachable()
    const { askRanking } = await import('@shulin/federation')
    const res = await askRanking(host, peer.addrs, { activity: rec.id, limit }).catch(() => {
      throw unreachable()
    })
    if (!res.ok) throw new ProblemError('not_found', { detail: 'The hub has no national ranking of this activity.' })
    const ranking: Ranking = { ...res.ranking, scope: 'national', asOf: new Date(now).toISOString() }
    rankings.set(key, { at: now, ranking })
    if (rankings.size > 200) rankings.delete(rankings.keys().next().value!)
    return ranking
  }

  async function model(rec: ActivityRecord, resource: string): Promise<EntryAudio | 'fetching' | undefined> {
    const sha = rec.request.texts.find((t) => t.resource === resource)?.model
    if (!sha) return undefined
    const info = await init.blobs.info(sha)
    if (info) return { blob: sha, size: info.size, mediaType: info.mediaType }
    const m = rec.models?.[resource]
    if (!m || m.blob !== sha || rec.organiser.nodeId === me) return undefined
    if ((await pullModel(rec, m, 10_000)) === 'fetching') return 'fetching'
    return { blob: m.blob, size: m.size, mediaType: m.mediaType }
  }

  let judgingTimer: NodeJS.Timeout | undefined
  let stopped = false
  /** Hub: every national activity now judging gets its finalists' audio; false when a pull failed. */
  const judgingRound = async (): Promise<boolean> => {
    let ok = true
    for (const a of await activities.list()) {
      if (a.scope === 'local' && a.request.audience !== 'member-readers') continue
      if (activities.phaseAt(a) !== 'judging') continue
      await pullFinalists(a.id).catch((err: unknown) => {
        ok = false
        logger?.warn({ err, activity: a.id }, 'could not pull finalists’ audio for judging; trying again')
      })
    }
    return ok
  }

  return {
    national,
    hub,
    pusher,
    pullFinalists,
    nationalRanking,
    model,
    async start() {
      await init.federation.whenHost(async (h) => {
        host = h
        if (hub) {
          const { serveTallies } = await import('@shulin/federation')
          await serveTallies(
            h,
            (push, from) => hub.receive(push, from),
            (msg, err) => logger?.warn({ err }, msg),
          )
          const { serveRankings } = await import('@shulin/federation')
          await serveRankings(
            h,
            async (req) => {
              const rec = await activities.store.activities.get(req.activity)
              if (!rec || rec.status !== 'published' || rec.request.audience !== 'member-readers')
                return { ok: false, reason: 'unknown_activity' }
              return { ok: true, ranking: await activities.ranking(rec.id, { scope: 'national', limit: req.limit }) }
            },
            (msg, err) => logger?.warn({ err }, msg),
          )
        }
      })
      await national.start()
      pusher?.start()
      if (hub) {
        const tick = () =>
          void judgingRound()
            .catch((err: unknown) => {
              logger?.warn({ err }, 'judging round failed')
              return false
            })
            .then((ok) => {
              if (stopped) return
              // A library briefly unreachable is asked again soon, not at the next round.
              judgingTimer = setTimeout(tick, ok ? (init.judgingCheckMs ?? 60_000) : judgingRetryMs)
              judgingTimer.unref()
            })
        judgingTimer = setTimeout(tick, 1000)
        judgingTimer.unref()
      }
    },
    async stop() {
      stopped = true
      clearTimeout(judgingTimer)
      national.stop()
      await pusher?.stop()
    },
  }
}

/**
 * Hub: a like on an entry known from a member's tallies is refused — it is counted at its own
 * library (where the reader may sign in as a visitor), so it never counts twice.
 */
export function refuseRemoteLikes(activities: ActivitiesService): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const entryId = c.req.param('entryId')
    const e = entryId ? await activities.store.entries.get(entryId) : undefined
    if (e?.remote)
      throw new ProblemError('forbidden', {
        detail: `Like this entry at its library (${e.libraryName}), signed in there or through your own library.`,
      })
    await next()
  }
}
