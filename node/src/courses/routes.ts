/**
 * @module courses/routes
 * The courses' JSON API: the catalogue readers browse (`GET /api/courses`, `GET
 * /api/courses/:id`) and the staff's course edits (create, edit, publish, withdraw, cover, add
 * a lecture), and the transcode jobs the console lists. Edits take the revision as ETag
 * (`If-Match`), as resources do.
 */
import type { Context } from 'hono'
import { z } from 'zod'
import {
  CourseDetail,
  CourseList,
  CreateCourseRequest,
  CreateLectureRequest,
  LectureView,
  ResourceStatus,
  TranscodeJobList,
  UpdateCourseRequest,
  type CourseSummary,
  type Resource,
} from '@shulin/protocol'
import type { Api } from '../http/api.js'
import type { AppEnv } from '../http/env.js'
import type { BaseUrl } from '../http/base-url.js'
import { ProblemError } from '../http/problem.js'
import { isAbortedBody, rawUpload } from '../http/raw-body.js'
import { canSeeRecord } from '../resources/access.js'
import { etagOf, ifMatchRevision } from '../resources/routes.js'
import type { FileService } from '../resources/files/service.js'
import type { CourseService } from './service.js'
import type { TranscodeJobs } from './jobs.js'
import { isStaff } from './access.js'
import { courseDetail, courseSummary, lectureView } from './views.js'

/** Course cover uploads take file-sized bodies (server.ts gives them the upload limit). */
export const courseCoverPath = /^\/api\/courses\/[^/]+\/cover$/

const CourseListQuery = z.strictObject({
  status: ResourceStatus.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
})

export interface CourseRouteDeps {
  courses: CourseService
  files: FileService
  jobs: TranscodeJobs
  baseUrl: BaseUrl
  maxUploadBytes: number
}

export function courseRoutes(api: Api, deps: CourseRouteDeps): void {
  const { courses } = deps
  const tags = ['courses']
  const id = (c: Context) => c.req.param('id') ?? ''
  const tagged = <T>(c: Context, r: Resource, out: T): T => {
    c.header('etag', etagOf(r))
    return out
  }
  /** The lectures the asker may see: all for staff, the published ones for readers. */
  const visibleLectures = async (c: Context<AppEnv>, courseId: string) => {
    const all = await courses.lecturesOf(courseId)
    return isStaff(c.get('auth')) ? all : all.filter((l) => l.status === 'published')
  }
  const detail = async (c: Context<AppEnv>, course: Resource) =>
    tagged(c, course, courseDetail(course, await visibleLectures(c, course.id), deps.baseUrl(c)))

  api.route(
    {
      method: 'get',
      path: '/api/courses',
      summary: 'Published courses, newest first (staff: ?status=draft|published|withdrawn)',
      tags,
      access: 'public',
      query: CourseListQuery,
      response: CourseList,
    },
    async (c, { query }) => {
      const auth = c.get('auth')
      if (query.status && query.status !== 'published' && !isStaff(auth)) throw new ProblemError('forbidden')
      const status = query.status ?? 'published'
      const out: CourseSummary[] = []
      for await (const course of courses.courses()) {
        if (course.status !== status || !canSeeRecord(course, auth)) continue
        out.push(courseSummary(course, await visibleLectures(c, course.id), deps.baseUrl(c)))
        if (out.length >= query.limit) break
      }
      return { courses: out }
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/courses/:id',
      summary: 'A course with its lectures in order',
      tags,
      access: 'public',
      response: CourseDetail,
    },
    async (c) => {
      const course = await courses.course(id(c))
      if (!canSeeRecord(course, c.get('auth'))) throw new ProblemError('not_found')
      return detail(c, course)
    },
  )
  api.route(
    {
      method: 'post',
      path: '/api/courses',
      summary: 'Create a draft course',
      tags,
      access: 'staff',
      body: CreateCourseRequest,
      response: CourseDetail,
      status: 201,
    },
    async (c, { body }) => detail(c, await courses.createCourse(body)),
  )
  api.route(
    {
      method: 'patch',
      path: '/api/courses/:id',
      summary: 'Edit a course (the fields given; If-Match: the ETag you read)',
      tags,
      access: 'staff',
      body: UpdateCourseRequest,
      response: CourseDetail,
    },
    async (c, { body }) => detail(c, await courses.updateCourse(id(c), body, ifMatchRevision(c))),
  )
  for (const action of ['publish', 'withdraw'] as const) {
    api.route(
      {
        method: 'post',
        path: `/api/courses/:id/${action}`,
        summary:
          action === 'publish'
            ? 'Publish a course and its lectures that are not published'
            : 'Withdraw a course and its published lectures',
        tags,
        access: 'staff',
        response: CourseDetail,
      },
      async (c) => {
        const expected = ifMatchRevision(c)
        const course =
          action === 'publish'
            ? await courses.publishCourse(id(c), expected)
            : await courses.withdrawCourse(id(c), expected)
        return detail(c, course)
      },
    )
  }
  api.route(
    {
      method: 'put',
      path: '/api/courses/:id/cover',
      summary: 'Upload the course’s cover (raw JPEG, PNG or WebP body)',
      tags,
      access: 'staff',
      response: CourseDetail,
      rawBody: { contentType: 'image/jpeg', description: 'The cover image.' },
    },
    async (c) => {
      const expected = ifMatchRevision(c)
      await courses.course(id(c))
      const raw = rawUpload(c, deps.maxUploadBytes)
      try {
        await deps.files.upload({
          resourceId: id(c),
          role: 'cover',
          claimedType: raw.claimedType,
          name: raw.name,
          body: raw.stream,
          maxBytes: deps.maxUploadBytes,
          declaredLength: raw.declaredLength,
          expectedRevision: expected,
        })
      } catch (err) {
        if (isAbortedBody(err))
          throw new ProblemError('file_rejected', { detail: 'the upload ended before the whole file arrived' })
        throw err
      }
      return detail(c, await courses.course(id(c)))
    },
  )
  api.route(
    {
      method: 'post',
      path: '/api/courses/:id/lectures',
      summary: 'Add a lecture to a course (then upload its video)',
      tags,
      access: 'staff',
      body: CreateLectureRequest,
      response: LectureView,
      status: 201,
    },
    async (c, { body }) => {
      const lecture = await courses.addLecture(id(c), body)
      return tagged(c, lecture, lectureView(lecture, deps.baseUrl(c)))
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/staff/transcode-jobs',
      summary: 'Transcode jobs: queued, running (with progress), done and failed (with the reason)',
      tags,
      access: 'staff',
      response: TranscodeJobList,
    },
    async () => {
      const jobs = (await deps.jobs.all()).sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      const records = await courses.resources.records.getMany(jobs.map((j) => j.lectureId))
      return {
        jobs: jobs.map((j, i) => ({
          lectureId: j.lectureId,
          title: records[i]?.metadata.title ?? '',
          courseId: records[i]?.parentId ?? null,
          state: j.state,
          progress: j.progress,
          ...(j.error ? { error: j.error } : {}),
          createdAt: j.createdAt,
          startedAt: j.startedAt,
          finishedAt: j.finishedAt,
          attempts: j.attempts,
        })),
      }
    },
  )
}
