/**
 * Fuzzing the hub's roll-up intake on a real LevelDB. A member signs what it likes, so the
 * hostile inputs are signed: roll-ups with any field made wrong (negative, huge, fractional and
 * future-dated counts and days, duplicate revisions, deep nesting), and pushes whose envelopes
 * were changed after signing. Whatever arrives: an outcome per roll-up, nothing stored for a
 * refused one, and what is stored reads back through the hub's own summaries.
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  Rollup,
  StatsPush,
  StatsPushResponse,
  zeroCounts,
  zeroDevices,
  zeroHours,
  zeroMethods,
  type MemberEntry,
  type SignedEnvelope,
} from '@shulin/protocol'
import { generateNodeKey, seal, type NodeKey } from '@shulin/federation'
import { openStorage, type Storage } from '../storage/db.js'
import { tempDir } from '../testing/temp-node.js'
import { HubStats } from './hub.js'
import { dumpLevel, fc, fuzzParams, mutatedJson } from '../../../test/fuzz/fuzz.js'

const now = Date.parse('2026-12-03T08:00:00Z')

function rollup(node: string, day: string, revision: number): Rollup {
  const totals = {
    ...zeroCounts(),
    Total_Item_Investigations: 5,
    Total_Item_Requests: 3,
    Unique_Item_Investigations: 2,
    Unique_Item_Requests: 1,
  }
  const hours = zeroHours()
  hours[9] = 5
  return {
    v: 1,
    node,
    day,
    revision,
    generatedAt: '2026-12-02T16:05:00.000Z',
    totals,
    hours,
    devices: { ...zeroDevices(), mobile: 5 },
    methods: { ...zeroMethods(), web: 5 },
    top: [{ id: 'book1', title: '红楼梦', investigations: 5, requests: 3 }],
  }
}

describe('roll-up intake fuzz', () => {
  let dir: string
  let storage: Storage
  let hub: HubStats
  let member: NodeKey
  let entry: MemberEntry

  beforeAll(async () => {
    dir = await tempDir('shulin-stats-fuzz-')
    storage = await openStorage(join(dir, 'db'), { create: true, dataDir: dir })
    member = await generateNodeKey()
    entry = {
      nodeId: member.nodeId,
      name: '临安县图书馆',
      region: '330185',
      level: 'county',
      http: [],
      p2p: [],
      status: 'active',
      seq: 1,
      issuedAt: '2026-11-01T00:00:00.000Z',
    }
    hub = new HubStats({ storage, member: (id) => (id === member.nodeId ? entry : undefined), now: () => now })
  })
  afterAll(async () => {
    await storage.close()
    await rm(dir, { recursive: true, force: true })
  })

  /** Pushes as the exchange would: schema first (else `invalid`), then the intake. */
  async function push(input: unknown): Promise<StatsPushResponse> {
    const parsed = StatsPush.safeParse(input)
    if (!parsed.success) return { ok: false, reason: 'invalid' }
    const res = await hub.receive(parsed.data, member.nodeId)
    expect(StatsPushResponse.safeParse(res).success).toBe(true)
    return res
  }

  async function readsBack(): Promise<void> {
    const days = await hub.memberDays(member.nodeId, '2020-01-01', '2027-01-01')
    for (const d of days) expect(Rollup.safeParse(d).success).toBe(true)
    const s = await hub.summary('all', '2020-01-01', '2027-01-01')
    expect(Object.values(s.totals).every((n) => Number.isSafeInteger(n) && n >= 0)).toBe(true)
  }

  it('a roll-up the member signed, with any field made wrong: refused and nothing stored, or stored and readable', async () => {
    const bases = [rollup(member.nodeId, '2026-12-01', 1), rollup(member.nodeId, '2026-11-30', 2)]
    await fc.assert(
      fc.asyncProperty(mutatedJson(bases), async (payload) => {
        let env: SignedEnvelope
        try {
          env = await seal(member, 'shulin/rollup', payload)
        } catch {
          return // nothing a signer can sign (a lone surrogate): no envelope to send
        }
        const before = await dumpLevel(storage.db)
        const res = await push({ rollups: [env] })
        if (!res.ok || res.outcomes[0] !== 'stored') expect(await dumpLevel(storage.db)).toEqual(before)
        else expect(Rollup.safeParse(payload).success).toBe(true)
        await readsBack()
      }),
      fuzzParams(250),
    )
  })

  it('a push changed after signing: an outcome per roll-up, refused ones not stored', async () => {
    const envs = [
      await seal(member, 'shulin/rollup', rollup(member.nodeId, '2026-11-20', 1)),
      await seal(member, 'shulin/rollup', rollup(member.nodeId, '2026-11-21', 1)),
    ]
    await fc.assert(
      fc.asyncProperty(mutatedJson([{ rollups: envs }, { rollups: [envs[0], envs[0], envs[1]] }]), async (input) => {
        const before = await dumpLevel(storage.db)
        const res = await push(input)
        if (res.ok) expect(res.outcomes).toHaveLength((input as { rollups: unknown[] }).rollups.length)
        if (!res.ok || !res.outcomes.includes('stored')) expect(await dumpLevel(storage.db)).toEqual(before)
        await readsBack()
      }),
      fuzzParams(250),
    )
  })

  it('future-dated, too old, negative, duplicate and foreign roll-ups are refused by name', async () => {
    const other = await generateNodeKey()
    const sealed = (r: unknown, key = member) => seal(key, 'shulin/rollup', r)
    const res = await push({
      rollups: [
        await sealed(rollup(member.nodeId, '2026-12-05', 1)),
        await sealed(rollup(member.nodeId, '2019-01-01', 1)),
        await sealed({
          ...rollup(member.nodeId, '2026-11-10', 1),
          totals: { ...zeroCounts(), Total_Item_Requests: -1 },
        }),
        await sealed(rollup(member.nodeId, '2026-11-11', 1)),
        await sealed(rollup(member.nodeId, '2026-11-11', 1)),
        await sealed(rollup(other.nodeId, '2026-11-12', 1), other),
      ],
    })
    expect(res).toEqual({
      ok: true,
      outcomes: ['future', 'too_old', 'malformed', 'stored', 'duplicate', 'wrong_signer'],
    })
  })
})
