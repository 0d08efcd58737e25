/**
 * The roll-up push over real libp2p on loopback: the hub's intake sees the pushing peer as
 * Noise proved it, a malformed or oversized push never reaches the intake, and the hub keeps
 * serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { STATS_PROTOCOL, type StatsPush } from '@shulin/protocol'
import { generateNodeKey, type NodeKey } from '../identity/node-key.js'
import { createHost, type Host } from '../host/host.js'
import { seal } from '../envelope/envelope.js'
import { pushRollups, serveStats } from './stats.js'

describe('stats protocol', () => {
  let hub: Host
  let member: Host
  let key: NodeKey
  const seen: Array<{ from: string; n: number }> = []
  beforeAll(async () => {
    key = await generateNodeKey()
    hub = await createHost({ privateKey: (await generateNodeKey()).privateKey, listen: ['/ip4/127.0.0.1/tcp/0'] })
    member = await createHost({ privateKey: key.privateKey, listen: [] })
    await serveStats(hub, async (push: StatsPush, from) => {
      seen.push({ from, n: push.rollups.length })
      return { ok: true, outcomes: push.rollups.map(() => 'stored' as const) }
    })
  })
  afterAll(async () => {
    await member?.stop()
    await hub?.stop()
  })
  const addrs = () => hub.getMultiaddrs().map(String)

  it('carries signed roll-ups and tells the hub who pushed them', async () => {
    const env = await seal(key, 'shulin/rollup', { day: '2026-12-01' })
    expect(await pushRollups(member, addrs(), { rollups: [env, env] })).toEqual({
      ok: true,
      outcomes: ['stored', 'stored'],
    })
    expect(seen).toEqual([{ from: key.nodeId, n: 2 }])
  })

  it('answers malformed pushes without reaching the intake, closes oversized ones, and keeps serving', async () => {
    const send = async (bytes: Uint8Array) => {
      const stream = await member.dialProtocol(multiaddr(addrs()[0]!), STATS_PROTOCOL)
      const lp = lpStream(stream, { maxDataLength: 4 * 1024 * 1024 })
      await lp.write(bytes)
      try {
        return JSON.parse(new TextDecoder().decode((await lp.read({ signal: AbortSignal.timeout(5000) })).subarray()))
      } catch {
        return 'closed'
      }
    }
    const before = seen.length
    expect(await send(new TextEncoder().encode('{"rollups":[]}'))).toEqual({ ok: false, reason: 'invalid' })
    expect(await send(new TextEncoder().encode('{"rollups":[{"type":"shulin/rollup"}]}'))).toEqual({
      ok: false,
      reason: 'invalid',
    })
    expect(await send(new TextEncoder().encode('nope'))).toEqual({ ok: false, reason: 'invalid' })
    expect(await send(new Uint8Array(2 * 1024 * 1024))).toBe('closed')
    expect(seen.length).toBe(before)
    const env = await seal(key, 'shulin/rollup', { day: '2026-12-02' })
    expect(await pushRollups(member, addrs(), { rollups: [env] })).toMatchObject({ ok: true })
  })

  it('says the hub is unreachable when no address answers', async () => {
    const env = await seal(key, 'shulin/rollup', {})
    await expect(pushRollups(member, ['/ip4/127.0.0.1/tcp/1'], { rollups: [env] })).rejects.toThrow(
      /cannot reach the hub/,
    )
  })
})
