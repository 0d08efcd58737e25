import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStorage, type Storage } from '../storage/db.js'
import { tempDir } from '../testing/temp-node.js'
import { BlobStore, BlobTooLarge } from './store.js'

describe('BlobStore.stage', () => {
  let dir: string
  let storage: Storage
  let blobs: BlobStore

  beforeAll(async () => {
    dir = await tempDir('shulin-blob-store-')
    storage = await openStorage(join(dir, 'db'), { create: true, dataDir: dir })
    blobs = new BlobStore(storage, dir)
    await blobs.init()
  })
  afterAll(async () => {
    await storage?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('leaves no temporary file behind when the source fails at once or runs over the limit', async () => {
    // A source that fails before its first chunk rejects the pipeline while the temporary
    // file is still being opened: the file must not be created after its removal.
    async function* failing(): AsyncGenerator<Uint8Array> {
      throw new Error('the client went away')
    }
    async function* big(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(5000)
    }
    const results = await Promise.allSettled([
      ...Array.from({ length: 40 }, () => blobs.stage(failing(), 4096)),
      ...Array.from({ length: 40 }, () => blobs.stage(big(), 4096)),
    ])
    expect(results.every((r) => r.status === 'rejected')).toBe(true)
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof BlobTooLarge)).toHaveLength(40)
    expect(await readdir(join(dir, 'tmp'))).toEqual([])
  })
})
