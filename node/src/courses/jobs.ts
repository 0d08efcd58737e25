/**
 * @module courses/jobs
 * The transcode queue's records. Owns the `transcode-jobs` sublevel: lecture id → job (one job
 * per lecture: a new upload replaces the lecture's job). The queue survives a restart: a job
 * found `running` at start was cut off by a crash or a kill and is queued again.
 */
import type { BatchOp, Storage, Sublevel } from '../storage/db.js'
import { putOp } from '../storage/db.js'

export type JobState = 'queued' | 'running' | 'done' | 'failed'

export interface TranscodeJob {
  lectureId: string
  /** The original's blob: a job whose lecture holds another original by now is dropped. */
  source: string
  /** The original's media type, as its bytes showed it. */
  sourceType: string
  state: JobState
  progress: number
  error?: string | undefined
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
  attempts: number
}

export class TranscodeJobs {
  readonly #jobs: Sublevel<TranscodeJob>
  readonly #listeners = new Set<() => void>()

  constructor(private readonly storage: Storage) {
    this.#jobs = storage.sublevel<TranscodeJob>('transcode-jobs')
  }

  get(lectureId: string): Promise<TranscodeJob | undefined> {
    return this.#jobs.get(lectureId)
  }

  /** Synced: a queued job is an upload's promise to the uploader. */
  async put(job: TranscodeJob, opts: { sync: boolean } = { sync: true }): Promise<void> {
    await this.storage.commit([putOp(this.#jobs, job.lectureId, job)], opts)
  }

  /** The job's write, to commit in one batch with its lecture's (see `CourseService.amendLecture`). */
  putOp(job: TranscodeJob): BatchOp {
    return putOp(this.#jobs, job.lectureId, job)
  }

  /**
   * Tells the queue a job waits. Called once the lecture holds the job's source (after its
   * write, not the job's): a queue that started on the job alone would find the lecture without it.
   */
  announce(): void {
    for (const l of this.#listeners) l()
  }

  /** Called when a job is announced (the running node's queue starts it). */
  onQueued(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  async all(): Promise<TranscodeJob[]> {
    const out: TranscodeJob[] = []
    for await (const [, job] of this.#jobs.iterator()) out.push(job)
    return out
  }

  /** The waiting jobs, oldest first. */
  async queued(): Promise<TranscodeJob[]> {
    return (await this.all()).filter((j) => j.state === 'queued').sort((a, b) => a.createdAt.localeCompare(b.createdAt))
  }

  /** Jobs a stopped (or killed) node left running go back to the queue; @returns how many. */
  async requeueRunning(): Promise<number> {
    const running = (await this.all()).filter((j) => j.state === 'running')
    for (const job of running) await this.put({ ...job, state: 'queued', progress: 0 })
    return running.length
  }
}
