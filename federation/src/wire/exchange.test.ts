/**
 * The request/answer exchanges over one deadline for all of a peer's addresses: an address with
 * others after it gets only a share of the deadline, so two that swallow the dial (a NAT'd
 * member's private addresses) leave the last one (its relayed address) the time it needs.
 */
import { createServer, type AddressInfo, type Server } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { ExchangeSpec } from '@shulin/protocol'
import { generateNodeKey } from '../identity/node-key.js'
import { createHost, type Host } from '../host/host.js'
import { askExchange, serveExchange } from './exchange.js'

const Echo: ExchangeSpec<{ n: number }, { n: number }> = {
  protocol: '/shulin-test/echo/1.0.0',
  request: z.strictObject({ n: z.number() }),
  response: z.strictObject({ n: z.number() }),
  invalid: { n: -1 },
  maxBytes: 1024,
  // One deadline for every address (not per attempt). Were the first swallowed dial given the
  // whole of it, nothing would be left for the real address; with shares (3.5 s each) the real
  // one keeps 13 s, room enough for a handshake on a loaded two-core CI machine (2 s was not).
  timeoutMs: 20_000,
  maxInboundStreams: 4,
}

const hosts: Host[] = []
const silent: Server[] = []
afterAll(async () => {
  for (const h of hosts) await h.stop()
  for (const s of silent) s.close()
})

const newHost = async (listen: boolean) => {
  const h = await createHost({
    privateKey: (await generateNodeKey()).privateKey,
    listen: listen ? ['/ip4/127.0.0.1/tcp/0'] : [],
  })
  hosts.push(h)
  return h
}

/** A listener that accepts and never answers: the dial's handshake waits until it gives up. */
const swallowing = () =>
  new Promise<string>((resolve) => {
    const srv = createServer((socket) => socket.on('error', () => {}))
    silent.push(srv)
    srv.listen(0, '127.0.0.1', () => resolve(`/ip4/127.0.0.1/tcp/${(srv.address() as AddressInfo).port}`))
  })

describe('askExchange', () => {
  it('reaches the last address when the ones before it swallow the dial, within one deadline', async () => {
    const server = await newHost(true)
    await serveExchange(server, Echo, async (req) => ({ n: req.n + 1 }))
    const real = server.getMultiaddrs().map((a) => a.toString())
    const me = await newHost(false)
    const black = [await swallowing(), await swallowing()].map((a) => `${a}/p2p/${server.peerId.toString()}`)
    const t0 = Date.now()
    expect(await askExchange(me, Echo, [...black, ...real], { n: 41 }, 'cannot reach the peer')).toEqual({ n: 42 })
    // Two shares of 3.5 s at most before the real address, not the whole deadline on the first.
    expect(Date.now() - t0).toBeLessThan(20_000)
  }, 40_000)
})
