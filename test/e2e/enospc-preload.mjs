/**
 * A full disk where no small file system can be mounted for the test (CI without root): loaded
 * into a `shulin` process with `--import`, it makes the storage boundary answer as a full disk
 * does while a folder below SHULIN_TEST_DISK_FULL holds a file named `ballast`. File
 * streams (uploads, backups) fail with ENOSPC; LevelDB writes fail with the IO error LevelDB
 * gives on a full disk. Nothing of Shulin is replaced: only Node's fs and classic-level's
 * native calls, below everything the node does.
 */
import fs from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'

const root = process.env.SHULIN_TEST_DISK_FULL
if (root) {
  // A "disk" is any folder below `root`; it is full while it holds a file named `ballast`.
  const full = (path) => {
    let dir = dirname(resolve(String(path)))
    while (dir.startsWith(root)) {
      if (fs.existsSync(join(dir, 'ballast'))) return true
      const up = dirname(dir)
      if (up === dir) break
      dir = up
    }
    return false
  }
  const enospc = (path) =>
    Object.assign(new Error(`ENOSPC: no space left on device, write '${path}'`), {
      code: 'ENOSPC',
      errno: -28,
      syscall: 'write',
      path,
    })

  const createWriteStream = fs.createWriteStream
  fs.createWriteStream = function (path, options) {
    const stream = createWriteStream.call(this, path, options)
    const write = stream._write
    const writev = stream._writev
    stream._write = function (chunk, enc, cb) {
      if (full(path)) return cb(enospc(String(path)))
      return write.call(this, chunk, enc, cb)
    }
    if (writev) {
      stream._writev = function (chunks, cb) {
        if (full(path)) return cb(enospc(String(path)))
        return writev.call(this, chunks, cb)
      }
    }
    return stream
  }
  syncBuiltinESMExports()

  // The node's own classic-level (resolved as the node resolves it).
  const require = createRequire(new URL('../../node/package.json', import.meta.url))
  const { ClassicLevel } = require('classic-level')
  const levelFull = (db) =>
    Object.assign(new Error(`IO error: ${db.location}/000003.log: No space left on device`), { code: 'LEVEL_IO_ERROR' })
  for (const method of ['_put', '_del', '_batch']) {
    const original = ClassicLevel.prototype[method]
    ClassicLevel.prototype[method] = async function (...args) {
      if (full(join(this.location, 'LOG'))) throw levelFull(this)
      return original.apply(this, args)
    }
  }
}
