/**
 * The hub's roll-up intake at a network's scale, on a real LevelDB: 300 members push their
 * day at once (as they do after midnight). Counted: the synced batches written — one per push
 * before group commit, a handful now — and that every roll-up is stored once, sums intact, two
 * revisions of one day in concurrent pushes resolved to the higher, and a failed commit
 * acknowledging nothing of its group.
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  zeroCounts,
  zeroDevices,
  zeroHours,
  zeroMethods,
  type MemberEntry,
  type Rollup,
  type StatsPushResponse,
} from '@shulin/protocol'
import { generateNodeKey, seal, type NodeKey } from '@shulin/federation'
import { openStorage, type Storage } from '../storage/db.js'
import { tempDir } from '../testing/temp-node.js'
import { HubStats } from './hub.js'

const now = Date.parse('2026-12-03T08:00:00Z')
const day = '2026-12-02'

const rollup = (node: string, revision: number, requests: number): Rollup => ({
  v: 1,
  node,
  day,
  revision,
  generatedAt: '2026-12-02T16:05:00.000Z',
  totals: {
    ...zeroCounts(),
    Total_Item_Investigations: requests,
    Total_Item_Requests: requests,
    Unique_Item_Investigations: 1,
    Unique_Item_Requests: 1,
  },
  hours: zeroHours(),
  devices: zeroDevices(),
  methods: zeroMethods(),
  top: [],
})

describe('roll-up intake, 300 members at once', () => {
  let dir: string
  let storage: Storage
  /** The real storage, its commits counted (and, when `failNext`, the next one refused). */
  let counted: Storage
  let commits = 0
  let failNext = false
  let keys: NodeKey[]
  const entries = new Map<string, MemberEntry>()

  beforeEach(async () => {
    dir = await tempDir('shulin-stats-intake-')
    storage = await openStorage(join(dir, 'db'), { create: true, dataDir: dir })
    commits = 0
    counted = Object.create(storage) as Storage
    counted.commit = (ops, opts) => {
      commits++
      if (failNext) {
        failNext = false
        return Promise.reject(new Error('disk full'))
      }
      return storage.commit(ops, opts)
    }
    keys = await Promise.all(Array.from({ length: 300 }, () => generateNodeKey()))
    for (const [i, k] of keys.entries())
      entries.set(k.nodeId, {
        nodeId: k.nodeId,
        name: `图书馆${i}`,
        region: i % 2 ? '330185' : '110105',
        level: 'county',
        http: [],
        p2p: [],
        status: 'active',
        seq: 1,
        issuedAt: '2026-11-01T00:00:00.000Z',
      })
  })
  afterEach(async () => {
    await storage.close()
    await rm(dir, { recursive: true, force: true })
  })

  const hubOn = (s: Storage) => new HubStats({ storage: s, member: (id) => entries.get(id), now: () => now })
  const push = async (hub: HubStats, k: NodeKey, revision = 1, requests = 1): Promise<StatsPushResponse> =>
    hub.receive({ rollups: [await seal(k, 'shulin/rollup', rollup(k.nodeId, revision, requests))] }, k.nodeId)

  it('writes the pushes that arrive together in a few synced batches, every roll-up stored once', async () => {
    const hub = hubOn(counted)
    const answers = await Promise.all(keys.map((k) => push(hub, k)))
    expect(answers.filter((a) => !(a.ok && a.outcomes[0] === 'stored'))).toEqual([])
    // One synced batch per push would be 300.
    expect(commits).toBeLessThanOrEqual(10)
    const all = await hub.summary('all', day, day)
    expect(all.reports).toBe(300)
    expect(all.totals.Total_Item_Requests).toBe(300)
    expect((await hub.summary('p:33', day, day)).reports).toBe(150)

    // Sent again, and a higher and a lower revision of one day in concurrent pushes.
    commits = 0
    const [again, higher, lower] = await Promise.all([
      push(hub, keys[0]!),
      push(hub, keys[1]!, 3, 10),
      push(hub, keys[1]!, 2, 100),
    ])
    expect(again).toEqual({ ok: true, outcomes: ['duplicate'] })
    expect(higher).toEqual({ ok: true, outcomes: ['stored'] })
    expect(lower).toEqual({ ok: true, outcomes: ['duplicate'] })
    const after = await hub.summary('all', day, day)
    expect(after.reports).toBe(300)
    expect(after.totals.Total_Item_Requests).toBe(300 - 1 + 10)
  })

  it('acknowledges nothing of a group whose commit fails, and takes it whole when sent again', async () => {
    const hub = hubOn(counted)
    failNext = true
    const first = await Promise.allSettled(keys.slice(0, 50).map((k) => push(hub, k)))
    const refused = first.filter((r) => r.status === 'rejected').length
    expect(refused).toBeGreaterThanOrEqual(1)
    const stored = first.filter((r) => r.status === 'fulfilled').length
    expect((await hub.summary('all', day, day)).reports).toBe(stored)
    // The members send them again: each stored once.
    await Promise.all(keys.slice(0, 50).map((k) => push(hub, k)))
    const all = await hub.summary('all', day, day)
    expect(all.reports).toBe(50)
    expect(all.totals.Total_Item_Requests).toBe(50)
  })
})
