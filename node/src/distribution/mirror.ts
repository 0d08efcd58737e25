/**
 * @module distribution/mirror
 * Mirroring: the files of a channel subscribed with `mirror` fetched ahead of readers, one at a
 * time, within a byte rate over all providers together and within the hours of the day set
 * for it (`--mirror-hours 22-6`: overnight). A file that fails is tried again at the next start
 * or when a reader opens it.
 *
 * @example
 * ```ts
 * const mirror = contentMirror({ bytesPerSecond: 1_000_000, hours: '22-6' })({ fetcher, now: Date.now })
 * mirror.queue([{ file, publisher }])
 * ```
 */
import type { ResourceFile } from '@shulin/protocol'
import type { Logger } from '../logger.js'
import type { ContentFetcher } from './fetch.js'

export interface ContentMirror {
  /** Queues files to fetch ahead (a file already queued is not queued twice). */
  queue(files: Array<{ file: ResourceFile; publisher: string }>): void
  stop(): void
}

export interface ContentMirrorInit {
  /** Byte rate of mirroring, over all providers together (0 or none: no limit). */
  bytesPerSecond?: number | undefined
  /** Hours of the day mirroring runs, `FROM-TO` local time (`22-6` overnight). */
  hours?: string
}

export interface ContentMirrorComponents {
  fetcher: Pick<ContentFetcher, 'fetch'>
  /** The node's clock (the hours are read by it). */
  now: () => number
  logger?: Logger | undefined
}

export function contentMirror(init: ContentMirrorInit = {}): (components: ContentMirrorComponents) => ContentMirror {
  return (components) => new DefaultContentMirror(init, components)
}

/** Whether `at` falls within `FROM-TO` (local hours; a window past midnight wraps). */
export function inWindow(hours: string, at: Date): boolean {
  const [from, to] = hours.split('-').map(Number) as [number, number]
  const h = at.getHours()
  if (from === to || (from === 0 && to === 24)) return true
  return from < to ? h >= from && h < to : h >= from || h < to
}

class DefaultContentMirror implements ContentMirror {
  readonly #queue: Array<{ file: ResourceFile; publisher: string }> = []
  readonly #queued = new Set<string>()
  #running = false
  #stopped = false

  constructor(
    private readonly init: ContentMirrorInit,
    private readonly c: ContentMirrorComponents,
  ) {}

  queue(files: Array<{ file: ResourceFile; publisher: string }>): void {
    for (const f of files) {
      if (this.#queued.has(f.file.blob)) continue
      this.#queued.add(f.file.blob)
      this.#queue.push(f)
    }
    if (!this.#running) void this.#drain()
  }

  stop(): void {
    this.#stopped = true
  }

  async #drain(): Promise<void> {
    this.#running = true
    try {
      while (!this.#stopped) {
        if (!inWindow(this.init.hours ?? '0-24', new Date(this.c.now()))) {
          await new Promise((r) => setTimeout(r, 60_000).unref())
          continue
        }
        const next = this.#queue.shift()
        if (!next) break
        this.#queued.delete(next.file.blob)
        try {
          await this.c.fetcher.fetch(
            next.file,
            next.publisher,
            this.init.bytesPerSecond ? { maxBytesPerSecond: this.init.bytesPerSecond } : {},
          )
        } catch (err) {
          this.c.logger?.warn(
            { err, sha256: next.file.blob },
            'mirroring a channel file failed; it is tried again at the next start or when opened',
          )
        }
      }
    } finally {
      this.#running = false
    }
  }
}
