/**
 * @module courses/schemas
 * Open courses (公开课): a series (专题) groups courses, a course holds lectures in order, a
 * lecture is one video with its speakers, chapters, subtitles, transcript and attachments.
 *
 * Courses and lectures are resources (types `course` and `lecture`; a lecture's `parentId` is
 * its course), so they share the resources' workflow (draft → published → withdrawn), access
 * policies, search, statistics, reading progress and channels. What only a course or a lecture
 * has rides in the resource's `course` or `lecture` field, defined here. A series is the
 * course's `metadata.series`; on the hub, a series is published as a channel.
 *
 * A lecture's video is transcoded to HLS: each rendition is one media file with a byte-range
 * playlist (ffmpeg's `single_file`), so a lecture is a handful of files that travel as channel
 * content like any other. Files are stored by the names in the playlists and served under
 * `/api/lectures/:id/hls/<name>`, so the playlists' relative URLs resolve without rewriting.
 */
import { z } from 'zod'
import { freeText, singleLine } from '../text.js'
import { AccessPolicy, ClcNumber, Sha256 } from '../resources/basics.js'

/** BCP 47 language tag of a subtitle track (`zh`, `zh-Hans`, `en`). */
export const LanguageTag = z.string().regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, 'invalid_language')

/** A speaker (主讲人) or other person named on a course. */
export const Person = z.strictObject({
  name: singleLine(200),
  bio: freeText(2000).optional(),
  /** Blob of a photo, when there is one. */
  photo: Sha256.optional(),
})
export type Person = z.infer<typeof Person>

export const CourseLevel = z.enum(['introductory', 'intermediate', 'advanced'])
export type CourseLevel = z.infer<typeof CourseLevel>

/** What only a course has (the rest is its resource's metadata: title, description, subjects, series). */
export const CourseInfo = z.strictObject({
  level: CourseLevel.optional(),
  /** Who it is for (面向: 青少年, 老年读者, 全体读者…). */
  audience: singleLine(200).optional(),
  speakers: z.array(Person).max(50).default([]),
})
export type CourseInfo = z.infer<typeof CourseInfo>

/** `processing` until the transcode ends, then `ready`, or `failed` with a reason. */
export const LectureStatus = z.enum(['processing', 'ready', 'failed'])
export type LectureStatus = z.infer<typeof LectureStatus>

/** A stored file's name under `/api/lectures/:id/hls/`: `master.m3u8`, `720p.m3u8`, `720p.ts`. */
export const HlsFileName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,40}\.(m3u8|ts|m4s|mp4)$/, 'invalid_hls_name')

export const Rendition = z.strictObject({
  height: z.number().int().min(1).max(4320),
  width: z.number().int().min(1).max(7680),
  /** Peak bits per second, as the master playlist says. */
  bandwidth: z.number().int().min(1),
  playlist: HlsFileName,
  media: HlsFileName,
})
export type Rendition = z.infer<typeof Rendition>

export const SubtitleTrack = z.strictObject({
  lang: LanguageTag,
  /** Shown in the subtitle menu (中文, English). */
  label: singleLine(64),
  /** Blob of the WebVTT text (SRT is converted on upload). */
  blob: Sha256,
})
export type SubtitleTrack = z.infer<typeof SubtitleTrack>

/** What only a lecture has. Chapters are the resource's `toc`; the duration is `metadata.extent.durationSeconds`. */
export const LectureInfo = z.strictObject({
  /** Order in the course (0 first). */
  position: z.number().int().min(0).max(100_000),
  speakers: z.array(Person).max(20).default([]),
  status: LectureStatus,
  /** Why a transcode failed, in words staff can act on. */
  error: z.string().max(2000).optional(),
  /** 0 … 1 while processing. */
  progress: z.number().min(0).max(1).optional(),
  renditions: z.array(Rendition).max(8).default([]),
  subtitles: z.array(SubtitleTrack).max(20).default([]),
  level: CourseLevel.optional(),
  /** Related catalogue records (resource ids). */
  related: z.array(z.string().max(64)).max(50).default([]),
})
export type LectureInfo = z.infer<typeof LectureInfo>

// HTTP bodies.

export const CreateCourseRequest = z.strictObject({
  title: singleLine(500),
  description: freeText(20_000).optional(),
  subjects: z.array(singleLine(100)).max(100).default([]),
  series: singleLine(200).optional(),
  clc: ClcNumber.optional(),
  language: LanguageTag.default('zh'),
  level: CourseLevel.optional(),
  audience: singleLine(200).optional(),
  speakers: z.array(Person).max(50).default([]),
  access: AccessPolicy.default('public'),
})
export type CreateCourseRequest = z.infer<typeof CreateCourseRequest>

export const ChapterInput = z.strictObject({ title: singleLine(500), start: z.number().min(0).max(1_000_000) })
export type ChapterInput = z.infer<typeof ChapterInput>
/** A chapters file (`--chapters FILE.json`): an array of `{title, start}`, start in seconds. */
export const ChapterList = z.array(ChapterInput).max(5000)

export const CreateLectureRequest = z.strictObject({
  title: singleLine(500),
  description: freeText(20_000).optional(),
  /** Appended after the last lecture when absent. */
  position: z.number().int().min(0).max(100_000).optional(),
  speakers: z.array(Person).max(20).default([]),
  chapters: ChapterList.default([]),
  level: CourseLevel.optional(),
  related: z.array(z.string().max(64)).max(50).default([]),
})
export type CreateLectureRequest = z.infer<typeof CreateLectureRequest>

// HTTP answers (the contract of `GET /api/courses` and `GET /api/courses/:id`).

export const LectureView = z.object({
  id: z.string(),
  title: z.string(),
  /** The course it belongs to (its record's parent): the player page's way back, without a second request. */
  course: z.string().nullable(),
  description: z.string().optional(),
  position: z.number().int(),
  /** Seconds, once known (ffprobe). */
  duration: z.number().nullable(),
  status: LectureStatus,
  error: z.string().optional(),
  progress: z.number().optional(),
  /** The master playlist's URL once ready, else null. */
  hls: z.string().nullable(),
  /** The uploaded original, playable by ranges where it is MP4 (also the fallback without ffmpeg). */
  original: z.string().nullable(),
  poster: z.string().nullable(),
  subtitles: z.array(z.object({ lang: z.string(), label: z.string(), url: z.string() })),
  chapters: z.array(z.object({ title: z.string(), start: z.number() })),
  speakers: z.array(z.object({ name: z.string(), bio: z.string().optional(), photo: z.string().optional() })),
  attachments: z.array(z.object({ name: z.string(), url: z.string(), mediaType: z.string(), size: z.number() })),
})
export type LectureView = z.infer<typeof LectureView>

export const CourseSummary = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string().optional(),
  series: z.string().optional(),
  subjects: z.array(z.string()),
  level: CourseLevel.optional(),
  audience: z.string().optional(),
  speakers: z.array(z.object({ name: z.string(), bio: z.string().optional(), photo: z.string().optional() })),
  cover: z.string().nullable(),
  lectureCount: z.number().int(),
  /** Sum of the known lecture durations, seconds. */
  duration: z.number(),
  status: z.enum(['draft', 'published', 'withdrawn']),
  access: AccessPolicy,
  /** The node that publishes it. */
  source: z.string(),
  publishedAt: z.string().nullable(),
})
export type CourseSummary = z.infer<typeof CourseSummary>

export const CourseList = z.object({ courses: z.array(CourseSummary) })
export type CourseList = z.infer<typeof CourseList>

export const CourseDetail = CourseSummary.extend({ lectures: z.array(LectureView) })
export type CourseDetail = z.infer<typeof CourseDetail>

/** The last line `shulin course add` prints. */
export const CourseAddResult = z.object({ courseId: z.string(), lectureId: z.string() })
export type CourseAddResult = z.infer<typeof CourseAddResult>

// Edits and the console's job list (added with the node's courses module).

/** `PATCH /api/courses/:id`: the fields given change, the others stay (no defaults here, on purpose). */
export const UpdateCourseRequest = z.strictObject({
  title: singleLine(500).optional(),
  description: freeText(20_000).optional(),
  subjects: z.array(singleLine(100)).max(100).optional(),
  series: singleLine(200).optional(),
  clc: ClcNumber.optional(),
  language: LanguageTag.optional(),
  level: CourseLevel.optional(),
  audience: singleLine(200).optional(),
  speakers: z.array(Person).max(50).optional(),
  access: AccessPolicy.optional(),
})
export type UpdateCourseRequest = z.infer<typeof UpdateCourseRequest>

/** `PATCH /api/lectures/:id`. */
export const UpdateLectureRequest = z.strictObject({
  title: singleLine(500).optional(),
  description: freeText(20_000).optional(),
  position: z.number().int().min(0).max(100_000).optional(),
  speakers: z.array(Person).max(20).optional(),
  level: CourseLevel.optional(),
  related: z.array(z.string().max(64)).max(50).optional(),
})
export type UpdateLectureRequest = z.infer<typeof UpdateLectureRequest>

/** A transcode job as the staff console lists it (`GET /api/staff/transcode-jobs`). */
export const TranscodeJobView = z.object({
  lectureId: z.string(),
  /** The lecture's title and course, for the list. */
  title: z.string(),
  courseId: z.string().nullable(),
  state: z.enum(['queued', 'running', 'done', 'failed']),
  progress: z.number().min(0).max(1),
  error: z.string().optional(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** How many times it was started (a restart mid-transcode starts it again). */
  attempts: z.number().int(),
})
export type TranscodeJobView = z.infer<typeof TranscodeJobView>
export const TranscodeJobList = z.object({ jobs: z.array(TranscodeJobView) })

/** A transcript: the cues of one subtitle track as plain text (`GET /api/lectures/:id/transcript`). */
export const Transcript = z.object({
  lang: z.string(),
  cues: z.array(z.object({ start: z.number(), end: z.number(), text: z.string() })),
})
export type Transcript = z.infer<typeof Transcript>
