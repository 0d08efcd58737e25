/**
 * The hub's connection limits, over real libp2p on loopback: many members behind one address
 * (a province's gateway; every member of `npm run sim:network`) connect within the same second
 * and each gets its registry answer, where libp2p's default (5 new connections a second from
 * one address) resets the rest. A member's host keeps the default.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { generateNodeKey } from '../identity/node-key.js'
import { createHost, hubConnectionLimits, memberConnectionLimits, type Host } from './host.js'
import { fetchRegistry, serveRegistry } from '../registry/registry-sync.js'

const peers = 20

describe('hub connection limits', () => {
  const hosts: Host[] = []
  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((h) => h.stop()))
  })

  async function answeredAtOnce(connections: typeof hubConnectionLimits): Promise<number> {
    const server = await createHost({
      privateKey: (await generateNodeKey()).privateKey,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      connections,
    })
    hosts.push(server)
    await serveRegistry(server, async () => ({ ok: true, entries: [] }))
    const addrs = server.getMultiaddrs().map((a) => a.toString())
    const members = await Promise.all(
      Array.from({ length: peers }, async () =>
        createHost({ privateKey: (await generateNodeKey()).privateKey, listen: [] }),
      ),
    )
    hosts.push(...members)
    const asked = await Promise.allSettled(members.map((m) => fetchRegistry(m, addrs, {})))
    return asked.filter((r) => r.status === 'fulfilled' && r.value.ok).length
  }

  it(`answers ${peers} members connecting from one address at once`, { timeout: 60_000 }, async () => {
    expect(await answeredAtOnce(hubConnectionLimits)).toBe(peers)
  })

  it('a member host keeps the default, which turns most of them away', { timeout: 60_000 }, async () => {
    // The contrast that shows the hub's limits matter (and that this test can fail).
    expect(await answeredAtOnce(memberConnectionLimits)).toBeLessThan(peers)
  })
})
