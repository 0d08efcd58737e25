/**
 * @module blobs/store
 * Content-addressed file storage: DATA/blobs/<aa>/<bb>/<sha256>. Uploads stream to
 * DATA/tmp while being hashed and counted (never held in memory), are fsynced, then renamed
 * into place; identical content is stored once. Owns the `blobs` sublevel (sha → info).
 * Garbage collection is told which blobs the records reference (derived from the records
 * themselves, so it can never disagree with them) and removes the others once they are
 * older than a grace period, so an upload that is not attached yet is never taken away.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs'
import { once } from 'node:events'
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { delOp, putOp, type Storage, type Sublevel } from '../storage/db.js'

export interface BlobInfo {
  sha256: string
  size: number
  mediaType: string
  createdAt: number
}

export class BlobTooLarge extends Error {
  override readonly name = 'BlobTooLarge'
}

/** A blob on disk, not yet recorded: check it, then `commit` or `discard`. */
export interface StagedBlob {
  readonly sha256: string
  readonly size: number
  /** Where it can be read while staged (for type checks and extraction). */
  readonly path: string
  commit(mediaType: string): Promise<BlobInfo>
  discard(): Promise<void>
}

const shaRe = /^[0-9a-f]{64}$/

export class BlobStore {
  readonly #info: Sublevel<BlobInfo>
  readonly #dir: string
  readonly #tmp: string

  constructor(
    private readonly storage: Storage,
    dataDir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.#info = storage.sublevel<BlobInfo>('blobs')
    this.#dir = join(dataDir, 'blobs')
    this.#tmp = join(dataDir, 'tmp')
  }

  /** Removes uploads a crash left half-written. Run at start. */
  async init(): Promise<void> {
    await mkdir(this.#dir, { recursive: true })
    await rm(this.#tmp, { recursive: true, force: true })
    await mkdir(this.#tmp, { recursive: true })
  }

  pathOf(sha256: string): string {
    if (!shaRe.test(sha256)) throw new Error('not a sha256')
    return join(this.#dir, sha256.slice(0, 2), sha256.slice(2, 4), sha256)
  }

  info(sha256: string): Promise<BlobInfo | undefined> {
    return this.#info.get(sha256)
  }

  /**
   * Streams `source` to a temporary file, hashing and counting it.
   * @throws {BlobTooLarge} past `maxBytes` (the temporary file is removed).
   */
  async stage(source: Readable | AsyncIterable<Uint8Array>, maxBytes: number): Promise<StagedBlob> {
    // A command run on the stopped node's folder (`shulin course add`) stages before any init made it.
    await mkdir(this.#tmp, { recursive: true })
    const tmp = join(this.#tmp, `${randomBytes(12).toString('hex')}.part`)
    const hash = createHash('sha256')
    let size = 0
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length
        if (size > maxBytes) return done(new BlobTooLarge(`more than ${maxBytes} bytes`))
        hash.update(chunk)
        done(null, chunk)
      },
    })
    const out = createWriteStream(tmp, { mode: 0o600 })
    try {
      await pipeline(source, meter, out)
      const fh = await open(tmp, 'r')
      await fh.sync()
      await fh.close()
    } catch (err) {
      // A source that fails at once rejects the pipeline before the file's open has finished:
      // removed then, the file was created after and stayed (seen under load). Wait for its close.
      if (!out.closed) await once(out, 'close', { signal: AbortSignal.timeout(10_000) }).catch(() => undefined)
      await rm(tmp, { force: true })
      throw err
    }
    const sha256 = hash.digest('hex')
    let settled = false
    return {
      sha256,
      size,
      path: tmp,
      commit: async (mediaType) => {
        settled = true
        return this.#commit(tmp, sha256, size, mediaType)
      },
      discard: async () => {
        if (!settled) await rm(tmp, { force: true })
        settled = true
      },
    }
  }

  async #commit(tmp: string, sha256: string, size: number, mediaType: string): Promise<BlobInfo> {
    const existing = await this.#info.get(sha256)
    const final = this.pathOf(sha256)
    if (existing && (await stat(final).catch(() => null))?.size === size) {
      await rm(tmp, { force: true })
      return existing
    }
    await mkdir(join(final, '..'), { recursive: true })
    await rename(tmp, final)
    const info: BlobInfo = { sha256, size, mediaType, createdAt: this.now() }
    await this.storage.commit([putOp(this.#info, sha256, info)], { sync: true })
    return info
  }

  /**
   * Takes a file that was already checked against `sha256` (a fetched channel file) into the
   * store by renaming it, so it must be on the data folder's filesystem.
   */
  adopt(path: string, sha256: string, size: number, mediaType: string): Promise<BlobInfo> {
    if (!shaRe.test(sha256)) throw new Error('not a sha256')
    return this.#commit(path, sha256, size, mediaType)
  }

  /** A read stream of a blob (or a byte range of it, inclusive). */
  read(sha256: string, range?: { start: number; end: number }): ReadStream {
    return createReadStream(this.pathOf(sha256), range ? { start: range.start, end: range.end } : {})
  }

  /** Deletes blobs not in `referenced` that are older than `graceMs`. */
  async collectGarbage(referenced: ReadonlySet<string>, graceMs: number): Promise<{ removed: number; bytes: number }> {
    let removed = 0
    let bytes = 0
    const cutoff = this.now() - graceMs
    for await (const [sha, info] of this.#info.iterator()) {
      if (info.createdAt > cutoff || referenced.has(sha)) continue
      await this.storage.commit([delOp(this.#info, sha)], { sync: true })
      await rm(this.pathOf(sha), { force: true })
      removed++
      bytes += info.size
    }
    return { removed, bytes }
  }

  /** Names in DATA/tmp (tests check nothing is left behind). */
  async pending(): Promise<string[]> {
    return readdir(this.#tmp).catch(() => [])
  }
}
