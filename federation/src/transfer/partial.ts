/**
 * @module transfer/partial
 * A download in progress, in the fetcher's work folder: `<sha256>.part` (the file, chunks
 * written at their offsets by the checking worker, `verify.ts`), `<sha256>.manifest.json` (the verified manifest, so a restart
 * need not ask for it again) and `<sha256>.progress` (which chunks were written: a bitmap,
 * replaced by rename so a reader sees a whole record or the one before).
 *
 * A restart trusts the bitmap for nothing but a hint: every chunk it claims is read back and
 * checked against the manifest before it counts. That is why nothing here waits for the disk
 * while the download runs: a kill -9 loses nothing the kernel holds, and what a machine crash
 * loses is found by that check and fetched again. Only the finished file is synced, before it
 * is renamed into place.
 */
import { mkdir, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { Manifest, Sha256Hex } from '@shulin/protocol'

const TransferProgress = z.strictObject({
  v: z.literal(1),
  manifestId: Sha256Hex,
  /** Bit i set: chunk i was written. */
  done: z.base64().max(8192),
})

export interface PartialPaths {
  part: string
  manifest: string
  progress: string
}

export function partialPaths(work: string, sha256: string): PartialPaths {
  return {
    part: join(work, `${sha256}.part`),
    manifest: join(work, `${sha256}.manifest.json`),
    progress: join(work, `${sha256}.progress`),
  }
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'))
  } catch {
    return undefined
  }
}

/** Writes `text` to `path` so a reader sees the old or the new whole file (temp, optionally fsync, rename). */
async function writeAtomic(path: string, text: string, sync: boolean): Promise<void> {
  const tmp = `${path}.tmp`
  const fh = await open(tmp, 'w')
  try {
    await fh.writeFile(text)
    if (sync) await fh.sync()
  } finally {
    await fh.close()
  }
  await rename(tmp, path)
}

/** The manifest kept by an earlier attempt, if it is still the one `manifestId` names. */
export async function readKeptManifest(
  paths: PartialPaths,
  isTheOne: (m: Manifest) => boolean,
): Promise<Manifest | undefined> {
  const r = Manifest.safeParse(await readJson(paths.manifest))
  return r.success && isTheOne(r.data) ? r.data : undefined
}

export async function keepManifest(paths: PartialPaths, manifest: Manifest): Promise<void> {
  await writeAtomic(paths.manifest, JSON.stringify(manifest), true)
}

/** The part file and its progress record. */
export class PartialFile {
  private constructor(
    readonly fh: FileHandle,
    private readonly paths: PartialPaths,
    private readonly manifestId: string,
    /** Chunks the last progress record claims. */
    readonly claimed: Uint8Array,
  ) {}

  /** Opens (or creates) the part file at its full size and reads what an earlier attempt claimed. */
  static async open(work: string, paths: PartialPaths, manifest: Manifest, manifestId: string): Promise<PartialFile> {
    await mkdir(work, { recursive: true })
    const n = manifest.chunks.length
    const claimed = new Uint8Array(n)
    const rec = TransferProgress.safeParse(await readJson(paths.progress))
    const fh = await open(paths.part, 'r+').catch(() => open(paths.part, 'w+'))
    if (rec.success && rec.data.manifestId === manifestId) {
      const bits = Buffer.from(rec.data.done, 'base64')
      for (let i = 0; i < n; i++) claimed[i] = (bits[i >> 3]! >> (i & 7)) & 1
    }
    await fh.truncate(manifest.size)
    return new PartialFile(fh, paths, manifestId, claimed)
  }

  /** Records `done` (chunk i written when `done[i]`). */
  async record(done: ArrayLike<boolean | number>): Promise<void> {
    const bits = Buffer.alloc(Math.ceil(done.length / 8))
    for (let i = 0; i < done.length; i++) if (done[i]) bits[i >> 3]! |= 1 << (i & 7)
    await writeAtomic(
      this.paths.progress,
      JSON.stringify({ v: 1, manifestId: this.manifestId, done: bits.toString('base64') }),
      false,
    )
  }

  /** Syncs and closes the part file and moves it to `dest`; the work files go. */
  async finish(dest: string): Promise<void> {
    await this.fh.datasync()
    await this.fh.close()
    await rename(this.paths.part, dest)
    await rm(this.paths.progress, { force: true })
    await rm(this.paths.manifest, { force: true })
  }

  async close(): Promise<void> {
    await this.fh.close().catch(() => {})
  }
}
