/**
 * @module live/service
 * Live lectures (公开课直播) on this node: scheduling (`create`), what readers see (`view`),
 * their status (scheduled → live → ended, told to {@link LiveService.onStatus} listeners: the
 * room, the relay, the replay), where each lecture's HLS files are ({@link LiveService.hlsDir}),
 * and mirrors — a hub's lecture this node relays, whose status and files the relay drives
 * ({@link LiveService.createMirror}, {@link LiveService.setStatus}) instead of an encoder.
 *
 * The stream key is made here, shown once (in {@link LiveCreated}) and kept only as a hash;
 * {@link LiveService.checkKey} finds the lecture a key opens, comparing in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { join } from 'node:path'
import { monotonicFactory } from 'ulid'
import type { CreateLiveRequest, LiveCreated, LiveStatus, LiveView } from '@shulin/protocol'
import { ProblemError } from '../http/problem.js'
import type { Storage } from '../storage/db.js'
import { Mutex } from '../storage/mutex.js'
import { LiveStore, type LiveRecord } from './store.js'

export type { LiveRecord } from './store.js'

/** Ids name folders on disk and URL segments: a mirror's id comes from the hub, so it is checked. */
export const liveIdPattern = /^[0-9A-Za-z_-]{1,64}$/

export const liveUrl = (base: string, id: string) => `${base}/api/live/${encodeURIComponent(id)}`
/** The playlist players open (`ffmpeg`'s HLS muxer writes it; a relay writes the same name). */
export const playlistName = 'index.m3u8'

export type StatusListener = (record: LiveRecord, previous: LiveStatus) => void

const hashKey = (key: string) => createHash('sha256').update(key).digest()

export interface LiveServiceOptions {
  storage: Storage
  /** The node's data folder: HLS files under `live/<id>/hls`, the recording under `live/<id>/rec`. */
  dataDir: string
  /** This node's name, shown as the origin of its own lectures. */
  nodeName: () => string
  nodeId: string
  /** `rtmp://host:port/live`, for {@link LiveCreated}. */
  rtmpUrl: () => string
  now?: (() => number) | undefined
}

export class LiveService {
  readonly store: LiveStore
  readonly #listeners = new Set<StatusListener>()
  /** Status changes read, then write: one at a time. */
  readonly #mutex = new Mutex()
  readonly #ulid = monotonicFactory()
  readonly #now: () => number

  constructor(private readonly opts: LiveServiceOptions) {
    this.store = new LiveStore(opts.storage)
    this.#now = opts.now ?? Date.now
  }

  /** Schedules a lecture; the answer holds the stream key, shown this once. */
  async create(req: CreateLiveRequest): Promise<LiveCreated> {
    const streamKey = randomBytes(24).toString('base64url')
    const record: LiveRecord = {
      id: this.#ulid(),
      title: req.title,
      ...(req.description !== undefined && { description: req.description }),
      start: req.start,
      speakers: req.speakers.map((p) => ({ name: p.name, ...(p.bio !== undefined && { bio: p.bio }) })),
      course: req.course ?? null,
      access: req.access,
      status: 'scheduled',
      startedAt: null,
      endedAt: null,
      keyHash: hashKey(streamKey).toString('base64url'),
      origin: null,
      replay: null,
      createdAt: new Date(this.#now()).toISOString(),
    }
    await this.store.put(record)
    return { liveId: record.id, rtmpUrl: this.opts.rtmpUrl(), streamKey }
  }

  /** A lecture; `not_found` when there is none. */
  async get(id: string): Promise<LiveRecord> {
    const r = liveIdPattern.test(id) ? await this.store.get(id) : undefined
    if (!r) throw new ProblemError('not_found')
    return r
  }

  /** Every lecture: live ones first, then scheduled by start, then ended (newest first). */
  async list(): Promise<LiveRecord[]> {
    const rank = { live: 0, scheduled: 1, ended: 2 } as const
    return (await this.store.all()).sort(
      (a, b) =>
        rank[a.status] - rank[b.status] ||
        (a.status === 'ended' ? b.start.localeCompare(a.start) : a.start.localeCompare(b.start)),
    )
  }

  /** What readers see; `base` is the node's URL the asker reached (URLs are absolute). */
  view(r: LiveRecord, base: string): LiveView {
    const url = liveUrl(base, r.id)
    return {
      id: r.id,
      title: r.title,
      ...(r.description !== undefined && { description: r.description }),
      status: r.status,
      start: r.start,
      startedAt: r.startedAt,
      endedAt: r.endedAt,
      hls: r.status === 'live' ? `${url}/hls/${playlistName}` : null,
      speakers: r.speakers,
      course: r.course,
      access: r.access,
      origin: r.origin ?? { nodeId: this.opts.nodeId, name: this.opts.nodeName() },
      room: `/api/live/${encodeURIComponent(r.id)}/room`,
      replay: r.replay,
    }
  }

  /** Told of every status change (scheduled → live → ended), after it is stored. */
  onStatus(listener: StatusListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Where the lecture's HLS playlist and segments are (made by whoever writes them). */
  hlsDir(id: string): string {
    if (!liveIdPattern.test(id)) throw new ProblemError('not_found')
    return join(this.opts.dataDir, 'live', id, 'hls')
  }

  /** Where the ingest writes the recording's parts and the finished recording. */
  recordingDir(id: string): string {
    if (!liveIdPattern.test(id)) throw new ProblemError('not_found')
    return join(this.opts.dataDir, 'live', id, 'rec')
  }

  /**
   * Sets a lecture's status (the ingest when an encoder starts; the relay for a mirror; the end).
   * Only forward: ended stays ended; setting the status it has changes nothing and tells no one.
   */
  async setStatus(id: string, status: LiveStatus): Promise<LiveRecord> {
    const { record, previous } = await this.#mutex.run(async () => {
      const r = await this.get(id)
      const previous = r.status
      if (r.status === status || r.status === 'ended' || (r.status === 'live' && status === 'scheduled'))
        return { record: r, previous }
      const at = new Date(this.#now()).toISOString()
      const next: LiveRecord = {
        ...r,
        status,
        startedAt: r.startedAt ?? (status === 'scheduled' ? null : at),
        endedAt: status === 'ended' ? at : null,
      }
      await this.store.put(next)
      return { record: next, previous }
    })
    if (record.status !== previous) for (const l of this.#listeners) l(record, previous)
    return record
  }

  /** Ends a lecture (staff): no encoder is taken after this. */
  end(id: string): Promise<LiveRecord> {
    return this.setStatus(id, 'ended')
  }

  /** Records what the recording became (the replay's lecture id), or why it could not. */
  async setReplay(id: string, replay: { lectureId: string } | { error: string }): Promise<LiveRecord> {
    return this.#mutex.run(async () => {
      const r = await this.get(id)
      const next: LiveRecord =
        'lectureId' in replay ? { ...r, replay: replay.lectureId } : { ...r, replayError: replay.error }
      await this.store.put(next)
      return next
    })
  }

  /**
   * A hub's lecture this node relays, under the hub's id; made once, its title and schedule
   * kept up to date after. Its status follows the relay's {@link setStatus}, never an encoder.
   */
  async createMirror(view: LiveView, origin: { nodeId: string; name: string }): Promise<LiveRecord> {
    if (!liveIdPattern.test(view.id)) throw new ProblemError('validation_failed', { detail: 'bad live id' })
    return this.#mutex.run(async () => {
      const old = await this.store.get(view.id)
      if (old && old.origin === null)
        throw new ProblemError('conflict', { detail: 'a lecture of this node has this id' })
      const record: LiveRecord = {
        id: view.id,
        title: view.title,
        ...(view.description !== undefined && { description: view.description }),
        start: view.start,
        speakers: view.speakers,
        course: null,
        access: view.access,
        status: old?.status ?? 'scheduled',
        startedAt: old?.startedAt ?? null,
        endedAt: old?.endedAt ?? null,
        keyHash: null,
        origin,
        replay: null,
        createdAt: old?.createdAt ?? new Date(this.#now()).toISOString(),
      }
      await this.store.put(record)
      return record
    })
  }

  /** The lecture a stream key opens (constant-time compare); undefined for a wrong key or id. */
  async checkKey(id: string, key: string): Promise<LiveRecord | undefined> {
    const r = liveIdPattern.test(id) ? await this.store.get(id) : undefined
    // Hash even when there is no lecture, so a wrong id takes as long as a wrong key.
    const given = hashKey(key)
    const stored = r?.keyHash ? Buffer.from(r.keyHash, 'base64url') : Buffer.alloc(given.length)
    const same = stored.length === given.length && timingSafeEqual(stored, given)
    return r && r.keyHash && same ? r : undefined
  }

  /** The lecture whose key this is: the RTMP stream names only the key. */
  async byKey(key: string): Promise<LiveRecord | undefined> {
    const given = hashKey(key)
    let found: LiveRecord | undefined
    for (const r of await this.store.all()) {
      if (!r.keyHash) continue
      const stored = Buffer.from(r.keyHash, 'base64url')
      // Every lecture is compared (no early exit), each in constant time.
      if (stored.length === given.length && timingSafeEqual(stored, given)) found = r
    }
    return found
  }
}
