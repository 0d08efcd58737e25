/**
 * The hub's connection limits, over real libp2p on loopback: many members behind one address
 * (a province's gateway; every member of `npm run sim:network`) connect within the same second
 * and none is reset, where libp2p's default (5 new connections a second from one address)
 * resets the rest. A member's host keeps the default. The hub's TCP listener queues as many
 * connections as the system allows, as `ss` reads it (a LISTEN socket's Send-Q is its backlog).
 */
import { spawnSync } from 'node:child_process'
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

  /**
   * How many of the members were turned away: their connection reset as the limit does it. (A
   * handshake that times out on a machine this loaded is not the limit, and not counted.)
   */
  async function resetAtOnce(connections: typeof hubConnectionLimits): Promise<number> {
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
    const asked = await Promise.allSettled(
      members.map((m) => fetchRegistry(m, addrs, { since: undefined, have: () => ({}) })),
    )
    return asked.filter((r) => r.status === 'rejected' && /ECONNRESET/.test(String(r.reason))).length
  }

  it(`turns away none of ${peers} members connecting from one address at once`, { timeout: 60_000 }, async () => {
    expect(await resetAtOnce(hubConnectionLimits)).toBe(0)
  })

  it('a member host keeps the default, which turns some of them away', { timeout: 60_000 }, async () => {
    // The contrast that shows the hub's limits matter (and that this test can fail).
    expect(await resetAtOnce(memberConnectionLimits)).toBeGreaterThan(0)
  })

  /** The backlog of the TCP listener on `port`, as `ss` reads it. */
  const backlogOf = (port: number) => {
    const out = spawnSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' }).stdout
    return Number(out.trim().split(/\s+/)[2])
  }
  const somaxconn = () => Number(spawnSync('sysctl', ['-n', 'net.core.somaxconn'], { encoding: 'utf8' }).stdout)

  it.skipIf(spawnSync('ss', ['-V']).status !== 0)(
    "the hub's listener queues up to the system's limit; a member's keeps Node's 511 (needs ss)",
    async () => {
      const listening = async (connections: typeof hubConnectionLimits) => {
        const host = await createHost({
          privateKey: (await generateNodeKey()).privateKey,
          listen: ['/ip4/127.0.0.1/tcp/0'],
          connections,
        })
        hosts.push(host)
        return Number(host.getMultiaddrs()[0]!.toString().split('/')[4])
      }
      const cap = somaxconn() || 4096
      expect(backlogOf(await listening(hubConnectionLimits))).toBe(Math.min(4096, cap))
      expect(backlogOf(await listening(memberConnectionLimits))).toBe(Math.min(511, cap))
    },
  )
})
