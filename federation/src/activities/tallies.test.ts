/**
 * The tally push over real libp2p on loopback: the hub's intake sees the pushing peer as Noise
 * proved it, a malformed or oversized push never reaches the intake, and the hub keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { ACTIVITY_TALLY_PROTOCOL, type TallyPush } from '@shulin/protocol'
import { generateNodeKey, type NodeKey } from '../identity/node-key.js'
import { createHost, type Host } from '../host/host.js'
import { seal } from '../envelope/envelope.js'
import { askRanking, pushTallies, serveRankings, serveTallies } from './tallies.js'

describe('activity tally protocol', () => {
  let hub: Host
  let member: Host
  let key: NodeKey
  const seen: Array<{ from: string; tallies: number; entries: number }> = []
  beforeAll(async () => {
    key = await generateNodeKey()
    hub = await createHost({ privateKey: (await generateNodeKey()).privateKey, listen: ['/ip4/127.0.0.1/tcp/0'] })
    member = await createHost({ privateKey: key.privateKey, listen: [] })
    await serveTallies(hub, async (push: TallyPush, from) => {
      seen.push({ from, tallies: push.tallies.length, entries: push.entries.length })
      return {
        ok: true,
        tallies: push.tallies.map(() => 'stored' as const),
        entries: push.entries.map(() => 'stored' as const),
      }
    })
    await serveRankings(hub, async (req) =>
      req.activity === 'national-1'
        ? {
            ok: true,
            ranking: {
              scope: 'national',
              entries: [
                {
                  id: `${key.nodeId}/e1`,
                  title: '静夜思',
                  author: { name: '李*', library: '临安县图书馆' },
                  likes: 3,
                  rank: 1,
                  score: null,
                  final: null,
                },
              ].slice(0, req.limit),
            },
          }
        : { ok: false, reason: 'unknown_activity' },
    )
  })
  afterAll(async () => {
    await member?.stop()
    await hub?.stop()
  })
  const addrs = () => hub.getMultiaddrs().map(String)

  it('carries signed tallies and entries and tells the hub who pushed them', async () => {
    const tally = await seal(key, 'shulin/activity-tally', { day: '2026-12-01' })
    const entry = await seal(key, 'shulin/activity-entry', { id: 'x' })
    expect(await pushTallies(member, addrs(), { tallies: [tally], entries: [entry, entry] })).toEqual({
      ok: true,
      tallies: ['stored'],
      entries: ['stored', 'stored'],
    })
    expect(seen).toEqual([{ from: key.nodeId, tallies: 1, entries: 2 }])
  })

  it('answers malformed pushes without reaching the intake, closes oversized ones, and keeps serving', async () => {
    const send = async (bytes: Uint8Array) => {
      const stream = await member.dialProtocol(multiaddr(addrs()[0]!), ACTIVITY_TALLY_PROTOCOL)
      const lp = lpStream(stream, { maxDataLength: 16 * 1024 * 1024 })
      await lp.write(bytes)
      try {
        return JSON.parse(new TextDecoder().decode((await lp.read({ signal: AbortSignal.timeout(5000) })).subarray()))
      } catch {
        return 'closed'
      }
    }
    const before = seen.length
    const text = (s: string) => new TextEncoder().encode(s)
    expect(await send(text('{"tallies":[],"entries":[]}'))).toEqual({ ok: false, reason: 'invalid' })
    expect(await send(text('{"tallies":[{"type":"shulin/activity-tally"}],"entries":[]}'))).toEqual({
      ok: false,
      reason: 'invalid',
    })
    expect(await send(text('nope'))).toEqual({ ok: false, reason: 'invalid' })
    expect(await send(new Uint8Array(9 * 1024 * 1024))).toBe('closed')
    expect(seen.length).toBe(before)
    const env = await seal(key, 'shulin/activity-tally', { day: '2026-12-02' })
    expect(await pushTallies(member, addrs(), { tallies: [env], entries: [] })).toMatchObject({ ok: true })
  })

  it('says the hub is unreachable when no address answers', async () => {
    const env = await seal(key, 'shulin/activity-tally', {})
    await expect(pushTallies(member, ['/ip4/127.0.0.1/tcp/1'], { tallies: [env], entries: [] })).rejects.toThrow(
      /cannot reach the hub/,
    )
  })

  it('answers a member’s question for a national ranking; an unknown activity is said so', async () => {
    const r = await askRanking(member, addrs(), { activity: 'national-1', limit: 10 })
    expect(r).toMatchObject({ ok: true, ranking: { scope: 'national', entries: [{ likes: 3, rank: 1 }] } })
    expect(await askRanking(member, addrs(), { activity: 'nope', limit: 10 })).toEqual({
      ok: false,
      reason: 'unknown_activity',
    })
    await expect(askRanking(member, ['/ip4/127.0.0.1/tcp/1'], { activity: 'national-1', limit: 1 })).rejects.toThrow(
      /cannot reach the hub/,
    )
  })
})
