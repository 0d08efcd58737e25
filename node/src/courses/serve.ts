/**
 * @module courses/serve
 * A lecture's files for players: the HLS playlists and media by the names the playlists use
 * (so their relative URLs resolve), the poster, WebVTT subtitles, the original upload, slides,
 * and the transcript as JSON. Access as for any resource's content (the poster is catalogue);
 * ranges and ETags by `serveBlob`. A file of another library's lecture (a subscribed channel's)
 * is fetched first through `ensureLocal`.
 */
import type { Context } from 'hono'
import { HlsFileName, LanguageTag, Transcript, type Resource, type ResourceFile } from '@shulin/protocol'
import type { Api } from '../http/api.js'
import type { AppEnv } from '../http/env.js'
import { ProblemError } from '../http/problem.js'
import { serveBlob } from '../blobs/serve.js'
import type { BlobStore } from '../blobs/store.js'
import type { CourseService } from './service.js'
import { canSeeLecture, checkLectureContent } from './access.js'
import { parseSubtitles, transcriptOf } from './subtitles.js'

export interface LectureServeDeps {
  courses: CourseService
  blobs: BlobStore
  ensureLocal?: ((record: Resource, file: ResourceFile) => Promise<'ready' | 'fetching'>) | undefined
}

export const hlsMediaTypes: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl',
  ts: 'video/mp2t',
  m4s: 'video/iso.segment',
  mp4: 'video/mp4',
}

export function lectureServeRoutes(api: Api, deps: LectureServeDeps): void {
  const { courses } = deps
  const tags = ['courses']

  /** The lecture and its course, when the asker may open its content (or, for `catalogue`, see it). */
  async function open(c: Context<AppEnv>, kind: 'content' | 'catalogue'): Promise<Resource> {
    const lecture = await courses.lecture(c.req.param('id') ?? '')
    const course = lecture.parentId ? await courses.resources.records.get(lecture.parentId) : undefined
    if (kind === 'catalogue') {
      if (!canSeeLecture(lecture, course, c.get('auth'))) throw new ProblemError('not_found')
    } else checkLectureContent(lecture, course, c.get('auth'))
    return lecture
  }

  async function send(
    c: Context<AppEnv>,
    lecture: Resource,
    file: ResourceFile | undefined,
    opts: { mediaType?: string; download?: boolean; publicFile?: boolean } = {},
  ) {
    if (!file) throw new ProblemError('not_found')
    if (deps.ensureLocal) {
      let state: 'ready' | 'fetching'
      try {
        state = await deps.ensureLocal(lecture, file)
      } catch (err) {
        throw new ProblemError('peer_unreachable', { detail: (err as Error).message })
      }
      if (state === 'fetching') throw new ProblemError('content_fetching', { headers: { 'retry-after': '5' } })
    }
    const shared = lecture.status === 'published' && (opts.publicFile || lecture.access === 'public')
    return serveBlob(c, deps.blobs, {
      sha256: file.blob,
      mediaType: opts.mediaType ?? file.mediaType,
      size: file.size,
      name: opts.download ? file.name : undefined,
      audience: shared ? 'public' : 'private',
    })
  }

  api.route(
    {
      method: 'get',
      path: '/api/lectures/:id/hls/:name',
      summary: 'An HLS file of the lecture by its playlist name (master.m3u8, 360p.m3u8, 360p.ts…)',
      tags,
      access: 'public',
    },
    async (c) => {
      const name = HlsFileName.safeParse(c.req.param('name'))
      if (!name.success) throw new ProblemError('not_found')
      const lecture = await open(c, 'content')
      const file = lecture.files.find((f) => f.role === 'hls' && f.name === name.data)
      return send(c, lecture, file, { mediaType: hlsMediaTypes[name.data.split('.').pop()!] ?? file?.mediaType })
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/lectures/:id/poster',
      summary: 'The lecture’s poster frame (JPEG)',
      tags,
      access: 'public',
    },
    async (c) => {
      const lecture = await open(c, 'catalogue')
      return send(
        c,
        lecture,
        lecture.files.find((f) => f.role === 'poster'),
        { publicFile: true },
      )
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/lectures/:id/subtitles/:lang',
      summary: 'A subtitle track as WebVTT',
      tags,
      access: 'public',
    },
    async (c) => {
      const lecture = await open(c, 'content')
      const track = lecture.lecture!.subtitles.find((s) => s.lang === c.req.param('lang'))
      const file = track && lecture.files.find((f) => f.role === 'subtitles' && f.blob === track.blob)
      return send(c, lecture, file, { mediaType: 'text/vtt; charset=utf-8' })
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/lectures/:id/original',
      summary: 'The uploaded video as it came (Range requests; what plays where no HLS was made)',
      tags,
      access: 'public',
    },
    async (c) => {
      const lecture = await open(c, 'content')
      return send(
        c,
        lecture,
        lecture.files.find((f) => f.role === 'video'),
        { download: true },
      )
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/lectures/:id/attachments/:n',
      summary: 'Attachment n (from 1): the lecture’s slides',
      tags,
      access: 'public',
    },
    async (c) => {
      const n = Number(c.req.param('n'))
      if (!Number.isSafeInteger(n) || n < 1) throw new ProblemError('not_found')
      const lecture = await open(c, 'content')
      return send(c, lecture, lecture.files.filter((f) => f.role === 'attachment')[n - 1], { download: true })
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/lectures/:id/transcript',
      summary: 'The transcript: the cues of a subtitle track as plain text (?lang=, else the first track)',
      tags,
      access: 'public',
      response: Transcript,
    },
    async (c) => {
      const lecture = await open(c, 'content')
      const want = c.req.query('lang')
      if (want !== undefined && !LanguageTag.safeParse(want).success)
        throw new ProblemError('validation_failed', { errors: [{ pointer: '/lang', detail: 'invalid_language' }] })
      const tracks = lecture.lecture!.subtitles
      const track = want ? tracks.find((s) => s.lang === want) : tracks[0]
      if (!track) throw new ProblemError('not_found', { detail: 'the lecture has no subtitles in that language' })
      const chunks: Buffer[] = []
      for await (const chunk of deps.blobs.read(track.blob)) chunks.push(chunk as Buffer)
      return { lang: track.lang, cues: transcriptOf(parseSubtitles(Buffer.concat(chunks).toString('utf8'))) }
    },
  )
}
