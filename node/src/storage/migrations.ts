/**
 * @module storage/migrations
 * Forward-only schema migrations, run at start. Each migration writes its changes and the new
 * version in one synced batch where it can, so a crash leaves the schema at one version or the next.
 */
import { putOp, StorageError, type BatchOp, type Storage } from './db.js'
import { metaKeys, readNodeMeta, type MetaStore, type NodeMeta } from './meta.js'

export interface Migration {
  /** The schema version this migration produces. */
  readonly version: number
  readonly description: string
  /** Returns the batch operations that move the data to `version` (the version bump is added). */
  up(storage: Storage): Promise<BatchOp[]>
}

/** Every migration ever shipped, in order. Never edit one that has shipped; add a new one. */
export const migrations: readonly Migration[] = [
  { version: 1, description: 'initial layout: meta, accounts, account index, sessions, setup', up: async () => [] },
]

export const latestSchemaVersion = migrations[migrations.length - 1]!.version

/**
 * Brings the database up to {@link latestSchemaVersion}.
 * @returns the versions applied, oldest first.
 */
export async function migrate(
  storage: Storage,
  meta: MetaStore,
  list: readonly Migration[] = migrations,
): Promise<number[]> {
  const latest = list[list.length - 1]?.version ?? 0
  const applied: number[] = []
  for (;;) {
    const current = await readNodeMeta(meta)
    if (!current) throw new StorageError('The database has no node record; it is not a Shulin database.', 'not_shulin')
    if (current.schemaVersion > latest) {
      throw new StorageError(
        `This data folder was written by a newer Shulin (schema ${current.schemaVersion}; this program knows up to ${latest}). Upgrade Shulin, or restore an older backup.`,
        'newer_schema',
      )
    }
    const next = list.find((m) => m.version === current.schemaVersion + 1)
    if (!next) return applied
    const ops = await next.up(storage)
    const bumped: NodeMeta = { ...current, schemaVersion: next.version }
    await storage.commit([...ops, putOp(meta, metaKeys.node, bumped)], { sync: true })
    applied.push(next.version)
  }
}
