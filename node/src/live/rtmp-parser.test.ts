/**
 * The RTMP parser's memory budget: chunk headers that declare large messages on many chunk
 * streams, sent before any stream key, make the plain parser allocate 16 MiB each; the bounded
 * one refuses them. Bytes held are counted (the parser's buffers), not timed.
 */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import Rtmp from 'node-media-server/src/protocol/rtmp.js'
import { BoundedRtmp, RtmpLimit, rtmpLimits } from './rtmp-parser.js'

/**
 * C0 + C1 + C2 (the handshake), then on each chunk stream a type-0 chunk declaring a message of
 * `length` bytes and carrying its first chunk: 140 bytes a stream.
 */
function attack(streams: number, length: number): Buffer {
  const parts = [Buffer.from([3]), randomBytes(1536), randomBytes(1536)]
  for (let cid = 3; cid < 3 + streams; cid++) {
    const h = Buffer.alloc(12)
    h[0] = cid // fmt 0, one-byte basic header
    h.writeUIntBE(0, 1, 3) // timestamp
    h.writeUIntBE(length, 4, 3) // message length
    h[7] = 9 // video
    h.writeUInt32LE(1, 8) // stream id
    parts.push(h, Buffer.alloc(Math.min(128, length))) // one chunk (128 bytes): the message stays open
  }
  return Buffer.concat(parts)
}

const held = (r: Rtmp) => [...r.inPackets.values()].reduce((n, p) => n + p.capacity, 0)

describe('the bounded RTMP parser', () => {
  it('the plain parser allocates what the headers declare (what the bound is for)', () => {
    const plain = new Rtmp()
    plain.onOutputCallback = () => {}
    expect(plain.parserData(attack(20, 0xffffff))).toBeNull()
    expect(held(plain)).toBeGreaterThan(300 * 1024 * 1024)
  })

  it('refuses a large message, and many large ones, before the key is accepted', () => {
    const one = new BoundedRtmp()
    one.onOutputCallback = () => {}
    expect(() => one.parserData(attack(1, 0xffffff))).toThrow(RtmpLimit)
    expect(held(one)).toBe(0)

    const many = new BoundedRtmp()
    many.onOutputCallback = () => {}
    expect(() => many.parserData(attack(20, rtmpLimits.unverified.message))).toThrow(/bytes of messages held/)
    expect(held(many)).toBeLessThanOrEqual(rtmpLimits.unverified.total)

    const streams = new BoundedRtmp()
    streams.onOutputCallback = () => {}
    expect(() => streams.parserData(attack(40, 100))).toThrow(/chunk streams/)
  })

  it('takes an accepted encoder’s large key frames', () => {
    const r = new BoundedRtmp()
    r.onOutputCallback = () => {}
    r.limits = rtmpLimits.verified
    expect(r.parserData(attack(2, 8 * 1024 * 1024))).toBeNull()
  })
})
