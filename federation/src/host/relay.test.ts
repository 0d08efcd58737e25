/**
 * The hub as a circuit relay, over real libp2p on loopback: a member nobody can dial directly
 * (it refuses every inbound connection that is not relayed, as NAT would) holds a slot on the
 * hub and answers a peer through it; a peer the hub does not admit gets no slot, and is not
 * relayed to the member either.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ConnectionGater } from '@libp2p/interface'
import { generateNodeKey } from '../identity/node-key.js'
import { createHost, type Host } from './host.js'
import { fetchRegistry, serveRegistry } from '../registry/registry-sync.js'

const loopback = ['/ip4/127.0.0.1/tcp/0']
const behindNat: ConnectionGater = {
  denyInboundConnection: (conn) => !conn.remoteAddr.toString().includes('/p2p-circuit'),
}
const circuit = (h: Host) => h.getMultiaddrs().find((a) => a.toString().includes('/p2p-circuit'))

describe('circuit relay on the hub', () => {
  const admitted = new Set<string>()
  let hub: Host, member: Host, outsider: Host, friend: Host, stranger: Host
  beforeAll(async () => {
    const key = async () => (await generateNodeKey()).privateKey
    hub = await createHost({
      privateKey: await key(),
      listen: loopback,
      relay: { serve: { mayRelay: (p) => admitted.has(p) } },
    })
    member = await createHost({ privateKey: await key(), listen: loopback, gater: behindNat, relay: { use: true } })
    outsider = await createHost({ privateKey: await key(), listen: loopback, gater: behindNat, relay: { use: true } })
    friend = await createHost({ privateKey: await key(), listen: [], relay: { use: true } })
    stranger = await createHost({ privateKey: await key(), listen: [], relay: { use: true } })
    for (const h of [member, friend]) admitted.add(h.peerId.toString())
    await serveRegistry(member, async () => ({ ok: true, entries: [] }))
    await serveRegistry(outsider, async () => ({ ok: true, entries: [] }))
  })
  afterAll(async () => {
    for (const h of [friend, stranger, outsider, member, hub]) await h?.stop()
  })

  it('gives an admitted member a slot, through which an admitted peer reaches it', async () => {
    await member.dial(hub.getMultiaddrs()[0]!)
    await expect
      .poll(() => circuit(member)?.toString(), { timeout: 15_000 })
      .toContain(`/p2p/${hub.peerId}/p2p-circuit`)
    // Directly, the member is out of reach; through the hub it answers.
    const direct = member.getMultiaddrs().find((a) => !a.toString().includes('/p2p-circuit'))!
    await expect(fetchRegistry(friend, [direct.toString()], { since: undefined, have: () => ({}) })).rejects.toThrow()
    expect(await fetchRegistry(friend, [circuit(member)!.toString()], { since: undefined, have: () => ({}) })).toEqual({
      ok: true,
      entries: [],
    })
    // A peer the hub does not admit is not relayed to the member.
    await expect(
      fetchRegistry(stranger, [circuit(member)!.toString()], { since: undefined, have: () => ({}) }),
    ).rejects.toThrow()
  }, 30_000)

  it('refuses a slot to a peer it does not admit', async () => {
    await outsider.dial(hub.getMultiaddrs()[0]!)
    // The admitted member got its slot within a second above; give the outsider five.
    await new Promise((r) => setTimeout(r, 5000))
    expect(circuit(outsider)).toBeUndefined()
    const slots = (hub.services as { relay?: { reservations: Map<unknown, unknown> } }).relay?.reservations
    const holders = [...(slots?.keys() ?? [])].map(String)
    expect(holders).toContain(member.peerId.toString())
    expect(holders).not.toContain(outsider.peerId.toString())
  }, 30_000)
})
