/**
 * @module storage/disk
 * Free space on the data folder's disk, and the threshold below which the node stops taking
 * large writes (uploads, imports) before the disk is actually full. `space-watch` deals with a
 * disk that did fill up (the database could not write); this is the step before: refusing a
 * 2 GB upload with a clear message while there is still room for the catalogue to keep working.
 *
 * @example
 * ```ts
 * const disk = new DiskWatch({ dir: '/srv/shulin', minFree: '5%' })
 * await disk.requireSpace() // throws a 507 low_disk_space problem under the threshold
 * ```
 */
import { statfs } from 'node:fs/promises'
import { ProblemError } from '../http/problem.js'

const units: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1000,
  kb: 1000,
  m: 1000 ** 2,
  mb: 1000 ** 2,
  g: 1000 ** 3,
  gb: 1000 ** 3,
  t: 1000 ** 4,
  tb: 1000 ** 4,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
}

/**
 * The free bytes a disk of `totalBytes` must keep, from `--min-free-disk` (`500MB`, `2GiB`,
 * `5%`). Unset: 1 GiB or 5 % of the disk, whichever is smaller — a small disk (a 16 GB SD card)
 * would otherwise be "low" from the first day, a large one would keep terabytes idle.
 */
export function minFreeBytes(spec: string | undefined, totalBytes: number): number {
  if (!spec) return Math.min(1024 ** 3, Math.floor(totalBytes * 0.05))
  const m = /^(\d+(?:\.\d+)?)\s*(%|[a-z]*)$/i.exec(spec.trim())
  if (!m) throw new Error(`--min-free-disk: ${spec} is not a size (500MB, 2GiB) or a share (5%)`)
  const n = Number(m[1])
  const unit = m[2]!.toLowerCase()
  if (unit === '%') return Math.floor((totalBytes * Math.min(n, 100)) / 100)
  const factor = units[unit]
  if (factor === undefined) throw new Error(`--min-free-disk: unknown unit ${m[2]}`)
  return Math.floor(n * factor)
}

export interface DiskState {
  freeBytes: number
  totalBytes: number
  minFreeBytes: number
  low: boolean
}

export interface DiskWatchOptions {
  dir: string
  /** `--min-free-disk`. */
  minFree?: string | undefined
  /** How long one reading is reused: uploads in a burst share one statfs. @default 2000 */
  cacheMs?: number
}

/** Reads the data folder's disk (cached briefly) and refuses large writes under the threshold. */
export class DiskWatch {
  #last: { at: number; state: DiskState } | undefined

  constructor(private readonly opts: DiskWatchOptions) {
    // A malformed threshold fails the start, not the first upload.
    minFreeBytes(opts.minFree, 0)
  }

  async state(): Promise<DiskState> {
    const now = Date.now()
    if (this.#last && now - this.#last.at < (this.opts.cacheMs ?? 2000)) return this.#last.state
    const fs = await statfs(this.opts.dir)
    const freeBytes = fs.bavail * fs.bsize
    const totalBytes = fs.blocks * fs.bsize
    const min = minFreeBytes(this.opts.minFree, totalBytes)
    const state = { freeBytes, totalBytes, minFreeBytes: min, low: freeBytes < min }
    this.#last = { at: now, state }
    return state
  }

  /** Throws 507 `low_disk_space`, naming the figures and the fix, when free space is under the threshold. */
  async requireSpace(): Promise<void> {
    const s = await this.state()
    if (!s.low) return
    const gib = (n: number) => `${(n / 1024 ** 3).toFixed(2)} GiB`
    throw new ProblemError('low_disk_space', {
      detail: `${gib(s.freeBytes)} free, ${gib(s.minFreeBytes)} needed (--min-free-disk); free space on the data folder's disk`,
    })
  }
}
