/**
 * @module ld/dumps
 * `dump.nt.gz` and `dump.ttl.gz`: everything the node publishes, in the data folder's `ld/`,
 * rewritten a short while after the records change (changes in a burst — an import — make one
 * rewrite) and replaced atomically (written beside, then renamed), so a download never sees half
 * a file. The counts VoID gives (triples, entities) are taken while the N-Triples dump is written.
 */
import { createWriteStream } from 'node:fs'
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import { StreamWriter } from 'n3'
import type { Quad } from '@rdfjs/types'
import { z } from 'zod'
import { LD_PREFIXES } from '@shulin/protocol'
import type { LinkedData } from './service.js'
import type { Logger } from '../logger.js'

export type DumpFormat = 'nt' | 'ttl'

/** What the last dump held: VoID's counts. */
export const DumpStats = z.object({
  triples: z.number().int(),
  /** Distinct subjects with a URI (records and the things they name, and the library). */
  entities: z.number().int(),
  /** When the dump was written (ISO 8601). */
  modified: z.string(),
  /** The origin its URIs are under (a node whose public URL changed rewrites it). */
  origin: z.string().optional(),
})
export type DumpStats = z.infer<typeof DumpStats>

export interface LdDumpsOptions {
  ld: LinkedData
  /** The data folder (dumps go in its `ld/`). */
  dataDir: string
  /** How long after the last change a dump is rewritten. */
  debounceMs?: number
  logger?: Logger
}

export class LdDumps {
  readonly #dir: string
  #timer: NodeJS.Timeout | undefined
  /** The rewrite under way, if any; a change during it asks for one more. */
  #running: Promise<DumpStats> | undefined
  #again = false
  #stats: DumpStats | undefined
  #unsubscribe: (() => void) | undefined

  constructor(private readonly opts: LdDumpsOptions) {
    this.#dir = join(opts.dataDir, 'ld')
  }

  /** Follows the records: a dump is written now when none is there, and after every change. */
  async start(): Promise<void> {
    this.#unsubscribe = this.opts.ld.onChange(() => this.schedule())
    this.#stats = await this.#readStats()
    // Records may have changed while the node was stopped (`shulin import`), or its address.
    const changed = await this.opts.ld.lastChange()
    const stale =
      !this.#stats ||
      this.#stats.origin !== this.opts.ld.origin() ||
      (changed !== undefined && changed > this.#stats.modified) ||
      !(await this.#exists('nt')) ||
      !(await this.#exists('ttl'))
    if (stale) this.schedule(0)
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.()
    clearTimeout(this.#timer)
    this.#timer = undefined
    await this.#running?.catch(() => {})
  }

  path(format: DumpFormat): string {
    return join(this.#dir, `dump.${format}.gz`)
  }

  /** Rewrites the dumps `delayMs` from now (later changes push it back). */
  schedule(delayMs = this.opts.debounceMs ?? 5000): void {
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.write().catch((err: unknown) => this.opts.logger?.warn({ err }, 'linked data dump not written'))
    }, delayMs)
    this.#timer.unref?.()
  }

  /**
   * Waits for a pending rewrite: one scheduled (started now) or under way. A download or a count
   * asked for after a change sees it, while a burst of changes with no one asking makes one rewrite.
   */
  async #current(): Promise<void> {
    await this.opts.ld.settled()
    if (this.#timer) {
      clearTimeout(this.#timer)
      this.#timer = undefined
      await this.write()
    }
    while (this.#running) await this.#running
  }

  /** The current dumps' counts, writing them first when there are none yet. */
  async stats(): Promise<DumpStats> {
    await this.#current()
    return this.#stats ?? (await this.write())
  }

  /** The dump as a stream with its size and time, current as of the call. */
  async open(format: DumpFormat): Promise<{ body: ReadableStream<Uint8Array>; size: number; modified: Date }> {
    await this.#current()
    if (!(await this.#exists(format))) await this.write()
    const file = this.path(format)
    // Opened before a later rewrite renames a new file over it: the stream reads this one whole.
    const handle = await open(file)
    const st = await handle.stat()
    return {
      body: Readable.toWeb(handle.createReadStream()) as ReadableStream<Uint8Array>,
      size: st.size,
      modified: st.mtime,
    }
  }

  /** Writes both dumps now (after the one under way, when there is one). */
  write(): Promise<DumpStats> {
    if (this.#running) {
      this.#again = true
      return this.#running
    }
    const run = (async () => {
      await this.opts.ld.settled()
      await mkdir(this.#dir, { recursive: true })
      let triples = 0
      const subjects = new Set<string>()
      await this.#writeOne('nt', (q) => {
        triples++
        if (q.subject.termType === 'NamedNode') subjects.add(q.subject.value)
      })
      await this.#writeOne('ttl')
      const stats: DumpStats = {
        triples,
        entities: subjects.size,
        modified: new Date().toISOString(),
        origin: this.opts.ld.origin(),
      }
      const tmp = join(this.#dir, 'void.json.tmp')
      await writeFile(tmp, JSON.stringify(stats))
      await rename(tmp, join(this.#dir, 'void.json'))
      this.#stats = stats
      return stats
    })()
    this.#running = run
    void run
      .finally(() => {
        this.#running = undefined
        if (this.#again) {
          this.#again = false
          this.schedule(0)
        }
      })
      .catch(() => {})
    return run
  }

  async #writeOne(format: DumpFormat, seen?: (q: Quad) => void): Promise<void> {
    const file = this.path(format)
    const tmp = `${file}.tmp`
    const count = new Transform({
      objectMode: true,
      transform(q: Quad, _enc, done) {
        seen?.(q)
        done(null, q)
      },
    })
    const writer = new StreamWriter(
      format === 'ttl' ? { format: 'Turtle', prefixes: { ...LD_PREFIXES } } : { format: 'N-Triples' },
    )
    try {
      await pipeline(Readable.from(this.opts.ld.allQuads()), count, writer, createGzip(), createWriteStream(tmp))
      await rename(tmp, file)
    } catch (err) {
      await rm(tmp, { force: true })
      throw err
    }
  }

  async #exists(format: DumpFormat): Promise<boolean> {
    return stat(this.path(format)).then(
      () => true,
      () => false,
    )
  }

  async #readStats(): Promise<DumpStats | undefined> {
    try {
      return DumpStats.parse(JSON.parse(await readFile(join(this.#dir, 'void.json'), 'utf8')))
    } catch {
      return undefined
    }
  }
}
