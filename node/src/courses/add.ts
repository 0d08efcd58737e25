/**
 * @module courses/add
 * `shulin course add`: a lecture with its video (and subtitles and chapters) into a course, in
 * the same steps whether the CLI holds the stopped node's folder or the running node does it
 * for the CLI (the control API; files are read from this machine's disk by path). Everything
 * the command was given is checked before anything is written: a bad argument leaves the
 * folder as it was. Without `--course` the course is the node's own course with exactly that
 * title, made when there is none.
 */
import { createReadStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { basename, isAbsolute } from 'node:path'
import { z } from 'zod'
import { ChapterList, LanguageTag, singleLine, type ChapterInput, type CourseAddResult } from '@shulin/protocol'
import { ProblemError } from '../http/problem.js'
import type { Courses } from './index.js'
import { sniffVideo } from './uploads.js'
import { decodeSubtitles, maxSubtitleBytes, parseSubtitles, SubtitleError } from './subtitles.js'

export const CourseAddRequest = z
  .strictObject({
    title: singleLine(500).optional(),
    lecture: singleLine(500),
    /** Absolute paths on the node's machine. */
    video: z.string().min(1).max(4096).refine(isAbsolute, 'absolute_path'),
    subtitles: z.string().min(1).max(4096).refine(isAbsolute, 'absolute_path').optional(),
    chapters: z.string().min(1).max(4096).refine(isAbsolute, 'absolute_path').optional(),
    course: z.string().min(1).max(64).optional(),
    publish: z.boolean().default(false),
  })
  .refine((r) => r.title !== undefined || r.course !== undefined, {
    message: 'give --title COURSE or --course ID',
    path: ['title'],
  })
export type CourseAddRequest = z.infer<typeof CourseAddRequest>

export const CourseAddAnswer = z.object({
  courseId: z.string(),
  lectureId: z.string(),
  /** True when an existing course (by --course or by its exact title) took the lecture. */
  existingCourse: z.boolean(),
})
export type CourseAddAnswer = z.infer<typeof CourseAddAnswer>

const bad = (pointer: string, detail: string) =>
  new ProblemError('validation_failed', { errors: [{ pointer, detail }] })

async function readable(path: string, what: string): Promise<number> {
  const s = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw bad(`/${what}`, `cannot read ${path}: ${err.code ?? err.message}`)
  })
  if (!s.isFile()) throw bad(`/${what}`, `${path} is not a file`)
  return s.size
}

/** The language of `lecture.en.srt` (`en`), or the course's. */
function languageOf(path: string, fallback: string): string {
  const m = /\.([a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8})*)\.(srt|vtt)$/i.exec(basename(path))
  return m && LanguageTag.safeParse(m[1]).success ? m[1]! : fallback
}

export async function courseAdd(courses: Courses, req: CourseAddRequest, maxBytes: number): Promise<CourseAddAnswer> {
  // Everything given is checked first: nothing is written for a bad argument.
  const size = await readable(req.video, 'video')
  if (size === 0) throw new ProblemError('file_rejected', { detail: `${req.video} is empty (0 bytes)` })
  if (size > maxBytes) throw new ProblemError('payload_too_large', { detail: `${req.video}: over ${maxBytes} bytes` })
  const sniffed = await sniffVideo(req.video)
  if ('refused' in sniffed) throw new ProblemError('file_rejected', { detail: `${req.video}: ${sniffed.refused}` })
  let chapters: ChapterInput[] = []
  if (req.chapters) {
    await readable(req.chapters, 'chapters')
    let json: unknown
    try {
      json = JSON.parse(await readFile(req.chapters, 'utf8'))
    } catch (err) {
      throw bad('/chapters', `${req.chapters} is not JSON: ${(err as Error).message}`)
    }
    const parsed = ChapterList.safeParse(json)
    if (!parsed.success)
      throw bad(
        '/chapters',
        `${req.chapters}: expected [{"title": "…", "start": seconds}, …] (${parsed.error.issues[0]?.path.join('/')}: ${parsed.error.issues[0]?.message})`,
      )
    chapters = parsed.data
  }
  let subtitles: string | undefined
  if (req.subtitles) {
    if ((await readable(req.subtitles, 'subtitles')) > maxSubtitleBytes)
      throw bad('/subtitles', `${req.subtitles}: over ${maxSubtitleBytes} bytes`)
    subtitles = decodeSubtitles(await readFile(req.subtitles))
    try {
      parseSubtitles(subtitles)
    } catch (err) {
      if (err instanceof SubtitleError)
        throw new ProblemError('file_rejected', { detail: `${req.subtitles}: ${err.message}` })
      throw err
    }
  }
  const { service, uploads } = courses
  let course = req.course ? await service.course(req.course).catch(() => undefined) : undefined
  if (req.course && !course) throw bad('/course', `there is no course ${req.course} on this node`)
  const existingCourse = !!course || !!(course = req.title ? await service.byTitle(req.title) : undefined)
  course ??= await service.createCourse({
    title: req.title!,
    subjects: [],
    language: 'zh',
    speakers: [],
    access: 'public',
  })

  const lecture = await service.addLecture(course.id, { title: req.lecture, speakers: [], chapters: [], related: [] })
  await uploads.setVideo(lecture.id, {
    body: createReadStream(req.video),
    claimedType: sniffed.type,
    declaredLength: size,
    name: basename(req.video),
    maxBytes,
  })
  if (chapters.length) await service.setChapters(lecture.id, chapters)
  if (subtitles !== undefined && req.subtitles)
    await uploads.setSubtitles(lecture.id, languageOf(req.subtitles, course.metadata.language), subtitles)
  if (req.publish) await service.publishCourse(course.id)
  const result: CourseAddResult = { courseId: course.id, lectureId: lecture.id }
  return { ...result, existingCourse }
}
