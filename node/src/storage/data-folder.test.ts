import { mkdir, readFile, rm, writeFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { ClassicLevel } from 'classic-level'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../testing/temp-node.js'
import { dataPaths, openDataFolder } from './data-folder.js'
import { StorageError, putOp } from './db.js'
import { metaKeys, readNodeMeta } from './meta.js'
import { latestSchemaVersion, migrate, type Migration } from './migrations.js'

const dirs: string[] = []
const fresh = async () => {
  const d = await tempDir()
  dirs.push(d)
  return d
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

const failure = async (p: Promise<unknown>): Promise<StorageError> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(StorageError)
  return err as StorageError
}

describe('the data folder', () => {
  it('initialises an empty folder: key, database, node record at the latest schema', async () => {
    const dir = await fresh()
    const f = await openDataFolder(dir, { create: true })
    expect(f.created).toBe(true)
    expect(f.nodeMeta).toMatchObject({ schemaVersion: latestSchemaVersion, nodeId: f.key.nodeId })
    expect(f.key.nodeId).toMatch(/^12D3KooW/)
    await f.storage.close()
    expect((await readFile(dataPaths(dir).key, 'utf8')).startsWith('shulin-node-key-v1\n')).toBe(true)
    const again = await openDataFolder(dir, { create: true })
    expect(again.created).toBe(false)
    expect(again.key.nodeId).toBe(f.key.nodeId)
    await again.storage.close()
  })

  it('refuses a second opener while the first holds it', async () => {
    const dir = await fresh()
    const f = await openDataFolder(dir, { create: true })
    const err = await failure(openDataFolder(dir, { create: true }))
    expect(err.code).toBe('locked')
    expect(err.message).toMatch(/Another Shulin process is using/)
    await f.storage.close()
  })

  it('refuses a folder that holds something else', async () => {
    const dir = await fresh()
    await writeFile(join(dir, 'thesis.docx'), 'not a node')
    expect((await failure(openDataFolder(dir, { create: true }))).code).toBe('not_shulin')
    expect(await readdir(dir)).toEqual(['thesis.docx'])
  })

  it('reports a half-written folder: a key without a database', async () => {
    const dir = await fresh()
    const f = await openDataFolder(dir, { create: true })
    await f.storage.close()
    await rm(dataPaths(dir).db, { recursive: true })
    const err = await failure(openDataFolder(dir, { create: true }))
    expect(err.code).toBe('half_written')
    expect(err.message).toMatch(/half-written/)
  })

  it('reports a half-written folder: a database without its node record', async () => {
    const dir = await fresh()
    await mkdir(dir, { recursive: true })
    const db = new ClassicLevel(dataPaths(dir).db)
    await db.open()
    await db.put('stray', 'value')
    await db.close()
    expect((await failure(openDataFolder(dir, { create: true }))).code).toBe('half_written')
  })

  it('reports a missing node key instead of making a new identity', async () => {
    const dir = await fresh()
    const f = await openDataFolder(dir, { create: true })
    await f.storage.close()
    await rm(dataPaths(dir).key)
    expect((await failure(openDataFolder(dir, { create: true }))).code).toBe('half_written')
  })

  it('reports a CURRENT file without its final newline as damage, with the repair command', async () => {
    const dir = await fresh()
    const f = await openDataFolder(dir, { create: true })
    await f.storage.close()
    const current = join(dataPaths(dir).db, 'CURRENT')
    await writeFile(current, (await readFile(current, 'utf8')).trimEnd())
    const err = await failure(openDataFolder(dir, { create: true }))
    expect(err.code).toBe('corrupt')
    expect(err.message).toMatch(/shulin repair --data/)
  })

  it('reports an emptied table file as damage at start, not at the first request', async () => {
    const dir = await fresh()
    const f = await openDataFolder(dir, { create: true })
    for (let i = 0; i < 2000; i++) await f.storage.db.put(`filler-${i}`, 'x'.repeat(100))
    await f.storage.db.compactRange('\u0000', '\uffff')
    await f.storage.close()
    const tables = (await readdir(dataPaths(dir).db)).filter((n) => n.endsWith('.ldb'))
    expect(tables.length).toBeGreaterThan(0)
    for (const t of tables) await writeFile(join(dataPaths(dir).db, t), '')
    expect((await failure(openDataFolder(dir, { create: true }))).code).toBe('corrupt')
  })

  it('does not create anything for commands that expect an existing node', async () => {
    const dir = join(await fresh(), 'nothing')
    expect((await failure(openDataFolder(dir, { create: false }))).code).toBe('not_shulin')
    await expect(readdir(dir)).rejects.toThrow()
  })
})

describe('schema migrations', () => {
  const list = (log: number[]): Migration[] => [
    { version: 1, description: 'v1', up: async () => [] },
    { version: 2, description: 'v2', up: async () => (log.push(2), []) },
    { version: 3, description: 'v3', up: async () => (log.push(3), []) },
  ]

  it.each([1, 2, 3])('brings a folder at version %i up to the latest, each step once', async (from) => {
    const dir = await fresh()
    const f = await openDataFolder(dir, { create: true })
    const meta = (await readNodeMeta(f.meta))!
    await f.storage.commit([putOp(f.meta, metaKeys.node, { ...meta, schemaVersion: from })], { sync: true })
    const log: number[] = []
    expect(await migrate(f.storage, f.meta, list(log))).toEqual([2, 3].filter((v) => v > from))
    expect(log).toEqual([2, 3].filter((v) => v > from))
    expect((await readNodeMeta(f.meta))!.schemaVersion).toBe(3)
    expect(await migrate(f.storage, f.meta, list(log))).toEqual([])
    await f.storage.close()
  })

  it('refuses a folder written by a newer Shulin', async () => {
    const dir = await fresh()
    const f = await openDataFolder(dir, { create: true })
    const meta = (await readNodeMeta(f.meta))!
    await f.storage.commit([putOp(f.meta, metaKeys.node, { ...meta, schemaVersion: latestSchemaVersion + 1 })], {
      sync: true,
    })
    await f.storage.close()
    expect((await failure(openDataFolder(dir, { create: true }))).code).toBe('newer_schema')
  })
})
