/**
 * @module courses
 * Open courses (公开课) in the node: courses and lectures over the resource records, their
 * uploads, and the transcode jobs' store. Built the same way for the running node and for CLI
 * commands run while it is stopped (`shulin course add`); the running node adds the transcode
 * queue (transcode/queue.ts), which runs what either of them queued.
 */
import type { Storage } from '../storage/db.js'
import type { BlobStore } from '../blobs/store.js'
import type { ResourceService } from '../resources/service.js'
import { CourseService } from './service.js'
import { LectureIndex } from './lecture-index.js'
import { TranscodeJobs } from './jobs.js'
import { LectureUploads } from './uploads.js'

export interface Courses {
  service: CourseService
  uploads: LectureUploads
  jobs: TranscodeJobs
}

export function buildCourses(opts: {
  storage: Storage
  resources: ResourceService
  blobs: BlobStore
  now?: (() => number) | undefined
}): Courses {
  const service = new CourseService(opts.resources, new LectureIndex(opts.resources.records))
  const jobs = new TranscodeJobs(opts.storage)
  return { service, jobs, uploads: new LectureUploads(service, opts.blobs, jobs, opts.now ?? Date.now) }
}
