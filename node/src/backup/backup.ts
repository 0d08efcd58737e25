/**
 * @module backup
 * One-file backups. A backup is a gzip'd stream of JSON lines:
 *
 * ```
 * {"format":"shulin-backup","version":1,"nodeId":…,"schemaVersion":…,"createdAt":…}
 * {"nodeKey":"<base64 protobuf>"}
 * {"k":"<base64 key>","v":"<base64 value>"}        … every LevelDB entry
 * {"blob":"<sha256>","size":N}                       … each stored file, then its bytes
 * {"d":"<base64, up to 3 MiB>"}                       …   in pieces
 * {"end":true,"entries":N,"blobs":N,"sha256":"<hex of every line before this one>"}
 * ```
 *
 * Files (uploaded books, audio, covers) are part of the backup: a restored node whose
 * records point at missing files would be no restore at all. Each file is checked against
 * its SHA-256 on restore.
 *
 * Entries come from one LevelDB iterator, which reads a snapshot: the backup is consistent
 * while the node keeps serving. Restore checks the whole file before it moves the result into
 * place, so a damaged backup never leaves a half-restored folder.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, open, readdir, rename, rm, rmdir } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { pipeline } from 'node:stream/promises'
import { Readable } from 'node:stream'
import { createGunzip, createGzip } from 'node:zlib'
import { ClassicLevel } from 'classic-level'
import { exportNodeKey, importNodeKey, writeNodeKey, type NodeKey } from '@shulin/federation/identity'
import type { Storage } from '../storage/db.js'
import type { NodeMeta } from '../storage/meta.js'
import { latestSchemaVersion } from '../storage/migrations.js'
import { dataPaths } from '../storage/data-folder.js'

export class BackupError extends Error {
  override readonly name = 'BackupError'
}

export interface BackupSummary {
  file: string
  entries: number
  nodeId: string
  /** Stored files written or restored. */
  blobs?: number
}

/** The key prefix of the blob store's sublevel (`blobs`) in the root database. */
const blobKeyPrefix = Buffer.from('!blobs!')
const blobPath = (root: string, sha: string) => join(root, 'blobs', sha.slice(0, 2), sha.slice(2, 4), sha)

/** Writes a consistent backup of a node to `outFile` (via a temporary file, then renamed). */
export async function writeBackup(
  storage: Storage,
  key: NodeKey,
  meta: NodeMeta,
  outFile: string,
  dataDir?: string,
): Promise<BackupSummary> {
  const file = resolve(outFile)
  const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(4).toString('hex')}.partial`)
  const digest = createHash('sha256')
  let entries = 0
  let blobs = 0
  const iterator = storage.db.iterator({ keyEncoding: 'buffer', valueEncoding: 'buffer' })
  async function* lines(): AsyncGenerator<string> {
    const emit = (obj: unknown) => {
      const line = JSON.stringify(obj) + '\n'
      digest.update(line)
      return line
    }
    yield emit({
      format: 'shulin-backup',
      version: 1,
      nodeId: meta.nodeId,
      schemaVersion: meta.schemaVersion,
      createdAt: new Date().toISOString(),
    })
    yield emit({ nodeKey: exportNodeKey(key) })
    const shas: string[] = []
    for await (const [k, v] of iterator) {
      entries++
      const kb = k as unknown as Buffer
      if (kb.subarray(0, blobKeyPrefix.length).equals(blobKeyPrefix))
        shas.push(kb.subarray(blobKeyPrefix.length).toString('latin1'))
      yield emit({ k: kb.toString('base64'), v: (v as unknown as Buffer).toString('base64') })
    }
    for (const sha of dataDir ? shas : []) {
      const fh = await open(blobPath(dataDir!, sha), 'r').catch(() => undefined)
      if (!fh)
        throw new BackupError(
          `stored file ${sha} is missing from ${dataDir}/blobs; run the backup again after checking the disk`,
        )
      try {
        const { size } = await fh.stat()
        yield emit({ blob: sha, size })
        for await (const chunk of fh.createReadStream({ highWaterMark: 3 * 1024 * 1024, autoClose: false }))
          yield emit({ d: (chunk as Buffer).toString('base64') })
        blobs++
      } finally {
        await fh.close()
      }
    }
    yield JSON.stringify({ end: true, entries, blobs, sha256: digest.digest('hex') }) + '\n'
  }
  try {
    await pipeline(Readable.from(lines()), createGzip(), createWriteStream(tmp, { mode: 0o600 }))
    const fh = await open(tmp, 'r')
    await fh.sync()
    await fh.close()
    await rename(tmp, file)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  } finally {
    await iterator.close().catch(() => {})
  }
  return { file, entries, nodeId: meta.nodeId, blobs }
}

interface Header {
  format: string
  version: number
  nodeId: string
  schemaVersion: number
}

/** Restores a backup into `dataDir`, which must be absent or empty. */
export async function restoreBackup(backupFile: string, dataDir: string): Promise<BackupSummary> {
  const target = resolve(dataDir)
  const existing = await readdir(target).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null
    throw err
  })
  if (existing && existing.length > 0)
    throw new BackupError(`${target} is not empty; restore into an empty or new folder.`)
  const staging = join(dirname(target), `.${basename(target)}.restoring-${randomBytes(4).toString('hex')}`)
  await mkdir(staging, { recursive: true, mode: 0o700 })
  const paths = dataPaths(staging)
  const db = new ClassicLevel<Buffer, Buffer>(paths.db, { keyEncoding: 'buffer', valueEncoding: 'buffer' })
  /** The file handle of a stored file being restored, closed on failure. */
  let openFile: Awaited<ReturnType<typeof open>> | undefined
  try {
    await db.open()
    const digest = createHash('sha256')
    let header: Header | undefined
    let key: NodeKey | undefined
    let entries = 0
    let ended = false
    let batch = db.batch()
    let blobs = 0
    /** The file being restored: written to a .part file, hashed, checked, renamed. */
    let blob:
      | {
          sha: string
          size: number
          written: number
          hash: ReturnType<typeof createHash>
          out: Awaited<ReturnType<typeof open>>
          path: string
        }
      | undefined
    const finishBlob = async () => {
      if (!blob) return
      const b = blob
      blob = undefined
      await b.out.sync()
      await b.out.close()
      openFile = undefined
      if (b.written !== b.size || b.hash.digest('hex') !== b.sha)
        throw new BackupError(`stored file ${b.sha} is damaged in the backup`)
      await rename(`${b.path}.part`, b.path)
      blobs++
    }
    const input = createReadStream(resolve(backupFile)).pipe(createGunzip())
    const rl = createInterface({ input, crlfDelay: Infinity })
    try {
      for await (const line of rl) {
        if (ended) throw new BackupError('data after the end record')
        let obj: Record<string, unknown>
        try {
          obj = JSON.parse(line) as Record<string, unknown>
        } catch {
          throw new BackupError('a line is not JSON')
        }
        if (!header) {
          if (obj.format !== 'shulin-backup' || obj.version !== 1)
            throw new BackupError('not a Shulin backup (version 1)')
          header = obj as unknown as Header
          if (header.schemaVersion > latestSchemaVersion)
            throw new BackupError(`the backup is from a newer Shulin (schema ${header.schemaVersion})`)
        } else if (typeof obj.nodeKey === 'string') {
          key = importNodeKey(obj.nodeKey)
          if (key.nodeId !== header.nodeId) throw new BackupError('the node key does not match the backup header')
        } else if (typeof obj.k === 'string' && typeof obj.v === 'string') {
          batch.put(Buffer.from(obj.k, 'base64'), Buffer.from(obj.v, 'base64'))
          entries++
          if (batch.length >= 1000) {
            await batch.write()
            batch = db.batch()
          }
        } else if (typeof obj.blob === 'string' && typeof obj.size === 'number') {
          await finishBlob()
          if (!/^[0-9a-f]{64}$/.test(obj.blob)) throw new BackupError('a stored file with a bad name')
          const path = blobPath(staging, obj.blob)
          await mkdir(dirname(path), { recursive: true })
          openFile = await open(`${path}.part`, 'w', 0o600)
          blob = { sha: obj.blob, size: obj.size, written: 0, hash: createHash('sha256'), out: openFile, path }
        } else if (typeof obj.d === 'string' && blob) {
          const bytes = Buffer.from(obj.d, 'base64')
          blob.hash.update(bytes)
          blob.written += bytes.length
          await blob.out.write(bytes)
        } else if (obj.end === true) {
          await finishBlob()
          if ((obj.blobs ?? 0) !== blobs) throw new BackupError('the backup is damaged (files missing)')
          if (obj.entries !== entries || obj.sha256 !== digest.copy().digest('hex'))
            throw new BackupError('the backup is damaged (checksum or count mismatch)')
          ended = true
          continue
        } else {
          throw new BackupError('unknown record in backup')
        }
        digest.update(line + '\n')
      }
    } catch (err) {
      if (err instanceof BackupError) throw err
      throw new BackupError(`cannot read the backup: ${(err as Error).message}`)
    }
    if (!header || !key || !ended) throw new BackupError('the backup is truncated')
    await batch.write({ sync: true })
    await db.close()
    await writeNodeKey(paths.key, key)
    if (existing) await rmdir(target)
    await rename(staging, target)
    return { file: resolve(backupFile), entries, nodeId: header.nodeId, blobs }
  } catch (err) {
    await openFile?.close().catch(() => {})
    await db.close().catch(() => {})
    await rm(staging, { recursive: true, force: true })
    throw err
  }
}
