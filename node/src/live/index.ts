/**
 * @module live
 * Live lectures on the node: the {@link LiveService} (records, status, the files' folders) and
 * what drives it — the RTMP ingest, the reminders, the replay — built together. {@link Live.end}
 * is the one way a lecture of this node ends: the status first (so no encoder is taken after),
 * then the encoder is let go and its last segment and recording part written, then the
 * recording is made a lecture of its course.
 */
import type { RoomQuestion } from '@shulin/protocol'
import type { Courses } from '../courses/index.js'
import type { Notifier } from '../notify/notifier.js'
import { ProblemError } from '../http/problem.js'
import type { Logger } from '../logger.js'
import type { Storage } from '../storage/db.js'
import { RtmpIngest, rtmpApp } from './ingest.js'
import { LiveReminders } from './reminders.js'
import { Replays } from './replay.js'
import { LiveService, type LiveRecord } from './service.js'

export { LiveService, type LiveRecord } from './service.js'

/** How long a lecture whose encoder dropped waits for it before it ends (see live/ingest). */
export const defaultGraceMs = 5 * 60_000

export interface LiveOptions {
  storage: Storage
  dataDir: string
  nodeId: string
  nodeName: () => string
  /** The host encoders reach the node at (the public URL's, else the listen address). */
  rtmpHost: () => string
  rtmpPort: number
  /** The address the RTMP server listens on (`--host`). */
  listenHost: string
  ffmpeg?: string | undefined
  courses: Courses
  notifier: Pick<Notifier, 'notify'>
  maxUploadBytes: number
  logger: Logger
  graceMs?: number
  now?: (() => number) | undefined
}

export class Live {
  readonly service: LiveService
  readonly ingest: RtmpIngest
  readonly reminders: LiveReminders
  readonly replays: Replays
  /**
   * The room's questions of a lecture, for the replay's timeline: live-room's
   * `LiveRooms.questions`, set where the rooms are built; none until then.
   */
  questions: (liveId: string) => Promise<RoomQuestion[]> | RoomQuestion[] = () => []

  constructor(readonly opts: LiveOptions) {
    this.service = new LiveService({
      ...opts,
      rtmpUrl: () => `rtmp://${opts.rtmpHost()}:${this.ingest.port() ?? opts.rtmpPort}/${rtmpApp}`,
    })
    this.ingest = new RtmpIngest({
      live: this.service,
      port: opts.rtmpPort,
      host: opts.listenHost,
      ffmpeg: opts.ffmpeg,
      graceMs: opts.graceMs ?? defaultGraceMs,
      onGraceOver: (id) => void this.end(id).catch((err: unknown) => opts.logger.error({ err, liveId: id }, 'end')),
      logger: opts.logger,
    })
    this.reminders = new LiveReminders({
      live: this.service,
      notifier: opts.notifier,
      logger: opts.logger,
      now: opts.now,
    })
    this.replays = new Replays({
      live: this.service,
      courses: opts.courses,
      ffmpeg: opts.ffmpeg,
      maxUploadBytes: opts.maxUploadBytes,
      logger: opts.logger,
    })
  }

  async start(): Promise<void> {
    await this.ingest.start()
    this.reminders.start()
    await this.replays.resume()
  }

  async stop(): Promise<void> {
    await this.ingest.stop()
    await this.reminders.stop()
    await this.replays.settled()
  }

  /** Ends a lecture of this node (staff, or the encoder's grace period over); twice is once. */
  async end(id: string): Promise<LiveRecord> {
    const r = await this.service.get(id)
    if (r.origin)
      throw new ProblemError('conflict', { detail: 'a relayed lecture is ended by the node that broadcasts it' })
    if (r.status === 'ended') return r
    const ended = await this.service.end(id)
    await this.ingest.release(id)
    void this.replays.make(id)
    return ended
  }

  remind(id: string, accountId: string): Promise<Date> {
    return this.reminders.add(id, accountId)
  }
}

/** The host of the node's primary URL, for the RTMP URL encoders are given. */
export function rtmpHost(primaryUrl: string): string {
  try {
    return new URL(primaryUrl).hostname || '127.0.0.1'
  } catch {
    return '127.0.0.1'
  }
}
