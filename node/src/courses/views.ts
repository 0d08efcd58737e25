/**
 * @module courses/views
 * A course and its lectures as the JSON API answers them (`CourseSummary`, `CourseDetail`,
 * `LectureView`): URLs instead of blobs, the duration from the metadata, chapters from the
 * table of contents. Pure functions of the records and the node's address.
 */
import type { CourseDetail, CourseSummary, LectureView, Person, Resource } from '@shulin/protocol'

// A speaker's photo has no route of its own yet: the view names the person and the bio.
const personView = (p: Person) => ({ name: p.name, ...(p.bio ? { bio: p.bio } : {}) })

export const lectureUrl = (base: string, id: string) => `${base}/api/lectures/${encodeURIComponent(id)}`

/** The master playlist's name, as the transcoder writes it. */
export const masterName = 'master.m3u8'

/**
 * ffmpeg's reasons name the files it read (`/srv/…/tmp/…/blobs/ab/…: Invalid data found`): the view
 * keeps each path's last part only, so the public answer does not tell how the node's disk is laid out.
 */
export const withoutPaths = (text: string): string =>
  text.replace(
    /(?<=^|[\s'"(=])(?:[A-Za-z]:)?(?:[\\/][^\s\\/'":]+)+[\\/]?/g,
    (p) => p.split(/[\\/]/).filter(Boolean).pop() ?? '',
  )

export function lectureView(r: Resource, base: string): LectureView {
  const info = r.lecture
  const url = lectureUrl(base, r.id)
  const files = r.files
  const ready = info?.status === 'ready'
  const hasMaster = files.some((f) => f.role === 'hls' && f.name === masterName)
  const video = files.find((f) => f.role === 'video')
  return {
    id: r.id,
    title: r.metadata.title,
    course: r.parentId ?? null,
    ...(r.metadata.description ? { description: r.metadata.description } : {}),
    position: info?.position ?? 0,
    duration: r.metadata.extent?.durationSeconds ?? null,
    status: info?.status ?? 'processing',
    ...(info?.error ? { error: withoutPaths(info.error) } : {}),
    ...(info?.status === 'processing' && info.progress !== undefined ? { progress: info.progress } : {}),
    hls: ready && hasMaster ? `${url}/hls/${masterName}` : null,
    original: video ? `${url}/original` : null,
    poster: files.some((f) => f.role === 'poster') ? `${url}/poster` : null,
    subtitles: (info?.subtitles ?? []).map((s) => ({
      lang: s.lang,
      label: s.label,
      url: `${url}/subtitles/${encodeURIComponent(s.lang)}`,
    })),
    chapters: r.toc.map((c) => ({ title: c.title, start: c.start })),
    speakers: (info?.speakers ?? []).map(personView),
    attachments: files
      .filter((f) => f.role === 'attachment')
      .map((f, i) => ({
        name: f.name ?? `${r.metadata.title} ${i + 1}.pdf`,
        url: `${url}/attachments/${i + 1}`,
        mediaType: f.mediaType,
        size: f.size,
      })),
  }
}

export function courseSummary(course: Resource, lectures: Resource[], base: string): CourseSummary {
  const m = course.metadata
  const info = course.course
  return {
    id: course.id,
    title: m.title,
    ...(m.description ? { description: m.description } : {}),
    ...(m.series ? { series: m.series } : {}),
    subjects: m.subjects,
    ...(info?.level ? { level: info.level } : {}),
    ...(info?.audience ? { audience: info.audience } : {}),
    speakers: (info?.speakers ?? []).map(personView),
    cover: course.files.some((f) => f.role === 'cover')
      ? `${base}/api/resources/${encodeURIComponent(course.id)}/files/cover`
      : null,
    lectureCount: lectures.length,
    duration: Math.round(lectures.reduce((sum, l) => sum + (l.metadata.extent?.durationSeconds ?? 0), 0) * 100) / 100,
    status: course.status,
    access: course.access,
    source: course.nodeId,
    publishedAt: course.publishedAt,
  }
}

export function courseDetail(course: Resource, lectures: Resource[], base: string): CourseDetail {
  return { ...courseSummary(course, lectures, base), lectures: lectures.map((l) => lectureView(l, base)) }
}
