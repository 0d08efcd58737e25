/** The hub's provider records on a real LevelDB: newest first, stale and barred members left out, capped. */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { holdersLimits } from '@shulin/protocol'
import { openStorage, type Storage } from '../storage/db.js'
import { tempDir } from '../testing/temp-node.js'
import { HolderIndex } from './holders.js'

const file = (c: string) => c.repeat(64)

describe('provider records', () => {
  let dir: string
  let storage: Storage
  const clock = { now: 1_800_000_000_000 }
  let index: HolderIndex
  beforeAll(async () => {
    dir = await tempDir('shulin-holders-')
    storage = await openStorage(join(dir, 'db'), { create: true, dataDir: dir })
    index = new HolderIndex(storage, () => clock.now)
  })
  afterAll(async () => {
    await storage.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('names who holds a file, the most recently renewed first, only for that file', async () => {
    await index.have('m-old', [file('a'), file('b')])
    clock.now += 1000
    await index.have('m-new', [file('a')])
    expect(await index.who(file('a'), () => true)).toEqual(['m-new', 'm-old'])
    expect(await index.who(file('b'), () => true)).toEqual(['m-old'])
    expect(await index.who(file('c'), () => true)).toEqual([])
    // Renewing moves a member up.
    clock.now += 1000
    await index.have('m-old', [file('a')])
    expect(await index.who(file('a'), () => true)).toEqual(['m-old', 'm-new'])
  })

  it('leaves out members the caller does not admit and records not renewed for three days', async () => {
    expect(await index.who(file('a'), (m) => m !== 'm-old')).toEqual(['m-new'])
    clock.now += holdersLimits.maxAgeMs - 500
    // m-new's record is now older than the limit; m-old's renewal is not.
    expect(await index.who(file('a'), () => true)).toEqual(['m-old'])
  })

  it('gives out at most the protocol’s number of holders', async () => {
    for (let i = 0; i < holdersLimits.maxHolders + 5; i++) await index.have(`many-${String(i).padStart(2, '0')}`, [file('d')])
    expect(await index.who(file('d'), () => true)).toHaveLength(holdersLimits.maxHolders)
  })
})
