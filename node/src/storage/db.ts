/**
 * @module storage/db
 * One LevelDB database per node (classic-level). Each module claims its own sublevel by
 * name and is the only one to read or write its keys; a change that spans keys is one batch.
 */
import { ClassicLevel } from 'classic-level'
import type { AbstractBatchOperation, AbstractSublevel } from 'abstract-level'

export type Db = ClassicLevel<string, string>
export type Sublevel<V> = AbstractSublevel<Db, string | Buffer | Uint8Array, string, V>

/** A database failure the operator must act on, with the action in the message. */
export class StorageError extends Error {
  override readonly name = 'StorageError'
  constructor(
    message: string,
    readonly code:
      'locked' | 'corrupt' | 'io' | 'newer_schema' | 'not_shulin' | 'half_written' | 'disk_full' | 'not_writable',
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

declare const batchOpBrand: unique symbol
/** One put or del of a module's sublevel, to commit atomically with others ({@link Storage.commit}). */
export type BatchOp = { readonly [batchOpBrand]: true }
export const putOp = <V>(sublevel: Sublevel<V>, key: string, value: V): BatchOp =>
  ({ type: 'put', sublevel, key, value }) as unknown as BatchOp
export const delOp = <V>(sublevel: Sublevel<V>, key: string): BatchOp =>
  ({ type: 'del', sublevel, key }) as unknown as BatchOp

export interface Storage {
  readonly db: Db
  /** Commits operations on any sublevels as one atomic batch; `sync` for what must survive a machine crash. */
  commit(ops: readonly BatchOp[], opts: { sync: boolean }): Promise<void>
  /** Claims a module's sublevel; claiming a name twice is a programming error. */
  sublevel<V>(name: string): Sublevel<V>
  /** Set after a write failed: every write is refused until {@link Storage.reopen} succeeds. */
  readonly writeFailure: StorageError | undefined
  /** Told once when a write fails and writes stop (the node logs it and watches for space). */
  onWriteFailure?: (err: StorageError) => void
  /** Closes and reopens the database (LevelDB recovers its log), then accepts writes again. */
  reopen(): Promise<void>
  close(): Promise<void>
}

/** True for "no space left" (or over quota) from the file system or from LevelDB. */
export function isDiskFull(err: unknown): boolean {
  let e: unknown = err
  for (let i = 0; i < 5 && e && typeof e === 'object'; i++) {
    const { code, message } = e as { code?: unknown; message?: unknown }
    if (code === 'ENOSPC' || code === 'EDQUOT' || (code === 'disk_full' && e instanceof StorageError)) return true
    // LevelDB reports no errno, only its text: "IO error: …/000003.log: No space left on device".
    if (code === 'LEVEL_IO_ERROR' && typeof message === 'string' && /no space left|quota exceeded/i.test(message))
      return true
    e = (e as { cause?: unknown }).cause
  }
  return false
}

function writeFailure(dataDir: string, err: unknown): StorageError {
  if (isDiskFull(err)) {
    return new StorageError(
      `The disk holding ${dataDir} is full: the database could not write (${(err as Error).message}). ` +
        `Readers can still search and read; nothing is saved until space is freed, and then the node resumes by itself.`,
      'disk_full',
      { cause: err },
    )
  }
  return new StorageError(
    `The database in ${dataDir} could not write (${(err as Error).message}); nothing is saved until it can be reopened.`,
    'io',
    { cause: err },
  )
}

/**
 * Guards every write of the database. After LevelDB fails to append to its log, the log is
 * misaligned with what LevelDB believes it wrote: writes it acknowledges afterwards are lost
 * when the database is next opened (seen on a full disk: three acknowledged puts gone). So
 * the first failed write stops all writes until the database is closed and reopened, which
 * makes LevelDB recover its log. Reads are untouched. Sublevels write through their root's
 * `put`/`del`/`batch`, so guarding the root guards them all (chained batches are used only
 * by restore, on a fresh database).
 */
function guardWrites(
  db: Db,
  dataDir: string,
  state: { failure: StorageError | undefined; notify: (err: StorageError) => void },
): void {
  const guarded =
    <A extends unknown[], R>(write: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (state.failure) throw state.failure
      try {
        return await write(...args)
      } catch (err) {
        if (causeCode(err) !== 'LEVEL_IO_ERROR') throw err
        if (!state.failure) {
          state.failure = writeFailure(dataDir, err)
          state.notify(state.failure)
        }
        throw state.failure
      }
    }
  const put = db.put.bind(db)
  const del = db.del.bind(db)
  const batch = db.batch.bind(db) as (...args: unknown[]) => unknown
  Object.assign(db, {
    put: guarded(put),
    del: guarded(del),
    batch: (...args: unknown[]) =>
      args.length === 0 ? batch() : guarded(batch as (...a: unknown[]) => Promise<void>)(...args),
  })
}

function causeCode(err: unknown): string | undefined {
  let e: unknown = err
  for (let i = 0; i < 5 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code
    if (code === 'LEVEL_LOCKED' || code === 'LEVEL_CORRUPTION' || code === 'LEVEL_IO_ERROR') return code
    e = (e as { cause?: unknown }).cause
  }
  return undefined
}

function corruptError(dataDir: string, err: unknown): StorageError {
  const cause = (err as Error).cause instanceof Error ? ((err as Error).cause as Error) : (err as Error)
  return new StorageError(
    `The database in ${dataDir} is damaged (${cause.message}). ` +
      `Restore a backup with \`shulin restore BACKUP --data EMPTY_DIR\`, or run \`shulin repair --data ${dataDir}\`, which first copies the damaged database aside.`,
    'corrupt',
    { cause: err },
  )
}

/**
 * Opens (and with `create`, creates) the node database at `location`.
 * @throws {StorageError} `locked` when another process holds it, `corrupt` when LevelDB reports damage.
 */
export async function openStorage(location: string, opts: { create: boolean; dataDir: string }): Promise<Storage> {
  const db: Db = new ClassicLevel<string, string>(location, { createIfMissing: opts.create, errorIfExists: false })
  try {
    await db.open()
  } catch (err) {
    const code = causeCode(err)
    if (code === 'LEVEL_LOCKED') {
      throw new StorageError(
        `Another Shulin process is using ${opts.dataDir} (the database lock is held). Stop it first, or start with a different --data folder.`,
        'locked',
        { cause: err },
      )
    }
    // Opening writes a new log (and a table from the old one): on a full disk that fails, and it is no damage.
    if (isDiskFull(err))
      throw new StorageError(
        `The disk holding ${opts.dataDir} is full, so its database cannot open (${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}). Free some space, then start again.`,
        'disk_full',
        { cause: err },
      )
    if (code === 'LEVEL_CORRUPTION' || code === 'LEVEL_IO_ERROR') throw corruptError(opts.dataDir, err)
    throw new StorageError(`Cannot open the database in ${opts.dataDir}: ${(err as Error).message}`, 'io', {
      cause: err,
    })
  }
  try {
    // A damaged table file only shows when read: read every key once, so damage stops the
    // start with advice instead of failing readers' requests later.
    for await (const _ of db.keys({ fillCache: false })) void _
  } catch (err) {
    await db.close().catch(() => {})
    throw corruptError(opts.dataDir, err)
  }
  const claimed = new Map<string, Sublevel<unknown>>()
  const state: { failure: StorageError | undefined; notify: (err: StorageError) => void } = {
    failure: undefined,
    notify: (err) => storage.onWriteFailure?.(err),
  }
  guardWrites(db, opts.dataDir, state)
  const storage: Storage = {
    db,
    sublevel<V>(name: string): Sublevel<V> {
      if (claimed.has(name)) throw new Error(`sublevel ${name} is already claimed`)
      const sub = db.sublevel<string, V>(name, { valueEncoding: 'json' })
      claimed.set(name, sub as Sublevel<unknown>)
      return sub
    },
    commit: (ops, { sync }) => db.batch(ops as unknown as Array<AbstractBatchOperation<Db, string, string>>, { sync }),
    get writeFailure() {
      return state.failure
    },
    async reopen() {
      await db.close()
      await db.open()
      // A closed database closes its sublevels; they do not reopen with it.
      for (const sub of claimed.values()) await sub.open()
      state.failure = undefined
    },
    close: () => db.close(),
  }
  return storage
}

/** Reads a key, giving `undefined` when it is absent. */
export async function getOrUndefined<V>(level: Sublevel<V>, key: string): Promise<V | undefined> {
  return (await level.get(key)) ?? undefined
}
