/**
 * The host lists its connections in one pass (./connection-list.ts): the same connections as
 * libp2p's own listing, over real loopback connections; and the libp2p installed still has the
 * shape the fix was written against (if it changes, this says so rather than silently dropping it).
 */
import './node20.js'
import { afterAll, describe, expect, it } from 'vitest'
import type { Connection } from '@libp2p/interface'
import { generateNodeKey } from '../identity/node-key.js'
import { createHost, hubConnectionLimits, type Host } from './host.js'
import { listConnectionsInOnePass } from './connection-list.js'

const hosts: Host[] = []
afterAll(async () => {
  for (const h of hosts) await h.stop()
})

describe('connection list', () => {
  it('lists every connection of every peer, as libp2p does', async () => {
    const server = await createHost({
      privateKey: (await generateNodeKey()).privateKey,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      connections: hubConnectionLimits,
    })
    hosts.push(server)
    // Applied by createHost already: applying it again must still work (and say so).
    expect(listConnectionsInOnePass(server)).toBe(true)
    const clients = await Promise.all(
      Array.from({ length: 6 }, async () =>
        createHost({ privateKey: (await generateNodeKey()).privateKey, listen: [] }),
      ),
    )
    hosts.push(...clients)
    for (const c of clients) await c.dial(server.getMultiaddrs()[0]!)
    // A second connection from one of them (a peer may hold several).
    await clients[0]!.dial(server.getMultiaddrs()[0]!, { force: true })
    await expect.poll(() => server.getConnections().length).toBe(7)
    const cm = (
      server as unknown as { components: { connectionManager: { getConnectionsMap(): Map<unknown, Connection[]> } } }
    ).components.connectionManager
    // The instance's own method, not libp2p's from its prototype.
    expect(Object.hasOwn(cm, 'getConnections')).toBe(true)
    const expected = [...cm.getConnectionsMap().values()].flat().map((c) => c.id)
    expect(server.getConnections().map((c) => c.id)).toEqual(expected)
    expect(server.getConnections(clients[0]!.peerId)).toHaveLength(2)
    expect(server.getConnections(clients[1]!.peerId)).toHaveLength(1)
  })
})
