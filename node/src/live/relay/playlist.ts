/**
 * @module live/relay/playlist
 * Reading the hub's live media playlist and writing the member's own: the member lists only
 * the segments it holds, so its readers never ask for one it could not fetch. A segment it
 * skipped (a link that dropped, a fetch that failed) leaves a gap, marked
 * `#EXT-X-DISCONTINUITY` so players jump it instead of stalling on it.
 *
 * A line-based reader of what ffmpeg's HLS muxer writes (RFC 8216): header tags, then per
 * segment its tags and its URI. Every URI must be a bare file name the node serves
 * ({@link hlsSegmentName}); a playlist with any other is refused whole, so a hostile playlist
 * never names a path. Hand-written rather than a parser package: the relay reads two tags and
 * the URIs and writes the rest back byte for byte.
 *
 * @example
 * ```ts
 * const p = readPlaylist(text)          // { header, segments: [{ seq, name, lines }], ended, target }
 * writePlaylist(p, (name) => held.has(name))
 * ```
 */
import { hlsPlaylistName, hlsSegmentName } from '@shulin/protocol'

export interface PlaylistSegment {
  /** Its media sequence number. */
  seq: number
  /** Its file name. */
  name: string
  /** Its tags (`#EXTINF`, `#EXT-X-PROGRAM-DATE-TIME`, …) and its URI, as the hub wrote them. */
  lines: string[]
}

export interface MediaPlaylist {
  kind: 'media'
  /** The tags before the first segment, `#EXT-X-MEDIA-SEQUENCE` left out (it is written again). */
  header: string[]
  segments: PlaylistSegment[]
  /** `#EXT-X-TARGETDURATION`, seconds. */
  target: number
  /** `#EXT-X-ENDLIST`: the stream ended. */
  ended: boolean
  /** The `EXT-X-MAP` initialisation sections (fMP4), fetched like segments. */
  maps: string[]
}

export interface MasterPlaylist {
  kind: 'master'
  /** The variant playlists' names; the master is relayed as it is. */
  variants: string[]
}

const mapUri = /^#EXT-X-MAP:.*URI="([^"]*)"/
/** Tags that belong to the segment after them (the rest, before the first segment, are the header). */
const segmentTag = /^#(EXTINF|EXT-X-PROGRAM-DATE-TIME|EXT-X-DISCONTINUITY|EXT-X-BYTERANGE|EXT-X-GAP|EXT-X-BITRATE)\b/

/** The playlist, or a reason it is refused (not HLS, a URI that is not a bare file name). */
export function readPlaylist(text: string): MediaPlaylist | MasterPlaylist | { error: string } {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '')
  if (lines[0] !== '#EXTM3U') return { error: 'not an HLS playlist' }
  if (lines.some((l) => l.startsWith('#EXT-X-STREAM-INF'))) {
    const variants = lines.filter((l) => !l.startsWith('#'))
    if (!variants.every((v) => hlsPlaylistName.test(v))) return { error: 'a variant is not a bare playlist name' }
    return { kind: 'master', variants }
  }
  const header: string[] = []
  const segments: PlaylistSegment[] = []
  const maps: string[] = []
  let first = 0
  let target = 2
  let ended = false
  let pending: string[] = []
  for (const line of lines) {
    if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) {
      first = Number(line.slice('#EXT-X-MEDIA-SEQUENCE:'.length))
      if (!Number.isSafeInteger(first) || first < 0) return { error: 'bad media sequence' }
      continue
    }
    if (line.startsWith('#EXT-X-TARGETDURATION:')) target = Number(line.slice('#EXT-X-TARGETDURATION:'.length)) || 2
    if (line === '#EXT-X-ENDLIST') {
      ended = true
      continue
    }
    const map = mapUri.exec(line)
    if (map) {
      if (!hlsSegmentName.test(map[1]!)) return { error: 'a map is not a bare file name' }
      maps.push(map[1]!)
    }
    if (line.startsWith('#')) {
      // Tags before the first segment's are the header's; a segment's own come right before it.
      if (segments.length === 0 && pending.length === 0 && !segmentTag.test(line)) header.push(line)
      else pending.push(line)
      continue
    }
    if (!hlsSegmentName.test(line)) return { error: 'a segment is not a bare file name' }
    segments.push({ seq: first + segments.length, name: line, lines: [...pending, line] })
    pending = []
  }
  return { kind: 'media', header, segments, target: Math.min(Math.max(target, 1), 60), ended, maps }
}

/**
 * The member's playlist: the segments `held` says it has, from the first it holds on; a gap
 * before a held segment is marked as a discontinuity. `undefined` while it holds none.
 */
export function writePlaylist(p: MediaPlaylist, held: (name: string) => boolean): string | undefined {
  const start = p.segments.findIndex((s) => held(s.name))
  if (start < 0) return undefined
  const out = [...p.header, `#EXT-X-MEDIA-SEQUENCE:${p.segments[start]!.seq}`]
  let gap = false
  for (const s of p.segments.slice(start)) {
    if (!held(s.name)) {
      gap = true
      continue
    }
    if (gap && !s.lines.includes('#EXT-X-DISCONTINUITY')) out.push('#EXT-X-DISCONTINUITY')
    out.push(...s.lines)
    gap = false
  }
  if (p.ended) out.push('#EXT-X-ENDLIST')
  return out.join('\n') + '\n'
}
