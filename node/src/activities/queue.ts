/**
 * @module activities/queue
 * The recitation entries' transcode queue: each entry's upload (checked when it arrived, see
 * audio.ts) becomes the normalised M4A, oldest first, `concurrency` at a time, niced. The jobs
 * are records (`activity-audio-jobs`), written in the entry's own batch, so a queue cut off by a
 * stop or a crash finds them again at start: a job found `running` is queued again (at most
 * {@link maxAttempts} starts, then the entry fails with the reason). The course queue
 * (courses/transcode/queue.ts) is bound to lectures and HLS, so this small one stands beside it,
 * sharing its tool runner.
 */
import { createReadStream } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from '../logger.js'
import type { BlobStore } from '../blobs/store.js'
import { putOp } from '../storage/db.js'
import { findTools, TranscodeAborted, TranscodeFailure, type MediaTools } from '../courses/transcode/tools.js'
import { transcodeAudio } from './audio.js'
import type { ActivitiesService } from './service.js'
import type { AudioJob } from './store.js'

export const maxAttempts = 3

export interface AudioQueueOptions {
  activities: ActivitiesService
  blobs: BlobStore
  /** Where work files go (the data folder's tmp). */
  tmpDir: string
  concurrency?: number | undefined
  ffmpeg?: string | undefined
  ffprobe?: string | undefined
  logger: Logger
}

export class AudioQueue {
  #tools: MediaTools | undefined
  #stopped = true
  #filling = false
  readonly #running = new Map<string, { abort: AbortController; done: Promise<void> }>()
  #unsubscribe = () => {}

  constructor(private readonly opts: AudioQueueOptions) {}

  /** ffmpeg and ffprobe once started; undefined: not found (entries are then refused). */
  get tools(): MediaTools | undefined {
    return this.#tools
  }

  async start(): Promise<void> {
    this.#tools = await findTools({ ffmpeg: this.opts.ffmpeg, ffprobe: this.opts.ffprobe })
    if (!this.#tools)
      this.opts.logger.warn(
        'ffmpeg/ffprobe not found: recitation entries are refused until it is installed (Debian/Ubuntu: apt install ffmpeg) or SHULIN_FFMPEG/SHULIN_FFPROBE point to it',
      )
    const store = this.opts.activities.store
    for await (const job of store.jobs.values())
      if (job.state === 'running')
        await store.storage.commit([putOp<AudioJob>(store.jobs, job.entry, { ...job, state: 'queued' })], {
          sync: true,
        })
    this.#stopped = false
    this.#unsubscribe = this.opts.activities.onEntry((e) => {
      if (e.status === 'processing') this.kick()
    })
    this.kick()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    this.#unsubscribe()
    const running = [...this.#running.values()]
    for (const r of running) r.abort.abort()
    await Promise.all(running.map((r) => r.done))
  }

  kick(): void {
    if (this.#stopped || !this.#tools) return
    void this.#fill().catch((err: unknown) => this.opts.logger.error({ err }, 'audio queue failed'))
  }

  /** Resolves when no job is queued or running (tests wait on it). */
  async idle(): Promise<void> {
    for (;;) {
      await Promise.all([...this.#running.values()].map((r) => r.done))
      const queued = (await this.#queued()).length
      if (!queued && !this.#running.size) return
      if (this.#stopped || !this.#tools) return
      this.kick()
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  async #queued(): Promise<AudioJob[]> {
    const out: AudioJob[] = []
    for await (const j of this.opts.activities.store.jobs.values()) if (j.state === 'queued') out.push(j)
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt))
  }

  async #fill(): Promise<void> {
    if (this.#filling) return
    this.#filling = true
    try {
      const concurrency = this.opts.concurrency ?? 1
      for (const job of await this.#queued()) {
        if (this.#stopped || this.#running.size >= concurrency) break
        if (this.#running.has(job.entry)) continue
        const abort = new AbortController()
        const done = this.#run(job, abort.signal).finally(() => {
          this.#running.delete(job.entry)
          this.kick()
        })
        this.#running.set(job.entry, { abort, done })
      }
    } finally {
      this.#filling = false
    }
  }

  async #run(job: AudioJob, signal: AbortSignal): Promise<void> {
    const { activities, blobs, logger } = this.opts
    const store = activities.store
    const entry = await store.entries.get(job.entry)
    const commitJob = (j: AudioJob) => store.storage.commit([putOp<AudioJob>(store.jobs, j.entry, j)], { sync: true })
    if (!entry || entry.status !== 'processing' || !entry.source) {
      await commitJob({ ...job, state: 'done' })
      return
    }
    if (job.attempts >= maxAttempts) {
      await activities.settleEntry(entry.id, {
        status: 'failed',
        error: `the recording could not be processed after ${maxAttempts} attempts`,
      })
      return
    }
    await commitJob({ ...job, state: 'running', attempts: job.attempts + 1 })
    const act = await store.activities.get(entry.activity)
    const work = join(this.opts.tmpDir, `entry-${entry.id}-${Date.now()}.m4a`)
    try {
      await mkdir(this.opts.tmpDir, { recursive: true })
      const duration = await transcodeAudio(this.#tools!, blobs.pathOf(entry.source.blob), work, {
        maxSeconds: act?.request.maxSeconds ?? 1800,
        signal,
      })
      const staged = await blobs.stage(createReadStream(work), 1024 ** 3)
      const info = await staged.commit('audio/mp4')
      await activities.settleEntry(entry.id, {
        status: 'ready',
        audio: { blob: info.sha256, mediaType: 'audio/mp4', size: info.size },
        duration,
      })
    } catch (err) {
      if (err instanceof TranscodeAborted) {
        await commitJob({ ...job, state: 'queued' })
        return
      }
      const reason = err instanceof TranscodeFailure ? err.message : `unexpected: ${(err as Error).message}`
      logger.warn({ entry: entry.id, reason }, 'recitation entry failed to transcode')
      await activities.settleEntry(entry.id, { status: 'failed', error: reason })
    } finally {
      await rm(work, { force: true })
    }
  }
}
