/**
 * Faults a peer can cause, over real libp2p on loopback: an unknown protocol version, a
 * thousand streams at once, a stream that sends nothing. The host refuses what it must,
 * bounded in time, and keeps serving the next honest request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { multiaddr } from '@multiformats/multiaddr'
import { generateNodeKey } from '../identity/node-key.js'
import { createHost, type Host } from './host.js'
import { REGISTRY_PROTOCOL } from '@shulin/protocol'
import { fetchRegistry, serveRegistry } from '../registry/registry-sync.js'

describe('peer faults', () => {
  let server: Host
  let rogue: Host
  let honest: Host
  let answered = 0
  beforeAll(async () => {
    server = await createHost({ privateKey: (await generateNodeKey()).privateKey, listen: ['/ip4/127.0.0.1/tcp/0'] })
    rogue = await createHost({ privateKey: (await generateNodeKey()).privateKey, listen: [] })
    honest = await createHost({ privateKey: (await generateNodeKey()).privateKey, listen: [] })
    await serveRegistry(server, async () => {
      answered++
      return { ok: true, entries: [] }
    })
  })
  afterAll(async () => {
    for (const h of [rogue, honest, server]) await h?.stop()
  })
  const addr = () => multiaddr(server.getMultiaddrs()[0]!.toString())

  it('refuses an unknown protocol version', async () => {
    await expect(rogue.dialProtocol(addr(), '/shulin/registry/2.0.0')).rejects.toThrow(/protocol/i)
    await expect(rogue.dialProtocol(addr(), '/shulin/registry/1.0.0-evil')).rejects.toThrow()
  })

  it('survives a thousand streams at once, and a peer that never speaks', async () => {
    const t0 = Date.now()
    const attempts = await Promise.allSettled(
      Array.from({ length: 1000 }, () =>
        rogue.dialProtocol(addr(), REGISTRY_PROTOCOL, { signal: AbortSignal.timeout(15_000) }),
      ),
    )
    const opened = attempts.filter((a) => a.status === 'fulfilled').length
    // The per-connection limit (16 inbound registry streams) holds: most are refused.
    expect(opened).toBeLessThan(1000)
    expect(attempts.some((a) => a.status === 'rejected')).toBe(true)
    expect(Date.now() - t0).toBeLessThan(30_000)
    // Silent streams are dropped by the server's read timeout; meanwhile an honest peer is served.
    const res = await fetchRegistry(honest, [server.getMultiaddrs()[0]!.toString()], {
      since: undefined,
      have: () => ({}),
    })
    expect(res).toEqual({ ok: true, entries: [] })
    expect(answered).toBe(1)
    for (const a of attempts) if (a.status === 'fulfilled') a.value.abort(new Error('done'))
  }, 60_000)
})
