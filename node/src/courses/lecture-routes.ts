/**
 * @module courses/lecture-routes
 * A lecture's staff edits and uploads: its fields, workflow, video, subtitles, chapters and
 * slides; and the lecture as readers see it (`GET /api/lectures/:id`). Uploads are the raw
 * file as the body, streamed (never buffered), checked by their bytes.
 */
import type { Context } from 'hono'
import { ChapterList, LanguageTag, LectureView, UpdateLectureRequest, type Resource } from '@shulin/protocol'
import type { Api } from '../http/api.js'
import type { AppEnv } from '../http/env.js'
import type { BaseUrl } from '../http/base-url.js'
import { ProblemError } from '../http/problem.js'
import { isAbortedBody, rawUpload } from '../http/raw-body.js'
import { etagOf, ifMatchRevision } from '../resources/routes.js'
import type { CourseService } from './service.js'
import type { LectureUploads } from './uploads.js'
import { canSeeLecture } from './access.js'
import { decodeSubtitles, maxSubtitleBytes } from './subtitles.js'
import { lectureView } from './views.js'

/** Routes whose bodies are streamed files (server.ts lets them past the JSON body limit). */
export const lectureUploadPath = /^\/api\/lectures\/[^/]+\/(video|attachments|subtitles\/[^/]+)$/

export interface LectureRouteDeps {
  courses: CourseService
  uploads: LectureUploads
  baseUrl: BaseUrl
  maxUploadBytes: number
}

/** The upload failed because the client went away: say so, as a user's problem (never a 500). */
function cutOff(err: unknown): never {
  if (isAbortedBody(err))
    throw new ProblemError('file_rejected', { detail: 'the upload ended before the whole file arrived' })
  throw err
}

async function readText(stream: AsyncIterable<Uint8Array>, max: number): Promise<string> {
  const parts: Buffer[] = []
  let size = 0
  for await (const chunk of stream) {
    size += chunk.length
    if (size > max) throw new ProblemError('payload_too_large', { detail: `at most ${max} bytes` })
    parts.push(Buffer.from(chunk))
  }
  const text = decodeSubtitles(Buffer.concat(parts))
  if (!text.trim()) throw new ProblemError('file_rejected', { detail: 'subtitles: the file is empty' })
  return text
}

export function lectureRoutes(api: Api, deps: LectureRouteDeps): void {
  const { courses, uploads } = deps
  const tags = ['courses']
  const id = (c: Context) => c.req.param('id') ?? ''
  /** A video or slides sent as the raw body, read as it streams in, up to the upload limit. */
  const streamedFile = (c: Context<AppEnv>) => {
    const raw = rawUpload(c, deps.maxUploadBytes)
    return {
      body: raw.stream,
      claimedType: raw.claimedType,
      declaredLength: raw.declaredLength,
      name: raw.name,
      maxBytes: deps.maxUploadBytes,
    }
  }
  const view = (c: Context<AppEnv>, r: Resource) => {
    c.header('etag', etagOf(r))
    return lectureView(r, deps.baseUrl(c))
  }

  api.route(
    {
      method: 'get',
      path: '/api/lectures/:id',
      summary: 'A lecture: its status, playlists, poster, subtitles, chapters and slides',
      tags,
      access: 'public',
      response: LectureView,
    },
    async (c) => {
      const lecture = await courses.lecture(id(c))
      const course = lecture.parentId ? await courses.resources.records.get(lecture.parentId) : undefined
      if (!canSeeLecture(lecture, course, c.get('auth'))) throw new ProblemError('not_found')
      return view(c, lecture)
    },
  )
  api.route(
    {
      method: 'patch',
      path: '/api/lectures/:id',
      summary: 'Edit a lecture (the fields given; If-Match: the ETag you read)',
      tags,
      access: 'staff',
      body: UpdateLectureRequest,
      response: LectureView,
    },
    async (c, { body }) => view(c, await courses.updateLecture(id(c), body, ifMatchRevision(c))),
  )
  for (const action of ['publish', 'withdraw'] as const) {
    api.route(
      {
        method: 'post',
        path: `/api/lectures/:id/${action}`,
        summary: action === 'publish' ? 'Publish one lecture' : 'Withdraw one lecture',
        tags,
        access: 'staff',
        response: LectureView,
      },
      async (c) => {
        const expected = ifMatchRevision(c)
        return view(
          c,
          action === 'publish'
            ? await courses.publishLecture(id(c), expected)
            : await courses.withdrawLecture(id(c), expected),
        )
      },
    )
  }
  api.route(
    {
      method: 'put',
      path: '/api/lectures/:id/video',
      summary:
        'Upload the lecture’s video (MP4, MOV, MKV or WebM; raw body); it is transcoded to HLS in the background',
      tags,
      access: 'staff',
      response: LectureView,
      status: 202,
      rawBody: { contentType: 'video/mp4', description: 'The video file.' },
    },
    async (c) => {
      const expected = ifMatchRevision(c)
      await courses.lecture(id(c))
      const r = await uploads.setVideo(id(c), streamedFile(c), expected).catch(cutOff)
      return c.json(view(c, r), 202)
    },
  )
  api.route(
    {
      method: 'post',
      path: '/api/lectures/:id/transcode',
      summary: 'Transcode the lecture’s video again (after ffmpeg was installed or a limit raised)',
      tags,
      access: 'staff',
      response: LectureView,
      status: 202,
    },
    async (c) => c.json(view(c, await uploads.retranscode(id(c))), 202),
  )
  api.route(
    {
      method: 'put',
      path: '/api/lectures/:id/subtitles/:lang',
      summary: 'Upload a subtitle track (SRT or WebVTT; stored as WebVTT; ?label= names it in the menu)',
      tags,
      access: 'staff',
      response: LectureView,
      rawBody: { contentType: 'text/vtt', description: 'The subtitles, SRT or WebVTT, UTF-8.' },
    },
    async (c) => {
      const expected = ifMatchRevision(c)
      const lang = LanguageTag.safeParse(c.req.param('lang'))
      if (!lang.success)
        throw new ProblemError('validation_failed', { errors: [{ pointer: '/lang', detail: 'invalid_language' }] })
      const label = c.req.query('label')?.trim().slice(0, 64) || undefined
      await courses.lecture(id(c))
      const raw = rawUpload(c, maxSubtitleBytes)
      const text = await readText(raw.stream, maxSubtitleBytes).catch(cutOff)
      return view(c, await uploads.setSubtitles(id(c), lang.data, text, label, expected))
    },
  )
  api.route(
    {
      method: 'put',
      path: '/api/lectures/:id/chapters',
      summary: 'Set the chapters: [{title, start}], start in seconds (past the end of the video: 422)',
      tags,
      access: 'staff',
      body: ChapterList,
      response: LectureView,
    },
    async (c, { body }) => view(c, await courses.setChapters(id(c), body, ifMatchRevision(c))),
  )
  api.route(
    {
      method: 'post',
      path: '/api/lectures/:id/attachments',
      summary: 'Add slides (raw PDF body) after the lecture’s other attachments',
      tags,
      access: 'staff',
      response: LectureView,
      status: 201,
      rawBody: { contentType: 'application/pdf', description: 'The slides.' },
    },
    async (c) => {
      const expected = ifMatchRevision(c)
      await courses.lecture(id(c))
      const r = await uploads.addAttachment(id(c), streamedFile(c), expected).catch(cutOff)
      return c.json(view(c, r), 201)
    },
  )
}
