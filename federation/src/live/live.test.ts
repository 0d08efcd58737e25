/**
 * The live protocols over real libp2p streams on loopback: a member gets the hub's files and
 * room messages; a hostile hub (oversized, mis-sized or garbage answers) only ever makes an
 * ask fail; a hostile member (garbage requests and frames) only ever ends its own stream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lpStream } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'
import { LIVE_PROTOCOL, LIVE_ROOM_PROTOCOL, liveLimits, type RoomDownlink, type RoomUplink } from '@shulin/protocol'
import { generateNodeKey } from '../identity/node-key.js'
import { createHost, type Host } from '../host/host.js'
import { LiveRefused, askLiveFile, askLiveList, openLiveRoom, serveLive, serveLiveRoom } from './index.js'

const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o))

describe('live protocols', () => {
  const hosts: Host[] = []
  const newHost = async () => {
    const h = await createHost({ privateKey: (await generateNodeKey()).privateKey, listen: ['/ip4/127.0.0.1/tcp/0'] })
    hosts.push(h)
    return h
  }
  const addrs = (h: Host) => h.getMultiaddrs().map(String)
  let hub: Host
  let member: Host
  let stranger: Host
  let hostile: Host
  /** What the hostile hub writes after the request: frames, raw. */
  let script: Uint8Array[] = []

  beforeAll(async () => {
    ;[hub, member, stranger, hostile] = await Promise.all([newHost(), newHost(), newHost(), newHost()])
    const segment = new Uint8Array(1000).fill(7)
    await serveLive(hub, {
      answer: async (req, from) => {
        if (from !== member.peerId.toString()) return { ok: false, reason: 'not_member' }
        if (req.want === 'list') return { ok: true, lectures: [] }
        if (req.want === 'segment' && req.name === 'seg1.ts') return { ok: true, file: segment }
        return { ok: false, reason: 'unknown' }
      },
    })
    await hostile.handle(LIVE_PROTOCOL, async (stream: Stream) => {
      const lp = lpStream(stream)
      await lp.read()
      for (const f of script) await lp.write(f)
      await stream.close().catch(() => {})
    })
  }, 20_000)
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.stop()))
  })

  it('gives a segment to a member, and nothing to a stranger', async () => {
    const body = await askLiveFile(member, addrs(hub), { want: 'segment', live: 'lv1', name: 'seg1.ts' })
    expect(body.byteLength).toBe(1000)
    expect(await askLiveList(member, addrs(hub))).toEqual([])
    await expect(askLiveFile(member, addrs(hub), { want: 'segment', live: 'lv1', name: 'seg2.ts' })).rejects.toThrow(
      LiveRefused,
    )
    await expect(askLiveList(stranger, addrs(hub))).rejects.toMatchObject({ reason: 'not_member' })
  })

  it('answers a garbage request `invalid` and keeps serving', async () => {
    const stream = await member.dialProtocol(hub.getMultiaddrs()[0]!, LIVE_PROTOCOL)
    const lp = lpStream(stream)
    await lp.write(enc({ want: 'segment', live: 'lv1', name: '../../db/CURRENT' }))
    expect(JSON.parse(new TextDecoder().decode((await lp.read()).subarray()))).toEqual({ ok: false, reason: 'invalid' })
    const big = await member.dialProtocol(hub.getMultiaddrs()[0]!, LIVE_PROTOCOL)
    await lpStream(big).write(new Uint8Array(liveLimits.maxRequestBytes + 1))
    await expect(lpStream(big).read()).rejects.toThrow()
    expect((await askLiveFile(member, addrs(hub), { want: 'segment', live: 'lv1', name: 'seg1.ts' })).byteLength).toBe(
      1000,
    )
  })

  it('refuses what a hostile hub sends: over the limit, not the size announced, garbage', async () => {
    const req = { want: 'segment', live: 'lv1', name: 'seg1.ts' } as const
    const cases: Uint8Array[][] = [
      [enc({ ok: true, size: liveLimits.maxSegmentBytes + 1 })],
      [enc({ ok: true, size: 10 }), new Uint8Array(11)],
      [enc({ ok: true, size: 10 }), new Uint8Array(9)],
      [enc({ ok: true, size: 10 })],
      [new TextEncoder().encode('\u0000garbage{')],
      [enc({ ok: true, lectures: [] })],
      [enc({ ok: true, size: 10 }), new Uint8Array(liveLimits.maxSegmentBytes + 2)],
    ]
    for (const frames of cases) {
      script = frames
      await expect(askLiveFile(member, addrs(hostile), req)).rejects.toThrow(/did not answer|not an answer/)
    }
    script = [enc({ ok: true, size: liveLimits.maxPlaylistBytes + 1 }), new Uint8Array(liveLimits.maxPlaylistBytes + 1)]
    await expect(
      askLiveFile(member, addrs(hostile), { want: 'playlist', live: 'lv1', name: 'index.m3u8' }),
    ).rejects.toThrow(/over the limit/)
  })

  it('carries room messages both ways; a garbage frame ends that link only', async () => {
    const got: RoomUplink[] = []
    let hubClosed = 0
    await serveLiveRoom(hub, async (hello, from, link) => {
      if (from !== member.peerId.toString()) return 'not_member'
      if (hello.live !== 'lv1') return 'unknown'
      // The room's history, sent while accepting: it must follow the accept frame, not precede it.
      link.send({ type: 'broadcast', msg: { type: 'slow', seconds: 30 } })
      return {
        message: (up) => {
          got.push(up)
          link.send({ type: 'broadcast', msg: { type: 'hidden', id: up.ref } })
        },
        closed: () => void hubClosed++,
      }
    })
    const down: RoomDownlink[] = []
    let memberClosed = 0
    const link = await openLiveRoom(
      member,
      addrs(hub),
      { live: 'lv1' },
      {
        message: (m) => void down.push(m),
        closed: () => void memberClosed++,
      },
    )
    const author = { id: `acc1@${member.peerId.toString()}`, name: '读者', library: '县馆' }
    link.send({ type: 'submit', ref: 'r1', author, msg: { type: 'question', text: '几点开始?' } })
    await expect
      .poll(() => down, { timeout: 5000 })
      .toEqual([
        { type: 'broadcast', msg: { type: 'slow', seconds: 30 } },
        { type: 'broadcast', msg: { type: 'hidden', id: 'r1' } },
      ])
    expect(got[0]?.msg).toEqual({ type: 'question', text: '几点开始?' })
    await expect(openLiveRoom(member, addrs(hub), { live: 'nope' }, { message() {}, closed() {} })).rejects.toThrow(
      LiveRefused,
    )
    await expect(
      openLiveRoom(stranger, addrs(hub), { live: 'lv1' }, { message() {}, closed() {} }),
    ).rejects.toMatchObject({ reason: 'not_member' })

    // A raw stream that says hello, then garbage: the hub ends it and keeps the other link.
    const raw = await member.dialProtocol(hub.getMultiaddrs()[0]!, LIVE_ROOM_PROTOCOL)
    const lp = lpStream(raw)
    await lp.write(enc({ live: 'lv1' }))
    await lp.read()
    await lp.write(enc({ type: 'submit', ref: '../x', author, msg: { type: 'question', text: 'x' } }))
    await expect.poll(() => hubClosed, { timeout: 5000 }).toBe(1)
    link.send({ type: 'submit', ref: 'r2', author, msg: { type: 'comment', text: '好' } })
    await expect.poll(() => down.length, { timeout: 5000 }).toBe(3)
    link.close()
    await expect.poll(() => memberClosed, { timeout: 5000 }).toBe(1)
    await expect.poll(() => hubClosed, { timeout: 5000 }).toBe(2)
  })

  it('sends the delay frame only on a 1.1.0 link: an older hub (1.0.0 only) never sees one', async () => {
    const hub11 = await newHost()
    const got: RoomUplink[] = []
    await serveLiveRoom(hub11, async () => ({ message: (up) => void got.push(up), closed() {} }))
    const link = await openLiveRoom(member, addrs(hub11), { live: 'lv1' }, { message() {}, closed() {} })
    expect(link.delayFrames).toBe(true)
    link.send({ type: 'delay', ms: 2500, viewers: 40 })
    await expect.poll(() => got, { timeout: 5000 }).toEqual([{ type: 'delay', ms: 2500, viewers: 40 }])
    link.close()

    // A hub of before: only 1.0.0, and a frame it does not know would end the link.
    const old = await newHost()
    let oldFrames = 0
    await old.handle(LIVE_ROOM_PROTOCOL, async (stream: Stream) => {
      const lp = lpStream(stream)
      await lp.read()
      await lp.write(enc({ ok: true }))
      for (;;) {
        await lp.read()
        oldFrames++
      }
    })
    const oldLink = await openLiveRoom(member, addrs(old), { live: 'lv1' }, { message() {}, closed() {} })
    expect(oldLink.delayFrames).toBe(false)
    oldLink.close()
    expect(oldFrames).toBe(0)
  })

  it("ends a member's link on a hostile hub's garbage or oversized frame, without touching the rest", async () => {
    const rogue = await newHost()
    let next: Uint8Array = new Uint8Array(0)
    await rogue.handle(LIVE_ROOM_PROTOCOL, async (stream: Stream) => {
      const lp = lpStream(stream, { maxDataLength: liveLimits.maxRoomFrameBytes * 4 })
      await lp.read()
      await lp.write(enc({ ok: true }))
      await lp.write(enc({ type: 'broadcast', msg: { type: 'hidden', id: 'q1' } }))
      await lp.write(next)
    })
    for (const frame of [
      new TextEncoder().encode('{"type":"broadcast","msg":{"type":"question","text":1}}'),
      new Uint8Array([0xff, 0xfe, 0x00]),
      new Uint8Array(liveLimits.maxRoomFrameBytes + 1).fill(0x20),
    ]) {
      next = frame
      const down: RoomDownlink[] = []
      let closed = 0
      await openLiveRoom(
        member,
        addrs(rogue),
        { live: 'lv1' },
        {
          message: (m) => void down.push(m),
          closed: () => void closed++,
        },
      )
      await expect.poll(() => closed, { timeout: 5000 }).toBe(1)
      expect(down).toEqual([{ type: 'broadcast', msg: { type: 'hidden', id: 'q1' } }])
    }
    // The member still asks the honest hub as before.
    expect((await askLiveFile(member, addrs(hub), { want: 'segment', live: 'lv1', name: 'seg1.ts' })).byteLength).toBe(
      1000,
    )
  })
})
