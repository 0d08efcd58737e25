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

/** One start of a job: its record as it stands, and its progress writes still landing. */
interface Run {
  job: TranscodeJob
  writes: Promise<void>
  iso: () => string
}

/** Starts of one job before it is failed instead of started again. */
const maxAttempts = 3

/** Not an error of the file: the lecture moved on (a newer upload, or deleted). */
class Superseded extends Error {}

export class TranscodeQueue {
  #tools: MediaTools | undefined
  readonly #running = new Map<string, { source: string; abort: AbortController; done: Promise<void> }>()
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
      // A new upload replaced a video being transcoded: that run stops (its job record is the new one's now).
      for (const j of await this.opts.jobs.queued()) {
        const running = this.#running.get(j.lectureId)
        if (running && running.source !== j.source) running.abort.abort()
      }
      while (!this.#stopped && this.#running.size < this.opts.settings.concurrency) {
        const next = (await this.opts.jobs.queued()).find((j) => !this.#running.has(j.lectureId))
        if (!next) break
        const abort = new AbortController()
        const entry = { source: next.source, abort, done: Promise.resolve() }
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
    if (queued.attempts >= maxAttempts) {
      // Started that often and never finished: the node stopped (or was killed) each time. A
      // video that takes the node down with it must not do so at every start.
      const reason = `the transcode was started ${queued.attempts} times and the node stopped during each; transcode again (POST /api/lectures/:id/transcode) once the cause is found`
      const run: Run = { job: queued, writes: Promise.resolve(), iso }
      await this.#fail(run, reason).catch(async (e: unknown) => {
        if (!(e instanceof Superseded)) throw e
        await jobs.put({ ...queued, state: 'failed', error: reason, finishedAt: iso() })
      })
      return
    }
    const job: TranscodeJob = {
      ...queued,
      state: 'running',
      progress: 0,
      startedAt: iso(),
      attempts: queued.attempts + 1,
    }
    delete job.error
    await jobs.put(job)
    const run: Run = { job, writes: Promise.resolve(), iso }
    try {
      await this.#transcode(run, signal)
      logger.info({ lecture: job.lectureId }, 'lecture transcoded')
    } catch (err) {
      await run.writes
      if (err instanceof TranscodeAborted) {
        // A clean stop is not a failed start: it does not count towards maxAttempts.
        if ((await jobs.get(job.lectureId))?.source === job.source)
          await jobs.put({ ...run.job, state: 'queued', progress: 0, attempts: run.job.attempts - 1 })
        return
      }
      const reason =
        err instanceof TranscodeFailure || err instanceof Superseded
          ? err.message
          : `transcoding failed: ${(err as Error).message}`
      if (!(err instanceof Superseded)) {
        logger.warn({ lecture: job.lectureId, reason }, 'lecture transcode failed')
        try {
          return await this.#fail(run, reason)
        } catch (e) {
          if (!(e instanceof Superseded)) throw e
        }
      }
      // The lecture moved on: only the job says why it stopped (unless a newer upload replaced it too).
      if ((await jobs.get(job.lectureId))?.source === job.source)
        await jobs.put({ ...run.job, state: 'failed', error: reason, finishedAt: iso() })
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

  /** One write: the lecture is failed with the reason (its original kept), and so is its job. */
  async #fail(run: Run, reason: string): Promise<void> {
    await this.#current(run.job)
    await run.writes
    const failed: TranscodeJob = { ...run.job, state: 'failed', error: reason, finishedAt: run.iso() }
    await this.opts.courses.amendLecture(
      run.job.lectureId,
      (r) => {
        if (!r.files.some((f) => f.role === 'video' && f.blob === run.job.source)) throw new Superseded('superseded')
        return { lecture: { status: 'failed', error: reason.slice(0, 2000), progress: undefined } }
      },
      undefined,
      [this.opts.jobs.putOp(failed)],
    )
  }

  async #transcode(run: Run, signal: AbortSignal): Promise<void> {
    const { job } = run
    await this.#current(job)
    const source = this.opts.blobs.pathOf(job.source)
    const tools = this.#tools
    if (!tools) return this.#withoutFfmpeg(run, source)
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
            // In order, and all landed before the job's last state is written (#ready, #fail).
            run.job = { ...run.job, progress: p }
            const snapshot = run.job
            run.writes = run.writes.then(() => this.opts.jobs.put(snapshot, { sync: false })).catch(() => {})
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
      await this.#ready(run, files, hls.renditions, info.durationSeconds)
    } finally {
      await rm(work, { recursive: true, force: true })
    }
  }

  async #store(path: string, mediaType: string): Promise<Pick<ResourceFile, 'blob' | 'mediaType' | 'size'>> {
    const staged = await this.opts.blobs.stage(createReadStream(path), Number.MAX_SAFE_INTEGER)
    const info = await staged.commit(mediaType)
    return { blob: info.sha256, mediaType, size: info.size }
  }

  /** One write: the lecture is ready with its renditions, poster and duration, and its job done. */
  async #ready(run: Run, files: ResourceFile[], renditions: Rendition[], duration: number | undefined) {
    await run.writes
    const done: TranscodeJob = { ...run.job, state: 'done', progress: 1, finishedAt: run.iso() }
    await this.opts.courses.amendLecture(
      run.job.lectureId,
      (r) => {
        if (!r.files.some((f) => f.role === 'video' && f.blob === run.job.source)) throw new Superseded('superseded')
        const extent = { ...r.metadata.extent, ...(duration !== undefined ? { durationSeconds: duration } : {}) }
        return {
          files,
          dropRoles: ['hls', 'poster'],
          lecture: { status: 'ready', renditions, progress: undefined, error: undefined },
          resource: { metadata: { ...r.metadata, ...(Object.keys(extent).length ? { extent } : {}) } },
        }
      },
      undefined,
      [this.opts.jobs.putOp(done)],
    )
  }

  /** No ffmpeg: an MP4 plays as it is; another container cannot be played at all. */
  async #withoutFfmpeg(run: Run, source: string): Promise<void> {
    const { job } = run
    if (job.sourceType !== 'video/mp4')
      throw new TranscodeFailure(
        `${videoTypes[job.sourceType] ?? job.sourceType} needs transcoding and ffmpeg was not found on this node: install ffmpeg (Debian/Ubuntu: apt install ffmpeg; Windows: ffmpeg.org, then set SHULIN_FFMPEG and SHULIN_FFPROBE), restart the node, then transcode again (POST /api/lectures/:id/transcode) — or upload an MP4`,
      )
    const duration = await mp4Duration(source).catch(() => undefined)
    await this.#ready(run, [], [], duration)
  }
}
