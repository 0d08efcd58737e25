/**
 * @module storage/data-folder
 * Everything a node keeps lives in one data folder:
 *
 * ```
 * DATA/node-key         Ed25519 identity (libp2p PeerId = node id)
 * DATA/db/              LevelDB
 * DATA/run/control.json how CLI commands reach the running node (while it runs)
 * ```
 *
 * Opening a folder initialises it when empty, and refuses, with the reason and what to do,
 * when it is someone else's folder, half-written, locked or damaged.
 */
import { randomBytes } from 'node:crypto'
import { access, constants, mkdir, readdir, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { generateNodeKey, readNodeKey, writeNodeKey, type NodeKey } from '@shulin/federation/identity'
import { openStorage, putOp, StorageError, type Storage } from './db.js'
import { metaKeys, metaStore, readNodeMeta, type MetaStore, type NodeMeta } from './meta.js'
import { latestSchemaVersion, migrate } from './migrations.js'

export const dataPaths = (dataDir: string) => ({
  dir: resolve(dataDir),
  key: join(resolve(dataDir), 'node-key'),
  db: join(resolve(dataDir), 'db'),
  run: join(resolve(dataDir), 'run'),
  control: join(resolve(dataDir), 'run', 'control.json'),
  /** The embedded search index (rebuilt from the records when missing). */
  search: join(resolve(dataDir), 'search'),
})

/** Entries Shulin itself creates at the top of a data folder. */
const knownEntries = new Set(['node-key', 'db', 'run', 'blobs', 'tmp', 'search', 'lost+found'])

export interface OpenedDataFolder {
  /** The folder's absolute path. */
  readonly dir: string
  readonly storage: Storage
  readonly meta: MetaStore
  readonly nodeMeta: NodeMeta
  readonly key: NodeKey
  /** True when this call initialised an empty folder. */
  readonly created: boolean
  readonly migrated: number[]
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}

async function listFolder(dir: string): Promise<string[]> {
  try {
    return await readdir(dir)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
}

/**
 * Opens a node's data folder, initialising it when it is empty or absent.
 * @param opts.create when false, an empty folder is an error (commands that expect a node).
 */
export async function openDataFolder(dataDir: string, opts: { create: boolean }): Promise<OpenedDataFolder> {
  const paths = dataPaths(dataDir)
  await checkWritable(paths)
  const entries = await listFolder(paths.dir)
  const foreign = entries.filter((e) => !knownEntries.has(e) && !e.startsWith('.') && !e.startsWith('node-key.tmp'))
  if (foreign.length > 0 && !entries.includes('db')) {
    throw new StorageError(
      `${paths.dir} is not empty and is not a Shulin data folder (found ${foreign.slice(0, 3).join(', ')}). Choose an empty or new folder with --data.`,
      'not_shulin',
    )
  }
  const hasDb = await exists(join(paths.db, 'CURRENT'))
  const hasKey = await exists(paths.key)
  if (!hasDb) {
    if (hasKey || entries.includes('db')) {
      throw new StorageError(
        `${paths.dir} is half-written: ${hasKey ? 'a node key but no database' : 'a database folder without LevelDB files'}. ` +
          `It was probably interrupted while being created; move it away and start again, or restore a backup into an empty folder.`,
        'half_written',
      )
    }
    if (!opts.create)
      throw new StorageError(
        `${paths.dir} holds no Shulin node. Start one with \`shulin start --data ${paths.dir}\`.`,
        'not_shulin',
      )
    return initialise(paths)
  }
  const storage = await openStorage(paths.db, { create: false, dataDir: paths.dir })
  try {
    const meta = metaStore(storage)
    const nodeMeta = await readNodeMeta(meta)
    if (!nodeMeta) {
      throw new StorageError(
        `${paths.dir} is half-written: the database has no node record. Move it away and start again, or restore a backup into an empty folder.`,
        'half_written',
      )
    }
    const key = await readNodeKey(paths.key)
    if (!key)
      throw new StorageError(
        `${paths.key} is missing; this node's identity is lost. Restore the folder from a backup.`,
        'half_written',
      )
    if (key.nodeId !== nodeMeta.nodeId) {
      throw new StorageError(
        `${paths.key} belongs to node ${key.nodeId}, but the database to ${nodeMeta.nodeId}. Restore the right key from a backup.`,
        'half_written',
      )
    }
    const migrated = await migrate(storage, meta)
    const current = (await readNodeMeta(meta))!
    return { dir: paths.dir, storage, meta, nodeMeta: current, key, created: false, migrated }
  } catch (err) {
    await storage.close().catch(() => {})
    throw err
  }
}

/**
 * Refuses, before anything is read or written, a data folder this process may not write: a
 * container volume or bind mount created by root, while the node runs as uid 1000, is the
 * common case. Checked up front so the message names the fix instead of a bare EACCES from
 * deep inside LevelDB, and nothing in the folder is touched.
 */
async function checkWritable(paths: ReturnType<typeof dataPaths>): Promise<void> {
  // The folder itself, or the nearest existing parent it would be created in; then what it holds.
  let dir = paths.dir
  while (!(await exists(dir))) {
    const parent = resolve(dir, '..')
    if (parent === dir) return
    dir = parent
  }
  const targets = [dir]
  if (dir === paths.dir) targets.push(paths.db, paths.key)
  for (const target of targets) {
    try {
      await access(target, constants.R_OK | constants.W_OK)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ENOENT') continue
      if (code !== 'EACCES' && code !== 'EPERM' && code !== 'EROFS') throw err
      const owner = await stat(target).then(
        (s) => `uid ${s.uid}`,
        () => 'another user',
      )
      const me = process.getuid?.() ?? 'this user'
      throw new StorageError(
        code === 'EROFS'
          ? `${target} is on a read-only file system: give the node a writable data folder with --data (SHULIN_DATA). Nothing was changed.`
          : `${target} is not writable by this process (uid ${me}); it belongs to ${owner}. ` +
              `Give the data folder to the user that runs the node: \`${dir === paths.dir ? '' : `mkdir -p ${paths.dir} && `}chown -R ${me}:${process.getgid?.() ?? me} ${paths.dir}\` ` +
              `(a container volume: \`docker run --rm -v VOLUME:/data --user 0 IMAGE chown -R 1000:1000 /data\`), ` +
              `or choose another folder with --data. Nothing was changed.`,
        'not_writable',
      )
    }
  }
}

async function initialise(paths: ReturnType<typeof dataPaths>): Promise<OpenedDataFolder> {
  await mkdir(paths.dir, { recursive: true, mode: 0o700 })
  const key = await generateNodeKey()
  // The node record is the last thing written: a folder without it is reported as half-written.
  await writeNodeKey(paths.key, key)
  const storage = await openStorage(paths.db, { create: true, dataDir: paths.dir })
  const meta = metaStore(storage)
  const nodeMeta: NodeMeta = {
    schemaVersion: latestSchemaVersion,
    nodeId: key.nodeId,
    createdAt: new Date().toISOString(),
    identifierKey: randomBytes(32).toString('base64'),
  }
  await storage.commit([putOp(meta, metaKeys.node, nodeMeta)], { sync: true })
  return { dir: paths.dir, storage, meta, nodeMeta, key, created: true, migrated: [] }
}
