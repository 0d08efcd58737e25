/**
 * @module live/replay
 * After a lecture of this node ends, its recording becomes a lecture of its course through the
 * courses pipeline (the same `addLecture` + `setVideo` that `shulin course add` uses, so the
 * transcode queue makes its HLS renditions). The recording's parts (one per push) are joined
 * into one MP4 first, written aside and renamed, so a half-joined file is never taken.
 *
 * Without a course given at scheduling, the course is the node's own course with the lecture's
 * title (made when there is none), as `shulin course add --title` does. The replay is published
 * when its course is: the lecture was already open to its audience live.
 *
 * Survives a restart: an ended lecture with no replay yet (or a replay lecture whose video never
 * arrived) is taken up again by {@link Replays.resume}; one that failed keeps the reason.
 */
import { createReadStream } from 'node:fs'
import { readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from '../logger.js'
import type { Courses } from '../courses/index.js'
import { runTool } from '../courses/transcode/tools.js'
import type { LiveRecord, LiveService } from './service.js'

export interface ReplayOptions {
  live: LiveService
  courses: Courses
  ffmpeg?: string | undefined
  maxUploadBytes: number
  logger: Logger
}

export const recordingName = 'recording.mp4'

/** Joins the recording's parts into `recording.mp4`; undefined when nothing was recorded. */
export async function joinRecording(ffmpeg: string, dir: string): Promise<string | undefined> {
  const out = join(dir, recordingName)
  if (
    await stat(out).then(
      (s) => s.size > 0,
      () => false,
    )
  )
    return out
  const parts = (await readdir(dir).catch(() => [] as string[])).filter((n) => /^part-\d+\.ts$/.test(n)).sort()
  const sizes = await Promise.all(parts.map((p) => stat(join(dir, p)).then((s) => s.size)))
  const kept = parts.filter((_, i) => sizes[i]! > 0)
  if (!kept.length) return undefined
  const list = join(dir, 'parts.txt')
  await writeFile(list, kept.map((p) => `file '${p}'\n`).join(''))
  const tmp = join(dir, `${recordingName}.part`)
  await runTool(
    ffmpeg,
    ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list].concat([
      '-map',
      '0:v?',
      '-map',
      '0:a?',
      '-c',
      'copy',
      '-movflags',
      '+faststart',
      '-f',
      'mp4',
      tmp,
    ]),
    { timeoutMs: 30 * 60_000, nice: true },
  )
  await rename(tmp, out)
  return out
}

export class Replays {
  readonly #running = new Map<string, Promise<void>>()

  constructor(private readonly opts: ReplayOptions) {}

  /** Makes the replay of an ended lecture of this node (once; a second call waits for the first). */
  make(id: string): Promise<void> {
    const running = this.#running.get(id)
    if (running) return running
    const p = this.#make(id)
      .catch(async (err: unknown) => {
        const why = err instanceof Error ? err.message : String(err)
        this.opts.logger.error({ liveId: id, err }, 'the replay could not be made')
        await this.opts.live.setReplay(id, { error: why.slice(0, 2000) }).catch(() => {})
      })
      .finally(() => this.#running.delete(id))
    this.#running.set(id, p)
    return p
  }

  /** Takes up the replays a stop interrupted. */
  async resume(): Promise<void> {
    for (const r of await this.opts.live.store.all())
      if (needsReplay(r) && !(r.replay && (await this.#hasVideo(r.replay)))) void this.make(r.id)
  }

  /** Waits for the replays being made (tests, and a stop). */
  async settled(): Promise<void> {
    await Promise.all(this.#running.values())
  }

  async #hasVideo(lectureId: string): Promise<boolean> {
    const l = await this.opts.courses.service.lecture(lectureId).catch(() => undefined)
    return !!l?.files.some((f) => f.role === 'video')
  }

  async #make(id: string): Promise<void> {
    const { live, courses } = this.opts
    let r = await live.get(id)
    if (!needsReplay(r) || (r.replay && (await this.#hasVideo(r.replay)))) return
    const file = await joinRecording(this.opts.ffmpeg || 'ffmpeg', live.recordingDir(id))
    if (!file) {
      await live.setReplay(id, { error: 'nothing was recorded (no encoder pushed)' })
      return
    }
    const { service, uploads } = courses
    let lectureId = r.replay
    if (!lectureId || !(await service.lecture(lectureId).catch(() => undefined))) {
      const course =
        (r.course && (await service.course(r.course).catch(() => undefined))) ||
        (await service.byTitle(r.title)) ||
        (await service.createCourse({ title: r.title, subjects: [], language: 'zh', speakers: [], access: r.access }))
      const lecture = await service.addLecture(course.id, {
        title: r.title,
        ...(r.description !== undefined && { description: r.description }),
        speakers: r.speakers,
        chapters: [],
        related: [],
      })
      lectureId = lecture.id
      // Named before the video goes in: a restart finds this lecture rather than making another.
      r = await live.setReplay(id, { lectureId })
      if (course.status === 'published') await service.publishLecture(lectureId)
    }
    const size = (await stat(file)).size
    await uploads.setVideo(lectureId, {
      body: createReadStream(file),
      claimedType: 'video/mp4',
      declaredLength: size,
      name: `${r.title.slice(0, 100)}.mp4`,
      maxBytes: this.opts.maxUploadBytes,
    })
    // The blob store has its own copy; the parts and the playlist's segments are not needed now.
    await rm(live.recordingDir(id), { recursive: true, force: true })
    await rm(live.hlsDir(id), { recursive: true, force: true })
    this.opts.logger.info({ liveId: id, lectureId }, 'the live lecture’s recording is now a lecture of its course')
  }
}

const needsReplay = (r: LiveRecord) => r.status === 'ended' && r.origin === null && r.replayError === undefined
