/**
 * @module courses/control-routes
 * `POST /api/control/courses/add`: `shulin course add` while the node runs (the CLI cannot open
 * the locked folder). Control token only; the files are read from this machine's disk.
 */
import type { Api } from '../http/api.js'
import type { Courses } from './index.js'
import { CourseAddAnswer, CourseAddRequest, courseAdd } from './add.js'

export function courseControlRoutes(api: Api, deps: { courses: Courses; maxUploadBytes: number }): void {
  api.route(
    {
      method: 'post',
      path: '/api/control/courses/add',
      summary: 'Add a lecture with its video to a course (shulin course add)',
      tags: ['control'],
      access: 'control',
      body: CourseAddRequest,
      response: CourseAddAnswer,
      status: 201,
    },
    async (_c, { body }) => courseAdd(deps.courses, body, deps.maxUploadBytes),
  )
}
