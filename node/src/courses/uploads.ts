/**
 * @module courses/uploads
 * A lecture's files arriving: the video (streamed to a staged blob, its container checked by
 * its bytes, then kept and queued for transcoding), subtitles (read, checked and stored as
 * WebVTT) and attachments (PDF slides). Nothing is attached to the lecture until the file is
 * whole and checked; a refused file leaves the lecture as it was.
 */
import { Readable } from 'node:stream'
import type { Resource, ResourceFile } from '@shulin/protocol'
import { ProblemError } from '../http/problem.js'
import { BlobTooLarge, type BlobStore, type StagedBlob } from '../blobs/store.js'
import { checkFileType } from '../resources/files/media-types.js'
import type { CourseService } from './service.js'
import type { TranscodeJob, TranscodeJobs } from './jobs.js'
import { parseSubtitles, subtitleLabel, SubtitleError, toWebVtt } from './subtitles.js'

/** The containers a lecture's video may come in, as `file-type` names them. */
export const videoTypes: Record<string, string> = {
  'video/mp4': 'MP4',
  'video/quicktime': 'MOV',
  'video/matroska': 'MKV',
  'video/x-matroska': 'MKV',
  'video/webm': 'WebM',
}

const rejected = (detail: string) => new ProblemError('file_rejected', { detail })

export interface IncomingFile {
  body: Readable | AsyncIterable<Uint8Array>
  /** What the uploader says it is (checked against the bytes where it names a type). */
  claimedType: string
  declaredLength?: number | undefined
  name?: string | undefined
  /** The upload limit (`--max-upload`). */
  maxBytes: number
}

/** The container a file's bytes show, or a reason to refuse it. */
export async function sniffVideo(path: string): Promise<{ type: string } | { refused: string }> {
  const { fileTypeFromFile } = await import('file-type')
  const sniffed = await fileTypeFromFile(path)
  if (!sniffed || !videoTypes[sniffed.mime])
    return {
      refused: `not a video: the content is ${sniffed?.mime ?? 'not a recognised file type'} (accepted: MP4, MOV, MKV, WebM)`,
    }
  return { type: sniffed.mime }
}

export class LectureUploads {
  constructor(
    private readonly courses: CourseService,
    private readonly blobs: BlobStore,
    private readonly jobs: TranscodeJobs,
    private readonly now: () => number,
  ) {}

  async #stage(file: IncomingFile, maxBytes: number): Promise<StagedBlob> {
    let staged: StagedBlob
    try {
      staged = await this.blobs.stage(file.body, maxBytes)
    } catch (err) {
      if (err instanceof BlobTooLarge)
        throw new ProblemError('payload_too_large', { detail: `at most ${maxBytes} bytes` })
      throw err
    }
    if (file.declaredLength !== undefined && staged.size !== file.declaredLength) {
      await staged.discard()
      throw rejected(`the upload ended early: ${staged.size} of ${file.declaredLength} bytes arrived`)
    }
    if (staged.size === 0) {
      await staged.discard()
      throw rejected('the file is empty (0 bytes)')
    }
    return staged
  }

  /** Keeps the video as the lecture's original and queues its transcode, in one batch. */
  async setVideo(lectureId: string, file: IncomingFile, expected?: number): Promise<Resource> {
    await this.courses.lecture(lectureId)
    const staged = await this.#stage(file, file.maxBytes)
    try {
      const sniffed = await sniffVideo(staged.path)
      if ('refused' in sniffed) throw rejected(sniffed.refused)
      const claim = file.claimedType.split(';')[0]!.trim().toLowerCase()
      if (claim.startsWith('video/') && videoTypes[claim] && videoTypes[claim] !== videoTypes[sniffed.type])
        throw rejected(`the content is ${sniffed.type}, not ${claim}`)
      const info = await staged.commit(sniffed.type)
      const job: TranscodeJob = {
        lectureId,
        source: info.sha256,
        sourceType: sniffed.type,
        state: 'queued',
        progress: 0,
        createdAt: new Date(this.now()).toISOString(),
        startedAt: null,
        finishedAt: null,
        attempts: 0,
      }
      const video: ResourceFile = {
        blob: info.sha256,
        role: 'video',
        mediaType: sniffed.type,
        size: info.size,
        ...(file.name ? { name: file.name } : {}),
      }
      const updated = await this.courses.amendLecture(
        lectureId,
        (r) => {
          const { extent, ...metadata } = r.metadata
          const { durationSeconds: _old, ...rest } = extent ?? {}
          return {
            files: [video],
            dropRoles: ['video', 'hls', 'poster'],
            lecture: { status: 'processing', progress: 0, error: undefined, renditions: [] },
            resource: { metadata: Object.keys(rest).length ? { ...metadata, extent: rest } : metadata },
          }
        },
        expected,
        [this.jobs.putOp(job)],
      )
      this.jobs.announce()
      return updated
    } finally {
      await staged.discard()
    }
  }

  /** Queues the lecture's original again (after installing ffmpeg, or raising a limit). */
  async retranscode(lectureId: string): Promise<Resource> {
    const lecture = await this.courses.lecture(lectureId)
    const video = lecture.files.find((f) => f.role === 'video')
    if (!video) throw new ProblemError('conflict', { detail: 'the lecture has no video yet: upload one' })
    const job = await this.jobs.get(lectureId)
    if (job && (job.state === 'queued' || job.state === 'running') && job.source === video.blob) return lecture
    const next: TranscodeJob = {
      lectureId,
      source: video.blob,
      sourceType: video.mediaType,
      state: 'queued',
      progress: 0,
      createdAt: new Date(this.now()).toISOString(),
      startedAt: null,
      finishedAt: null,
      // Asked for again by staff: a fresh count of starts.
      attempts: 0,
    }
    const updated = await this.courses.amendLecture(
      lectureId,
      () => ({ lecture: { status: 'processing', progress: 0, error: undefined } }),
      undefined,
      [this.jobs.putOp(next)],
    )
    this.jobs.announce()
    return updated
  }

  /** Stores a subtitle track (SRT or WebVTT) as WebVTT, replacing the track of the same language. */
  async setSubtitles(
    lectureId: string,
    lang: string,
    text: string,
    label?: string,
    expected?: number,
  ): Promise<Resource> {
    await this.courses.lecture(lectureId)
    let vtt: string
    try {
      vtt = toWebVtt(parseSubtitles(text))
    } catch (err) {
      if (err instanceof SubtitleError) throw rejected(`subtitles: ${err.message}`)
      throw err
    }
    const bytes = Buffer.from(vtt, 'utf8')
    const info = await (await this.blobs.stage(Readable.from([bytes]), bytes.length)).commit('text/vtt')
    const name = `${lang}.vtt`
    return this.courses.amendLecture(
      lectureId,
      (r) => ({
        resource: { files: r.files.filter((f) => !(f.role === 'subtitles' && f.name === name)) },
        files: [{ blob: info.sha256, role: 'subtitles', mediaType: 'text/vtt', size: info.size, name }],
        lecture: {
          subtitles: [
            ...r.lecture!.subtitles.filter((s) => s.lang !== lang),
            { lang, label: label ?? subtitleLabel(lang), blob: info.sha256 },
          ],
        },
      }),
      expected,
    )
  }

  /** Adds slides (PDF) after the lecture's other attachments. */
  async addAttachment(lectureId: string, file: IncomingFile, expected?: number): Promise<Resource> {
    await this.courses.lecture(lectureId)
    const staged = await this.#stage(file, file.maxBytes)
    try {
      const checked = await checkFileType(staged.path, file.claimedType, ['application/pdf'])
      if ('refused' in checked) throw rejected(checked.refused)
      const info = await staged.commit(checked.type)
      return await this.courses.amendLecture(
        lectureId,
        () => ({
          files: [
            {
              blob: info.sha256,
              role: 'attachment',
              mediaType: checked.type,
              size: info.size,
              ...(file.name ? { name: file.name } : {}),
            },
          ],
        }),
        expected,
      )
    } finally {
      await staged.discard()
    }
  }
}
