/**
 * @module backup/schedule
 * Scheduled backups (`--backup-every 24h --backup-keep 7 --backup-dir DIR`) and the console's
 * "back up now". Each backup is one file named with its time (`shulin-backup-20261203T120000Z.gz`),
 * written by {@link writeBackup} through a temporary file, so a failure leaves no partial file.
 * Only once a new backup is in place are the oldest beyond `keep` deleted: a run of failures
 * never eats the good backups there are.
 *
 * The last attempt and the last success are kept in the node's own sublevel (`backup-schedule`),
 * so the console shows them after a restart and `/metrics` can say how old the last good one is.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { BackupRun, BackupStatus } from '@shulin/protocol'
import type { Logger } from 'pino'
import type { Storage, Sublevel } from '../storage/db.js'
import { getOrUndefined } from '../storage/db.js'
import type { BackupSummary } from './backup.js'

export interface BackupScheduleOptions {
  storage: Storage
  /** Writes one backup to the given file (the node's writeBackup over its own storage). */
  write: (file: string) => Promise<BackupSummary>
  dir: string
  /** Milliseconds between scheduled backups; none scheduled when undefined. */
  everyMs?: number | undefined
  keep: number
  logger: Logger
  /** Told of every attempt (alerts listen for failures). */
  onResult?: (run: BackupRun) => void
  now?: () => number
}

const filePattern = /^shulin-backup-(\d{8}T\d{6}(?:\d{3})?Z)\.gz$/
/** `2026-12-03T12:00:00.123Z` → `20261203T120000123Z`: sorts as it reads, and is a valid file name on Windows. */
const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:.]/g, '')

export class BackupSchedule {
  readonly #store: Sublevel<BackupRun>
  readonly #dir: string
  readonly #now: () => number
  #timer: NodeJS.Timeout | undefined
  #nextAt: number | undefined
  #running: Promise<BackupRun> | undefined
  #last: BackupRun | undefined
  #lastOk: BackupRun | undefined

  constructor(private readonly opts: BackupScheduleOptions) {
    this.#store = opts.storage.sublevel<BackupRun>('backup-schedule')
    this.#dir = resolve(opts.dir)
    this.#now = opts.now ?? Date.now
  }

  async start(): Promise<void> {
    this.#last = await getOrUndefined(this.#store, 'last')
    this.#lastOk = await getOrUndefined(this.#store, 'last-ok')
    if (this.opts.everyMs) this.#arm(this.opts.everyMs)
  }

  /** Stops the timer and waits for a backup in progress (the database must not close under it). */
  async stop(): Promise<void> {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#nextAt = undefined
    await this.#running?.catch(() => {})
  }

  #arm(delayMs: number): void {
    this.#nextAt = this.#now() + delayMs
    this.#timer = setTimeout(() => {
      void this.run('schedule').finally(() => {
        if (this.#timer) this.#arm(this.opts.everyMs!)
      })
    }, delayMs)
    this.#timer.unref()
  }

  /** Makes a backup now; a second call while one runs waits for that one. Never throws: the result says. */
  run(trigger: BackupRun['trigger']): Promise<BackupRun> {
    this.#running ??= this.#backup(trigger).finally(() => (this.#running = undefined))
    return this.#running
  }

  async #backup(trigger: BackupRun['trigger']): Promise<BackupRun> {
    const started = this.#now()
    const file = join(this.#dir, `shulin-backup-${stamp(started)}.gz`)
    let run: BackupRun
    try {
      await mkdir(this.#dir, { recursive: true, mode: 0o700 })
      await this.opts.write(file)
      const { size } = await stat(file)
      run = { at: new Date(this.#now()).toISOString(), ok: true, file, bytes: size, error: null, ms: 0, trigger }
    } catch (err) {
      const error = `${(err as NodeJS.ErrnoException).code ?? 'failed'}: ${(err as Error).message}`
      run = { at: new Date(this.#now()).toISOString(), ok: false, file: null, bytes: null, error, ms: 0, trigger }
    }
    run.ms = Math.max(0, this.#now() - started)
    if (run.ok) {
      this.opts.logger.info({ file: run.file, bytes: run.bytes, ms: run.ms, trigger }, 'backup written')
      await this.#prune().catch((err: unknown) => this.opts.logger.warn({ err }, 'could not delete old backups'))
    } else this.opts.logger.error({ error: run.error, dir: this.#dir, trigger }, 'backup failed')
    this.#last = run
    if (run.ok) this.#lastOk = run
    // Remembered for the console and /metrics; a disk too full for this line still has the result in memory.
    await this.#store
      .batch([
        { type: 'put', key: 'last', value: run },
        ...(run.ok ? [{ type: 'put' as const, key: 'last-ok', value: run }] : []),
      ])
      .catch((err: unknown) => this.opts.logger.warn({ err }, 'could not record the backup result'))
    this.opts.onResult?.(run)
    return run
  }

  /** The backups in the folder, newest first. */
  async files(): Promise<Array<{ name: string; bytes: number; at: string }>> {
    const names = await readdir(this.#dir).catch(() => [] as string[])
    const out: Array<{ name: string; bytes: number; at: string }> = []
    for (const name of names
      .filter((n) => filePattern.test(n))
      .sort()
      .reverse()) {
      const s = await stat(join(this.#dir, name)).catch(() => undefined)
      if (s?.isFile()) out.push({ name, bytes: s.size, at: s.mtime.toISOString() })
    }
    return out
  }

  /** Deletes the oldest backups beyond `keep` (only files this schedule names; nothing else in the folder). */
  async #prune(): Promise<void> {
    const files = await this.files()
    for (const f of files.slice(this.opts.keep)) {
      await rm(join(this.#dir, f.name), { force: true })
      this.opts.logger.info({ file: f.name }, 'old backup deleted')
    }
  }

  /** The last good backup's time (ms), for the backup-age metric and alerts. */
  lastOkAt(): number | undefined {
    return this.#lastOk ? Date.parse(this.#lastOk.at) : undefined
  }

  /** Whether the last attempt failed (cleared by the next success). */
  lastFailed(): boolean {
    return this.#last !== undefined && !this.#last.ok
  }

  async status(): Promise<BackupStatus> {
    return {
      everyMs: this.opts.everyMs ?? null,
      keep: this.opts.keep,
      dir: this.#dir,
      running: this.#running !== undefined,
      last: this.#last ?? null,
      lastOk: this.#lastOk ?? null,
      nextAt: this.#nextAt ? new Date(this.#nextAt).toISOString() : null,
      files: await this.files(),
    }
  }
}
