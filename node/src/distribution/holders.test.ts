/** The hub's provider records on a real LevelDB: newest first, stale and barred members left out, capped. */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { holdersLimits } from '@shulin/protocol'
import { openStorage, type Storage } from '../storage/db.js'
import { tempDir } from '../testing/temp-node.js'
import { HolderIndex, maxFilesPerMember } from './holders.js'

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
    for (let i = 0; i < holdersLimits.maxHolders + 5; i++)
      await index.have(`many-${String(i).padStart(2, '0')}`, [file('d')])
    expect(await index.who(file('d'), () => true)).toHaveLength(holdersLimits.maxHolders)
  })

  it('keeps at most its cap of files per member, forgetting the least recently renewed (a member claiming hashes without end)', async () => {
    const own = await tempDir('shulin-holders-cap-')
    const db = await openStorage(join(own, 'db'), { create: true, dataDir: own })
    try {
      const cap = 1500
      const capped = new HolderIndex(db, () => clock.now, cap)
      const hex = (i: number) => i.toString(16).padStart(64, '0')
      // Four messages of 1000 made-up hashes, as the protocol allows, one second apart.
      for (let m = 0; m < 4; m++) {
        clock.now += 1000
        await capped.have(
          'greedy',
          Array.from({ length: 1000 }, (_, i) => hex(m * 1000 + i)),
        )
      }
      await capped.have('modest', [hex(0)])
      // Every key the hub stores for them, whatever the sublevel.
      const stored = async (member: string) => {
        let n = 0
        for await (const key of db.db.keys()) if (key.endsWith(`!${member}`) || key.includes(`!${member}!`)) n++
        return n
      }
      expect(await stored('greedy')).toBeLessThanOrEqual(2 * cap)
      expect(await stored('greedy')).toBeGreaterThanOrEqual(cap)
      // The newest claims are kept, the oldest forgotten; other members are untouched.
      expect(await capped.who(hex(3999), () => true)).toEqual(['greedy'])
      expect(await capped.who(hex(2500), () => true)).toEqual(['greedy'])
      expect(await capped.who(hex(2499), () => true)).toEqual([])
      expect(await capped.who(hex(0), () => true)).toEqual(['modest'])
      // Renewing an old file keeps it and drops the next oldest instead.
      clock.now += 1000
      await capped.have('greedy', [hex(2500), hex(1)])
      expect(await capped.who(hex(2500), () => true)).toEqual(['greedy'])
      expect(await capped.who(hex(1), () => true)).toEqual(['greedy'])
      expect(await capped.who(hex(2501), () => true)).toEqual([])
      expect(maxFilesPerMember).toBeGreaterThanOrEqual(10_000)
    } finally {
      await db.close()
      await rm(own, { recursive: true, force: true })
    }
  })
})
