/**
 * @module channels/courses
 * What of a course or a lecture goes into a channel record. A course travels as a record with
 * its `course` fields; each lecture as its own record with its `lecture` fields, its course as
 * `parent`, its chapters as the toc, and its files: the HLS playlists and media files, the
 * poster, the WebVTT subtitles and the attachments.
 *
 * The uploaded original (`video`) stays with the publisher once the lecture has HLS files:
 * members play the renditions only, the original is usually the largest file of the lot (a
 * camera's or a screen recorder's bitrate, several times both renditions together), and it may
 * not even play in a browser (MOV, MKV). Keeping it at the publisher keeps what it is for:
 * transcoding again. Without HLS (a publisher with no ffmpeg serves the original MP4 by ranges)
 * the original is all there is to play, so then it travels.
 *
 * A transcode's progress is left out (and a failure's reason, written for the publisher's
 * staff): a member cannot act on them, and a record re-signed at every percent would send the
 * whole channel shard round the network each time.
 */
import type { ChannelRecord, Resource, ResourceFile } from '@shulin/protocol'
import type { ForeignRecord } from '../resources/service.js'

/** One of this node's records, about to be signed into a channel. */
export type OwnRecord = ForeignRecord & { parentId?: string | null }

/** The files of a record that go into its channel records (see the module's comment). */
export function travellingFiles(r: Pick<Resource, 'type' | 'files'>): ResourceFile[] {
  if (r.type !== 'lecture' || !r.files.some((f) => f.role === 'hls')) return r.files
  return r.files.filter((f) => f.role !== 'video')
}

/** A course's or a lecture's own fields as they are signed into a channel record. */
export function courseFields(r: Pick<OwnRecord, 'type' | 'course' | 'lecture' | 'parentId'>) {
  const out: Pick<ChannelRecord, 'course' | 'lecture' | 'parent'> = {}
  if (r.type === 'course' && r.course) out.course = r.course
  if (r.type === 'lecture' && r.lecture) {
    const { progress: _progress, error: _error, ...lecture } = r.lecture
    out.lecture = lecture
    if (r.parentId) out.parent = r.parentId
  }
  return out
}

/** Whether a change to one of this node's records leaves what its channels carry as it was. */
export function sameInChannel(a: Resource, b: Resource): boolean {
  const view = (r: Resource) =>
    JSON.stringify([r.type, r.metadata, r.access, r.status, travellingFiles(r), r.toc, courseFields(r)])
  return view(a) === view(b)
}
