/**
 * The relay's playlist reader and writer: a hostile playlist naming a path is refused whole; the
 * member lists only what it holds, marking a gap as a discontinuity, and keeps the end mark.
 */
import { describe, expect, it } from 'vitest'
import { readPlaylist, writePlaylist, type MediaPlaylist } from './playlist.js'

const hub = [
  '#EXTM3U',
  '#EXT-X-VERSION:6',
  '#EXT-X-TARGETDURATION:2',
  '#EXT-X-MEDIA-SEQUENCE:40',
  '#EXT-X-MAP:URI="init.mp4"',
  '#EXT-X-PROGRAM-DATE-TIME:2026-12-03T08:00:00.000Z',
  '#EXTINF:2.000,',
  'seg40.m4s',
  '#EXTINF:2.000,',
  'seg41.m4s',
  '#EXTINF:2.000,',
  'seg42.m4s',
  '#EXT-X-ENDLIST',
].join('\n')

describe('relay playlist', () => {
  it('reads the segments with their sequence numbers, maps and end', () => {
    const p = readPlaylist(hub) as MediaPlaylist
    expect(p.kind).toBe('media')
    expect(p.segments.map((s) => [s.seq, s.name])).toEqual([
      [40, 'seg40.m4s'],
      [41, 'seg41.m4s'],
      [42, 'seg42.m4s'],
    ])
    expect(p.maps).toEqual(['init.mp4'])
    expect(p.ended).toBe(true)
    expect(p.segments[0]!.lines[0]).toMatch(/PROGRAM-DATE-TIME/)
  })

  it('refuses a playlist naming anything but a bare file', () => {
    for (const bad of ['../../db/CURRENT', '/etc/passwd', 'http://evil.example/x.ts', 'seg.ts?x=1', '.seg.ts'])
      expect(readPlaylist(hub.replace('seg41.m4s', bad))).toHaveProperty('error')
    expect(readPlaylist(hub.replace('init.mp4', '../init.mp4'))).toHaveProperty('error')
    expect(readPlaylist('<html>')).toHaveProperty('error')
    expect(readPlaylist(hub.replace('SEQUENCE:40', 'SEQUENCE:-1'))).toHaveProperty('error')
  })

  it('lists only what the member holds, a gap marked as a discontinuity', () => {
    const p = readPlaylist(hub) as MediaPlaylist
    expect(writePlaylist(p, () => false)).toBeUndefined()
    const out = writePlaylist(p, (n) => n !== 'seg41.m4s')!
    expect(out).toContain('#EXT-X-MEDIA-SEQUENCE:40')
    expect(out).not.toContain('seg41.m4s')
    expect(out.indexOf('#EXT-X-DISCONTINUITY')).toBeGreaterThan(out.indexOf('seg40.m4s'))
    expect(out.indexOf('#EXT-X-DISCONTINUITY')).toBeLessThan(out.indexOf('seg42.m4s'))
    expect(out.trim().endsWith('#EXT-X-ENDLIST')).toBe(true)
    const edge = writePlaylist(p, (n) => n === 'seg42.m4s')!
    expect(edge).toContain('#EXT-X-MEDIA-SEQUENCE:42')
    expect(edge).not.toContain('DISCONTINUITY')
    expect(edge).toContain('#EXT-X-MAP:URI="init.mp4"')
  })
})
