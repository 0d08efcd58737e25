/**
 * @module courses/transcode/queue
 * The running node's transcode queue: takes queued jobs oldest first, `concurrency` at a time
 * (one by default, niced), and turns a lecture's original into HLS renditions and a poster.
 * Outputs are written to a temporary folder, then into the blob store, then the lecture is
 * updated in one write (ready with its files, or failed with the reason; the original is
 * kept either way). Jobs a stopped or killed node left running are queued again at start.
 *
 * Without ffmpeg the node says so once; an MP4 original becomes playable as it is (no HLS), any
 * other container fails with the fix named.
 */
import { createReadStream } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Rendition, Resource, ResourceFile } from '@shulin/protocol'
import type { Logger } from '../../logger.js'
import type { BlobStore } from '../../blobs/store.js'
import { mp4Duration } from '../../resources/files/extract-media.js'
import type { CourseService } from '../service.js'
import type { TranscodeJob, TranscodeJobs } from '../jobs.js'
import { videoTypes } from '../uploads.js'
import { ladder } from './ladder.js'
import { posterFrame, transcodeHls } from './hls.js'
import { checkLimits, probe, type VideoLimits } from './probe.js'
import { findTools, TranscodeAborted, TranscodeFailure, type MediaTools } from './tools.js'

export interface TranscodeSettings extends VideoLimits {
  concurrency: number
  /** Seconds; 0: three times the video's duration plus ten minutes. */
  timeoutSeconds: number
  ffmpeg?: string | undefined
  ffprobe?: string | undefined
}

export interface TranscodeQueueOptions {
  jobs: TranscodeJobs
  courses: CourseService
  blobs: BlobStore
  /** Where work folders go (the data folder's tmp, emptied at every start). */
  tmpDir: string
  settings: TranscodeSettings
  logger: Logger
  now?: (() => number) | undefined
}

/** How often a running job's progress is written (the lecture's less often: each write is a revision). */
const jobProgressMs = 2_000
const lectureProgressMs = 10_000

/** Not an error of the file: the lecture moved on (a newer upload, or deleted). */
class Superseded extends Error {}

export class TranscodeQueue {
  #tools: MediaTools | undefined
  readonly #running = new Map<string, { abort: AbortController; done: Promise<void> }>()
  #stopped = true
  #unsubscribe = () => {}
  readonly #now: () => number

  constructor(private readonly opts: TranscodeQueueOptions) {
    this.#now = opts.now ?? Date.now
  }

  /** ffmpeg and ffprobe, once started (undefined: not found). */
  get tools(): MediaTools | undefined {
    return this.#tools
  }

  async start(): Promise<void> {
    const { settings, logger, jobs } = this.opts
    this.#tools = await findTools(settings)
    if (this.#tools)
      logger.info({ ffmpeg: this.#tools.ffmpeg, version: this.#tools.version }, 'transcoding with ffmpeg')
    else
      logger.warn(
        'ffmpeg/ffprobe not found: lecture videos are not transcoded to HLS; MP4 uploads are served as they are, other formats fail. Install ffmpeg (Debian/Ubuntu: apt install ffmpeg) or set SHULIN_FFMPEG and SHULIN_FFPROBE, then restart.',
      )
    const requeued = await jobs.requeueRunning()
    if (requeued) logger.info({ jobs: requeued }, 'transcode jobs cut off by the last stop are queued again')
    this.#stopped = false
    this.#unsubscribe = jobs.onQueued(() => this.kick())
    this.kick()
  }

  /** Stops the running jobs (they go back to the queue) and waits for them. */
  async stop(): Promise<void> {
    this.#stopped = true
    this.#unsubscribe()
    const running = [...this.#running.values()]
    for (const r of running) r.abort.abort()
    await Promise.all(running.map((r) => r.done))
  }

  /** Starts queued jobs while there is room. */
  kick(): void {
    if (this.#stopped) return
    void this.#fill().catch((err: unknown) => this.opts.logger.error({ err }, 'transcode queue failed'))
  }

  #filling = false
  async #fill(): Promise<void> {
    if (this.#filling) return
    this.#filling = true
    try {
      while (!this.#stopped && this.#running.size < this.opts.settings.concurrency) {
        const next = (await this.opts.jobs.queued()).find((j) => !this.#running.has(j.lectureId))
        if (!next) break
        const abort = new AbortController()
        const entry = { abort, done: Promise.resolve() }
        this.#running.set(next.lectureId, entry)
        entry.done = this.#run(next, abort.signal)
          .catch((err: unknown) => this.opts.logger.error({ err, lecture: next.lectureId }, 'transcode job failed'))
          .finally(() => {
            this.#running.delete(next.lectureId)
            this.kick()
          })
      }
    } finally {
      this.#filling = false
    }
  }

  async #run(queued: TranscodeJob, signal: AbortSignal): Promise<void> {
    const { jobs, logger } = this.opts
    const iso = () => new Date(this.#now()).toISOString()
    let job: TranscodeJob = {
      ...queued,
      state: 'running',
      progress: 0,
      startedAt: iso(),
      attempts: queued.attempts + 1,
    }
    delete job.error
    await jobs.put(job)
    const finish = async (state: 'done' | 'failed', error?: string) => {
      // A newer upload replaced this job while it ran: its record is left alone.
      if ((await jobs.get(job.lectureId))?.source !== job.source) return
      job = {
        ...job,
        state,
        progress: state === 'done' ? 1 : job.progress,
        finishedAt: iso(),
        ...(error ? { error } : {}),
      }
      await jobs.put(job)
    }
    // Progress writes in order, all landed before the job's last state is written.
    let progressWrites = Promise.resolve()
    const saveProgress = (p: number) => {
      job = { ...job, progress: p }
      const snapshot = job
      progressWrites = progressWrites.then(() => jobs.put(snapshot, { sync: false })).catch(() => {})
    }
    try {
      try {
        await this.#transcode(job, signal, saveProgress)
      } finally {
        await progressWrites
      }
      await finish('done')
      logger.info({ lecture: job.lectureId }, 'lecture transcoded')
    } catch (err) {
      if (err instanceof TranscodeAborted) {
        if ((await jobs.get(job.lectureId))?.source === job.source)
          await jobs.put({ ...job, state: 'queued', progress: 0 })
        return
      }
      if (err instanceof Superseded) return finish('failed', err.message)
      const reason = err instanceof TranscodeFailure ? err.message : `transcoding failed: ${(err as Error).message}`
      logger.warn({ lecture: job.lectureId, reason }, 'lecture transcode failed')
      await this.#fail(job, reason).catch((e: unknown) => (e instanceof Superseded ? undefined : Promise.reject(e)))
      await finish('failed', reason)
    }
  }

  /** The lecture, when it still holds this job's original. */
  async #current(job: TranscodeJob): Promise<Resource> {
    const lecture = await this.opts.courses.lecture(job.lectureId).catch(() => undefined)
    if (!lecture) throw new Superseded('the lecture is gone')
    if (!lecture.files.some((f) => f.role === 'video' && f.blob === job.source))
      throw new Superseded('the lecture holds another video now (a newer upload, or the upload did not finish)')
    return lecture
  }

  /** One write: the lecture is failed with the reason, its original kept. */
  async #fail(job: TranscodeJob, reason: string): Promise<void> {
    await this.#current(job)
    await this.opts.courses.amendLecture(job.lectureId, (r) => {
      if (!r.files.some((f) => f.role === 'video' && f.blob === job.source)) throw new Superseded('superseded')
      return { lecture: { status: 'failed', error: reason.slice(0, 2000), progress: undefined } }
    })
  }

  async #transcode(job: TranscodeJob, signal: AbortSignal, saveProgress: (p: number) => void): Promise<void> {
    await this.#current(job)
    const source = this.opts.blobs.pathOf(job.source)
    const tools = this.#tools
    if (!tools) return this.#withoutFfmpeg(job, source)
    const info = await probe(tools, source, signal)
    checkLimits(info, this.opts.settings)
    const { timeoutSeconds } = this.opts.settings
    const timeoutMs = (timeoutSeconds || info.durationSeconds * 3 + 600) * 1000
    const timeoutHint = timeoutSeconds
      ? `--transcode-timeout is ${timeoutSeconds} s`
      : 'three times the video’s length plus ten minutes; raise it with --transcode-timeout'
    await mkdir(this.opts.tmpDir, { recursive: true })
    const work = await mkdtemp(join(this.opts.tmpDir, 'transcode-'))
    try {
      let lastJob = 0
      let lastLecture = this.#now()
      const rungs = ladder(info)
      const hls = await transcodeHls(tools, source, info, rungs, work, {
        timeoutMs,
        timeoutHint,
        signal,
        nice: true,
        onProgress: (p) => {
          const now = this.#now()
          if (now - lastJob >= jobProgressMs) {
            lastJob = now
            saveProgress(p)
          }
          if (now - lastLecture >= lectureProgressMs) {
            lastLecture = now
            void this.opts.courses
              .amendLecture(job.lectureId, (r) =>
                r.lecture!.status === 'processing' ? { lecture: { progress: Math.round(p * 100) / 100 } } : {},
              )
              .catch(() => {})
          }
        },
      })
      const poster = join(work, 'poster.jpg')
      await posterFrame(tools, source, info, poster, { timeoutMs: 120_000, signal, nice: true })
      const files: ResourceFile[] = []
      for (const f of hls.files) {
        const mediaType = f.name.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp2t'
        files.push({ ...(await this.#store(f.path, mediaType)), role: 'hls', name: f.name })
      }
      files.push({ ...(await this.#store(poster, 'image/jpeg')), role: 'poster', name: 'poster.jpg' })
      await this.#ready(job, files, hls.renditions, info.durationSeconds)
    } finally {
      await rm(work, { recursive: true, force: true })
    }
  }

  async #store(path: string, mediaType: string): Promise<Pick<ResourceFile, 'blob' | 'mediaType' | 'size'>> {
    const staged = await this.opts.blobs.stage(createReadStream(path), Number.MAX_SAFE_INTEGER)
    const info = await staged.commit(mediaType)
    return { blob: info.sha256, mediaType, size: info.size }
  }

  /** One write: the lecture is ready with its renditions, poster and duration. */
  async #ready(job: TranscodeJob, files: ResourceFile[], renditions: Rendition[], duration: number | undefined) {
    await this.opts.courses.amendLecture(job.lectureId, (r) => {
      if (!r.files.some((f) => f.role === 'video' && f.blob === job.source)) throw new Superseded('superseded')
      const extent = { ...r.metadata.extent, ...(duration !== undefined ? { durationSeconds: duration } : {}) }
      return {
        files,
        dropRoles: ['hls', 'poster'],
        lecture: { status: 'ready', renditions, progress: undefined, error: undefined },
        resource: { metadata: { ...r.metadata, ...(Object.keys(extent).length ? { extent } : {}) } },
      }
    })
  }

  /** No ffmpeg: an MP4 plays as it is; another container cannot be played at all. */
  async #withoutFfmpeg(job: TranscodeJob, source: string): Promise<void> {
    if (job.sourceType !== 'video/mp4')
      throw new TranscodeFailure(
        `${videoTypes[job.sourceType] ?? job.sourceType} needs transcoding and ffmpeg was not found on this node: install ffmpeg (Debian/Ubuntu: apt install ffmpeg; Windows: ffmpeg.org, then set SHULIN_FFMPEG and SHULIN_FFPROBE), restart the node, then transcode again (POST /api/lectures/:id/transcode) — or upload an MP4`,
      )
    const duration = await mp4Duration(source).catch(() => undefined)
    await this.#ready(job, [], [], duration)
  }
}
