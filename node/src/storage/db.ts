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
    readonly code: 'locked' | 'corrupt' | 'io' | 'newer_schema' | 'not_shulin' | 'half_written',
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
export const delOp = <V>(sublevel: Sublevel<V>, key: string): BatchOp => ({ type: 'del', sublevel, key }) as unknown as BatchOp

export interface Storage {
  readonly db: Db
  /** Commits operations on any sublevels as one atomic batch; `sync` for what must survive a machine crash. */
  commit(ops: readonly BatchOp[], opts: { sync: boolean }): Promise<void>
  /** Claims a module's sublevel; claiming a name twice is a programming error. */
  sublevel<V>(name: string): Sublevel<V>
  close(): Promise<void>
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
    if (code === 'LEVEL_CORRUPTION' || code === 'LEVEL_IO_ERROR') throw corruptError(opts.dataDir, err)
    throw new StorageError(`Cannot open the database in ${opts.dataDir}: ${(err as Error).message}`, 'io', { cause: err })
  }
  try {
    // A damaged table file only shows when read: read every key once, so damage stops the
    // start with advice instead of failing readers' requests later.
    for await (const _ of db.keys({ fillCache: false })) void _
  } catch (err) {
    await db.close().catch(() => {})
    throw corruptError(opts.dataDir, err)
  }
  const claimed = new Set<string>()
  return {
    db,
    sublevel<V>(name: string): Sublevel<V> {
      if (claimed.has(name)) throw new Error(`sublevel ${name} is already claimed`)
      claimed.add(name)
      return db.sublevel<string, V>(name, { valueEncoding: 'json' })
    },
    commit: (ops, { sync }) => db.batch(ops as unknown as Array<AbstractBatchOperation<Db, string, string>>, { sync }),
    close: () => db.close(),
  }
}

/** Reads a key, giving `undefined` when it is absent. */
export async function getOrUndefined<V>(level: Sublevel<V>, key: string): Promise<V | undefined> {
  return (await level.get(key)) ?? undefined
}
