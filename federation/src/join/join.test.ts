/**
 * The join protocol over real libp2p on loopback: a malformed, truncated, oversized or
 * non-JSON request gets `invalid` or a closed stream, and the hub keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { generateNodeKey } from '../identity/node-key.js'
import { createHost, type Host } from '../host/host.js'
import { JOIN_PROTOCOL } from '@shulin/protocol'
import { requestJoin, serveJoin } from './join.js'

describe('join protocol', () => {
  let hub: Host
  let peer: Host
  let decided = 0
  beforeAll(async () => {
    hub = await createHost({ privateKey: (await generateNodeKey()).privateKey, listen: ['/ip4/127.0.0.1/tcp/0'] })
    peer = await createHost({ privateKey: (await generateNodeKey()).privateKey, listen: [] })
    await serveJoin(hub, async () => {
      decided++
      return { ok: false, reason: 'used' }
    })
  })
  afterAll(async () => {
    await peer?.stop()
    await hub?.stop()
  })
  const addrs = () => hub.getMultiaddrs().map(String)

  it('answers a well-formed request, and only such requests reach the decision', async () => {
    const env = { type: 'shulin/invite', signer: hub.peerId.toString(), payload: {}, sig: 'A'.repeat(86) } as const
    expect(await requestJoin(peer, addrs(), { invite: env, http: [], p2p: [] })).toEqual({ ok: false, reason: 'used' })
    expect(decided).toBe(1)
    const send = async (bytes: Uint8Array) => {
      const stream = await peer.dialProtocol(multiaddr(addrs()[0]!), JOIN_PROTOCOL)
      const lp = lpStream(stream, { maxDataLength: 8 * 1024 * 1024 })
      await lp.write(bytes)
      try {
        return JSON.parse(new TextDecoder().decode((await lp.read({ signal: AbortSignal.timeout(5000) })).subarray()))
      } catch {
        return 'closed'
      }
    }
    expect(await send(new TextEncoder().encode('not json'))).toEqual({ ok: false, reason: 'invalid' })
    expect(await send(new TextEncoder().encode('{"invite":{}}'))).toEqual({ ok: false, reason: 'invalid' })
    expect(await send(new Uint8Array([0xff, 0xfe]))).toEqual({ ok: false, reason: 'invalid' })
    expect(await send(new Uint8Array(5 * 1024 * 1024))).toBe('closed') // over the 4 MiB limit
    expect(decided).toBe(1)
    // Still serving.
    expect(await requestJoin(peer, addrs(), { invite: env, http: [], p2p: [] })).toEqual({ ok: false, reason: 'used' })
  })

  it('says which hub cannot be reached, without hanging', async () => {
    const t0 = Date.now()
    const nobody = (await generateNodeKey()).nodeId
    await expect(
      requestJoin(peer, ['/ip4/127.0.0.1/tcp/1/p2p/' + nobody], {
        invite: { type: 'shulin/invite', signer: hub.peerId.toString(), payload: {}, sig: 'A'.repeat(86) },
        http: [],
        p2p: [],
      }),
    ).rejects.toThrow(/cannot reach the hub/)
    expect(Date.now() - t0).toBeLessThan(16_000)
  })
})
