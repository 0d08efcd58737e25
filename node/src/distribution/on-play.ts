/**
 * @module distribution/on-play
 * A catalogue-only subscriber's lecture, fetched when a reader first plays it. The first request
 * for any of its files starts one fetch of the lot in the order a player needs them: the
 * playlists (master first) so playback can start, the subtitles and the poster, then the media
 * files, lowest rendition first. The request itself waits for its own file only (the fetcher
 * shares one fetch per file among all who ask), up to a bound; then it is told to come back
 * (`'fetching'`: the route answers `content_fetching`, 503 with Retry-After), or, when no
 * library holding the file can be reached, `content_unavailable` (503): the reader's node is
 * fine, the network is not.
 *
 * @example
 * ```ts
 * const onPlay = lectureOnPlay({ fetcher, logger })
 * await onPlay.ensure(lecture, file) // 'ready', 'fetching', or a content_unavailable ProblemError
 * ```
 */
import type { Resource, ResourceFile } from '@shulin/protocol'
import { ProblemError } from '../http/problem.js'
import type { Logger } from '../logger.js'
import type { ContentFetcher } from './fetch.js'

export interface LectureOnPlay {
  /**
   * `'ready'` once `file` of another library's `lecture` is here, `'fetching'` if it is still on
   * its way after the wait; a `content_unavailable` {@link ProblemError} if it cannot be fetched.
   */
  ensure(
    lecture: Pick<Resource, 'id' | 'nodeId' | 'files' | 'lecture'>,
    file: ResourceFile,
  ): Promise<'ready' | 'fetching'>
}

export interface LectureOnPlayComponents {
  fetcher: Pick<ContentFetcher, 'fetch' | 'has'>
  logger?: Logger | undefined
  /** How long a request waits for its file before being asked to come back (default 20 s). */
  waitMs?: number
}

/** The roles a player asks for; attachments are fetched when opened, like any file. */
const playRoles = new Set(['hls', 'subtitles', 'poster'])

/** A lecture's files in the order a player needs them (see the module's comment). */
export function playOrder(lecture: Pick<Resource, 'files' | 'lecture'>): ResourceFile[] {
  const renditions = [...(lecture.lecture?.renditions ?? [])].sort((a, b) => a.bandwidth - b.bandwidth)
  const rank = (f: ResourceFile): number => {
    if (f.role === 'hls' && f.name === 'master.m3u8') return 0
    if (f.role === 'hls' && f.name?.endsWith('.m3u8')) return 1
    if (f.role === 'subtitles') return 2
    if (f.role === 'poster') return 3
    const rendition = renditions.findIndex((r) => r.media === f.name)
    return 4 + (rendition < 0 ? renditions.length : rendition)
  }
  return lecture.files.filter((f) => playRoles.has(f.role)).sort((a, b) => rank(a) - rank(b))
}

export function lectureOnPlay(components: LectureOnPlayComponents): LectureOnPlay {
  return new DefaultLectureOnPlay(components)
}

class DefaultLectureOnPlay implements LectureOnPlay {
  /** Lectures whose files are being fetched in play order (one run per lecture at a time). */
  readonly #ahead = new Map<string, Promise<void>>()

  constructor(private readonly c: LectureOnPlayComponents) {}

  async ensure(
    lecture: Pick<Resource, 'id' | 'nodeId' | 'files' | 'lecture'>,
    file: ResourceFile,
  ): Promise<'ready' | 'fetching'> {
    if (await this.c.fetcher.has(file.blob)) return 'ready'
    if (playRoles.has(file.role)) this.#fetchAhead(lecture)
    const wanted = this.c.fetcher.fetch(file, lecture.nodeId)
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), this.c.waitMs ?? 20_000)))
    try {
      if ((await Promise.race([wanted, late])) !== 'late') return 'ready'
      // Still on its way: the fetch goes on, and the player's retry finds it here.
      wanted.catch(() => {})
      return 'fetching'
    } catch (err) {
      this.c.logger?.warn({ err, lecture: lecture.id, file: file.name }, 'could not fetch a lecture file on play')
      throw new ProblemError('content_unavailable', { detail: (err as Error).message, retryAfterSeconds: 30 })
    } finally {
      clearTimeout(timer)
    }
  }

  #fetchAhead(lecture: Pick<Resource, 'id' | 'nodeId' | 'files' | 'lecture'>): void {
    if (this.#ahead.has(lecture.id)) return
    const run = (async () => {
      for (const f of playOrder({ files: lecture.files, lecture: lecture.lecture })) {
        // One at a time: the playlists come before the large media files, not beside them.
        await this.c.fetcher.fetch(f, lecture.nodeId)
      }
    })()
      .catch((err: unknown) =>
        // The next play starts again; each request reports its own file's failure.
        this.c.logger?.info({ err, lecture: lecture.id }, 'fetching a lecture ahead stopped'),
      )
      .finally(() => this.#ahead.delete(lecture.id))
    this.#ahead.set(lecture.id, run)
  }
}
