/**
 * The embedded engine's index work stays out of searches: a merge (seconds on 100k records) runs
 * in the change that calls for it, in slices, and a search that arrives meanwhile is answered
 * from the index as it was, without waiting for the merge to end.
 */
import { rm } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../../testing/temp-node.js'
import type { SearchDocument, SearchQuery } from '../engine.js'
import { EmbeddedEngine } from './engine.js'

const chars = '山水月花風雲天地人書詩酒春秋江河日夜'
const doc = (i: number): SearchDocument => ({
  id: `r${i}`,
  revision: 1,
  title: `${chars[i % chars.length]}${chars[(i * 7) % chars.length]}之歌 ${i}`,
  creators: [`作者${i % 97}`],
  subjects: ['唐詩'],
  description: Array.from({ length: 40 }, (_, k) => chars[(i * 31 + k * 13) % chars.length]).join(''),
  other: [],
  type: 'book',
  language: 'zh',
  access: 'public',
  status: 'published',
  source: 'node-a',
  year: undefined,
  published: i,
  popularity: 0,
})
const query = (q: string): SearchQuery => ({ q, filters: {}, sort: 'relevance', limit: 5, offset: 0, facets: true })

describe('embedded engine: merges outside searches', () => {
  it(
    'a search during a merge is answered before the merge ends, from the index as it was',
    { timeout: 60_000 },
    async () => {
      const engine = new EmbeddedEngine({ dir: undefined, mergeAbove: 1e9 })
      const n = 30_000
      for (let i = 0; i < n; i += 1000) await engine.upsert(Array.from({ length: 1000 }, (_, k) => doc(i + k)))
      // Every record is in the delta (no merge yet); a merge is forced by the checkpoint.
      expect(engine.merges).toBe(0)
      const order: string[] = []
      let turns = 0
      let ticking = true
      const tick = () => {
        turns++
        if (ticking) setImmediate(tick)
      }
      setImmediate(tick)
      const merged = engine.checkpoint(undefined).then(() => order.push('merge'))
      const found = engine.search(query('山水')).then((r) => (order.push('search'), r))
      const [result] = await Promise.all([found, merged])
      ticking = false
      // Before, the merge ran in one stretch inside checkpoint(): the search waited for all of it.
      expect(order).toEqual(['search', 'merge'])
      expect(result.total).toBeGreaterThan(0)
      expect(engine.merges).toBe(1)
      // The event loop went round many times while it merged.
      expect(turns).toBeGreaterThan(10)
      // And after the swap the same search finds the same records.
      expect((await engine.search(query('山水'))).total).toBe(result.total)
    },
  )

  it('a search does no index work: records join the index in upsert, which merges when the delta is big', async () => {
    const engine = new EmbeddedEngine({ dir: undefined, mergeAbove: 2000 })
    await engine.upsert(Array.from({ length: 1500 }, (_, i) => doc(i)))
    expect(engine.merges).toBe(0)
    const before = await engine.search(query('之歌'))
    expect(before.total).toBe(1500)
    expect(engine.merges).toBe(0)
    await engine.upsert(Array.from({ length: 1000 }, (_, i) => doc(1500 + i)))
    expect(engine.merges).toBe(1)
    expect((await engine.search(query('之歌'))).total).toBe(2500)
    expect(engine.merges).toBe(1)
  })

  it('writes its file in pieces and reads it back whole (rows over several pieces)', async () => {
    const dir = await tempDir('shulin-embedded-')
    try {
      const engine = new EmbeddedEngine({ dir })
      await engine.open()
      await engine.upsert(Array.from({ length: 1000 }, (_, i) => doc(i)))
      await engine.remove(['r5'])
      await engine.checkpoint('cursor-1')
      const before = await engine.search(query('山水'))
      const again = new EmbeddedEngine({ dir })
      expect(await again.open()).toEqual({ cursor: 'cursor-1' })
      expect(await again.search(query('山水'))).toEqual(before)
      expect((await again.stats()).documents).toBe(999)
      expect(await again.revisionOf('r999')).toBe(1)
      expect(await again.revisionOf('r5')).toBeUndefined()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
