/**
 * @module live/routes
 * The live lectures' HTTP API: staff schedule (`POST /api/staff/live`, answering the stream key
 * once) and end (`POST /api/staff/live/:id/end`) a lecture; anyone lists and reads them (`GET
 * /api/live`, `GET /api/live/:id`: `hls` is the playlist's URL while live); players fetch the
 * HLS files under `/api/live/:id/hls/<name>` by the lecture's access policy; a signed-in reader
 * asks to be reminded (`POST /api/live/:id/remind`; `GET` says whether, `DELETE` cancels); the replay's question timeline is
 * `GET /api/lectures/:lectureId/questions`.
 *
 * Cache headers: the playlist changes every segment, so `no-cache`; a segment's name is never
 * reused within a lecture, so `immutable` (public only when the lecture is public — a shared
 * cache must not hand a reader-only lecture to anyone).
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Context } from 'hono'
import { z } from 'zod'
import { CreateLiveRequest, LiveCreated, LiveList, LiveView, ReplayTimeline, type RoomQuestion } from '@shulin/protocol'
import type { Api } from '../http/api.js'
import type { AppEnv } from '../http/env.js'
import type { BaseUrl } from '../http/base-url.js'
import { ProblemError } from '../http/problem.js'
import { hlsMediaTypes } from '../courses/serve.js'
import type { CourseService } from '../courses/service.js'
import { canSeeLecture } from '../courses/access.js'
import { canSeeLive, checkLiveContent } from './access.js'
import { liveAdd } from './control-routes.js'
import type { LiveService, LiveRecord } from './service.js'

/** The names ffmpeg's HLS muxer (and the relay) write: no path, one known extension. */
const hlsName = /^[A-Za-z0-9_-]{1,80}\.(m3u8|ts|m4s|mp4)$/

export const RemindAnswer = z.object({ liveId: z.string(), due: z.string() })
/** Whether the signed-in reader will be reminded of a lecture (and when the notice is due). */
export const RemindState = z.object({ liveId: z.string(), reminded: z.boolean(), due: z.string().nullable() })

export interface LiveRouteDeps {
  live: LiveService
  /** Ends a lecture: the encoder is let go, the recording finished and made a replay. */
  end: (id: string) => Promise<LiveRecord>
  /** Files a reminder for a reader; answers when it is due. */
  remind: (id: string, accountId: string) => Promise<Date>
  /** The room's questions of a lecture, for the replay's timeline (live/room's `LiveRooms`). */
  questions: (liveId: string) => Promise<RoomQuestion[]> | RoomQuestion[]
  courses: CourseService
  baseUrl: BaseUrl
}

export function liveRoutes(api: Api, deps: LiveRouteDeps): void {
  const { live } = deps
  const tags = ['live']
  const id = (c: Context) => c.req.param('id') ?? ''
  const seen = async (c: Context<AppEnv>) => {
    const r = await live.get(id(c))
    if (!canSeeLive(r, c.get('auth'))) throw new ProblemError('not_found')
    return r
  }

  api.route(
    {
      method: 'post',
      path: '/api/staff/live',
      summary: 'Schedule a live lecture; the answer holds its stream key, shown this once',
      tags,
      access: 'staff',
      body: CreateLiveRequest,
      response: LiveCreated,
      status: 201,
    },
    async (_c, { body }) => liveAdd(live, deps.courses, body),
  )
  api.route(
    {
      method: 'get',
      path: '/api/live',
      summary: 'Live lectures: live now, then scheduled by start, then ended',
      tags,
      access: 'public',
      response: LiveList,
    },
    async (c) => {
      const auth = c.get('auth')
      const base = deps.baseUrl(c)
      return { lectures: (await live.list()).filter((r) => canSeeLive(r, auth)).map((r) => live.view(r, base)) }
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/live/:id',
      summary: 'A live lecture (hls: its playlist while live)',
      tags,
      access: 'public',
      response: LiveView,
    },
    async (c) => {
      c.header('cache-control', 'no-cache')
      return live.view(await seen(c), deps.baseUrl(c))
    },
  )
  api.route(
    {
      method: 'post',
      path: '/api/staff/live/:id/end',
      summary: 'End a live lecture: the encoder is let go and the recording becomes a lecture of its course',
      tags,
      access: 'staff',
      response: LiveView,
    },
    async (c) => {
      const r = await live.get(id(c))
      if (r.origin)
        throw new ProblemError('conflict', { detail: 'a relayed lecture is ended by the node that broadcasts it' })
      return live.view(await deps.end(r.id), deps.baseUrl(c))
    },
  )
  api.route(
    {
      method: 'post',
      path: '/api/live/:id/remind',
      summary: 'Remind me (an inbox notice shortly before the start)',
      tags,
      access: 'session',
      response: RemindAnswer,
    },
    async (c) => {
      const r = await seen(c)
      if (r.status !== 'scheduled') throw new ProblemError('conflict', { detail: `the lecture is ${r.status}` })
      const due = await deps.remind(r.id, c.get('auth')!.account.id)
      return { liveId: r.id, due: due.toISOString() }
    },
  )
  const remindState = async (liveId: string, accountId: string) => {
    const due = await live.store.reminderDue(liveId, accountId)
    return { liveId, reminded: due !== undefined, due: due === undefined ? null : new Date(due).toISOString() }
  }
  api.route(
    {
      method: 'get',
      path: '/api/live/:id/remind',
      summary: 'Whether I will be reminded of this lecture (after a reload the page says 已设提醒)',
      tags,
      access: 'session',
      response: RemindState,
    },
    async (c) => remindState((await seen(c)).id, c.get('auth')!.account.id),
  )
  api.route(
    {
      method: 'delete',
      path: '/api/live/:id/remind',
      summary: 'Cancel my reminder (harmless when there is none)',
      tags,
      access: 'session',
      response: RemindState,
    },
    async (c) => {
      const r = await seen(c)
      const account = c.get('auth')!.account.id
      await live.store.cancelReminder(r.id, account)
      return remindState(r.id, account)
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/live/:id/hls/:name',
      summary: 'A file of the lecture’s HLS stream (playlist or segment)',
      tags,
      access: 'public',
    },
    async (c) => {
      const r = await live.get(id(c))
      checkLiveContent(r, c.get('auth'))
      const name = c.req.param('name') ?? ''
      const m = hlsName.exec(name)
      if (!m) throw new ProblemError('not_found')
      const ext = m[1]!
      let body: Buffer
      try {
        body = await readFile(join(live.hlsDir(r.id), name))
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ProblemError('not_found')
        throw err
      }
      const playlist = ext === 'm3u8'
      return new Response(new Uint8Array(body), {
        headers: {
          'content-type': hlsMediaTypes[ext]!,
          'cache-control': playlist
            ? 'no-cache'
            : `${r.access === 'public' ? 'public' : 'private'}, max-age=31536000, immutable`,
        },
      })
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/lectures/:id/questions',
      summary: 'The questions asked while a replayed lecture was live, in order (its timeline)',
      tags,
      access: 'public',
      response: ReplayTimeline,
    },
    async (c) => {
      const lectureId = id(c)
      const lecture = await deps.courses.lecture(lectureId)
      const course = lecture.parentId ? await deps.courses.resources.records.get(lecture.parentId) : undefined
      if (!canSeeLecture(lecture, course, c.get('auth'))) throw new ProblemError('not_found')
      const r = (await live.list()).find((x) => x.replay === lecture.id)
      if (!r || !canSeeLive(r, c.get('auth'))) return { questions: [] }
      const questions = [...(await deps.questions(r.id))].sort((a, b) => (a.offset ?? 0) - (b.offset ?? 0))
      return { questions }
    },
  )
}
