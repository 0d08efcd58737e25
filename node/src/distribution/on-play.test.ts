/**
 * The order a catalogue-only member fetches a lecture in when a reader first plays it: what lets
 * playback start comes first, the large media files last, the lowest rendition before the rest.
 */
import { describe, expect, it } from 'vitest'
import type { ResourceFile } from '@shulin/protocol'
import { playOrder } from './on-play.js'

const file = (name: string, role: ResourceFile['role']): ResourceFile => ({
  blob: name
    .padEnd(64, '0')
    .replace(/[^0-9a-f]/g, 'a')
    .slice(0, 64),
  role,
  mediaType: 'application/octet-stream',
  size: 1,
  name,
})

describe('playOrder', () => {
  it('playlists (master first), subtitles, poster, then media by rising bandwidth; no original, no slides', () => {
    const files = [
      file('720p.ts', 'hls'),
      file('slides.pdf', 'attachment'),
      file('360p.ts', 'hls'),
      file('lecture.mp4', 'video'),
      file('720p.m3u8', 'hls'),
      file('poster.jpg', 'poster'),
      file('zh.vtt', 'subtitles'),
      file('master.m3u8', 'hls'),
      file('360p.m3u8', 'hls'),
    ]
    const renditions = [
      { height: 720, width: 1280, bandwidth: 3_000_000, playlist: '720p.m3u8', media: '720p.ts' },
      { height: 360, width: 640, bandwidth: 800_000, playlist: '360p.m3u8', media: '360p.ts' },
    ]
    const lecture = { position: 0, speakers: [], status: 'ready' as const, renditions, subtitles: [], related: [] }
    const order = playOrder({ files, lecture }).map((f) => f.name)
    expect(order[0]).toBe('master.m3u8')
    expect(order.slice(1, 3).sort()).toEqual(['360p.m3u8', '720p.m3u8'])
    expect(order.slice(3)).toEqual(['zh.vtt', 'poster.jpg', '360p.ts', '720p.ts'])
    // The lecture's own list is left as it was.
    expect(renditions.map((r) => r.height)).toEqual([720, 360])
  })
})
