/**
 * @module courses/transcode/ladder
 * Which renditions a source gets: the source's height capped at 720p on top, and a lower one
 * (360p, or 240p for a source of 360p or less) so a slow phone has something to fall back to.
 * Never above the source: upscaling costs bytes and shows nothing new. Bit rates are the usual
 * H.264 ladder for talks (mostly still pictures).
 */

export interface Rung {
  name: string
  width: number
  height: number
  /** Video bits per second (the peak is 10 % above). */
  videoBitrate: number
}

const even = (n: number) => Math.max(2, 2 * Math.round(n / 2))

function bitrateFor(height: number): number {
  if (height <= 240) return 400_000
  if (height <= 360) return 800_000
  if (height <= 480) return 1_400_000
  return 2_800_000
}

export const audioBitrate = 96_000

export function ladder(source: { width: number; height: number }): Rung[] {
  const top = even(Math.min(source.height, 720))
  const heights = [top]
  const lower = top > 360 ? 360 : top > 240 ? 240 : undefined
  if (lower) heights.unshift(lower)
  return heights.map((height) => ({
    name: `${height}p`,
    height,
    width: even((source.width * height) / source.height),
    videoBitrate: bitrateFor(height),
  }))
}
