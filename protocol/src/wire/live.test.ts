/**
 * `/shulin/live/1.0.0` and `/shulin/live-room/1.0.0`: golden bytes (a change here is a new
 * protocol version, never a fix to a test) and the names and sizes both sides refuse.
 */
import { describe, expect, it } from 'vitest'
import {
  LIVE_PROTOCOL,
  LIVE_ROOM_PROTOCOL,
  LIVE_ROOM_PROTOCOLS,
  decodeLiveAnswer,
  decodeLiveRequest,
  decodeRoomDownlink,
  decodeRoomUplink,
  encodeLiveMessage,
  encodeRoomLinkMessage,
  liveLimits,
  maxFileBytes,
} from './live.js'

const text = (b: Uint8Array) => new TextDecoder().decode(b)
const bytes = (s: string) => new TextEncoder().encode(s)

describe('live wire', () => {
  it('keeps its ids and message bytes', () => {
    expect(LIVE_PROTOCOL).toBe('/shulin/live/1.0.0')
    expect(LIVE_ROOM_PROTOCOL).toBe('/shulin/live-room/1.0.0')
    expect(text(encodeLiveMessage({ want: 'segment', live: 'lv1', name: 'seg00042.ts' }))).toBe(
      '{"want":"segment","live":"lv1","name":"seg00042.ts"}',
    )
    expect(text(encodeLiveMessage({ ok: true, size: 1234 }))).toBe('{"ok":true,"size":1234}')
    expect(
      text(
        encodeRoomLinkMessage({
          type: 'submit',
          ref: 'r1',
          author: { id: 'acc@node', name: '读者****1234', library: '县图书馆' },
          msg: { type: 'question', text: '你好' },
        }),
      ),
    ).toBe(
      '{"type":"submit","ref":"r1","author":{"id":"acc@node","name":"读者****1234","library":"县图书馆"},"msg":{"type":"question","text":"你好"}}',
    )
  })

  it('refuses names that could leave the lecture folder, and unknown kinds', () => {
    for (const name of [
      '../index.m3u8',
      '..',
      '.hidden.ts',
      'a/b.ts',
      'seg.exe',
      'x.ts\n',
      '',
      'a'.repeat(81) + '.ts',
      'a.vtt',
    ])
      expect(decodeLiveRequest(bytes(JSON.stringify({ want: 'segment', live: 'lv1', name })))).toBeUndefined()
    expect(decodeLiveRequest(bytes('{"want":"playlist","live":"lv1","name":"seg1.ts"}'))).toBeUndefined()
    expect(decodeLiveRequest(bytes('{"want":"segment","live":"../x","name":"seg1.ts"}'))).toBeUndefined()
    expect(decodeLiveRequest(bytes('{"want":"delete","live":"lv1"}'))).toBeUndefined()
    expect(decodeLiveRequest(bytes('\xff\xfe garbage'))).toBeUndefined()
    expect(decodeLiveRequest(bytes('{"want":"playlist","live":"lv1","name":"index.m3u8"}'))).toEqual({
      want: 'playlist',
      live: 'lv1',
      name: 'index.m3u8',
    })
  })

  it('refuses an answer announcing more than a segment may hold', () => {
    expect(decodeLiveAnswer(bytes(`{"ok":true,"size":${liveLimits.maxSegmentBytes + 1}}`))).toBeUndefined()
    expect(decodeLiveAnswer(bytes('{"ok":true,"size":-1}'))).toBeUndefined()
    expect(decodeLiveAnswer(bytes('{"ok":false,"reason":"not_member"}'))).toEqual({ ok: false, reason: 'not_member' })
    expect(maxFileBytes({ want: 'playlist', live: 'a', name: 'i.m3u8' })).toBe(liveLimits.maxPlaylistBytes)
  })

  it('reads room-link frames only as declared', () => {
    expect(
      decodeRoomUplink(
        bytes(
          '{"type":"submit","ref":"r1","author":{"id":"a@b","name":"n","library":"l"},"msg":{"type":"question","text":"x".repeat(400)}}',
        ),
      ),
    ).toBeUndefined()
    expect(
      decodeRoomUplink(
        bytes(
          JSON.stringify({
            type: 'submit',
            ref: 'r1',
            author: { id: 'a@b', name: 'n', library: 'l' },
            msg: { type: 'question', text: 'x'.repeat(301) },
          }),
        ),
      ),
    ).toBeUndefined()
    expect(decodeRoomDownlink(bytes('{"type":"broadcast","msg":{"type":"hidden","id":"q1"}}'))).toEqual({
      type: 'broadcast',
      msg: { type: 'hidden', id: 'q1' },
    })
    expect(decodeRoomDownlink(bytes('{"type":"broadcast","msg":{"type":"rm -rf"}}'))).toBeUndefined()
    // A member's delay report (1.1.0): its figure and viewers, nothing else, within bounds.
    expect(decodeRoomUplink(bytes('{"type":"delay","ms":2500,"viewers":40}'))).toEqual({
      type: 'delay',
      ms: 2500,
      viewers: 40,
    })
    expect(decodeRoomUplink(bytes('{"type":"delay","ms":-1,"viewers":40}'))).toBeUndefined()
    expect(decodeRoomUplink(bytes('{"type":"delay","ms":100,"viewers":0}'))).toBeUndefined()
    expect(decodeRoomUplink(bytes('{"type":"delay","ms":100,"viewers":1,"extra":1}'))).toBeUndefined()
    expect(LIVE_ROOM_PROTOCOLS).toEqual(['/shulin/live-room/1.1.0', '/shulin/live-room/1.0.0'])
  })
})
