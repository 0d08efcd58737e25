/**
 * @module live/control-routes
 * `POST /api/control/live`: `shulin live add` while the node runs (the CLI cannot open the
 * locked folder). Control token only. The answer says, besides the stream key, why the ingest
 * cannot take the encoder when it cannot (no ffmpeg, the RTMP port taken).
 */
import { z } from 'zod'
import { CreateLiveRequest, LiveCreated } from '@shulin/protocol'
import type { Api } from '../http/api.js'
import { ProblemError } from '../http/problem.js'
import type { CourseService } from '../courses/service.js'
import type { LiveService } from './service.js'
import type { IngestState } from './ingest.js'

export const LiveAddAnswer = LiveCreated.extend({
  /** Why no encoder can push yet, when none can. */
  ingest: z.string().nullable(),
})
export type LiveAddAnswer = z.infer<typeof LiveAddAnswer>

/** Schedules a lecture after checking its course is this node's. */
export async function liveAdd(live: LiveService, courses: CourseService, req: CreateLiveRequest): Promise<LiveCreated> {
  if (req.course !== undefined && !(await courses.course(req.course).catch(() => undefined)))
    throw new ProblemError('validation_failed', {
      errors: [{ pointer: '/course', detail: `there is no course ${req.course} on this node` }],
    })
  return live.create(req)
}

export function liveControlRoutes(
  api: Api,
  deps: { live: LiveService; courses: CourseService; ingest: () => IngestState },
): void {
  api.route(
    {
      method: 'post',
      path: '/api/control/live',
      summary: 'Schedule a live lecture (shulin live add)',
      tags: ['control'],
      access: 'control',
      body: CreateLiveRequest,
      response: LiveAddAnswer,
      status: 201,
    },
    async (_c, { body }) => {
      const created = await liveAdd(deps.live, deps.courses, body)
      const state = deps.ingest()
      return { ...created, ingest: state.ready ? null : state.reason }
    },
  )
}
