/**
 * Fuzzing the hub's provider records (`/shulin/holders/1.0.0`) on a real LevelDB, as the
 * exchange and the hub's handler take them: a request made wrong is refused before anything is
 * stored; one that passes the schema stores exactly the named files for the asking member, and
 * `who` answers at most 32 members, newest first, never the asker.
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HoldersRequest, holdersLimits } from '@shulin/protocol'
import { openStorage, type Storage } from '../storage/db.js'
import { tempDir } from '../testing/temp-node.js'
import { HolderIndex } from './holders.js'
import { dumpLevel, fc, fuzzParams, hostileJsonBytes } from '../../../test/fuzz/fuzz.js'

const file = (c: string) => c.repeat(64)
const member = '12D3KooWMember11111111111111111111111111111111111'

describe('provider records fuzz', () => {
  let dir: string
  let storage: Storage
  let index: HolderIndex
  beforeAll(async () => {
    dir = await tempDir('shulin-holders-fuzz-')
    storage = await openStorage(join(dir, 'db'), { create: true, dataDir: dir })
    index = new HolderIndex(storage, () => 1_800_000_000_000)
    for (let i = 0; i < 40; i++) await index.have(`12D3KooWOther${String(i).padStart(2, '0')}`, [file('a')])
  })
  afterAll(async () => {
    await storage.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('any message: refused with nothing stored, or exactly the named files stored for the asker', async () => {
    const valid = [
      { op: 'have', files: [file('a'), file('b')] },
      { op: 'who', sha256: file('a') },
    ]
    await fc.assert(
      fc.asyncProperty(hostileJsonBytes(valid), async (bytes) => {
        const before = await dumpLevel(storage.db)
        let json: unknown
        try {
          json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
        } catch {
          return // the exchange answers `invalid` before any handler runs
        }
        const req = HoldersRequest.safeParse(json)
        if (!req.success) return
        if (req.data.op === 'who') {
          const who = await index.who(req.data.sha256, (m) => m !== member)
          expect(who.length).toBeLessThanOrEqual(holdersLimits.maxHolders)
          expect(who).not.toContain(member)
          expect(await dumpLevel(storage.db)).toEqual(before)
          return
        }
        await index.have(member, req.data.files)
        const added = (await dumpLevel(storage.db)).filter((l) => !before.includes(l))
        // Keyed by file or by member (the record each member's cap is counted by).
        for (const line of added)
          expect(req.data.files.some((f) => line.includes(`${f}!${member}`) || line.includes(`${member}!${f}`))).toBe(
            true,
          )
      }),
      fuzzParams(300),
    )
  })
})
