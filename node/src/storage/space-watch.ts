/**
 * @module storage/space-watch
 * What a node does when its database cannot write (a full disk, most often): it says so once,
 * clearly, keeps serving reads, and watches the data folder's free space; once enough is back
 * it reopens the database (LevelDB recovers its log) and writes resume, with nobody to
 * restart it. Stopping instead would take the catalogue away from readers, and a node started
 * again on a full disk cannot even open its database (LevelDB writes a table and a log then).
 */
import { statfs } from 'node:fs/promises'
import type { Logger } from 'pino'
import type { Storage } from './db.js'

export interface SpaceWatchOptions {
  /** How often free space is checked while writes are stopped. @default 2000 */
  intervalMs?: number
  /** Free bytes needed before reopening: LevelDB writes its memtable out as it recovers. @default 4 MiB */
  minFreeBytes?: number
}

/** Arms the watch on `storage`; returns a function that disarms it (at shutdown). */
export function watchStorageSpace(
  storage: Storage,
  dataDir: string,
  logger: Logger,
  opts: SpaceWatchOptions = {},
): () => void {
  const intervalMs = opts.intervalMs ?? 2000
  const minFreeBytes = opts.minFreeBytes ?? 4 * 1024 * 1024
  let timer: NodeJS.Timeout | undefined
  let busy = false
  const tick = async () => {
    if (busy) return
    busy = true
    try {
      const fs = await statfs(dataDir)
      if (fs.bavail * fs.bsize < minFreeBytes) return
      await storage.reopen()
      clearInterval(timer)
      timer = undefined
      logger.warn(
        { dataDir, freeBytes: fs.bavail * fs.bsize },
        'space is back: the database was reopened and writes resume',
      )
    } catch (err) {
      logger.warn({ err }, 'the database could not be reopened yet; trying again')
    } finally {
      busy = false
    }
  }
  storage.onWriteFailure = (err) => {
    logger.error({ err, dataDir, code: err.code }, err.message)
    timer ??= setInterval(() => void tick(), intervalMs)
    timer.unref()
  }
  return () => {
    storage.onWriteFailure = undefined
    clearInterval(timer)
  }
}
