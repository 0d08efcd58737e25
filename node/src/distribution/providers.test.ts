/**
 * Whom a fetch asks at a network's scale: 40 members in registry order, the publisher, the
 * holders the hub named (some of them offline at the last fetch), the hub. Counted: how many of
 * the twelve asked are known to be down (each a dial and a timeout spent for nothing), and
 * whether the members that answered lately are asked before the ones not heard from.
 */
import { describe, expect, it } from 'vitest'
import { maxProviders, ProviderMemory, providerMemoryMs, rankProviders, type Peer } from './providers.js'

const peers: Peer[] = Array.from({ length: 40 }, (_, i) => ({ id: `m${String(i).padStart(2, '0')}`, addrs: [] }))
const ids = (ps: Peer[]) => ps.map((p) => p.id)

describe('provider ranking', () => {
  const clock = { now: Date.parse('2026-12-03T09:00:00Z') }
  const publisher = 'm30'
  const hub = 'm00'
  // The hub's list: most recently renewed first.
  const holders = ['m05', 'm06', 'm07', 'm08', 'm09', 'm10', 'm11', 'm12', 'm13', 'm14', 'm15', 'm16']

  it('asks no provider that was down at the last fetch while others are left, and asks those that answered first', () => {
    const memory = new ProviderMemory(() => clock.now)
    // The last fetch: six holders unreachable or busy, two served chunks, one lacked the file.
    memory.note([
      ...['m05', 'm06', 'm07', 'm08'].map((id) => ({ id, chunks: 0, dropped: 'unreachable' })),
      { id: 'm09', chunks: 0, dropped: 'busy' },
      { id: 'm10', chunks: 3, dropped: 'failing' },
      { id: 'm15', chunks: 7 },
      { id: 'm16', chunks: 2 },
      { id: 'm11', chunks: 0, dropped: 'unknown' },
    ])
    const down = new Set(['m05', 'm06', 'm07', 'm08', 'm09', 'm10'])
    const asked = ids(rankProviders(peers, publisher, holders, hub, (id) => memory.standing(id)))
    expect(asked).toHaveLength(maxProviders)
    expect(asked.filter((id) => down.has(id))).toEqual([])
    // The publisher, then the holders that answered, then the other holders and the hub.
    expect(asked).toEqual(['m30', 'm15', 'm16', 'm11', 'm12', 'm13', 'm14', 'm00', 'm01', 'm02', 'm03', 'm04'])

    // Without the memory (the old order), six of the twelve are known to be down.
    const blind = ids(rankProviders(peers, publisher, holders, hub))
    expect(blind.filter((id) => down.has(id))).toHaveLength(6)

    // News ages: after the window, the down ones are asked again in the hub's order.
    clock.now += providerMemoryMs + 1
    expect(ids(rankProviders(peers, publisher, holders, hub, (id) => memory.standing(id)))).toEqual(blind)
  })

  it('still asks a provider that was down when nobody else is left, and one that answers again is forgiven', () => {
    const memory = new ProviderMemory(() => clock.now)
    const few = peers.slice(0, 3)
    memory.note([{ id: 'm01', chunks: 0, dropped: 'unreachable' }])
    expect(ids(rankProviders(few, 'm01', [], 'm00', (id) => memory.standing(id)))).toEqual(['m00', 'm02', 'm01'])
    memory.note([{ id: 'm01', chunks: 4 }])
    expect(memory.standing('m01')).toBe(0)
    expect(ids(rankProviders(few, 'm01', [], 'm00', (id) => memory.standing(id)))).toEqual(['m01', 'm00', 'm02'])
  })
})
