/**
 * @module courses/service
 * Courses and lectures over the resource records: a course is a resource of type `course`, a
 * lecture one of type `lecture` whose `parentId` is its course. Every change goes through
 * `ResourceService` (its lock, revisions and workflow), one write per change, so a lecture is
 * never half-updated. Publishing or withdrawing a course does the same to its lectures (the
 * course first: a crash part way leaves lectures hidden, never a draft course's lecture shown);
 * a course's access policy is its lectures' too.
 */
import type {
  ChapterInput,
  CreateCourseRequest,
  CreateLectureRequest,
  LectureInfo,
  Resource,
  ResourceFile,
  UpdateCourseRequest,
  UpdateLectureRequest,
} from '@shulin/protocol'
import { ProblemError } from '../http/problem.js'
import type { ResourceService } from '../resources/service.js'
import type { LectureIndex } from './lecture-index.js'
import type { BatchOp } from '../storage/db.js'

export const notFound = () => new ProblemError('not_found')

export class CourseService {
  constructor(
    readonly resources: ResourceService,
    readonly index: LectureIndex,
  ) {}

  async course(id: string): Promise<Resource> {
    const r = await this.resources.records.get(id)
    if (!r || r.type !== 'course') throw notFound()
    return r
  }

  async lecture(id: string): Promise<Resource> {
    const r = await this.resources.records.get(id)
    if (!r || r.type !== 'lecture' || !r.lecture) throw notFound()
    return r
  }

  lecturesOf(courseId: string): Promise<Resource[]> {
    return this.index.lecturesOf(courseId)
  }

  /** Every course of this node and its subscribed channels, newest first. */
  async *courses(): AsyncGenerator<Resource> {
    const ids = await this.index.courseIds()
    for (let i = 0; i < ids.length; i += 100)
      for (const r of await this.resources.records.getMany(ids.slice(i, i + 100))) if (r?.type === 'course') yield r
  }

  /** A course with exactly this title (the first made), for `shulin course add` to reuse. */
  async byTitle(title: string): Promise<Resource | undefined> {
    // Oldest first: the course made first with that title keeps taking its lectures.
    const ids = (await this.index.courseIds()).reverse()
    for (let i = 0; i < ids.length; i += 100)
      for (const r of await this.resources.records.getMany(ids.slice(i, i + 100)))
        if (r?.type === 'course' && r.nodeId === this.resources.nodeId && r.metadata.title === title) return r
    return undefined
  }

  createCourse(req: CreateCourseRequest): Promise<Resource> {
    return this.resources.create(
      {
        type: 'course',
        metadata: {
          title: req.title,
          creators: req.speakers.map((s) => s.name),
          subjects: req.subjects,
          language: req.language,
          identifiers: [],
          ...(req.description !== undefined ? { description: req.description } : {}),
          ...(req.series !== undefined ? { series: req.series } : {}),
          ...(req.clc !== undefined ? { clc: req.clc } : {}),
        },
        access: req.access,
        parentId: null,
      },
      {
        course: {
          speakers: req.speakers,
          ...(req.level ? { level: req.level } : {}),
          ...(req.audience ? { audience: req.audience } : {}),
        },
      },
    )
  }

  async updateCourse(id: string, req: UpdateCourseRequest, expected?: number): Promise<Resource> {
    await this.course(id)
    const updated = await this.resources.amend(
      id,
      (r) => {
        const m = { ...r.metadata }
        if (req.title !== undefined) m.title = req.title
        if (req.description !== undefined) m.description = req.description
        if (req.subjects !== undefined) m.subjects = req.subjects
        if (req.series !== undefined) m.series = req.series
        if (req.clc !== undefined) m.clc = req.clc
        if (req.language !== undefined) m.language = req.language
        if (req.speakers !== undefined) m.creators = req.speakers.map((s) => s.name)
        const info = { ...(r.course ?? { speakers: [] }) }
        if (req.level !== undefined) info.level = req.level
        if (req.audience !== undefined) info.audience = req.audience
        if (req.speakers !== undefined) info.speakers = req.speakers
        return { ...r, metadata: m, course: info, access: req.access ?? r.access }
      },
      expected,
    )
    if (req.access !== undefined)
      for (const l of await this.lecturesOf(id))
        if (l.access !== req.access) await this.resources.amend(l.id, (r) => ({ ...r, access: req.access! }))
    return updated
  }

  async addLecture(courseId: string, req: CreateLectureRequest): Promise<Resource> {
    const course = await this.course(courseId)
    const lectures = await this.lecturesOf(courseId)
    const position = req.position ?? lectures.reduce((max, l) => Math.max(max, (l.lecture?.position ?? -1) + 1), 0)
    const lecture: LectureInfo = {
      position,
      speakers: req.speakers,
      // Until its video arrives and is transcoded.
      status: 'processing',
      renditions: [],
      subtitles: [],
      related: req.related,
      ...(req.level ? { level: req.level } : {}),
    }
    const created = await this.resources.create(
      {
        type: 'lecture',
        metadata: {
          title: req.title,
          creators: req.speakers.map((s) => s.name),
          subjects: course.metadata.subjects,
          language: course.metadata.language,
          identifiers: [],
          ...(req.description !== undefined ? { description: req.description } : {}),
          ...(course.metadata.series ? { series: course.metadata.series } : {}),
        },
        access: course.access,
        parentId: courseId,
      },
      { lecture },
    )
    if (!req.chapters.length) return created
    return this.setChapters(created.id, req.chapters)
  }

  async updateLecture(id: string, req: UpdateLectureRequest, expected?: number): Promise<Resource> {
    await this.lecture(id)
    return this.resources.amend(
      id,
      (r) => {
        const m = { ...r.metadata }
        if (req.title !== undefined) m.title = req.title
        if (req.description !== undefined) m.description = req.description
        if (req.speakers !== undefined) m.creators = req.speakers.map((s) => s.name)
        const info = { ...r.lecture! }
        if (req.position !== undefined) info.position = req.position
        if (req.speakers !== undefined) info.speakers = req.speakers
        if (req.level !== undefined) info.level = req.level
        if (req.related !== undefined) info.related = req.related
        return { ...r, metadata: m, lecture: info }
      },
      expected,
    )
  }

  /** Chapters in start order; one past the end of a known duration is refused. */
  async setChapters(id: string, chapters: ChapterInput[], expected?: number): Promise<Resource> {
    await this.lecture(id)
    return this.resources.amend(
      id,
      (r) => {
        checkChapters(chapters, r.metadata.extent?.durationSeconds)
        return { ...r, toc: [...chapters].sort((a, b) => a.start - b.start).map((c) => ({ ...c })) }
      },
      expected,
    )
  }

  /** Publishes the course, then its lectures that are not published. */
  async publishCourse(id: string, expected?: number): Promise<Resource> {
    await this.course(id)
    const course = await this.resources.publish(id, expected)
    for (const l of await this.lecturesOf(id)) if (l.status !== 'published') await this.resources.publish(l.id)
    return course
  }

  /** Withdraws the course, then its published lectures. */
  async withdrawCourse(id: string, expected?: number): Promise<Resource> {
    await this.course(id)
    const course = await this.resources.withdraw(id, expected)
    for (const l of await this.lecturesOf(id)) if (l.status === 'published') await this.resources.withdraw(l.id)
    return course
  }

  async publishLecture(id: string, expected?: number): Promise<Resource> {
    await this.lecture(id)
    return this.resources.publish(id, expected)
  }

  async withdrawLecture(id: string, expected?: number): Promise<Resource> {
    await this.lecture(id)
    return this.resources.withdraw(id, expected)
  }

  /** Replaces the files of the given roles (or, with `append`, adds after them) and changes the lecture info, in one write. */
  amendLecture(
    id: string,
    change: (r: Resource) => {
      files?: ResourceFile[]
      dropRoles?: ResourceFile['role'][]
      lecture?: Partial<LectureInfo>
      resource?: Partial<Resource>
    },
    expected?: number,
    withOps?: readonly BatchOp[],
  ): Promise<Resource> {
    return this.resources.amend(
      id,
      (r) => {
        const c = change(r)
        const drop = new Set(c.dropRoles ?? [])
        return {
          ...r,
          ...c.resource,
          files: [...(c.resource?.files ?? r.files).filter((f) => !drop.has(f.role)), ...(c.files ?? [])],
          lecture: { ...r.lecture!, ...c.lecture },
        }
      },
      expected,
      withOps,
    )
  }
}

export function checkChapters(chapters: ChapterInput[], duration: number | undefined): void {
  if (duration === undefined) return
  const past = chapters.findIndex((c) => c.start > duration)
  if (past >= 0)
    throw new ProblemError('file_rejected', {
      detail: `chapter ${past + 1} (“${chapters[past]!.title}”) starts at ${chapters[past]!.start} s, past the end of the video (${duration} s)`,
      errors: [{ pointer: `/${past}/start`, detail: 'chapter_past_end' }],
    })
}
