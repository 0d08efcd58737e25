/**
 * The registry exchange between versions, over real libp2p on loopback: a member asks by the
 * newest issuedAt it holds (`/shulin/registry/1.1.0`); a peer that speaks only 1.0.0 is asked
 * the same question by seq, on the same call.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { RegistryExchange, type RegistryRequest, type RegistrySinceRequest } from '@shulin/protocol'
import { generateNodeKey } from '../identity/node-key.js'
import { createHost, type Host } from '../host/host.js'
import { serveExchange } from '../wire/exchange.js'
import { fetchRegistry, serveRegistry, type RegistryAsk } from './registry-sync.js'

const hosts: Host[] = []
afterAll(async () => {
  for (const h of hosts) await h.stop()
})
const newHost = async (listen: boolean) => {
  const h = await createHost({
    privateKey: (await generateNodeKey()).privateKey,
    listen: listen ? ['/ip4/127.0.0.1/tcp/0'] : [],
  })
  hosts.push(h)
  return h
}
const addrsOf = (h: Host) => h.getMultiaddrs().map((a) => a.toString())

describe('fetchRegistry', () => {
  it('asks by issuedAt, and by seq a peer that speaks only 1.0.0', async () => {
    const asked: RegistryAsk[] = []
    const current = await newHost(true)
    await serveRegistry(current, async (req) => (asked.push(req), { ok: true, entries: [] }))
    const older = await newHost(true)
    const askedOld: RegistryRequest[] = []
    await serveExchange(older, RegistryExchange, async (req) => (askedOld.push(req), { ok: true, entries: [] }))
    const me = await newHost(false)
    let haveCalls = 0
    const held = {
      since: '2026-12-04T10:00:00.000Z',
      have: () => (haveCalls++, { a: 2, b: 5 }),
    }

    expect(await fetchRegistry(me, addrsOf(current), held, '0.1.0')).toEqual({ ok: true, entries: [] })
    expect(asked).toEqual([{ since: held.since, version: '0.1.0' } satisfies RegistrySinceRequest])
    // The per-entry list is made only for the peer that needs it.
    expect(haveCalls).toBe(0)

    expect(await fetchRegistry(me, addrsOf(older), held, '0.1.0')).toEqual({ ok: true, entries: [] })
    expect(askedOld).toEqual([{ have: { a: 2, b: 5 }, version: '0.1.0' }])
    expect(haveCalls).toBe(1)

    // Holding nothing yet: the whole registry is asked for.
    await fetchRegistry(me, addrsOf(current), { since: undefined, have: () => ({}) })
    expect(asked.at(-1)).toEqual({})
  }, 30_000)
})
